package sysprep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/size"
)

// BuilderID identifies this post-processor's artifacts.
const BuilderID = "packer-sysprep.post-processor.sysprep"

// Artifact is the generalized image the post-processor wrote.
type Artifact struct {
	// Path of the image file.
	Path string
	// Format is "qcow2" or "raw".
	Format string
	// VirtualSize is the guest-visible disk size; FileSize the file's size.
	VirtualSize int64
	FileSize    int64
	// Summary is one line per operation ("logfiles: 12 removed").
	Summary []string
	// Seconds the run took.
	Seconds float64
}

// BuilderId returns BuilderID.
func (*Artifact) BuilderId() string { return BuilderID }

// Files returns the image's path.
func (a *Artifact) Files() []string { return []string{a.Path} }

// Id returns the image's path.
func (a *Artifact) Id() string { return a.Path }

// String says where the image is, its format and sizes, and what was done.
func (a *Artifact) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generalized %s image: %s (%s virtual, %s file)", a.Format, a.Path, size.Format(a.VirtualSize), size.Format(a.FileSize))
	if len(a.Summary) > 0 {
		b.WriteString("; " + strings.Join(a.Summary, "; "))
	}
	return b.String()
}

// State gives downstream post-processors what the qemu builder gives them:
// diskType, diskName, diskSize ("<MiB>M", rounded up) and diskPaths, plus
// diskSizeBytes.
func (a *Artifact) State(name string) interface{} {
	switch name {
	case "diskType":
		return a.Format
	case "diskName":
		return filepath.Base(a.Path)
	case "diskSize":
		return fmt.Sprintf("%dM", (a.VirtualSize+(1<<20)-1)>>20)
	case "diskSizeBytes":
		return a.VirtualSize
	case "diskPaths":
		return []string{a.Path}
	}
	return nil
}

// Destroy removes the image.
func (a *Artifact) Destroy() error {
	if err := os.Remove(a.Path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

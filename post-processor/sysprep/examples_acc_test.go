package sysprep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool/guestgen"
)

// The runnable builder examples stay runnable: the file and artifice ones
// are built for real on a generated guest (the qemu one needs the qemu
// plugin and the network, so it is only parsed by packer fmt).

func exampleDir(t *testing.T, name string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", "builder-examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func exampleGuest(t *testing.T, dir string) string {
	t.Helper()
	d, err := guestgen.Build(context.Background(), guestgen.Options{Dir: dir, Name: "debian.qcow2", Size: 256 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return d.Path
}

func TestAccBuilderExampleFile(t *testing.T) {
	testtool.Need(t, "packer", "qemu-img", "mkfs.ext4", "sgdisk")
	dir := t.TempDir()
	in := exampleGuest(t, dir)
	out := filepath.Join(dir, "out")
	res := mustPacker(t, dir, "build", "-color=false", "-var", "input="+in, "-var", "output_dir="+out,
		"-var", "root_password=example-pw-123", exampleDir(t, "file"))
	golden := filepath.Join(out, "base-golden.qcow2")
	testtool.QemuCheck(t, golden)
	if got := testtool.QemuCompressionType(t, golden); got != "zstd" {
		t.Errorf("compression %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "report.json")); err != nil {
		t.Error(err)
	}
	// keep_input_artifact is unset: the file builder's copy goes, the source stays.
	if _, err := os.Stat(filepath.Join(out, "work", "debian.qcow2")); !os.IsNotExist(err) {
		t.Errorf("the file builder's copy should have been removed: %v", err)
	}
	if _, err := os.Stat(in); err != nil {
		t.Errorf("the source image: %v", err)
	}
	if !strings.Contains(res.out, "cloud-init-config: 1 created") {
		t.Errorf("output:\n%s", res.out)
	}
}

func TestAccBuilderExampleArtifice(t *testing.T) {
	testtool.Need(t, "packer", "qemu-img", "mkfs.ext4", "sgdisk")
	dir := t.TempDir()
	in := exampleGuest(t, dir)
	sum := testtool.SHA256File(t, in)
	out := filepath.Join(dir, "golden.raw")
	mustPacker(t, dir, "build", "-color=false", "-var", "input="+in, "-var", "output="+out, exampleDir(t, "artifice"))
	if testtool.SHA256File(t, in) != sum {
		t.Error("the input changed")
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() != 256<<20 {
		t.Errorf("raw output: %v, %v", st, err)
	}
}

func TestAccBuilderExamplesAreFormatted(t *testing.T) {
	testtool.Need(t, "packer")
	for _, name := range []string{"file", "artifice", "qemu"} {
		r := runPacker(t, t.TempDir(), "fmt", "-check", "-diff", exampleDir(t, name))
		if r.code != 0 {
			t.Errorf("packer fmt -check builder-examples/%s: exit %d\n%s", name, r.code, r.out)
		}
	}
}

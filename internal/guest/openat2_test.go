package guest

import (
	"errors"
	iofs "io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// openHow is struct open_how of openat2(2).
type openHow struct {
	Flags   uint64
	Mode    uint64
	Resolve uint64
}

const (
	sysOpenat2    = 437  // same number on every Linux architecture
	resolveInRoot = 0x10 // RESOLVE_IN_ROOT: "/" and ".." stay inside dirfd, as chroot
	oPath         = 0x200000
)

// kernelResolve asks the Linux kernel to resolve p inside root as if root
// were "/" (openat2 RESOLVE_IN_ROOT) and returns the guest path it reached.
func kernelResolve(root string, rootFd int, p string, followLast bool) (string, error) {
	how := openHow{Flags: oPath | syscall.O_CLOEXEC, Resolve: resolveInRoot}
	if !followLast {
		how.Flags |= syscall.O_NOFOLLOW
	}
	name, err := syscall.BytePtrFromString(strings.TrimPrefix(p, "/"))
	if err != nil {
		return "", err
	}
	if p == "/" {
		name, _ = syscall.BytePtrFromString(".")
	}
	fd, _, errno := syscall.Syscall6(sysOpenat2, uintptr(rootFd), uintptr(unsafe.Pointer(name)),
		uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how), 0, 0)
	if errno != 0 {
		return "", errno
	}
	defer syscall.Close(int(fd))
	got, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(fd)))
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, got)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", errors.New("kernel left the root: " + got)
	}
	return path.Clean("/" + filepath.ToSlash(rel)), nil
}

// TestRootResolveMatchesKernel builds random trees of symlinks (relative,
// absolute, "..", loops, dangling, through files) both on the host and in
// memfs, and checks that Root resolves every path to the same place as the
// kernel's own chroot-style resolution, or fails the same way.
func TestRootResolveMatchesKernel(t *testing.T) {
	targets := []string{"/", "..", "../..", ".", "a", "/a/b", "b", "f", "../c/g", "/h", "l1", "../l2",
		"/a/l3", "d/../..", "missing", "/a/b/d/../../f", "./l4", "x/y", "/c/l5/", "l6/f", "b/", "/../../a",
		"../../../../c", "l1/..", "h/", "/a/f/.."}
	dirs := []string{"", "a", "a/b", "c", "a/b/d"}
	names := []string{"a", "b", "c", "d", "f", "g", "h", "l1", "l2", "l3", "l4", "l5", "l6", "missing"}
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for tree := 0; tree < 40; tree++ {
		tr := testtool.Tree{"a/b/d/": "", "c/": "", "a/f": "file f", "c/g": "file g", "h": "file h"}
		for i := 1; i <= 6; i++ {
			dir := dirs[rng.IntN(len(dirs))]
			tr[path.Join(dir, "l"+strconv.Itoa(i))] = testtool.SymlinkPrefix + targets[rng.IntN(len(targets))]
		}
		host := t.TempDir()
		tr.WriteDir(t, host)
		rootFd, err := syscall.Open(host, oPath|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		r := NewRoot(testtool.MemFS(t, tr))
		for q := 0; q < 60; q++ {
			n := 1 + rng.IntN(4)
			comps := make([]string, n)
			for i := range comps {
				comps[i] = names[rng.IntN(len(names))]
			}
			p := "/" + strings.Join(comps, "/")
			for _, follow := range []bool{true, false} {
				want, kerr := kernelResolve(host, rootFd, p, follow)
				got, gerr := r.resolve("resolve", p, follow)
				if gerr == nil {
					// Ours returns a missing last component for creation;
					// the kernel's open fails on it.
					if _, err := r.lstatGuest(got); errors.Is(err, iofs.ErrNotExist) {
						gerr = iofs.ErrNotExist
					}
				}
				checked++
				switch {
				case kerr == nil && (gerr != nil || got != want):
					t.Errorf("tree %v\n%s (follow %v): got %q, %v; kernel %q", tr, p, follow, got, gerr, want)
				case kerr != nil && !sameErr(kerr, gerr):
					t.Errorf("tree %v\n%s (follow %v): got %q, %v; kernel error %v", tr, p, follow, got, gerr, kerr)
				}
			}
		}
		syscall.Close(rootFd)
	}
	t.Logf("%d resolutions compared with the kernel", checked)
}

func sameErr(kerr error, gerr error) bool {
	switch {
	case errors.Is(kerr, syscall.ENOENT):
		return errors.Is(gerr, iofs.ErrNotExist)
	case errors.Is(kerr, syscall.ENOTDIR):
		return errors.Is(gerr, fs.ErrNotDir)
	case errors.Is(kerr, syscall.ELOOP):
		return errors.Is(gerr, fs.ErrLoop)
	}
	return false
}

package xfs

import (
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

var (
	propSeed = flag.Int64("xfs.seed", 0, "seed of the XFS property test (0: time-based)")
	propRuns = flag.Int("xfs.runs", 10, "sequences the XFS property test runs")
	propOps  = flag.Int("xfs.ops", 120, "operations per sequence")
)

// modelOf copies the engine's tree into a memfs model (hard links kept).
func modelOf(t *testing.T, f fs.FS) *memfs.FS {
	t.Helper()
	m := memfs.New()
	seen := map[uint64]string{}
	err := fs.WalkDir(f, "/", func(p string, st fs.Stat, err error) error {
		if err != nil || p == "/" {
			return err
		}
		if first, ok := seen[st.Ino]; ok && !st.IsDir() {
			return m.Link(first, p)
		}
		seen[st.Ino] = p
		switch {
		case st.IsDir():
			must(t, m.Mkdir(p, st.Mode.Perm()))
		case st.IsSymlink():
			target, err := f.Readlink(p)
			must(t, err)
			must(t, m.Symlink(target, p))
		case st.IsRegular():
			b, err := fs.ReadFile(f, p)
			must(t, err)
			must(t, m.WriteFile(p, b, 0))
		default:
			return nil
		}
		must(t, m.Chmod(p, st.Mode&(iofs.ModePerm|iofs.ModeSetuid|iofs.ModeSetgid|iofs.ModeSticky)))
		must(t, m.Lchown(p, int(st.Uid), int(st.Gid)))
		xs, err := f.GetXattrs(p)
		must(t, err)
		for k, v := range xs {
			must(t, m.SetXattr(p, k, v))
		}
		return nil
	})
	must(t, err)
	return m
}

var propDirs = []string{"/", "/etc", "/var/log", "/etc/ssh", "/d1", "/d1/sub", "/usr/lib"}
var propNames = []string{"a", "b", "hostname", "machine-id", "x.log", "aa.log", "messages", "secure", "d1", "sub", "longer-name-for-entries", "k", "lib007.so", "lib123.so", "lib299.so", "lib000.so"}

func propPath(r *rand.Rand) string {
	d := propDirs[r.Intn(len(propDirs))]
	n := propNames[r.Intn(len(propNames))]
	if d == "/" {
		return "/" + n
	}
	return d + "/" + n
}

// propOp is one random operation applied to the engine and the model.
func propOp(r *rand.Rand, x, m fs.FS) (string, error, error) {
	p, q := propPath(r), propPath(r)
	switch r.Intn(13) {
	case 0, 1:
		data := make([]byte, []int{0, 1, 33, 4096, 5000, 20000}[r.Intn(6)])
		r.Read(data)
		return "write " + p, x.WriteFile(p, data, 0o640), m.WriteFile(p, data, 0o640)
	case 2:
		return "mkdir " + p, x.Mkdir(p, 0o750), m.Mkdir(p, 0o750)
	case 3:
		target := strings.Repeat("t", []int{5, 60, 300, 900}[r.Intn(4)])
		return "symlink " + p, x.Symlink(target, p), m.Symlink(target, p)
	case 4:
		return "link " + p + " " + q, x.Link(p, q), m.Link(p, q)
	case 5, 6:
		return "remove " + p, x.Remove(p), m.Remove(p)
	case 7:
		return "rename " + p + " " + q, x.Rename(p, q), m.Rename(p, q)
	case 8:
		size := int64([]int{0, 3, 4096, 7000}[r.Intn(4)])
		return fmt.Sprintf("truncate %s %d", p, size), x.Truncate(p, size), m.Truncate(p, size)
	case 9:
		return "chmod " + p, x.Chmod(p, 0o604), m.Chmod(p, 0o604)
	case 10:
		return "lchown " + p, x.Lchown(p, 3, 4), m.Lchown(p, 3, 4)
	case 11:
		name := fmt.Sprintf("user.k%d", r.Intn(6))
		v := make([]byte, []int{3, 40, 120, 250}[r.Intn(4)])
		r.Read(v)
		return "setxattr " + p + " " + name, x.SetXattr(p, name, v), m.SetXattr(p, name, v)
	default:
		name := fmt.Sprintf("user.k%d", r.Intn(6))
		return "removexattr " + p + " " + name, x.RemoveXattr(p, name), m.RemoveXattr(p, name)
	}
}

// bulkName is the name of the i-th entry bulk operations create in /d1.
func bulkName(i int) string {
	return fmt.Sprintf("/d1/bulk%04d-%s", i, strings.Repeat("b", i%37))
}

// bulkOp creates or removes a batch of entries in /d1 (which thereby
// reaches leaf and node format), stopping at the first error.
func bulkOp(r *rand.Rand, x, m fs.FS, n int) (string, error, error) {
	create := r.Intn(2) == 0
	what := fmt.Sprintf("bulk remove %d", n)
	if create {
		what = fmt.Sprintf("bulk create %d", n)
	}
	for k := 0; k < n; k++ {
		p := bulkName(r.Intn(1000))
		var xe, me error
		if create {
			xe, me = x.WriteFile(p, []byte(p), 0o600), m.WriteFile(p, []byte(p), 0o600)
		} else {
			xe, me = x.Remove(p), m.Remove(p)
		}
		if !sameErr(xe, me) || xe != nil && !errors.Is(xe, iofs.ErrNotExist) {
			return what + " at " + p, xe, me
		}
	}
	return what, nil, nil
}

// sameErr compares the engine's and the model's error classes.
func sameErr(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	for _, s := range []error{iofs.ErrNotExist, iofs.ErrExist, iofs.ErrInvalid, fs.ErrNotDir, fs.ErrIsDir, fs.ErrNotEmpty, fs.ErrTooLarge} {
		if errors.Is(a, s) != errors.Is(b, s) {
			return false
		}
	}
	return true
}

// TestProperty runs random operation sequences on a populated image and on
// a memfs model; after each sequence the image must pass xfs_repair -n
// and a read-only kernel mount must show exactly the model.
func TestProperty(t *testing.T) {
	seed := *propSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -xfs.seed=%d)", seed, seed)
	r := rand.New(rand.NewSource(seed))
	unsupported := map[string]int{}
	for run := 0; run < *propRuns; run++ {
		// Alternate Debian 12's defaults and a RHEL 7-like layout.
		var args []string
		if run%2 == 1 {
			args = []string{"-m", "finobt=0,reflink=0,bigtime=0,inobtcount=0", "-i", "sparse=0"}
		}
		img := smallFixture(t, args...)
		x := openFS(t, img, false)
		must(t, x.Mkdir("/d1", 0o755))
		// Every third sequence first grows /d1 to a node-format directory
		// and mixes batches of creations and removals there.
		bulk := run%3 == 2
		if bulk {
			for i := 0; i < 1000; i += 1 + r.Intn(2) {
				must(t, x.WriteFile(bulkName(i), []byte(bulkName(i)), 0o600))
			}
			if root, leaves, _, _ := dirFormat(t, x, "/d1"); root != daNodeMagic || leaves < 2 {
				t.Fatalf("seed %d run %d: /d1 not in node format with split leaves (root %#x, %d leaves)", seed, run, root, leaves)
			}
		}
		m := modelOf(t, x)
		var log []string
		for i := 0; i < *propOps; i++ {
			what, xe, me := "", error(nil), error(nil)
			if bulk && r.Intn(4) == 0 {
				what, xe, me = bulkOp(r, x, m, 10+r.Intn(60))
			} else {
				what, xe, me = propOp(r, x, m)
			}
			if errors.Is(xe, fs.ErrUnsupported) {
				unsupported[strings.Fields(what)[0]+": "+xe.Error()[strings.Index(xe.Error(), "test.img:")+10:]]++
				log = append(log, what+" (unsupported)")
				// The model applied it; undo by rebuilding from the engine,
				// which must be unchanged by a refused operation.
				m = modelOf(t, x)
				continue
			}
			log = append(log, what)
			if !sameErr(xe, me) {
				t.Fatalf("seed %d run %d: %s: engine error %v, model error %v\n%s", seed, run, what, xe, me, strings.Join(log, "\n"))
			}
		}
		want := testtool.FSSnapshot(t, m)
		got := testtool.FSSnapshot(t, x)
		if d := testtool.SnapshotDiff(want, got); len(d) > 0 {
			t.Fatalf("seed %d run %d: engine differs from the model:\n%s\nops:\n%s", seed, run, strings.Join(d, "\n"), strings.Join(log, "\n"))
		}
		must(t, x.Close())
		if out, err := testtool.RunErr("xfs_repair", "-n", "-f", img); err != nil {
			t.Fatalf("seed %d run %d: xfs_repair -n: %v\n%s\nops:\n%s", seed, run, err, out, strings.Join(log, "\n"))
		}
		g := openFS(t, img, true)
		compareWithKernel(t, img, g)
		if d := testtool.SnapshotDiff(want, testtool.FSSnapshot(t, g)); len(d) > 0 {
			t.Fatalf("seed %d run %d: reopened image differs from the model:\n%s", seed, run, strings.Join(d, "\n"))
		}
		must(t, g.Close())
	}
	t.Logf("operations refused as unsupported: %v", unsupported)
}

package ext4

import (
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/conformance"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs/memfs"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

var (
	propSeqs = flag.Int("ext4.seqs", envInt("EXT4_PROP_SEQS", defaultSeqs()), "random operation sequences in TestPropertyVsModel")
	propSeed = flag.Int64("ext4.seed", int64(envInt("EXT4_PROP_SEED", 0)), "replay only this sequence seed (0: run ext4.seqs sequences)")
	propOps  = flag.Int("ext4.ops", envInt("EXT4_PROP_OPS", 40), "operations per sequence")
)

// defaultSeqs is a few hundred sequences in CI (about a minute), fewer locally.
func defaultSeqs() int {
	if testtool.InCI() {
		return 300
	}
	return 120
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

var propGeometries = []struct {
	name string
	args []string
}{
	{"ext4-1k", []string{"-b", "1024"}},
	{"ext4-4k", []string{"-b", "4096"}},
	{"ext4-4k-uninit_bg", []string{"-b", "4096", "-O", "^metadata_csum,uninit_bg"}},
	{"ext4-2k-flex", []string{"-b", "2048", "-G", "4", "-g", "2048", "-O", "sparse_super2"}},
	{"ext4-1k-smallgroups", []string{"-b", "1024", "-g", "1024", "-N", "400"}},
	{"ext4-1k-metabg", []string{"-b", "1024", "-g", "1024", "-O", "meta_bg,^resize_inode"}},
	{"ext3", []string{"-t", "ext3", "-b", "1024"}},
	{"ext2-128", []string{"-t", "ext2", "-b", "4096", "-I", "128"}},
}

// TestPropertyVsModel applies random sequences of every write operation to
// an mkfs-made image and to memfs, requires the same outcome for each
// operation, then e2fsck -fn clean and the kernel mount equal to the model.
// Replay one failure with -ext4.seed=N (or EXT4_PROP_SEED=N).
func TestPropertyVsModel(t *testing.T) {
	testtool.NeedRoot(t)
	seqs := *propSeqs
	if testing.Short() {
		seqs = min(seqs, 15)
	}
	seeds := make([]int64, 0, seqs)
	if *propSeed != 0 {
		seeds = append(seeds, *propSeed)
	} else {
		for i := 1; i <= seqs; i++ {
			seeds = append(seeds, int64(i))
		}
	}
	for _, seed := range seeds {
		if !t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runSequence(t, seed) }) {
			t.Logf("replay with: go test ./internal/fs/ext4 -run TestPropertyVsModel -ext4.seed=%d", seed)
		}
	}
}

func randomTree(r *rand.Rand) testtool.Tree {
	tr := testtool.Tree{}
	dirs := []string{""}
	for i := 0; i < 5+r.Intn(25); i++ {
		parent := dirs[r.Intn(len(dirs))]
		name := fmt.Sprintf("%sn%d", parent, i)
		switch r.Intn(5) {
		case 0:
			tr[name+"/"] = ""
			dirs = append(dirs, name+"/")
		case 1:
			tr[name] = testtool.SymlinkPrefix + strings.Repeat("t", 1+r.Intn(90))
		default:
			tr[name] = strings.Repeat(string(rune('a'+r.Intn(26))), r.Intn(9000))
		}
	}
	return tr
}

func runSequence(t *testing.T, seed int64) {
	r := rand.New(rand.NewSource(seed))
	g := propGeometries[r.Intn(len(propGeometries))]
	tree := randomTree(r)
	indexed := r.Intn(4) == 0 && !strings.Contains(strings.Join(g.args, " "), "ext2")
	if indexed {
		// A directory big enough for e2fsck -D to hash-index it.
		for i := 0; i < 150+r.Intn(300); i++ {
			tree[fmt.Sprintf("big/entry-%04d-%s", i, strings.Repeat("x", r.Intn(30)))] = ""
		}
	}
	img := testtool.MkfsExt4(t, tree, "24M", g.args...)
	if indexed {
		if out, err := testtool.RunErr("e2fsck", "-fyD", img); err != nil && !strings.Contains(err.Error(), "exit status 1") {
			t.Fatalf("e2fsck -fyD: %v\n%s", err, out)
		}
	}
	model := testtool.MemFS(t, tree)
	f := openFS(t, img, false)
	var log []string
	for i := 0; i < *propOps; i++ {
		desc, apply := randomOp(r, model)
		errM := apply(model)
		errE := apply(f)
		log = append(log, desc)
		if kindOf(errM) != kindOf(errE) {
			t.Fatalf("%s (geometry %s): op %d %s:\n model: %v\n ext4:  %v\nops:\n  %s", "mismatch", g.name, i, desc, errM, errE,
				strings.Join(log, "\n  "))
		}
	}
	want := conformance.Snapshot(t, model)
	if got := conformance.Snapshot(t, f); conformance.Diff(got, want) != "" {
		t.Fatalf("geometry %s: engine view differs from the model:\n%s\nops:\n  %s", g.name, conformance.Diff(got, want), strings.Join(log, "\n  "))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := testtool.RunErr("e2fsck", "-fn", img)
	if err != nil {
		t.Fatalf("geometry %s: e2fsck -fn: %v\n%s\nops:\n  %s", g.name, err, out, strings.Join(log, "\n  "))
	}
	wantFreeRanges(t, img)
	mnt := testtool.Mount(t, "ext4", img, 0, 0)
	if d := conformance.Diff(testtool.Snapshot(t, mnt), want); d != "" {
		t.Fatalf("geometry %s: kernel mount differs from the model:\n%s\nops:\n  %s", g.name, d, strings.Join(log, "\n  "))
	}
}

// kindOf reduces an error to the sentinel both engines must agree on.
func kindOf(err error) string {
	if err == nil {
		return "ok"
	}
	for _, s := range []error{iofs.ErrNotExist, iofs.ErrExist, fs.ErrNotDir, fs.ErrIsDir, fs.ErrNotEmpty,
		fs.ErrTooLarge, iofs.ErrInvalid, fs.ErrNoSpace} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "other: " + err.Error()
}

// modelPaths lists every path of the model, sorted.
func modelPaths(m *memfs.FS) (all, dirs []string) {
	_ = fs.WalkDir(m, "/", func(p string, st fs.Stat, err error) error {
		if err != nil {
			return err
		}
		all = append(all, p)
		if st.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	sort.Strings(all)
	sort.Strings(dirs)
	return all, dirs
}

// randomOp picks an operation on existing or new paths of the model.
func randomOp(r *rand.Rand, m *memfs.FS) (string, func(fs.FS) error) {
	all, dirs := modelPaths(m)
	pick := func() string {
		if r.Intn(10) == 0 {
			return "/missing/x"
		}
		return all[r.Intn(len(all))]
	}
	fresh := func() string {
		d := dirs[r.Intn(len(dirs))]
		if r.Intn(3) == 0 {
			if st, err := m.Lstat("/big"); err == nil && st.IsDir() {
				d = "/big" // grow the hashed directory
			}
		}
		name := fmt.Sprintf("f%d", r.Intn(40))
		if r.Intn(8) == 0 {
			name = strings.Repeat("L", 100+r.Intn(150)) + name
		}
		if d == "/" {
			return "/" + name
		}
		return d + "/" + name
	}
	target := func() string {
		if r.Intn(3) == 0 {
			return pick()
		}
		return fresh()
	}
	data := func() []byte {
		sizes := []int{0, 1, 100, 1023, 1024, 4097, 9000, 70000}
		n := sizes[r.Intn(len(sizes))]
		b := make([]byte, n)
		r.Read(b)
		return b
	}
	switch r.Intn(14) {
	case 0, 1, 2:
		p, d := target(), data()
		perm := iofs.FileMode(r.Intn(0o1000))
		return fmt.Sprintf("WriteFile(%s, %d bytes, %o)", p, len(d), perm), func(f fs.FS) error { return f.WriteFile(p, d, perm) }
	case 3:
		p := target()
		perm := iofs.FileMode(r.Intn(0o1000)) | iofs.ModeDir
		if r.Intn(4) == 0 {
			perm |= iofs.ModeSticky | iofs.ModeSetgid
		}
		return fmt.Sprintf("Mkdir(%s, %o)", p, perm), func(f fs.FS) error { return f.Mkdir(p, perm&^iofs.ModeDir) }
	case 4:
		p := target()
		tgt := strings.Repeat("s", 1+r.Intn(120))
		return fmt.Sprintf("Symlink(%d bytes, %s)", len(tgt), p), func(f fs.FS) error { return f.Symlink(tgt, p) }
	case 5:
		a, b := pick(), target()
		return fmt.Sprintf("Link(%s, %s)", a, b), func(f fs.FS) error { return f.Link(a, b) }
	case 6, 7:
		p := pick()
		return fmt.Sprintf("Remove(%s)", p), func(f fs.FS) error { return f.Remove(p) }
	case 8:
		a, b := pick(), target()
		if a == "/missing/x" && b == a {
			b = fresh()
		}
		return fmt.Sprintf("Rename(%s, %s)", a, b), func(f fs.FS) error { return f.Rename(a, b) }
	case 9:
		p := pick()
		size := int64([]int{0, 1, 500, 1024, 5000, 20000, 70000}[r.Intn(7)])
		return fmt.Sprintf("Truncate(%s, %d)", p, size), func(f fs.FS) error { return f.Truncate(p, size) }
	case 10:
		p := pick()
		perm := iofs.FileMode(r.Intn(0o1000))
		if r.Intn(3) == 0 {
			perm |= iofs.ModeSetuid | iofs.ModeSetgid
		}
		return fmt.Sprintf("Chmod(%s, %v)", p, perm), func(f fs.FS) error { return f.Chmod(p, perm) }
	case 11:
		p := pick()
		uid, gid := r.Intn(70000), r.Intn(70000)
		if r.Intn(2) == 0 {
			uid, gid = r.Intn(3), r.Intn(3)
		}
		at, mt := time.Unix(r.Int63n(1<<31), 0), time.Unix(r.Int63n(1<<31), 0)
		return fmt.Sprintf("Lchown+Chtimes(%s, %d, %d)", p, uid, gid), func(f fs.FS) error {
			if err := f.Lchown(p, uid, gid); err != nil {
				return err
			}
			return f.Chtimes(p, at, mt)
		}
	default:
		p := pick()
		if st, err := m.Lstat(p); err == nil && st.IsSymlink() {
			return "noop", func(fs.FS) error { return nil }
		}
		xs, _ := m.GetXattrs(p)
		name := []string{"user.a", "user.bb", "security.selinux", "trusted.t", "user.long-attribute-name"}[r.Intn(5)]
		if r.Intn(3) == 0 || len(xs) >= 3 {
			return fmt.Sprintf("RemoveXattr(%s, %s)", p, name), func(f fs.FS) error { return f.RemoveXattr(p, name) }
		}
		v := make([]byte, []int{0, 5, 30, 120, 180}[r.Intn(5)])
		r.Read(v)
		return fmt.Sprintf("SetXattr(%s, %s, %d bytes)", p, name, len(v)), func(f fs.FS) error { return f.SetXattr(p, name, v) }
	}
}

package conformance

import (
	"errors"
	"io"
	iofs "io/fs"
	"path"
	"time"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/fs"
)

// IOFS presents the read side of an engine as an io/fs.FS, so that
// testing/fstest.TestFS can check it. Names are io/fs names ("." is the
// root); symlinks are reported, never followed.
func IOFS(f fs.FS) iofs.FS { return ioFS{f} }

type ioFS struct{ f fs.FS }

func abs(name string) string {
	if name == "." {
		return "/"
	}
	return "/" + name
}

func (x ioFS) Open(name string) (iofs.File, error) {
	if !iofs.ValidPath(name) {
		return nil, &iofs.PathError{Op: "open", Path: name, Err: iofs.ErrInvalid}
	}
	p := abs(name)
	st, err := x.f.Lstat(p)
	if err != nil {
		return nil, &iofs.PathError{Op: "open", Path: name, Err: unwrap(err)}
	}
	info := fileInfo{name: path.Base(name), st: st}
	if name == "." {
		info.name = "."
	}
	if st.IsDir() {
		return &dirFile{x: x, p: p, info: info}, nil
	}
	if !st.IsRegular() {
		return &regFile{info: info, r: io.NewSectionReader(emptyReader{}, 0, 0)}, nil
	}
	r, size, err := x.f.Open(p)
	if err != nil {
		return nil, &iofs.PathError{Op: "open", Path: name, Err: unwrap(err)}
	}
	return &regFile{info: info, r: io.NewSectionReader(r, 0, size)}, nil
}

func unwrap(err error) error {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type emptyReader struct{}

func (emptyReader) ReadAt([]byte, int64) (int, error) { return 0, io.EOF }

type fileInfo struct {
	name string
	st   fs.Stat
}

func (i fileInfo) Name() string                 { return i.name }
func (i fileInfo) Size() int64                  { return i.st.Size }
func (i fileInfo) Mode() iofs.FileMode          { return i.st.Mode }
func (i fileInfo) ModTime() time.Time           { return i.st.Mtime }
func (i fileInfo) IsDir() bool                  { return i.st.IsDir() }
func (i fileInfo) Sys() any                     { return i.st }
func (i fileInfo) Type() iofs.FileMode          { return i.st.Mode.Type() }
func (i fileInfo) Info() (iofs.FileInfo, error) { return i, nil }

type regFile struct {
	info fileInfo
	r    *io.SectionReader
}

func (r *regFile) Stat() (iofs.FileInfo, error)            { return r.info, nil }
func (r *regFile) Read(b []byte) (int, error)              { return r.r.Read(b) }
func (r *regFile) ReadAt(b []byte, off int64) (int, error) { return r.r.ReadAt(b, off) }
func (r *regFile) Seek(off int64, whence int) (int64, error) {
	return r.r.Seek(off, whence)
}
func (r *regFile) Close() error { return nil }

type dirFile struct {
	x    ioFS
	p    string
	info fileInfo
	ents []iofs.DirEntry
	read bool
}

func (d *dirFile) Stat() (iofs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &iofs.PathError{Op: "read", Path: d.p, Err: fs.ErrIsDir}
}
func (d *dirFile) Close() error { return nil }

func (d *dirFile) ReadDir(n int) ([]iofs.DirEntry, error) {
	if !d.read {
		d.read = true
		ents, err := d.x.f.ReadDir(d.p)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			st, err := d.x.f.Lstat(path.Join(d.p, e.Name))
			if err != nil {
				return nil, err
			}
			d.ents = append(d.ents, fileInfo{name: e.Name, st: st})
		}
	}
	if n <= 0 {
		out := d.ents
		d.ents = nil
		return out, nil
	}
	if len(d.ents) == 0 {
		return nil, io.EOF
	}
	k := min(n, len(d.ents))
	out := d.ents[:k]
	d.ents = d.ents[k:]
	return out, nil
}

package image

import (
	"errors"
	"os"
	"syscall"
)

// seekData reports whether the bytes of f from off may hold data, and how
// many share that answer, with SEEK_DATA/SEEK_HOLE. Only the returned
// offsets are used; reads never depend on the file position.
func seekData(f *os.File, off, size int64) (bool, int64) {
	const seekData, seekHole = 3, 4 // linux/fs.h
	data, err := syscall.Seek(int(f.Fd()), off, seekData)
	if errors.Is(err, syscall.ENXIO) {
		return false, size - off // only a hole up to the end
	}
	if err != nil {
		return true, size - off // no SEEK_DATA here: assume data
	}
	if data > off {
		return false, min(data, size) - off
	}
	hole, err := syscall.Seek(int(f.Fd()), off, seekHole)
	if err != nil || hole <= off {
		return true, size - off
	}
	return true, min(hole, size) - off
}

// preallocate reserves [off, off+n) of f (fallocate mode 0: the file grows).
func preallocate(f *os.File, off, n int64) error {
	return syscall.Fallocate(int(f.Fd()), 0, off, n)
}

// startWriteback asks the kernel to start writing [off, off+n) of f to
// disk now (sync_file_range SYNC_FILE_RANGE_WRITE: it does not wait).
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2
	_ = syscall.SyncFileRange(int(f.Fd()), off, n, syncFileRangeWrite)
}

package xfs

import "fmt"

const (
	logRecMagic      = 0xFEEDBABE
	logUnmountTrans  = 0x20
	logHeaderCycleSz = 32768
	logMaxRecBlocks  = 2 * (256*1024/512 + 8) // generous window back from the head
)

// checkLog refuses a filesystem whose log is not clean: the last log record
// before the head must be a lone unmount record ending at the head, which is
// what a clean unmount (or mkfs) leaves.
func (f *FS) checkLog() error {
	logOff, err := f.fsbOff(f.sb.LogStart)
	if err != nil {
		return err
	}
	n := int64(f.sb.LogBlocks) * f.bs / 512
	if n < 64 || logOff+n*512 > int64(f.sb.DBlocks)*f.bs {
		return f.corrupt("log of %d blocks at block %#x", f.sb.LogBlocks, f.sb.LogStart)
	}
	sec := make([]byte, 512)
	read := func(blk int64) ([]byte, error) {
		blk = ((blk % n) + n) % n
		return sec, f.readAt(sec, logOff+blk*512)
	}
	cycle := func(blk int64) (uint32, error) {
		b, err := read(blk)
		if err != nil {
			return 0, err
		}
		if be32(b, 0) == logRecMagic {
			return be32(b, 4), nil
		}
		return be32(b, 0), nil
	}
	first, err := cycle(0)
	if err != nil {
		return err
	}
	last, err := cycle(n - 1)
	if err != nil {
		return err
	}
	head := n // whole log in one cycle: the head is at the physical end
	if first != last {
		lo, hi := int64(0), n-1 // cycle(lo) == first, cycle(hi) != first
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			c, err := cycle(mid)
			if err != nil {
				return err
			}
			if c == first {
				lo = mid
			} else {
				hi = mid
			}
		}
		head = hi
	}
	dirty := func(why string) error {
		return fmt.Errorf("xfs: %s: the log is not clean (%s): the guest was not shut down cleanly; boot and cleanly shut down the guest, or xfs_repair a copy: %w",
			f.name, why, errUnsupported)
	}
	for back := int64(1); back <= logMaxRecBlocks && back <= n; back++ {
		b, err := read(head - back)
		if err != nil {
			return err
		}
		if be32(b, 0) != logRecMagic {
			continue
		}
		version, length, ops := be32(b, 8), be32(b, 12), be32(b, 40)
		hblks := int64(1)
		if size := be32(b, 320); version&2 != 0 && size > logHeaderCycleSz {
			hblks = int64((size + logHeaderCycleSz - 1) / logHeaderCycleSz)
		}
		if length > 1<<24 {
			return f.corrupt("log record of %d bytes", length)
		}
		after := head - back + hblks + int64(length+511)/512
		if ((after%n)+n)%n != head%n {
			return dirty("the last log record does not end at the log head")
		}
		if ops != 1 {
			return dirty("the last log record is not an unmount record")
		}
		op, err := read(head - back + hblks)
		if err != nil {
			return err
		}
		if op[9]&logUnmountTrans == 0 {
			return dirty("the last log record is not an unmount record")
		}
		hb, err := read(head - back)
		if err != nil {
			return err
		}
		f.logLSN = be64(hb, 16)
		return nil
	}
	return dirty("no log record found before the log head")
}

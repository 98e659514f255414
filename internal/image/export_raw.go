package image

import (
	"bytes"
	"os"
)

// rawWriter writes a sparse raw image: the file is sized first, then only
// blocks holding data are written; zero runs stay holes.
type rawWriter struct {
	f      *os.File
	out    *writeBehind
	c      *exportConfig
	stored int64
}

const rawHoleGranularity = 4096

var zeroBlock [rawHoleGranularity]byte

func newRawWriter(f *os.File, c *exportConfig) (*rawWriter, error) {
	if err := f.Truncate(c.vsize); err != nil {
		return nil, err
	}
	return &rawWriter{f: f, c: c, out: newWriteBehind(f, false)}, nil
}

func (w *rawWriter) put(idx int64, data []byte, _ bool) error {
	base := idx * w.c.cluster
	for i := 0; i < len(data); {
		if j := min(i+rawHoleGranularity, len(data)); bytes.Equal(data[i:j], zeroBlock[:j-i]) {
			i = j
			continue
		}
		j := i + rawHoleGranularity
		for j < len(data) && !bytes.Equal(data[j:min(j+rawHoleGranularity, len(data))], zeroBlock[:min(rawHoleGranularity, len(data)-j)]) {
			j += rawHoleGranularity
		}
		j = min(j, len(data))
		if err := w.out.writeAt(data[i:j], base+int64(i)); err != nil {
			return err
		}
		w.stored += int64(j - i)
		i = j
	}
	return nil
}

func (w *rawWriter) finish() (int64, error) { return w.stored, w.out.flush() }

func (w *rawWriter) abort() { w.out.flush() }

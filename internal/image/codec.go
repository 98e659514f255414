package image

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
	"github.com/lima-vm/go-qcow2reader/image/qcow2"
	qlog "github.com/lima-vm/go-qcow2reader/log"
)

// Compressed qcow2 clusters (qcow2.txt "Compressed Clusters Descriptor"):
// zlib means raw deflate with a 4 KiB window (qemu inflates with
// windowBits -12, so a larger window would make our output unreadable to
// qemu); zstd is one zstd frame. Both decode to exactly one cluster.

const zlibWindow = 4096

func init() {
	// go-qcow2reader decodes compressed clusters itself; give it zstd.
	qcow2.SetDecompressor(qcow2.CompressionTypeZstd, func(r io.Reader) (io.ReadCloser, error) {
		d, err := getZstdDecoder(r)
		if err != nil {
			return nil, err
		}
		return pooledZstd{d}, nil
	})
	qlog.SetWarnFunc(nil)
}

var zstdDecoders sync.Pool

func getZstdDecoder(r io.Reader) (*zstd.Decoder, error) {
	if d, ok := zstdDecoders.Get().(*zstd.Decoder); ok {
		if err := d.Reset(r); err != nil {
			return nil, err
		}
		return d, nil
	}
	// One goroutine per decoder; the window of a hostile frame is capped.
	return zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20),
		zstd.WithDecoderMaxWindow(8<<20))
}

type pooledZstd struct{ *zstd.Decoder }

func (p pooledZstd) Close() error {
	if p.Decoder.Reset(nil) == nil {
		zstdDecoders.Put(p.Decoder)
	}
	return nil
}

var flateReaders sync.Pool

// decompressCluster fills dst (one cluster) from the compressed bytes src,
// which may carry trailing bytes of the next cluster.
func decompressCluster(compression string, src, dst []byte) error {
	switch compression {
	case "zlib":
		var fr io.ReadCloser
		if v, ok := flateReaders.Get().(io.ReadCloser); ok {
			fr = v
			if err := fr.(flate.Resetter).Reset(bytes.NewReader(src), nil); err != nil {
				return err
			}
		} else {
			fr = flate.NewReader(bytes.NewReader(src))
		}
		defer flateReaders.Put(fr)
		if _, err := io.ReadFull(fr, dst); err != nil {
			return fmt.Errorf("inflate: %w", err)
		}
	case "zstd":
		d, err := getZstdDecoder(bytes.NewReader(src))
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		defer pooledZstd{d}.Close()
		if _, err := io.ReadFull(d, dst); err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
	default:
		return fmt.Errorf("compression %q: %w", compression, ErrUnsupported)
	}
	return nil
}

// compressor compresses whole clusters for the exporter; one per worker.
type compressor struct {
	kind string
	buf  bytes.Buffer
	fw   *flate.Writer
	zw   *zstd.Encoder
}

func newCompressor(kind string) (*compressor, error) {
	c := &compressor{kind: kind}
	var err error
	switch kind {
	case "zlib":
		c.fw, err = flate.NewWriterWindow(&c.buf, zlibWindow)
	case "zstd":
		c.zw, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithWindowSize(1<<20), zstd.WithEncoderCRC(false))
	default:
		err = fmt.Errorf("compression %q: %w (use none, zlib or zstd)", kind, ErrUnsupported)
	}
	return c, err
}

// compress returns the compressed form of src, valid until the next call.
func (c *compressor) compress(src []byte) ([]byte, error) {
	switch c.kind {
	case "zlib":
		c.buf.Reset()
		c.fw.Reset(&c.buf)
		if _, err := c.fw.Write(src); err != nil {
			return nil, err
		}
		if err := c.fw.Close(); err != nil {
			return nil, err
		}
		return c.buf.Bytes(), nil
	default:
		out := c.zw.EncodeAll(src, c.buf.Bytes()[:0])
		c.buf = *bytes.NewBuffer(out[:0])
		return out, nil
	}
}

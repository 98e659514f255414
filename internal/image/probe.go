package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Format names an image file format.
type Format string

// Formats Open reads and Export writes.
const (
	FormatRaw   Format = "raw"
	FormatQcow2 Format = "qcow2"
)

// foreign lists formats recognised by their magic only to refuse them with
// a clear message. Offsets and magics from each format's specification
// (qemu block/*.c headers).
var foreign = []struct {
	name  string
	off   int64
	magic string
	note  string
}{
	{"vmdk", 0, "KDMV", "convert it first: qemu-img convert -O qcow2"},
	{"vmdk", 0, "COWD", "convert it first: qemu-img convert -O qcow2"},
	{"vmdk", 0, "# Disk DescriptorFile", "convert it first: qemu-img convert -O qcow2"},
	{"vhdx", 0, "vhdxfile", "convert it first: qemu-img convert -O qcow2"},
	{"vpc", 0, "conectix", "VHD; convert it first: qemu-img convert -O qcow2"},
	{"vdi", 0x40, "\x7f\x10\xda\xbe", "convert it first: qemu-img convert -O qcow2"},
	{"luks", 0, "LUKS\xba\xbe", "encrypted; decrypt it first"},
	{"qed", 0, "QED\x00", "convert it first: qemu-img convert -O qcow2"},
	{"parallels", 0, "WithoutFreeSpace", "convert it first: qemu-img convert -O qcow2"},
	{"parallels", 0, "WithouFreSpacExt", "convert it first: qemu-img convert -O qcow2"},
	{"cloop", 0, "#!/bin/sh\n#V2.0 Format\n", "convert it first: qemu-img convert -O qcow2"},
	{"dmg", -512, "koly", "convert it first: qemu-img convert -O qcow2"},
	{"vpc", -512, "conectix", "fixed VHD; convert it first: qemu-img convert -O raw"},
}

// qcow2Magic starts every qcow (v1) and qcow2 file.
const qcow2Magic = "QFI\xfb"

// probe detects the format of a file of the given size by content, never
// by name. It returns FormatQcow2 or FormatRaw, or an error: ErrEmpty,
// ErrEncrypted (LUKS) or ErrUnsupported wrapped with the format's name.
func probe(r io.ReaderAt, size int64, path string) (Format, error) {
	if size == 0 {
		return "", fmt.Errorf("%s: %w", path, ErrEmpty)
	}
	head := make([]byte, min(size, 512))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: read header: %w", path, err)
	}
	if bytes.HasPrefix(head, []byte(qcow2Magic)) {
		if len(head) < 8 {
			return "", &CorruptError{Path: path, Format: "qcow2", Field: "header", Off: 0, Err: ErrTruncated}
		}
		switch v := binary.BigEndian.Uint32(head[4:]); v {
		case 2, 3:
			return FormatQcow2, nil
		case 1:
			return "", fmt.Errorf("%s: qcow (version 1) image: %w (convert it first: qemu-img convert -O qcow2)", path, ErrUnsupported)
		default:
			return "", fmt.Errorf("%s: qcow2 version %d: %w", path, v, ErrUnsupported)
		}
	}
	var tail []byte
	for _, f := range foreign {
		var b []byte
		switch {
		case f.off >= 0 && f.off+int64(len(f.magic)) <= int64(len(head)):
			b = head[f.off : f.off+int64(len(f.magic))]
		case f.off < 0 && size >= -f.off:
			if tail == nil {
				tail = make([]byte, -f.off)
				if _, err := r.ReadAt(tail, size+f.off); err != nil {
					return "", fmt.Errorf("%s: read footer: %w", path, err)
				}
			}
			b = tail[:len(f.magic)]
		default:
			continue
		}
		if string(b) != f.magic {
			continue
		}
		base := ErrUnsupported
		if f.name == "luks" {
			base = ErrEncrypted
		}
		return "", fmt.Errorf("%s: %s image: %w (%s)", path, f.name, base, f.note)
	}
	return FormatRaw, nil
}

package volume

import (
	"bytes"
	"fmt"
	"io"
)

// Content is what a volume holds when it is not a filesystem we open.
type Content string

// Contents Identify recognises.
const (
	ContentUnknown Content = ""     // nothing recognised: maybe a filesystem
	ContentLUKS    Content = "luks" // LUKS1/LUKS2 header "LUKS\xba\xbe"
	ContentLVM2    Content = "lvm2" // LVM2 physical volume label "LABELONE" ... "LVM2 001"
	ContentSwap    Content = "swap" // Linux swap "SWAPSPACE2" at the end of the first page
)

// Linux swap: the signature ends the first page (4 KiB on x86, arm64 with
// 4K pages; 64 KiB pages put it at 65526).
var swapPageSizes = []int64{4096, 8192, 16384, 65536}

// SwapPageSize returns the page size of a Linux swap area (the size of its
// header page) or 0 if r holds none.
func SwapPageSize(r io.ReaderAt, size int64) int64 {
	for _, ps := range swapPageSizes {
		if size < ps {
			break
		}
		var sig [10]byte
		if _, err := r.ReadAt(sig[:], ps-10); err != nil {
			continue
		}
		if string(sig[:]) == "SWAPSPACE2" || string(sig[:]) == "SWAP-SPACE" {
			return ps
		}
	}
	return 0
}

// Identify recognises encrypted, LVM and swap volumes by their magic.
func Identify(r io.ReaderAt, size int64) Content {
	head := make([]byte, 4096)
	if size < int64(len(head)) {
		head = head[:size]
	}
	if _, err := r.ReadAt(head, 0); err != nil {
		return ContentUnknown
	}
	if bytes.HasPrefix(head, []byte("LUKS\xba\xbe")) {
		return ContentLUKS
	}
	// The LVM2 label lives in one of the first four sectors.
	for s := 0; s+512 <= len(head) && s < 4*512; s += 512 {
		if string(head[s:s+8]) == "LABELONE" && string(head[s+24:s+32]) == "LVM2 001" {
			return ContentLVM2
		}
	}
	if SwapPageSize(r, size) > 0 {
		return ContentSwap
	}
	return ContentUnknown
}

// Describe names a content for error messages ("LUKS encrypted", ...).
func (c Content) Describe() string {
	switch c {
	case ContentLUKS:
		return "LUKS encrypted"
	case ContentLVM2:
		return "LVM2 PV"
	case ContentSwap:
		return "swap"
	}
	return "no filesystem recognised"
}

// Refusal explains why a volume with this content cannot be opened, or
// returns nil for ContentUnknown and ContentSwap, and for an LVM2 PV that
// List read (v.PVUUID set, no v.Problem): its LVs are volumes of their own.
func (c Content) Refusal(v Volume) error {
	switch c {
	case ContentLVM2:
		if v.Problem != nil {
			return v.Problem
		}
		if v.PVUUID != "" {
			return nil
		}
	case ContentLUKS:
		return fmt.Errorf("%s: LUKS encrypted volume: not supported (decrypt the image first): %w", v.Name, ErrUnsupported)
	}
	switch c {
	case ContentLVM2:
		return fmt.Errorf("%s: LVM2 physical volume on partition %d: not supported yet: %w", v.Name, v.Index, ErrUnsupported)
	}
	return nil
}

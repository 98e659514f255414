package fs

import iofs "io/fs"

// Unix file types (the S_IFMT bits of st_mode), as every Linux filesystem
// stores them in its inodes.
const (
	UnixTypeMask = 0o170000
	UnixSocket   = 0o140000
	UnixSymlink  = 0o120000
	UnixRegular  = 0o100000
	UnixBlock    = 0o060000
	UnixDir      = 0o040000
	UnixChar     = 0o020000
	UnixFIFO     = 0o010000
)

// FileModeFromUnix converts an on-disk st_mode (type and the 12 permission
// bits) to an io/fs mode. An unknown type becomes iofs.ModeIrregular, so it
// is never mistaken for a regular file.
func FileModeFromUnix(m uint32) iofs.FileMode {
	fm := iofs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		fm |= iofs.ModeSetuid
	}
	if m&0o2000 != 0 {
		fm |= iofs.ModeSetgid
	}
	if m&0o1000 != 0 {
		fm |= iofs.ModeSticky
	}
	switch m & UnixTypeMask {
	case UnixRegular:
	case UnixDir:
		fm |= iofs.ModeDir
	case UnixSymlink:
		fm |= iofs.ModeSymlink
	case UnixChar:
		fm |= iofs.ModeDevice | iofs.ModeCharDevice
	case UnixBlock:
		fm |= iofs.ModeDevice
	case UnixFIFO:
		fm |= iofs.ModeNamedPipe
	case UnixSocket:
		fm |= iofs.ModeSocket
	default:
		fm |= iofs.ModeIrregular
	}
	return fm
}

// UnixPerm returns the low 12 bits of st_mode for an io/fs mode: the
// permission bits plus setuid (0o4000), setgid (0o2000) and sticky (0o1000).
func UnixPerm(m iofs.FileMode) uint32 {
	p := uint32(m & iofs.ModePerm)
	if m&iofs.ModeSetuid != 0 {
		p |= 0o4000
	}
	if m&iofs.ModeSetgid != 0 {
		p |= 0o2000
	}
	if m&iofs.ModeSticky != 0 {
		p |= 0o1000
	}
	return p
}

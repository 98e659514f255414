package ext4

import (
	"encoding/binary"
	"fmt"
)

// POSIX ACLs: ext4 stores system.posix_acl_{access,default} in its own
// compact form (version 1, 4-byte entries without an id); the system call
// interface uses the generic form (version 2, 8-byte entries). The engine
// speaks the generic form, as getxattr(2) and setfacl do.
const (
	aclDiskVersion = 1
	aclVFSVersion  = 2
	aclUserObj     = 0x01
	aclUser        = 0x02
	aclGroupObj    = 0x04
	aclGroup       = 0x08
	aclMask        = 0x10
	aclOther       = 0x20
	aclUndefinedID = 0xFFFFFFFF
	maxACLEntries  = 8192
)

func isACLIndex(idx uint8) bool { return idx == 2 || idx == 3 }

// aclDiskToVFS converts ext4's ACL encoding to the generic one.
func aclDiskToVFS(b []byte) ([]byte, error) {
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != aclDiskVersion {
		return nil, fmt.Errorf("ACL: bad header")
	}
	out := binary.LittleEndian.AppendUint32(nil, aclVFSVersion)
	for p := b[4:]; len(p) > 0; {
		if len(p) < 4 || len(out) > 4+8*maxACLEntries {
			return nil, fmt.Errorf("ACL: truncated entry")
		}
		tag, perm := binary.LittleEndian.Uint16(p), binary.LittleEndian.Uint16(p[2:])
		id := uint32(aclUndefinedID)
		switch tag {
		case aclUser, aclGroup:
			if len(p) < 8 {
				return nil, fmt.Errorf("ACL: truncated entry")
			}
			id = binary.LittleEndian.Uint32(p[4:])
			p = p[8:]
		case aclUserObj, aclGroupObj, aclMask, aclOther:
			p = p[4:]
		default:
			return nil, fmt.Errorf("ACL: unknown tag %#x", tag)
		}
		out = binary.LittleEndian.AppendUint16(out, tag)
		out = binary.LittleEndian.AppendUint16(out, perm)
		out = binary.LittleEndian.AppendUint32(out, id)
	}
	return out, nil
}

// aclVFSToDisk converts the generic ACL encoding to ext4's.
func aclVFSToDisk(b []byte) ([]byte, error) {
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.LittleEndian.Uint32(b) != aclVFSVersion {
		return nil, fmt.Errorf("ACL: not a version 2 POSIX ACL")
	}
	out := binary.LittleEndian.AppendUint32(nil, aclDiskVersion)
	for p := b[4:]; len(p) > 0; p = p[8:] {
		tag, perm := binary.LittleEndian.Uint16(p), binary.LittleEndian.Uint16(p[2:])
		out = binary.LittleEndian.AppendUint16(out, tag)
		out = binary.LittleEndian.AppendUint16(out, perm)
		switch tag {
		case aclUser, aclGroup:
			out = append(out, p[4:8]...)
		case aclUserObj, aclGroupObj, aclMask, aclOther:
		default:
			return nil, fmt.Errorf("ACL: unknown tag %#x", tag)
		}
	}
	return out, nil
}

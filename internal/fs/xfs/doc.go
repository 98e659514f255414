// Package xfs reads and edits XFS v5 (CRC-enabled) filesystems offline:
// the layout RHEL, Rocky and Alma guests use for their root volume.
//
// Reading covers the superblock, the AG headers, inodes v3 (bigtime and
// nrext64 included), data forks in local, extents and btree format,
// directories in every format, symlinks, extended attributes (shortform,
// leaf and node, remote values; XFS ACLs shown as system.posix_acl_*) and
// the free space btree (FreeRanges).
//
// Every write is one transaction: the metadata blocks it changes are kept
// in memory, get fresh CRCs and are written together at the end; a refused
// or failed step leaves the volume untouched. Blocks keep their LSN; new
// blocks get the LSN of the clean log's last record. Supported: inode
// attribute edits; Remove, Truncate, WriteFile, Mkdir, Symlink, Link,
// Rename in shortform, block, leaf and node directories, with shortform
// to block to leaf to node conversion, new data blocks (in the first hole
// or at the end, recorded in the leaf tail or the first free index block),
// freeing of data blocks a removal empties, and leaf splits in node
// directories (the root leaf becomes a node block over two leaves; later
// leaves split under that node); extent, inode and inode chunk allocation
// and freeing in the AG btrees, with leaf and node splits up to a new root
// (new blocks from the AGFL, which is topped up to the kernel's minimum),
// borrowing, leaf joins and root collapse; shortform and single-block leaf
// xattrs. Refused with fs.ErrUnsupported: node joins in the AG btrees,
// running out of AGFL blocks within one operation, splitting a full
// directory node block, a second directory free index block, data or
// directories needing a btree-format fork, multi-block attribute forks,
// remote attribute values,
// and freeing reflinked (shared) extents.
//
// The engine refuses a filesystem whose log is not clean, whose superblock
// says mkfs was interrupted, with unknown feature bits, or with bad CRCs; a
// writable open also cross-checks every AG's btrees against its headers.
package xfs

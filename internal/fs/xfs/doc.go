// Package xfs reads and edits XFS v5 (CRC-enabled) filesystems offline:
// the layout RHEL, Rocky and Alma guests use for their root volume.
//
// Reading covers the superblock, the AG headers, inodes v3, data forks in
// local, extents and btree format, directories in every format, symlinks,
// extended attributes (shortform, leaf and node, remote values) and the
// free space btree. Writes are limited to the in-place edits listed in the
// package's write files; anything else returns fs.ErrUnsupported rather
// than risk corrupting the image.
//
// The engine refuses a filesystem whose log is not clean, whose superblock
// says mkfs was interrupted, with unknown feature bits, or with bad CRCs.
package xfs

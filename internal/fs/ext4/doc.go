// Package ext4 is a read-write engine for ext2, ext3 and ext4 filesystems,
// written from the on-disk format of the kernel documentation
// (Documentation/filesystems/ext4/). It edits a cleanly unmounted filesystem
// offline, in place, never through the journal (a clean journal stays as it
// is), and leaves it consistent at Close: e2fsck -fn finds nothing and the
// kernel mounts exactly what was written.
//
// Design:
//   - Inodes, directory blocks, extent/indirect blocks, xattr blocks and file
//     data are written through as each operation completes, with their
//     metadata_csum checksums.
//   - Block and inode bitmaps are loaded per group on demand into a bounded
//     cache (BLOCK_UNINIT/INODE_UNINIT groups are synthesised as the kernel
//     does); they, the group descriptors and the superblock's free counts
//     are written back, with checksums, at Close (or when the cache fills).
//   - Nothing caches the filesystem as a whole: memory is the group
//     descriptor table plus what one operation touches.
//   - New files get extents when the filesystem has them, block maps
//     otherwise; a directory growing past one block is hash-indexed, and
//     hashed directories split leaves and index nodes as they grow.
//   - Features the engine cannot keep consistent (quota, bigalloc, mmp,
//     unknown bits) make it read-only with an error naming the feature;
//     inline-data, encrypted, verity and casefolded inodes are read but
//     never rewritten; a journal needing recovery or a pending orphan list
//     is refused for writing.
//   - On-disk input is validated before use: a damaged or hostile image
//     gives an error wrapping fs.ErrCorrupt, never a panic, a hang or an
//     unbounded allocation.
package ext4

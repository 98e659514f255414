// Package engine is the one entry point the Packer post-processor and the
// CLI call: open the image, overlay it, find the volumes and filesystems,
// inspect the guest, apply a sysprep.Plan, and export a new compact image
// that never contains a byte of free space.
package engine

package guestgen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// makeXFS makes the XFS filesystem f from the materialized tree src and
// copies it into the disk at f.Off.
func makeXFS(ctx context.Context, work, name, src string, f Filesystem, raw string) error {
	img, err := xfsImage(ctx, work, name, src, f.Size, f.UUID)
	if err != nil {
		return err
	}
	if err := copySparse(img, raw, f.Off); err != nil {
		return fmt.Errorf("guestgen: copy %s into the disk: %w", name, err)
	}
	return os.Remove(img)
}

// XFSImage makes a sparse file of size bytes in dir holding an XFS
// filesystem (label name, the given UUID) with the tree, and returns its
// path: for fixtures that place the filesystem themselves (an LVM LV).
func XFSImage(ctx context.Context, dir, name string, tree Tree, size int64, uuid string) (string, error) {
	src := filepath.Join(dir, name+".d")
	if err := os.Mkdir(src, 0o755); err != nil {
		return "", err
	}
	defer os.RemoveAll(src)
	if err := tree.WriteDir(src); err != nil {
		return "", fmt.Errorf("guestgen: %s tree: %w", name, err)
	}
	return xfsImage(ctx, dir, name, src, size, uuid)
}

// xfsImage makes an XFS filesystem (mkfs.xfs with Debian's defaults: v5,
// CRCs, finobt, reflink) in its own sparse file, fills it from the
// materialized tree src through a read-write loop mount (mkfs.xfs has no
// -d; its protofile cannot express xattrs or hard links) and unmounts it
// cleanly (so the log is clean).
func xfsImage(ctx context.Context, work, name, src string, size int64, uuid string) (string, error) {
	if size < 300<<20 {
		return "", fmt.Errorf("guestgen: %s: XFS needs at least 300 MiB, have %d bytes", name, size)
	}
	img := filepath.Join(work, name+".xfs")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, size); err != nil {
		return "", err
	}
	if err := command(ctx, nil, "mkfs.xfs", "-q", "-f", "-m", "uuid="+uuid, "-L", name, img); err != nil {
		return "", err
	}
	mnt := filepath.Join(work, name+".mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		return "", err
	}
	defer os.Remove(mnt)
	if err := command(ctx, nil, "mount", "-t", "xfs", "-o", "loop,rw", img, mnt); err != nil {
		return "", fmt.Errorf("guestgen: mounting the new XFS needs root and loop devices: %w", err)
	}
	copyErr := command(ctx, nil, "cp", "-a", src+"/.", mnt+"/")
	if err := command(context.Background(), nil, "umount", mnt); err != nil {
		return "", err
	}
	if copyErr != nil {
		return "", fmt.Errorf("guestgen: filling %s: %w", name, copyErr)
	}
	return img, nil
}

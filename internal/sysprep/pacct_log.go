package sysprep

import (
	"context"
	"path"
)

func init() { register(pacctLog{}) }

// pacctLog removes the process accounting log and its rotations, leaving
// an empty log for the accounting service.
//
// Departures: gated on the os-release family (Rocky & co. included); the
// kept log is truncated in place (its mode and owner stay), and when it
// must be created it gets mode 0600 like accton makes it, not touch's 0644.
type pacctLog struct{}

func (pacctLog) Name() string    { return "pacct-log" }
func (pacctLog) Summary() string { return "Remove the process accounting log files" }
func (pacctLog) DefaultOn() bool { return true }

func (pacctLog) Apply(_ context.Context, e *Env) error {
	var dir string
	switch {
	case e.Guest.IsRedHatLike():
		dir = "/var/account"
	case e.Guest.IsDebianLike():
		dir = "/var/log/account"
	default:
		return nil
	}
	log := path.Join(dir, "pacct")
	keep := func(p string) bool { return p == log && isRegular(e, p) }
	if err := rmGlob(e, rmOpts{keep: keep}, log+"*"); err != nil {
		return err
	}
	if isRegular(e, log) {
		_, err := truncateRegular(e, log)
		return err
	}
	if exists(e, log) || !isDir(e, dir) {
		return nil // a failed touch is ignored, as in virt-sysprep
	}
	return writeIfChanged(e, log, nil, 0o600)
}

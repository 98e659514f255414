package sysprep

import (
	"context"
	"path"
)

func init() { register(cronSpool{}) }

// cronSpool removes user crontabs and pending at(1) jobs, and resets the
// at job sequence numbers.
type cronSpool struct{}

func (cronSpool) Name() string    { return "cron-spool" }
func (cronSpool) Summary() string { return "Remove user at-jobs and cron-jobs" }
func (cronSpool) DefaultOn() bool { return true }

// atSeqReset is what at(1) keeps in .SEQ after a reset.
const atSeqReset = "00000\n"

func (cronSpool) Apply(_ context.Context, e *Env) error {
	isSeq := func(name string) bool { return name == ".SEQ" }
	reset := func(p string) error {
		if !isRegular(e, p) {
			return nil
		}
		return writeIfChanged(e, p, []byte(atSeqReset), 0o600)
	}
	if err := filesOnly(e, "/var/spool/cron", isSeq); err != nil {
		return err
	}
	if err := reset("/var/spool/cron/atjobs/.SEQ"); err != nil {
		return err
	}
	if err := rm(e, "/var/spool/atjobs/*"); err != nil {
		return err
	}
	if err := reset("/var/spool/atjobs/.SEQ"); err != nil {
		return err
	}
	if err := rm(e, "/var/spool/atspool/*"); err != nil {
		return err
	}
	if err := filesOnly(e, "/var/spool/at", isSeq); err != nil {
		return err
	}
	return reset(path.Join("/var/spool/at", ".SEQ"))
}

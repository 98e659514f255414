package sysprep

import "testing"

func TestMailSpool(t *testing.T) {
	runCases(t, "mail-spool", []opCase{{
		name:    "rocky",
		guest:   rockyGuest(),
		tree:    map[string]string{"var/spool/mail/alice": "From x", "var/spool/mail/root": "From y"},
		removed: abs("var/spool/mail/alice", "var/spool/mail/root"),
	}, {
		name:    "debian",
		guest:   debianGuest(),
		tree:    map[string]string{"var/mail/alice": "From x", "var/mail/bob/new/1": "maildir"},
		removed: abs("var/mail/alice", "var/mail/bob/new/1", "var/mail/bob/new", "var/mail/bob"),
	}})
}

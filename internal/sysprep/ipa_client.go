package sysprep

import "context"

func init() { register(ipaClient{}) }

// ipaClient removes the IPA (FreeIPA / IdM) client enrolment files.
//
// Departure: when it removes the IPA CA from the trust anchors, the CA
// store is rebuilt by a first-boot unit, never by running guest code.
type ipaClient struct{}

func (ipaClient) Name() string    { return "ipa-client" }
func (ipaClient) Summary() string { return "Remove the IPA files" }
func (ipaClient) DefaultOn() bool { return true }

func (ipaClient) Apply(_ context.Context, e *Env) error {
	if !e.Guest.IsLinux() {
		return nil
	}
	if err := rm(e,
		"/etc/ipa/ca.crt",
		"/etc/ipa/default.conf",
		"/var/lib/ipa-client/sysrestore/*",
		"/var/lib/ipa-client/pki/*",
	); err != nil {
		return err
	}
	anchorRemoved := false
	o := rmOpts{onRemoved: func(string) { anchorRemoved = true }}
	if err := rmGlob(e, o,
		"/etc/pki/ca-trust/source/anchors/ipa-ca.crt",
		"/usr/local/share/ca-certificates/ipa-ca.crt",
		"/etc/pki/ca-trust/source/ipa.p11-kit",
	); err != nil {
		return err
	}
	if !anchorRemoved {
		return nil
	}
	return scheduleCARebuild(e)
}

// Package customize implements virt-customize's offline options (hostname,
// timezone, passwords, write, upload, mkdir, delete, ...) as file edits on
// the guest's tree.
package customize

// Step is one customization in virt-customize syntax: Op is the option name
// without dashes ("hostname", "write", "root-password"...), Arg its argument
// exactly as on virt-customize's command line ("/etc/motd:hello").
type Step struct {
	Op  string
	Arg string
}

// Package customize implements virt-customize's offline options as file
// edits on the guest's tree: no guest code ever runs. A Step is one option
// in virt-customize syntax; Apply runs a list of them against a Target.
//
// Options (Step.Op) and their argument (Step.Arg):
//
//	hostname NAME                 /etc/hostname and the family's other files
//	timezone TZ                   /etc/localtime -> /usr/share/zoneinfo/TZ (+ /etc/timezone on Debian)
//	root-password SELECTOR        root's /etc/shadow password field
//	password USER:SELECTOR        USER's /etc/shadow password field
//	password-crypto SCHEME        md5 | sha256 | sha512 | yescrypt
//	ssh-inject USER:file:PATH     append the host file PATH to ~USER/.ssh/authorized_keys
//	ssh-inject USER:string:KEY    append KEY to ~USER/.ssh/authorized_keys
//	write FILE:CONTENT            create or overwrite FILE with CONTENT verbatim
//	upload HOSTFILE:DEST          copy a host file in (owner 0:0, host mode & 0777)
//	copy-in LOCALPATH:REMOTEDIR   copy a host file or tree into an existing guest directory
//	mkdir DIR                     mkdir -p
//	delete PATH                   rm -rf every match of the guest glob PATH
//	scrub FILE                    overwrite a regular file with zeros, then delete it
//	chmod PERMS:FILE              PERMS is octal when it starts with 0, else decimal
//	chown UID:GID:PATH            numeric IDs
//	link TARGET:LINK[:LINK...]    ln -sf TARGET LINK, for each LINK
//	move SRC:DEST                 mv inside the guest
//	copy SRC:DEST                 cp -a inside the guest
//	touch FILE                    create, or set the times to now
//	truncate FILE                 truncate an existing file to 0 bytes
//	truncate-recursive PATH       truncate every regular file under PATH
//	append-line FILE:LINE         append LINE with the file's own newline style
//	firstboot SCRIPT              run the host file SCRIPT once at the guest's first boot
//	firstboot-command CMD         run CMD once at the guest's first boot
//	selinux-relabel               (no argument) relabel at first boot on SELinux guests
//	add-user SPEC                 create a user account (below)
//
// Guest paths are absolute. Arguments are split on ":" from the left, and
// the last part takes the rest, so CONTENT, LINE, KEY and a password may
// hold colons; host paths and the other parts may not.
//
// Password selectors (root-password, password, add-user):
//
//	password:PW         the password PW (may contain ":")
//	file:PATH           the first line of the host file PATH
//	hash:CRYPT          a pre-hashed crypt(3) string ($6$..., $y$...), written as is
//	random              16 random characters of [A-Za-z0-9] without look-alikes,
//	                    printed once on the run's standard output
//	disabled            "*": no password login at all
//	locked              "!!*"
//	locked:SELECTOR     "!!" + the hash of SELECTOR (locked:disabled is "!!*")
//
// The hash scheme is password-crypto when given, else ENCRYPT_METHOD from the
// guest's /etc/login.defs, else the distro default (yescrypt on Debian ≥ 11,
// Ubuntu ≥ 20, RHEL family ≥ 9, Fedora ≥ 30, SUSE ≥ 15, Kali, Arch; sha512
// otherwise).
//
// add-user SPEC grammar:
//
//	SPEC     = NAME *( ":" ATTR ) [ ":" SELECTOR ]
//	NAME     = [a-z_][a-z0-9_-]* ["$"], at most 32 characters
//	ATTR     = "uid=" DIGITS
//	         | "groups=" GROUP *( "," GROUP )    supplementary groups (must exist)
//	         | "shell=" ABSPATH                  default: /bin/bash if present, else /bin/sh
//	         | "home=" ABSPATH                   default: HOME from /etc/default/useradd or /home, + "/NAME"
//	         | "gecos=" TEXT                     the comment field; no ":" nor newline
//	         | "sudo"                            /etc/sudoers.d/NAME: "NAME ALL=(ALL) NOPASSWD:ALL"
//	SELECTOR = a password selector (above); it must come last since it may hold ":"
//
// Examples: "deploy:sudo:groups=adm,wheel", "ci:uid=1500:shell=/bin/sh:password:s3:cr3t",
// "alice:random". Without a selector the account has no password ("!" in
// /etc/shadow): log in with ssh-inject keys. add-user creates the passwd,
// shadow, group and gshadow entries (and subuid/subgid ranges when those
// files exist), the next free UID per login.defs UID_MIN/UID_MAX (GID = UID
// when free, else the next free in GID_MIN/GID_MAX), and the home from
// /etc/skel owned by the user with mode HOME_MODE (default 0700); an existing
// home is left alone with a warning. The shadow last-change day is today,
// or the day of SOURCE_DATE_EPOCH when set (reproducible builds).
//
// Order: steps run in the order given, except that passwords (from
// root-password, password and add-user) are set after every other step and
// selinux-relabel runs last, as virt-customize does. Every argument is
// checked by Step.Validate before anything is written, and Apply refuses to
// start when one is wrong or a user's password is set twice.
package customize

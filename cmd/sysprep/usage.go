package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/version"
)

const synopsis = "sysprep -a INPUT -o OUTPUT [--format qcow2|raw] [--compress none|zlib|zstd] [OPTIONS...]"

// hint is the line printed after a usage error.
const hint = "Try 'sysprep --help' for the options, or 'sysprep --list-operations' for the operations."

func versionString() string {
	v := version.Version
	if version.VersionPrerelease != "" {
		v += "-" + version.VersionPrerelease
	}
	if version.VersionMetadata != "" {
		v += "+" + version.VersionMetadata
	}
	return v
}

// printHelp writes the full usage text, grouped by topic.
func printHelp(w io.Writer) {
	fmt.Fprintf(w, `sysprep %s: generalize a virtual machine disk image offline, like virt-sysprep,
without a helper VM, root or KVM. The input is never modified; the output is a
new image in which no byte of a deleted file survives.

Usage:
  %s

`, versionString(), synopsis)
	defs := flags()
	for _, topic := range topics {
		fmt.Fprintf(w, "%s:\n", topic)
		for _, d := range defs {
			if d.topic != topic {
				continue
			}
			name := "    --" + d.long
			if d.short != 0 {
				name = fmt.Sprintf("-%c, --%s", d.short, d.long)
			}
			switch {
			case d.boolArg:
				name += "[=BOOL]"
			case d.arg != "":
				name += " " + d.arg
			}
			help := d.help
			if d.boolArg {
				help = strings.TrimPrefix(help, "=BOOL: ")
			}
			if len(name) > 34 {
				fmt.Fprintf(w, "  %s\n  %-34s %s\n", name, "", help)
			} else {
				fmt.Fprintf(w, "  %-34s %s\n", name, help)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, `Password selectors: password:PASS, file:FILE (its first line), hash:CRYPT (a
pre-hashed crypt(3) string, e.g. from mkpasswd), random (printed on stdout),
disabled (no password login), locked (disabled and locked), locked:SELECTOR
(sets and locks).
Passwords never appear in -v output or in the report.

Exit status: 0 success; 1 the run failed (one "sysprep: ..." line on stderr
says what and what to do; no output file is left); 2 a usage error.

Examples:
  # The default operations (the output's format follows its extension):
  sysprep -a build/debian.qcow2 -o golden.qcow2

  # Compressed qcow2, grown to 20 GiB, with a hostname, a time zone and a
  # random root password printed on stdout:
  sysprep -a disk.raw -o golden.qcow2 --compress zstd \
      --disk-size 20G --hostname web01 --timezone Europe/London --root-password random

  # Everything but the SSH host keys; bake cloud-init defaults; keep a report:
  sysprep -a in.qcow2 -o out.qcow2 --operations defaults,-ssh-hostkeys \
      --cloud-init-config defaults.yaml --report report.json

  # See what would be removed without writing anything:
  sysprep -a in.qcow2 --dry-run --report -
`)
}

// printOperations writes one line per operation, like virt-sysprep
// --list-operations: "name * summary", the mark for default operations.
func printOperations(w io.Writer) {
	for _, op := range sysprep.Operations() {
		mark := " "
		if op.DefaultOn() {
			mark = "*"
		}
		fmt.Fprintf(w, "%s %s %s\n", op.Name(), mark, op.Summary())
	}
}

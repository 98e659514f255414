package sysprep

import "context"

func init() { register(machineID{}) }

// machineID empties the machine ID so that each clone makes its own at
// first boot.
//
// Departure: virt-sysprep's customize step then refills /etc/machine-id
// with one random ID that every clone shares; we never refill it. With
// Plan.MachineID "uninitialized" we write "uninitialized\n" (0444), which
// systemd treats as a first boot (ConditionFirstBoot units run).
type machineID struct{}

func (machineID) Name() string    { return "machine-id" }
func (machineID) Summary() string { return "Remove the local machine ID" }
func (machineID) DefaultOn() bool { return true }

const (
	etcMachineID  = "/etc/machine-id"
	dbusMachineID = "/var/lib/dbus/machine-id"
	uninitialized = "uninitialized\n"
)

func (machineID) Apply(_ context.Context, e *Env) error {
	if _, err := truncateRegular(e, dbusMachineID); err != nil {
		return err
	}
	st, ok, err := lstat(e, etcMachineID)
	if err != nil {
		return err
	}
	switch {
	case ok && !st.IsRegular():
		e.Note("%s is not a regular file (%v): left alone", etcMachineID, st.Mode.Type())
	case e.Plan.MachineID == MachineIDUninitialized:
		if !ok && !isDir(e, "/etc") {
			return nil
		}
		if err := writeIfChanged(e, etcMachineID, []byte(uninitialized), 0o444); err != nil {
			return err
		}
		if err := chmodIfChanged(e, etcMachineID, 0o444); err != nil {
			return err
		}
		e.Note("%s set to \"uninitialized\": each clone makes a new ID and runs a systemd first boot", etcMachineID)
	case ok:
		if _, err := truncateRegular(e, etcMachineID); err != nil {
			return err
		}
		e.Note("%s left empty: each clone makes a new ID at boot (not a systemd first boot)", etcMachineID)
	default:
		e.Note("no %s: each clone makes a new ID at boot", etcMachineID)
	}
	return nil
}

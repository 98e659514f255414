package sysprep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/testtool"
)

// recordingRun stands in for the engine in tests of the plumbing around it
// (the real engine runs in the acceptance tests): it records the job and
// writes a small output file, as the engine would.
type recordingRun struct {
	job engine.Job
	err error
}

func (r *recordingRun) run(_ context.Context, j engine.Job) (*engine.Result, error) {
	r.job = j
	if r.err != nil {
		return nil, r.err
	}
	if j.Warnf != nil {
		j.Warnf("guest has no %s", "/etc/hostname")
	}
	if !j.DryRun {
		if err := os.WriteFile(j.Output, []byte("QFI\xfbimage"), 0o644); err != nil {
			return nil, err
		}
	}
	return &engine.Result{
		Input: j.Input, Output: j.Output, Format: fakeFormat(j), VirtualSize: 2 << 30, FileSize: 9,
		Operations: []sysprep.OpReport{
			{Name: "logfiles", Removed: []string{"/var/log/syslog", "/var/log/auth.log"}},
			{Name: "machine-id", Changed: []string{"/etc/machine-id"}},
		},
		DryRun: j.DryRun,
	}, nil
}

// setup configures a post-processor whose engine is recorded, and a qcow2
// input (a real qemu-img image) in dir/in/.
func setup(t *testing.T, body string) (*PostProcessor, *recordingRun, string) {
	t.Helper()
	testtool.Need(t, "qemu-img")
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "base.qcow2")
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.Run(t, "qemu-img", "create", "-q", "-f", "qcow2", in, "64M")
	p, err := configure(t, strings.ReplaceAll(body, "DIR", dir))
	if err != nil {
		t.Fatal(err)
	}
	p.config.PackerBuildName = "golden"
	p.config.PackerBuilderType = "file"
	rec := &recordingRun{}
	p.run = rec.run
	return p, rec, in
}

// testUI is a BasicUi whose output the test can read (packersdk.TestUi
// discards it).
func testUI() packersdk.Ui {
	return &packersdk.BasicUi{Reader: new(bytes.Buffer), Writer: new(bytes.Buffer), ErrorWriter: new(bytes.Buffer), PB: &packersdk.NoopProgressTracker{}}
}

func uiOutput(ui packersdk.Ui) string {
	b := ui.(*packersdk.BasicUi)
	return b.Writer.(*bytes.Buffer).String() + b.ErrorWriter.(*bytes.Buffer).String()
}

func TestPostProcessFileBuilderOutputTemplateAndReport(t *testing.T) {
	p, rec, in := setup(t, `
output      = "DIR/out/{{.BuildName}}-{{.InputName}}-golden.{{.Format}}"
report      = "DIR/out/{{.BuildName}}.json"
compression = "zstd"
disk_size   = "4G"
hostname    = "golden"`)
	ui := testUI()
	art, keep, force, err := p.PostProcess(context.Background(), ui,
		&packersdk.MockArtifact{BuilderIdValue: fileBuilderID, FilesValue: []string{in}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(filepath.Dir(in))
	want := filepath.Join(dir, "out", "golden-base-golden.qcow2")
	if rec.job.Input != in || rec.job.Output != want || rec.job.Format != "" || rec.job.Compression != "zstd" ||
		rec.job.DiskSize != 4<<30 || rec.job.Plan == nil || len(rec.job.Plan.Customize) != 1 {
		t.Errorf("job = %+v", rec.job)
	}
	if keep || force {
		t.Errorf("keep, force = %v, %v: want the input removed by default (like compress)", keep, force)
	}
	if art.BuilderId() != BuilderID || len(art.Files()) != 1 || art.Files()[0] != want {
		t.Errorf("artifact %s %v", art.BuilderId(), art.Files())
	}
	if art.State("diskType") != "qcow2" || art.State("diskName") != "golden-base-golden.qcow2" || art.State("diskSize") != "2048M" {
		t.Errorf("state: %v %v %v", art.State("diskType"), art.State("diskName"), art.State("diskSize"))
	}
	s := art.String()
	for _, w := range []string{want, "qcow2", "2.0 GiB virtual", "logfiles: 2 removed", "machine-id: 1 changed"} {
		if !strings.Contains(s, w) {
			t.Errorf("String() %q lacks %q", s, w)
		}
	}
	out := uiOutput(ui)
	for _, w := range []string{"logfiles: 2 removed", "machine-id: 1 changed", "Warning: guest has no /etc/hostname", "Wrote " + want} {
		if !strings.Contains(out, w) {
			t.Errorf("UI lacks %q:\n%s", w, out)
		}
	}
	var rep engine.Result
	b, err := os.ReadFile(filepath.Join(dir, "out", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Operations) != 2 || rep.Operations[0].Removed[0] != "/var/log/syslog" {
		t.Errorf("report %s: %v", b, err)
	}
	if err := art.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Errorf("Destroy left %s", want)
	}
}

func TestPostProcessDefaultOutputNextToInput(t *testing.T) {
	p, rec, in := setup(t, `format = "raw"`)
	if _, _, _, err := p.PostProcess(context.Background(), testUI(),
		&packersdk.MockArtifact{BuilderIdValue: artificeBuilderID, FilesValue: []string{in}}); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(in), "base-sysprep.raw"); rec.job.Output != want || rec.job.Format != "raw" {
		t.Errorf("output %q format %q, want %q raw", rec.job.Output, rec.job.Format, want)
	}
}

func TestPostProcessOutputInsideQemuOutputDirectoryKeepsInput(t *testing.T) {
	p, _, in := setup(t, `output = "DIR/in/golden.qcow2"`)
	ui := testUI()
	qemu := &packersdk.MockArtifact{
		BuilderIdValue: qemuBuilderID, FilesValue: []string{in},
		StateValues: map[string]interface{}{"diskPaths": []interface{}{in}, "diskName": "base.qcow2", "diskType": "qcow2"},
	}
	_, keep, force, err := p.PostProcess(context.Background(), ui, qemu)
	if err != nil {
		t.Fatal(err)
	}
	if !keep || !force {
		t.Errorf("keep, force = %v, %v: the qemu output directory holds the output, so it must be kept", keep, force)
	}
	if out := uiOutput(ui); !strings.Contains(out, "keeping the input artifact") {
		t.Errorf("UI does not say why the input is kept:\n%s", out)
	}
}

func TestPostProcessOutputOutsideQemuOutputDirectory(t *testing.T) {
	p, _, in := setup(t, `output = "DIR/golden/x.qcow2"`)
	qemu := &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID, FilesValue: []string{in},
		StateValues: map[string]interface{}{"diskPaths": []interface{}{in}}}
	_, keep, force, err := p.PostProcess(context.Background(), testUI(), qemu)
	if err != nil || keep || force {
		t.Errorf("keep, force, err = %v, %v, %v", keep, force, err)
	}
}

func TestPostProcessDryRunPassesInputOn(t *testing.T) {
	p, rec, in := setup(t, `dry_run = true
report = "DIR/r.json"`)
	input := &packersdk.MockArtifact{BuilderIdValue: fileBuilderID, FilesValue: []string{in}}
	art, keep, force, err := p.PostProcess(context.Background(), testUI(), input)
	if err != nil {
		t.Fatal(err)
	}
	if art != packersdk.Artifact(input) || !keep || !force || !rec.job.DryRun || rec.job.Output != "" {
		t.Errorf("dry run: art %v keep %v force %v job %+v", art, keep, force, rec.job)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(in)), "r.json")); err != nil {
		t.Errorf("dry run report: %v", err)
	}
}

func TestPostProcessRefusesExistingOutputWithoutForce(t *testing.T) {
	p, rec, in := setup(t, `output = "DIR/taken.qcow2"`)
	taken := filepath.Join(filepath.Dir(filepath.Dir(in)), "taken.qcow2")
	if err := os.WriteFile(taken, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	art := &packersdk.MockArtifact{BuilderIdValue: fileBuilderID, FilesValue: []string{in}}
	_, _, _, err := p.PostProcess(context.Background(), testUI(), art)
	if err == nil || !strings.Contains(err.Error(), "-force") || rec.job.Input != "" {
		t.Fatalf("existing output: err %v, engine called: %v", err, rec.job.Input != "")
	}
	p.config.PackerForce = true
	if _, _, _, err := p.PostProcess(context.Background(), testUI(), art); err != nil {
		t.Fatalf("with -force: %v", err)
	}
}

func TestPostProcessEngineErrorAndUnsupportedArtifact(t *testing.T) {
	p, rec, in := setup(t, ``)
	rec.err = errors.New("sysprep: base.qcow2: ext4: unsupported feature")
	_, _, _, err := p.PostProcess(context.Background(), testUI(),
		&packersdk.MockArtifact{BuilderIdValue: fileBuilderID, FilesValue: []string{in}})
	if err == nil || !strings.Contains(err.Error(), "unsupported feature") {
		t.Errorf("engine error: %v", err)
	}
	_, _, _, err = p.PostProcess(context.Background(), testUI(),
		&packersdk.MockArtifact{BuilderIdValue: "mitchellh.amazonebs", FilesValue: []string{}})
	if err == nil || !strings.Contains(err.Error(), "supported inputs") {
		t.Errorf("AMI artifact: %v", err)
	}
}

func TestPostProcessWithoutConfigure(t *testing.T) {
	var p PostProcessor
	if _, _, _, err := p.PostProcess(context.Background(), testUI(), &packersdk.MockArtifact{}); !errors.Is(err, errNoPlan) {
		t.Errorf("err = %v", err)
	}
}

func TestDestroyedBy(t *testing.T) {
	dir := t.TempDir()
	j := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	for _, tc := range []struct {
		name   string
		art    *packersdk.MockArtifact
		output string
		want   string
	}{
		{"qemu output_directory from String", &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID,
			FilesValue: []string{j("output-vm", "disk.qcow2")}, IdValue: "VM"}, j("output-vm", "golden.qcow2"), j("output-vm")},
		{"qemu, output elsewhere", &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID,
			FilesValue: []string{j("output-vm", "disk.qcow2")}}, j("golden", "x.qcow2"), ""},
		{"qemu, sibling directory with a common prefix", &packersdk.MockArtifact{BuilderIdValue: qemuBuilderID,
			FilesValue: []string{j("output-vm", "disk.qcow2")}}, j("output-vm2", "x.qcow2"), ""},
		{"artifice directory", &packersdk.MockArtifact{BuilderIdValue: artificeBuilderID,
			FilesValue: []string{j("images")}}, j("images", "sub", "golden.qcow2"), j("images")},
		{"file builder target beside the output", &packersdk.MockArtifact{BuilderIdValue: fileBuilderID,
			FilesValue: []string{j("work", "disk.qcow2")}}, j("work", "golden.qcow2"), ""},
	} {
		if got := destroyedBy(tc.art, tc.output); got != tc.want {
			t.Errorf("%s: destroyedBy = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestArtifactState(t *testing.T) {
	a := &Artifact{Path: "out/golden.raw", Format: "raw", VirtualSize: 20<<30 + 1, FileSize: 5 << 20}
	for name, want := range map[string]interface{}{
		"diskType": "raw", "diskName": "golden.raw", "diskSize": "20481M", "diskSizeBytes": int64(20<<30 + 1), "nope": nil,
	} {
		if got := a.State(name); got != want {
			t.Errorf("State(%q) = %#v, want %#v", name, got, want)
		}
	}
	if p, ok := a.State("diskPaths").([]string); !ok || len(p) != 1 || p[0] != "out/golden.raw" {
		t.Errorf("diskPaths = %#v", a.State("diskPaths"))
	}
	if s := a.String(); !strings.Contains(s, "raw image: out/golden.raw (20.0 GiB virtual, 5.0 MiB file)") {
		t.Errorf("String() = %q", s)
	}
	if a.BuilderId() != BuilderID || a.Id() != "out/golden.raw" {
		t.Errorf("BuilderId %q Id %q", a.BuilderId(), a.Id())
	}
}

// fakeFormat is the output format the engine would settle on: the job's,
// else the output name's extension (the post-processor leaves it to the
// engine when format is unset).
func fakeFormat(j engine.Job) string {
	if j.Format != "" {
		return string(j.Format)
	}
	return strings.TrimPrefix(filepath.Ext(j.Output), ".")
}

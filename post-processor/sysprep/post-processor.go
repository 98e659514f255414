// Package sysprep is the Packer post-processor `sysprep`: it takes the disk
// image a builder produced, generalizes it offline the way virt-sysprep does,
// bakes cloud-init defaults into it and returns a new image artifact. It only
// translates configuration; the work is internal/engine's.
package sysprep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/packer-sysprep/packer-plugin-sysprep/internal/engine"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/image"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/size"
	"github.com/packer-sysprep/packer-plugin-sysprep/internal/sysprep"
)

// pluginType names the component in configuration errors.
const pluginType = "packer.post-processor.sysprep"

// PostProcessor is the `sysprep` post-processor.
type PostProcessor struct {
	config   Config
	plan     *sysprep.Plan
	diskSize int64
	warnings []string

	// run is the engine; nil means engine.Run (tests replace it).
	run func(context.Context, engine.Job) (*engine.Result, error)
}

var _ packersdk.PostProcessor = (*PostProcessor)(nil)

// ConfigSpec returns the HCL2 schema of Config.
func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

// Configure decodes and validates the configuration. Every problem is
// reported at once; contradictory settings are warnings (see showWarnings).
func (p *PostProcessor) Configure(raws ...interface{}) error {
	if err := p.decode(raws...); err != nil {
		return err
	}
	// Sensitive: redacted from every log line and UI message.
	for _, s := range []string{p.config.RootPassword, p.config.RootPasswordHash} {
		if s != "" {
			packersdk.LogSecretFilter.Set(s)
		}
	}
	plan, size, warnings, err := p.config.validate()
	p.warnings = warnings
	for _, w := range warnings {
		log.Printf("[WARN] sysprep: %s", w)
	}
	if err != nil {
		return err
	}
	showWarnings(warnings)
	p.plan, p.diskSize = plan, size
	return nil
}

// templateData is what `output` and `report` templates can use.
type templateData struct {
	BuildName   string
	BuilderType string
	InputName   string // base name without extension
	InputDir    string
	Format      string
}

// PostProcess generalizes the artifact's disk into a new image.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, a packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	if p.plan == nil {
		return nil, false, false, errNoPlan
	}
	for _, w := range p.warnings {
		ui.Say("Warning: " + w)
	}
	input, err := p.config.findDisk(a)
	if err != nil {
		return nil, false, false, fmt.Errorf("sysprep: %w", err)
	}
	format := p.config.Format
	if format == "" {
		format = sniffFormat(input)
	}
	data := templateData{
		BuildName:   p.config.PackerBuildName,
		BuilderType: p.config.PackerBuilderType,
		InputName:   strings.TrimSuffix(filepath.Base(input), filepath.Ext(input)),
		InputDir:    filepath.Dir(input),
		Format:      format,
	}
	output, err := p.render("output", p.config.Output, data)
	if err != nil {
		return nil, false, false, err
	}
	if output == "" {
		output = filepath.Join(data.InputDir, data.InputName+"-sysprep."+format)
	}
	report, err := p.render("report", p.config.Report, data)
	if err != nil {
		return nil, false, false, err
	}

	if !p.config.DryRun {
		if _, err := os.Stat(output); err == nil && !p.config.PackerForce {
			return nil, false, false, fmt.Errorf("sysprep: output %s already exists: remove it or run packer build -force", output)
		}
		if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
			return nil, false, false, fmt.Errorf("sysprep: output directory: %w", err)
		}
		ui.Say(fmt.Sprintf("Generalizing %s into %s", input, output))
	} else {
		ui.Say(fmt.Sprintf("Dry run on %s: nothing is written", input))
		output = ""
	}

	job := p.job(ui, input, output, format)
	run := p.run
	if run == nil {
		run = engine.Run
	}
	start := time.Now()
	res, err := run(ctx, job)
	if err != nil {
		return nil, false, false, err
	}
	for _, line := range res.Summary() {
		ui.Message(line)
	}
	if report != "" {
		if err := writeReport(report, res); err != nil {
			return nil, false, false, err
		}
		ui.Message("Report written to " + report)
	}
	took := time.Since(start).Seconds()
	if p.config.DryRun {
		ui.Say(fmt.Sprintf("Dry run done in %.1fs; the input artifact is passed on unchanged", took))
		// The input is returned as is: keep it whatever keep_input_artifact says.
		return a, true, true, nil
	}
	art := &Artifact{
		Path:        output,
		Format:      res.Format,
		VirtualSize: res.VirtualSize,
		FileSize:    res.FileSize,
		Summary:     didSomething(res),
		Seconds:     took,
	}
	ui.Say(fmt.Sprintf("Wrote %s (%s, %s virtual, %s file) in %.1fs", output, res.Format, size.Format(res.VirtualSize), size.Format(res.FileSize), took))

	if root := destroyedBy(a, output); root != "" {
		ui.Say(fmt.Sprintf("The output lies inside %s, which removing the input artifact would delete: keeping the input artifact", root))
		return art, true, true, nil
	}
	// Like the compress post-processor: the input goes unless keep_input_artifact.
	return art, false, false, nil
}

// didSomething returns the summary lines of the operations that changed
// something (the artifact's String stays short).
func didSomething(res *engine.Result) []string {
	lines := res.Summary()
	var out []string
	for i, op := range res.Operations {
		if rm, ch, cr := op.Counts(); rm+ch+cr > 0 && i < len(lines) {
			out = append(out, lines[i])
		}
	}
	return out
}

// job builds the engine job; UI calls are serialized (the engine may call
// back from several goroutines).
func (p *PostProcessor) job(ui packersdk.Ui, input, output, format string) engine.Job {
	var mu sync.Mutex
	say := func(f func(string), s string) {
		mu.Lock()
		defer mu.Unlock()
		f(s)
	}
	var lastPct int64 = -1
	return engine.Job{
		Input:       input,
		Output:      output,
		Format:      image.Format(p.config.Format), // "": the output name's extension, else the input's format
		Compression: p.config.Compression,
		DiskSize:    p.diskSize,
		Plan:        p.plan,
		DryRun:      p.config.DryRun,
		Logf: func(format string, args ...any) {
			log.Printf("sysprep: "+format, args...)
		},
		Warnf: func(format string, args ...any) {
			say(ui.Say, "Warning: "+fmt.Sprintf(format, args...))
		},
		Stdout: func(line string) { say(ui.Message, line) },
		OnOperation: func(name string) {
			log.Printf("sysprep: running operation %s", name)
		},
		Progress: func(done, total int64) {
			if total <= 0 {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if pct := done * 100 / total; pct/10 != lastPct/10 {
				lastPct = pct
				log.Printf("sysprep: export %d%% (%d of %d bytes)", pct, done, total)
			}
		},
	}
}

// render expands a user template (output, report) with the build's data.
func (p *PostProcessor) render(key, tmpl string, data templateData) (string, error) {
	if tmpl == "" {
		return "", nil
	}
	ictx := p.config.ctx
	ictx.Data = &data
	s, err := interpolate.Render(tmpl, &ictx)
	if err != nil {
		return "", fmt.Errorf("sysprep: %s template %q: %w", key, tmpl, err)
	}
	return s, nil
}

// sniffFormat returns "qcow2" when the file starts with the qcow2 magic,
// else "raw" (the engine checks the content for real).
func sniffFormat(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "raw"
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := f.ReadAt(magic, 0); err == nil && string(magic) == "QFI\xfb" {
		return "qcow2"
	}
	return "raw"
}

// destroyedBy returns the path the input artifact's Destroy would remove
// that contains output ("" if none): the qemu builder's output_directory,
// or one of the artifact's files (artifice removes them recursively).
func destroyedBy(a packersdk.Artifact, output string) string {
	roots := append([]string{}, a.Files()...)
	if a.BuilderId() == qemuBuilderID {
		if dir, ok := strings.CutPrefix(a.String(), "VM files in directory: "); ok && dir != "" {
			roots = append(roots, dir)
		}
		for _, f := range a.Files() {
			roots = append(roots, filepath.Dir(f))
		}
	}
	out, err := filepath.Abs(output)
	if err != nil {
		return ""
	}
	for _, r := range roots {
		ar, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(ar, out)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return r
		}
	}
	return ""
}

// writeReport writes the run's JSON report (paths and counts, no secrets).
func writeReport(path string, res *engine.Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("sysprep: report: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sysprep: report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sysprep: report: %w", err)
	}
	return nil
}

// errNoPlan guards PostProcess against a missing Configure.
var errNoPlan = errors.New("sysprep: not configured")

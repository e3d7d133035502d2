package alerts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

// Metric is what an alert measures.
type Metric string

// Metrics alerts understand.
const (
	SecretAccess    Metric = "secret-access"
	SecretExpiring  Metric = "secret-expiring"
	RotationOverdue Metric = "rotation-overdue"
	ScanFindings    Metric = "scan-findings"
)

// Metrics lists every metric, for help text and validation.
var Metrics = []Metric{SecretAccess, SecretExpiring, RotationOverdue, ScanFindings}

// defaultWindow is each metric's window when none is given.
var defaultWindow = map[Metric]time.Duration{
	SecretAccess: time.Hour, SecretExpiring: 7 * 24 * time.Hour,
	RotationOverdue: 24 * time.Hour, ScanFindings: 24 * time.Hour,
}

// Alert is one alert definition.
type Alert struct {
	ID     string `yaml:"id" json:"id"`
	Agent  string `yaml:"agent,omitempty" json:"agent,omitempty"`
	Metric Metric `yaml:"metric" json:"metric"`
	// Secret narrows secret-access, secret-expiring and rotation-overdue to one secret.
	Secret    string `yaml:"secret,omitempty" json:"secret,omitempty"`
	Threshold int    `yaml:"threshold" json:"threshold"`
	Window    Window `yaml:"window" json:"window"`
	// Notify lists targets: "stderr" or "webhook:https://...". Empty means stderr.
	Notify []string `yaml:"notify,omitempty" json:"notify,omitempty"`
}

// Window is a duration written as "90s", "15m", "1h", "7d" or "2w".
type Window time.Duration

// ParseWindow parses a window: Go duration syntax plus whole days (d) and weeks (w).
func ParseWindow(s string) (Window, error) {
	var d time.Duration
	var err error
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); (unit == "d" || unit == "w") && n != "" {
		var k int
		if k, err = strconv.Atoi(n); err == nil {
			d = time.Duration(k) * 24 * time.Hour
			if unit == "w" {
				d *= 7
			}
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, errs.New(errs.Input, "window %q is not a positive duration like 30m, 1h, 7d", s)
	}
	return Window(d), nil
}

// String formats w in the largest whole unit: "7d", "1h", "90m".
func (w Window) String() string {
	d := time.Duration(w)
	for _, u := range []struct {
		d      time.Duration
		suffix string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d > 0 && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.suffix
		}
	}
	return d.String()
}

// MarshalYAML writes the window as its string form.
func (w Window) MarshalYAML() (any, error) { return w.String(), nil }

// UnmarshalYAML reads the string form.
func (w *Window) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseWindow(n.Value)
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// MarshalText writes the string form (JSON output).
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads the string form.
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// id is a content hash, so it is stable across list/delete and the same definition
// cannot be created twice.
func (a Alert) id() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d\x00%d", a.Agent, a.Metric, a.Secret, a.Threshold, a.Window))
	return hex.EncodeToString(sum[:4])
}

// normalize fills defaults and validates a new definition.
func (a *Alert) normalize() error {
	bad := func(format string, args ...any) error {
		return errs.New(errs.Input, format, args...).WithHint("swiftclaw alerts create --help")
	}
	if !slices.Contains(Metrics, a.Metric) {
		return bad("unknown metric %q; use one of secret-access, secret-expiring, rotation-overdue, scan-findings", a.Metric)
	}
	if a.Agent == "" && a.Metric != ScanFindings {
		return bad("--agent is required for %s alerts", a.Metric)
	}
	if strings.ContainsAny(a.Agent+a.Secret, "/\\ \t\n") {
		return bad("agent and secret names cannot contain slashes or spaces")
	}
	if a.Secret != "" && a.Metric == ScanFindings {
		return bad("--secret does not apply to scan-findings alerts")
	}
	switch {
	case a.Threshold < 0:
		return bad("threshold must be positive")
	case a.Threshold == 0 && a.Metric == SecretAccess:
		return bad("--threshold is required for secret-access alerts")
	case a.Threshold == 0:
		a.Threshold = 1
	}
	if a.Window < 0 {
		return bad("window must be positive")
	}
	if a.Window == 0 {
		a.Window = Window(defaultWindow[a.Metric])
	}
	if len(a.Notify) == 0 {
		a.Notify = []string{"stderr"}
	}
	for _, n := range a.Notify {
		if err := checkNotify(n); err != nil {
			return bad("--notify %s: %v", redactNotify(n), err)
		}
	}
	a.ID = a.id()
	return nil
}

func checkNotify(n string) error {
	if n == "stderr" {
		return nil
	}
	if u, ok := strings.CutPrefix(n, "webhook:"); ok {
		return webhook.CheckURL(u)
	}
	return errors.New(`want "stderr" or "webhook:https://..."`)
}

func redactNotify(n string) string {
	if u, ok := strings.CutPrefix(n, "webhook:"); ok {
		return "webhook:" + webhook.Redact(u)
	}
	return n
}

// File is the alerts file: a version and the definitions in creation order.
type File struct {
	Version int     `yaml:"version"`
	Alerts  []Alert `yaml:"alerts"`
}

const fileHeader = "# Managed by swiftclaw. Edit with `swiftclaw alerts create|delete`.\n" +
	"# Webhook URLs here are committed: keep tokens out of them (sign with SWIFTCLAW_WEBHOOK_SECRET instead).\n"

// Load reads the alerts file; a missing file has no alerts.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{Version: 1}, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "read %s", path)
	}
	return Parse(data, path)
}

// Parse parses an alerts file's content; name is used in messages.
func Parse(data []byte, name string) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, errs.Wrap(errs.Input, err, "malformed %s", name).WithHint("fix the file, or delete the broken alert with `swiftclaw alerts delete ID`")
	}
	if f.Version == 0 {
		f.Version = 1
	}
	return &f, nil
}

// Marshal renders the file with its header comment.
func (f *File) Marshal() ([]byte, error) {
	body, err := yaml.Marshal(f)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode alerts")
	}
	return append([]byte(fileHeader), body...), nil
}

// Save writes the file atomically.
func (f *File) Save(path string) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	if err := fsutil.WriteFile(path, data, 0o644); err != nil {
		return errs.Wrap(errs.Internal, err, "save alerts")
	}
	return nil
}

// Create validates a, fills defaults and its ID, and adds it. An identical definition
// is a Conflict.
func (f *File) Create(a Alert) (Alert, error) {
	if err := a.normalize(); err != nil {
		return Alert{}, err
	}
	for _, old := range f.Alerts {
		if old.ID == a.ID {
			return Alert{}, errs.New(errs.Conflict, "alert %s already exists with the same agent, metric, threshold and window", a.ID).
				WithHint("swiftclaw alerts delete %s", a.ID)
		}
	}
	f.Alerts = append(f.Alerts, a)
	return a, nil
}

// Delete removes the alert with id (or a unique prefix of it, at least 4 characters).
func (f *File) Delete(id string) (Alert, error) {
	match := -1
	for i, a := range f.Alerts {
		if a.ID == id || (len(id) >= 4 && strings.HasPrefix(a.ID, id)) {
			if match >= 0 {
				return Alert{}, errs.New(errs.Input, "alert id %q is ambiguous", id).WithHint("swiftclaw alerts list")
			}
			match = i
		}
	}
	if match < 0 {
		return Alert{}, errs.New(errs.NotFound, "no alert with id %q", id).WithHint("swiftclaw alerts list")
	}
	a := f.Alerts[match]
	f.Alerts = slices.Delete(f.Alerts, match, match+1)
	return a, nil
}

// List returns the alerts for agent, or all when agent is empty.
func (f *File) List(agent string) []Alert {
	var out []Alert
	for _, a := range f.Alerts {
		if agent == "" || a.Agent == agent {
			out = append(out, a)
		}
	}
	return out
}

package alerts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestParseWindow(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"1h": time.Hour, "30m": 30 * time.Minute, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour,
		"1h30m": 90 * time.Minute, "90s": 90 * time.Second,
	} {
		w, err := ParseWindow(s)
		if err != nil || time.Duration(w) != want {
			t.Errorf("ParseWindow(%q) = %v, %v", s, time.Duration(w), err)
		}
	}
	for _, s := range []string{"", "0h", "-1h", "d", "1x", "1.5d"} {
		if _, err := ParseWindow(s); !errs.Is(err, errs.Input) {
			t.Errorf("ParseWindow(%q) = %v, want an Input error", s, err)
		}
	}
	for w, want := range map[Window]string{Window(time.Hour): "1h", Window(7 * 24 * time.Hour): "7d", Window(90 * time.Minute): "90m"} {
		if w.String() != want {
			t.Errorf("%v.String() = %q, want %q", time.Duration(w), w.String(), want)
		}
	}
}

func TestCreateListDeleteRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.yaml")
	f, err := Load(path)
	if err != nil || len(f.Alerts) != 0 {
		t.Fatalf("Load missing file = %+v, %v", f, err)
	}
	a, err := f.Create(Alert{Agent: "my-agent", Metric: SecretAccess, Threshold: 100, Window: Window(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Create(Alert{Agent: "my-agent", Metric: SecretExpiring,
		Notify: []string{"webhook:https://hooks.example.com/alerts", "stderr"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Create(Alert{Agent: "other", Metric: ScanFindings, Threshold: 1}); err != nil {
		t.Fatal(err)
	}
	if len(a.ID) != 8 || a.ID == b.ID || b.Threshold != 1 || b.Window.String() != "7d" || a.Notify[0] != "stderr" {
		t.Fatalf("defaults/IDs wrong: %+v %+v", a, b)
	}
	// The same definition again is a conflict, and its ID is the same.
	if _, err := f.Create(Alert{Agent: "my-agent", Metric: SecretAccess, Threshold: 100, Window: Window(time.Hour), Notify: []string{"stderr"}}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("duplicate create: %v", err)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.Alerts, g.Alerts); diff != "" {
		t.Fatalf("round trip (-saved +loaded):\n%s", diff)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "# Managed by swiftclaw.") || !strings.Contains(string(data), "window: 1h") {
		t.Fatalf("file:\n%s", data)
	}
	if got := g.List("my-agent"); len(got) != 2 || got[0].ID != a.ID {
		t.Fatalf("List(my-agent) = %+v", got)
	}
	// Deleting one keeps the others' IDs.
	if _, err := g.Delete(a.ID[:5]); err != nil {
		t.Fatal(err)
	}
	if got := g.List(""); len(got) != 2 || got[0].ID != b.ID {
		t.Fatalf("after delete: %+v", got)
	}
	if _, err := g.Delete(a.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestCreateRejects(t *testing.T) {
	for name, a := range map[string]Alert{
		"unknown metric":      {Agent: "a", Metric: "cpu", Threshold: 1},
		"missing agent":       {Metric: SecretAccess, Threshold: 1},
		"missing threshold":   {Agent: "a", Metric: SecretAccess},
		"negative threshold":  {Agent: "a", Metric: SecretExpiring, Threshold: -1},
		"plain http webhook":  {Agent: "a", Metric: SecretAccess, Threshold: 1, Notify: []string{"webhook:http://hooks.example.com/x"}},
		"unknown notify":      {Agent: "a", Metric: SecretAccess, Threshold: 1, Notify: []string{"email:me"}},
		"path in agent":       {Agent: "../a", Metric: SecretAccess, Threshold: 1},
		"secret on scan-only": {Metric: ScanFindings, Secret: "x"},
	} {
		var f File
		if _, err := f.Create(a); !errs.Is(err, errs.Input) {
			t.Errorf("%s: Create = %v, want an Input error", name, err)
		}
	}
}

func TestLoadRejectsUnknownFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.yaml")
	os.WriteFile(path, []byte("version: 1\nalerts:\n  - id: x\n    metrik: secret-access\n"), 0o644)
	if _, err := Load(path); !errs.Is(err, errs.Input) {
		t.Fatalf("Load = %v, want an Input error", err)
	}
}

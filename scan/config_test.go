package scan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUpdateConfigKeepsOtherKeysAndComments(t *testing.T) {
	orig := `# swiftclaw project settings.
version: 1
git:
  # Commit every change swiftclaw makes.
  autocommit: true
audit:
  sink: git # where reads go
scan:
  agents:
    other:
      enabled: false # off for now
`
	data, err := UpdateConfig([]byte(orig), "my-agent", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if data, err = UpdateConfig(data, "other", true, []string{"services/other"}); err != nil {
		t.Fatal(err)
	}
	want := `# swiftclaw project settings.
version: 1
git:
  # Commit every change swiftclaw makes.
  autocommit: true
audit:
  sink: git # where reads go
scan:
  agents:
    other:
      enabled: true # off for now
      paths:
        - services/other
    my-agent:
      enabled: true
`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Fatalf("config.yaml (-want +got):\n%s", diff)
	}
	root := t.TempDir()
	writeFile(t, ConfigPath(root), string(data))
	cfg, err := LoadConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Enabled("my-agent") || !cfg.Enabled("other") || cfg.Enabled("nope") {
		t.Fatalf("cfg = %+v", cfg)
	}
	if p := cfg.Paths(""); p != nil {
		t.Errorf("Paths(\"\") = %v, want whole repository (my-agent has no paths)", p)
	}
	if diff := cmp.Diff([]string{"services/other", ".swiftclaw/agents/other"}, cfg.Paths("other")); diff != "" {
		t.Errorf("Paths(other): %s", diff)
	}
	if data, err = UpdateConfig(data, "my-agent", false, nil); err != nil {
		t.Fatal(err)
	}
	if cfg, err = ParseConfig(data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{".swiftclaw/agents/other", "services/other"}, cfg.Paths("")); diff != "" {
		t.Errorf("Paths(\"\") with my-agent disabled: %s", diff)
	}
}

func TestUpdateConfigFromNothingAndErrors(t *testing.T) {
	if _, err := UpdateConfig(nil, "../evil", true, nil); err == nil {
		t.Fatal("path-like agent name accepted")
	}
	got, err := UpdateConfig(nil, "a", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("scan:\n  agents:\n    a:\n      enabled: true\n", string(got)); diff != "" {
		t.Fatal(diff)
	}
	cfg, err := LoadConfig(t.TempDir())
	if err != nil || len(cfg.Agents) != 0 || cfg.Paths("") != nil {
		t.Fatalf("LoadConfig on no file = %+v, %v", cfg, err)
	}
	for _, bad := range []string{"scan: [1, 2]\n", "- a\n", "scan: {agents: 3}\n", "a: [\n"} {
		if _, err := UpdateConfig([]byte(bad), "a", true, nil); err == nil {
			t.Errorf("UpdateConfig(%q) succeeded", bad)
		}
	}
}

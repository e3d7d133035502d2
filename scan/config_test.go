package scan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSetAgentScanKeepsOtherKeysAndComments(t *testing.T) {
	root := t.TempDir()
	orig := `# Project settings for swiftclaw.
git:
    autocommit: true # commit after every write
audit:
    sink: git
scan:
    agents:
        other:
            enabled: false # off for now
`
	writeFile(t, ConfigPath(root), orig)
	if err := SetAgentScan(root, "my-agent", true, nil); err != nil {
		t.Fatal(err)
	}
	if err := SetAgentScan(root, "other", true, []string{"services/other"}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(ConfigPath(root))
	if err != nil {
		t.Fatal(err)
	}
	want := `# Project settings for swiftclaw.
git:
    autocommit: true # commit after every write
audit:
    sink: git
scan:
    agents:
        other:
            enabled: true # off for now
            paths:
                - services/other
        my-agent:
            enabled: true
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Fatalf("config.yaml (-want +got):\n%s", diff)
	}
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
	if err := SetAgentScan(root, "my-agent", false, nil); err != nil {
		t.Fatal(err)
	}
	cfg, _ = LoadConfig(root)
	if diff := cmp.Diff([]string{".swiftclaw/agents/other", "services/other"}, cfg.Paths("")); diff != "" {
		t.Errorf("Paths(\"\") with my-agent disabled: %s", diff)
	}
}

func TestSetAgentScanCreatesFileAndValidates(t *testing.T) {
	root := t.TempDir()
	if err := SetAgentScan(root, "../evil", true, nil); err == nil {
		t.Fatal("path-like agent name accepted")
	}
	if err := SetAgentScan(root, "a", true, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(root, ".swiftclaw", "config.yaml"))
	if diff := cmp.Diff("scan:\n    agents:\n        a:\n            enabled: true\n", string(got)); diff != "" {
		t.Fatal(diff)
	}
	cfg, err := LoadConfig(t.TempDir())
	if err != nil || len(cfg.Agents) != 0 || cfg.Paths("") != nil {
		t.Fatalf("LoadConfig on no file = %+v, %v", cfg, err)
	}
	writeFile(t, ConfigPath(root), "scan: [1, 2]\n")
	if err := SetAgentScan(root, "a", true, nil); err == nil {
		t.Fatal("non-mapping scan section accepted")
	}
}

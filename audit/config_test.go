package audit

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"gopkg.in/yaml.v3"
)

func TestConfigFromYAML(t *testing.T) {
	src := `
fail_closed: true
file:
  path: ~/audit/repo.jsonl
  sync: batch
  sync_every: 32
stderr: true
syslog:
  network: unixgram
  address: /dev/log
  facility: authpriv
http:
  url: https://audit.example.com/ingest
  secret_env: SWIFTCLAW_AUDIT_HMAC_KEY
  batch_size: 20
  timeout: 5s
`
	var c Config
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	want := Config{FailClosed: true, Stderr: true,
		File:   FileConfig{Path: "~/audit/repo.jsonl", Sync: SyncBatch, SyncEvery: 32},
		Syslog: &SyslogConfig{Network: "unixgram", Address: "/dev/log", Facility: "authpriv"},
		HTTP:   &HTTPConfig{URL: "https://audit.example.com/ingest", SecretEnv: "SWIFTCLAW_AUDIT_HMAC_KEY", BatchSize: 20, Timeout: 5 * time.Second}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidateRejects(t *testing.T) {
	for name, c := range map[string]Config{
		"sync mode":     {File: FileConfig{Sync: "sometimes"}},
		"facility":      {Syslog: &SyslogConfig{Facility: "kern2"}},
		"network":       {Syslog: &SyslogConfig{Network: "carrier-pigeon"}},
		"plain http":    {HTTP: &HTTPConfig{URL: "http://audit.example.com", SecretEnv: "K"}},
		"no secret env": {HTTP: &HTTPConfig{URL: "https://audit.example.com"}},
	} {
		if err := c.Validate(); !errs.Is(err, errs.Input) {
			t.Errorf("%s: Validate = %v, want an Input error", name, err)
		}
	}
}

func TestFilePath(t *testing.T) {
	env := envMap(map[string]string{"HOME": "/home/u"})
	got, err := FilePath(FileConfig{}, "repo-1", "/src/repo", env)
	if err != nil || got != "/home/u/.local/state/swiftclaw/audit/repo-1.jsonl" {
		t.Fatalf("default = %q, %v", got, err)
	}
	got, err = FilePath(FileConfig{}, "repo-1", "", envMap(map[string]string{"XDG_STATE_HOME": "/var/state", "HOME": "/home/u"}))
	if err != nil || got != "/var/state/swiftclaw/audit/repo-1.jsonl" {
		t.Fatalf("xdg = %q, %v", got, err)
	}
	got, err = FilePath(FileConfig{Path: "~/logs/a.jsonl"}, "", "/src/repo", env)
	if err != nil || got != "/home/u/logs/a.jsonl" {
		t.Fatalf("tilde = %q, %v", got, err)
	}
	for _, p := range []string{"/src/repo/audit.jsonl", "/src/repo/.swiftclaw/../x.jsonl", "relative.jsonl"} {
		if _, err := FilePath(FileConfig{Path: p}, "", "/src/repo", env); !errs.Is(err, errs.Input) {
			t.Errorf("FilePath(%q) = %v, want an Input error", p, err)
		}
	}
	if _, err := FilePath(FileConfig{Path: "/src/repo-other/a.jsonl"}, "", "/src/repo", env); err != nil {
		t.Errorf("sibling directory refused: %v", err)
	}
}

func TestRepoID(t *testing.T) {
	a, b := RepoID("/src/my repo"), RepoID("/other/my repo")
	if !strings.HasPrefix(a, "my-repo-") || a == b || len(a) != len("my-repo-")+12 {
		t.Fatalf("RepoID = %q, %q", a, b)
	}
	if RepoID("/src/my repo/") != a || RepoID(filepath.Join("/src", "x", "..", "my repo")) != a {
		t.Fatal("RepoID depends on path spelling")
	}
}

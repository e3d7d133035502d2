package audit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestLoadProjectConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	if cfg, err := LoadProjectConfig(p); err != nil || cfg.FailClosed {
		t.Fatalf("missing file: %+v %v", cfg, err)
	}
	os.WriteFile(p, []byte("version: 1\ngit:\n  autocommit: true\n"), 0o644)
	if cfg, err := LoadProjectConfig(p); err != nil || cfg.FailClosed || cfg.File.Path != "" {
		t.Fatalf("no audit section: %+v %v", cfg, err)
	}
	os.WriteFile(p, []byte("version: 1\naudit:\n  fail_closed: true\n  stderr: true\n  file:\n    sync: batch\n"), 0o644)
	cfg, err := LoadProjectConfig(p)
	if err != nil || !cfg.FailClosed || !cfg.Stderr || cfg.File.Sync != SyncBatch {
		t.Fatalf("audit section: %+v %v", cfg, err)
	}
	os.WriteFile(p, []byte("audit:\n  fail_close: true\n"), 0o644)
	if _, err := LoadProjectConfig(p); !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), "fail_close") {
		t.Fatalf("typo: %v", err)
	}
}

// gitRepo makes a repository with an isolated git configuration.
func gitRepo(t *testing.T) (root string, run func(env []string, args ...string)) {
	t.Helper()
	home := t.TempDir()
	root = t.TempDir()
	base := []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Admin", "GIT_AUTHOR_EMAIL=admin@example.com", "GIT_COMMITTER_NAME=Admin",
		"GIT_COMMITTER_EMAIL=admin@example.com", "PATH=" + os.Getenv("PATH")}
	run = func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = root, append(append([]string{}, base...), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run(nil, "git", "init", "-q", "-b", "main")
	return root, run
}

func TestGitWrites(t *testing.T) {
	root, run := gitRepo(t)
	write := func(rel, content string) {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(when, msg string, signWith ...string) {
		env := []string{"GIT_AUTHOR_DATE=" + when, "GIT_COMMITTER_DATE=" + when}
		run(env, "git", "add", "-A")
		args := []string{"git", "commit", "-q", "-m", msg}
		if len(signWith) == 1 {
			args = []string{"git", "-c", "gpg.format=ssh", "-c", "user.signingkey=" + signWith[0], "commit", "-S", "-q", "-m", msg}
		}
		run(env, args...)
	}
	a := ".swiftclaw/agents/my-agent/"
	write(a+"agent.yaml", "run: {}\n")
	write(a+"secrets/api-key.yaml", "v1\n")
	commit("2024-03-01T10:00:00Z", "swiftclaw: set my-agent/api-key")
	write(a+"secrets/api-key.yaml", "v2\n")
	write(".swiftclaw/agents/other/secrets/x.yaml", "x\n")
	commit("2024-03-07T14:20:00+01:00", "swiftclaw: set my-agent/api-key")
	write(a+"env.yaml", "vars: {}\n")
	commit("2024-03-07T15:00:00Z", "swiftclaw: env set my-agent TOKEN")
	write(a+"secrets/api-key.yaml", "v3\n")
	write(a+"secrets/db-url.yaml", "d\n")
	commit("2024-03-08T09:00:00Z", "swiftclaw: rotate my-agent/api-key")
	write(a+"secrets/db-url.yaml", "hand edit\n")
	write(a+"agent.yaml", "run: {secrets: {}}\n")
	commit("2024-03-08T11:00:00Z", "fix db url by hand")
	os.Remove(filepath.Join(root, a+"secrets/db-url.yaml"))
	commit("2024-03-08T12:00:00Z", "swiftclaw: rm my-agent/db-url")
	// A signed commit (SSH signature): reported as signed without any verification setup.
	key := filepath.Join(t.TempDir(), "k")
	run(nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
	write(a+"secrets/api-key.yaml", "v4\n")
	commit("2024-03-09T08:00:00Z", "swiftclaw: set my-agent/api-key", key+".pub")

	events, err := GitWrites(context.Background(), root, "my-agent", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		Time, Action, Secret, Author string
		Signed                       bool
	}
	var got []ev
	for _, e := range events {
		if len(e.Commit) != 40 {
			t.Fatalf("commit id %q", e.Commit)
		}
		got = append(got, ev{e.Time.Format(time.RFC3339), e.Action, e.Secret, e.Author, e.Signed})
	}
	ad := "admin@example.com"
	want := []ev{
		{"2024-03-09T08:00:00Z", "update", "api-key", ad, true},
		{"2024-03-08T12:00:00Z", "rm", "db-url", ad, false},
		{"2024-03-08T11:00:00Z", "update", "db-url", ad, false},
		{"2024-03-08T09:00:00Z", "rotate", "api-key", ad, false},
		{"2024-03-08T09:00:00Z", "rotate", "db-url", ad, false},
		{"2024-03-07T15:00:00Z", "create", "env", ad, false},
		{"2024-03-07T13:20:00Z", "update", "api-key", ad, false},
		{"2024-03-01T10:00:00Z", "create", "api-key", ad, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	recent, err := GitWrites(context.Background(), root, "my-agent", time.Date(2024, 3, 8, 11, 30, 0, 0, time.UTC))
	if err != nil || len(recent) != 2 {
		t.Fatalf("since: %d events, %v", len(recent), err)
	}
	empty, _ := gitRepo(t)
	if ev, err := GitWrites(context.Background(), empty, "my-agent", time.Time{}); err != nil || len(ev) != 0 {
		t.Fatalf("repository without commits: %v %v", ev, err)
	}
}

package vault

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain clears SWIFTCLAW_* so nothing from a developer's shell leaks into tests.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SWIFTCLAW_") || strings.HasPrefix(k, "SOPS_") {
			os.Unsetenv(k)
		}
	}
	if os.Getenv("SWIFTCLAW_TEST_CONCURRENT_SET") == "" {
		if helper := os.Getenv("VAULT_TEST_HELPER"); helper != "" {
			os.Exit(runHelper(helper))
		}
	}
	os.Exit(m.Run())
}

// fixedNow is the clock tests use.
var fixedNow = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// testEnv isolates git and the home directory for a test.
func testEnv(t *testing.T) (home string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	t.Setenv("GIT_AUTHOR_NAME", "Alice")
	t.Setenv("GIT_AUTHOR_EMAIL", "alice@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Alice")
	t.Setenv("GIT_COMMITTER_EMAIL", "alice@example.com")
	return home
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// newKey writes a fresh identity file and returns its path and public key.
func newKey(t *testing.T, dir, name string) (path, pub string) {
	t.Helper()
	path = filepath.Join(dir, name+".txt")
	pub, err := GenerateIdentity(path, "test")
	if err != nil {
		t.Fatal(err)
	}
	return path, pub
}

type fixture struct {
	root     string
	store    *Store
	idFile   string
	ownerKey string
}

// newProject makes a git repo with an initialized .swiftclaw owned by alice.
func newProject(t *testing.T) *fixture {
	t.Helper()
	home := testEnv(t)
	root := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, root, "init", "-q", "-b", "main")
	idFile, pub := newKey(t, home, "alice")
	s, res, err := Init(context.Background(), fixtureOptions(root, idFile), InitOptions{Owner: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit == "" {
		t.Fatal("init did not commit")
	}
	return &fixture{root: root, store: s, idFile: idFile, ownerKey: pub}
}

func fixtureOptions(root, idFile string) Options {
	return Options{Dir: root, Identity: IdentityOptions{File: idFile}, Now: func() time.Time { return fixedNow }}
}

// as opens the project with another identity file and clock.
func (f *fixture) as(t *testing.T, idFile string, now time.Time) *Store {
	t.Helper()
	s, err := Open(Options{Dir: f.root, Identity: IdentityOptions{File: idFile}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) write(t *testing.T, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.root, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

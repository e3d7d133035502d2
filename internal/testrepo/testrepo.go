// Package testrepo builds real swiftclaw projects for tests and examples: a git repository
// in a temporary directory with an age identity, `swiftclaw init` done, and helpers to set
// secrets and variables through the vault library. It never touches the caller's HOME or
// git configuration: the repository gets its own user.name and user.email, and Isolate
// points HOME and git's global configuration at a private directory.
package testrepo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/vault"
)

// Repo is a swiftclaw project in a fresh git repository.
type Repo struct {
	// Root is the working tree.
	Root string
	// IdentityFile is the owner's age identity (mode 0600), outside Root.
	IdentityFile string
	// PublicKey is its public key.
	PublicKey string
	// Now is the clock the store uses.
	Now func() time.Time
	// Store is the project opened with IdentityFile.
	Store *vault.Store
}

// Isolate clears SWIFTCLAW_* and SOPS_* variables and points HOME and git's configuration
// at home, so nothing from a developer's machine leaks in. Call it from TestMain.
func Isolate(home string) error {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SWIFTCLAW_") || strings.HasPrefix(k, "SOPS_") {
			os.Unsetenv(k)
		}
	}
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": "", "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_CONFIG_GLOBAL": filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME":   "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com",
		"GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com",
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return os.MkdirAll(home, 0o755)
}

// New creates dir/repo (a git repository owned by alice@example.com) and dir/alice.txt,
// and runs init. now is the store's clock (nil: time.Now).
func New(dir string, now func() time.Time) (*Repo, error) {
	if now == nil {
		now = time.Now
	}
	r := &Repo{Root: filepath.Join(dir, "repo"), IdentityFile: filepath.Join(dir, "alice.txt"), Now: now}
	if err := os.MkdirAll(r.Root, 0o755); err != nil {
		return nil, err
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.name", "Alice"},
		{"config", "user.email", "alice@example.com"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = r.Root
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	pub, err := vault.GenerateIdentity(r.IdentityFile, "test")
	if err != nil {
		return nil, err
	}
	r.PublicKey = pub
	r.Store, _, err = vault.Init(context.Background(), r.Options(), vault.InitOptions{Owner: "alice@example.com"})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Options are the vault options that open this project as its owner.
func (r *Repo) Options() vault.Options {
	return vault.Options{Dir: r.Root, Identity: vault.IdentityOptions{File: r.IdentityFile}, Now: r.Now}
}

// SetSecret stores agent/name = value, expiring after ttl when ttl > 0.
func (r *Repo) SetSecret(agent, name, value string, ttl time.Duration) error {
	_, err := r.Store.SetSecret(context.Background(), agent, name, []byte(value), vault.SetOptions{TTL: ttl})
	return err
}

// SetEnv sets agent's environment variable key = value.
func (r *Repo) SetEnv(agent, key, value string) error {
	_, err := r.Store.SetEnv(context.Background(), agent, map[string][]byte{key: []byte(value)})
	return err
}

// Main runs a package's tests with Isolate applied to a temporary home; call it as
// TestMain's only statement.
func Main(m interface{ Run() int }) {
	home, err := os.MkdirTemp("", "swiftclaw-test-home")
	if err == nil {
		err = Isolate(home)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

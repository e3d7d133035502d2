package gitstore_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/providers/gitstore"
	"github.com/swiftclaw/swiftclaw/providers/providertest"
	"github.com/swiftclaw/swiftclaw/vault"
)

func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SWIFTCLAW_") && k != "SWIFTCLAW_REQUIRE_SERVERS" {
			os.Unsetenv(k)
		}
	}
	os.Exit(m.Run())
}

// newRepo makes a git repository with .swiftclaw owned by a fresh identity, and returns
// the root, that identity's file and another identity's file that is no recipient.
func newRepo(t *testing.T) (root, owner, stranger string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	for _, k := range []string{"GIT_AUTHOR", "GIT_COMMITTER"} {
		t.Setenv(k+"_NAME", "Alice")
		t.Setenv(k+"_EMAIL", "alice@example.com")
	}
	root = filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "-C", root, "init", "-q", "-b", "main").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	owner, stranger = filepath.Join(home, "alice.txt"), filepath.Join(home, "mallory.txt")
	for _, p := range []string{owner, stranger} {
		if _, err := vault.GenerateIdentity(p, "test"); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := vault.Init(context.Background(), vault.Options{Dir: root, Identity: vault.IdentityOptions{File: owner}}, vault.InitOptions{Owner: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return root, owner, stranger
}

func open(t *testing.T, root, idFile string) *vault.Store {
	t.Helper()
	s, err := vault.Open(vault.Options{Dir: root, Identity: vault.IdentityOptions{File: idFile}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		root, owner, stranger := newRepo(t)
		return providertest.Harness{
			P:            gitstore.New(open(t, root, owner), "my-agent"),
			Unauthorized: gitstore.New(open(t, root, stranger), "my-agent"),
			NoVersions:   true,
		}
	})
}

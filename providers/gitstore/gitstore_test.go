package gitstore_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/testrepo"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/gitstore"
	"github.com/swiftclaw/swiftclaw/providers/providertest"
	"github.com/swiftclaw/swiftclaw/vault"
)

func TestMain(m *testing.M) { testrepo.Main(m) }

// newRepo makes a swiftclaw project owned by a fresh identity, and returns its root, that
// identity's file and another identity's file that is no recipient.
func newRepo(t *testing.T) (root, owner, stranger string) {
	t.Helper()
	dir := t.TempDir()
	r, err := testrepo.New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	stranger = filepath.Join(dir, "mallory.txt")
	if _, err := vault.GenerateIdentity(stranger, "test"); err != nil {
		t.Fatal(err)
	}
	return r.Root, r.IdentityFile, stranger
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
		}
	})
}

// failing is a store whose Get fails for one name, as a network failure midway through a
// pull would.
type failing struct {
	providers.Provider
	values map[string]string
	bad    string
}

func (f failing) List(context.Context) ([]providers.Meta, error) {
	var out []providers.Meta
	for n := range f.values {
		out = append(out, providers.Meta{Name: n})
	}
	return providers.SortMetas(out), nil
}

func (f failing) Get(_ context.Context, name, _ string) (*providers.Secret, error) {
	if name == f.bad {
		return nil, errs.New(errs.Internal, "cannot reach the store to read %s", name)
	}
	return &providers.Secret{Meta: providers.Meta{Name: name}, Value: []byte(f.values[name])}, nil
}

func (f failing) Where() string { return "a failing store" }

// TestPullFailureWritesNothing: when one read fails during a sync into git, no secret is
// written and no commit is made.
func TestPullFailureWritesNothing(t *testing.T) {
	root, owner, _ := newRepo(t)
	g := gitstore.New(open(t, root, owner), "my-agent")
	head := func() string {
		out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before := head()
	from := failing{values: map[string]string{"a-key": "1", "b-key": "2", "c-key": "3"}, bad: "b-key"}
	_, err := providers.Copy(context.Background(), from, g, providers.CopyOptions{})
	if errs.KindOf(err) != errs.Internal || !strings.Contains(err.Error(), "nothing was copied") {
		t.Fatalf("copy with a failing read: %v", err)
	}
	if head() != before {
		t.Fatal("a commit was made")
	}
	if _, err := os.Stat(filepath.Join(root, ".swiftclaw", "agents", "my-agent")); !os.IsNotExist(err) {
		t.Fatalf("files were written: %v", err)
	}
}

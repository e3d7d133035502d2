package providers_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/azurekv"
	"github.com/swiftclaw/swiftclaw/providers/azurekv/azkvfake"
)

func fakeVault(t *testing.T, name string) providers.Provider {
	t.Helper()
	v := azkvfake.New("https://" + name + ".vault.azure.net")
	p, err := azurekv.New(azurekv.Options{VaultURL: v.URL, Credential: azkvfake.Credential(), Transport: v.Transport(false)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func put(t *testing.T, p providers.Provider, kv ...string) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		if _, err := p.Set(context.Background(), kv[i], []byte(kv[i+1]), providers.SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	from, to := fakeVault(t, "from"), fakeVault(t, "to")
	put(t, from, "api-key", "sk-1", "db-url", "postgresql://db", "same", "s")
	put(t, to, "db-url", "old", "same", "s", "stale", "x")

	plan, err := providers.Copy(ctx, from, to, providers.CopyOptions{DryRun: true, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []providers.Change{{"api-key", "create"}, {"db-url", "update"}, {"same", "unchanged"}, {"stale", "delete"}}
	if diff := cmp.Diff(want, plan); diff != "" {
		t.Fatalf("dry run (-want +got):\n%s", diff)
	}
	if s, _ := to.Get(ctx, "db-url", ""); string(s.Value) != "old" {
		t.Fatal("the dry run wrote")
	}
	done, err := providers.Copy(ctx, from, to, providers.CopyOptions{Prune: true})
	if err != nil || !cmp.Equal(want, done) {
		t.Fatalf("copy: %v %v", done, err)
	}
	again, err := providers.Copy(ctx, from, to, providers.CopyOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again {
		if c.Action != providers.ActionUnchanged {
			t.Errorf("second copy: %+v, want everything unchanged", c)
		}
	}
	vs, err := to.Versions(ctx, "same")
	if err != nil || len(vs) != 1 {
		t.Errorf("an unchanged value made versions: %v %v", vs, err)
	}
	if _, err := to.Get(ctx, "stale", ""); errs.KindOf(err) != errs.NotFound {
		t.Errorf("pruned secret: %v", err)
	}
}

// TestCopyChecksFirst: one value the destination cannot hold stops the copy before any
// write.
func TestCopyChecksFirst(t *testing.T) {
	ctx := context.Background()
	from, to := fakeVault(t, "from"), fakeVault(t, "to")
	put(t, from, "a-first", "1", "z-too-big", string(bytes.Repeat([]byte("x"), 100)))
	small := smallStore{to}
	_, err := providers.Copy(ctx, from, small, providers.CopyOptions{})
	if errs.KindOf(err) != errs.Input {
		t.Fatalf("copy of a too-large value: %v", err)
	}
	if list, _ := to.List(ctx); len(list) != 0 {
		t.Fatalf("the failed copy wrote %d secrets", len(list))
	}
}

type smallStore struct{ providers.Provider }

func (smallStore) MaxValueSize() int { return 10 }

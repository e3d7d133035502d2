package vault

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestUpdateSecretMetaNeedsNoIdentityAndIsIdempotent(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("sk-1"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	path := ".swiftclaw/agents/my-agent/secrets/api-key.yaml"
	before := f.read(t, path)

	// Someone without any identity can still set the readable metadata.
	nobody := f.as(t, filepath.Join(t.TempDir(), "missing.txt"), fixedNow)
	desc, every := "OpenAI API Key", "90d"
	res, err := nobody.UpdateSecretMeta(ctx, "my-agent", "api-key", MetaUpdate{Description: &desc, RotationInterval: &every})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit == "" || len(res.Changed) != 1 {
		t.Fatalf("result = %+v", res)
	}
	after := f.read(t, path)
	if armorOf(before) != armorOf(after) || !strings.Contains(after, "description: OpenAI API Key") || !strings.Contains(after, "interval: 90d") {
		t.Fatalf("file after update:\n%s", after)
	}
	// The value still decrypts: metadata is not sealed into it.
	if v, _, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil || string(v) != "sk-1" {
		t.Fatalf("get after update: %q %v", v, err)
	}

	// The same update again writes and commits nothing.
	res, err = f.store.UpdateSecretMeta(ctx, "my-agent", "api-key", MetaUpdate{Description: &desc, RotationInterval: &every})
	if err != nil || len(res.Changed) != 0 || res.Commit != "" {
		t.Fatalf("repeat = %+v, %v", res, err)
	}

	// Clearing the interval removes the empty rotation block.
	none := ""
	if _, err := f.store.UpdateSecretMeta(ctx, "my-agent", "api-key", MetaUpdate{RotationInterval: &none}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(f.read(t, path), "rotation") {
		t.Fatalf("rotation block left:\n%s", f.read(t, path))
	}

	bad := "soon"
	if _, err := f.store.UpdateSecretMeta(ctx, "my-agent", "api-key", MetaUpdate{RotationInterval: &bad}); !errs.Is(err, errs.Input) {
		t.Fatalf("bad interval: %v", err)
	}
	if _, err := f.store.UpdateSecretMeta(ctx, "my-agent", "nope", MetaUpdate{Description: &desc}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing secret: %v", err)
	}
}

// armorOf returns the armored value of a secret file.
func armorOf(doc string) string {
	_, rest, _ := strings.Cut(doc, "-----BEGIN AGE ENCRYPTED FILE-----")
	v, _, _ := strings.Cut(rest, "-----END AGE ENCRYPTED FILE-----")
	return v
}

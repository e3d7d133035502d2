package vault

import (
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestGetEnv(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"MODE": []byte("production"), "OTHER": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.GetEnv("my-agent", "MODE")
	if err != nil || string(got) != "production" {
		t.Fatalf("GetEnv(MODE) = %d bytes, %v; want the value set", len(got), err)
	}
	for _, tc := range []struct {
		agent, key string
		kind       errs.Kind
	}{
		{"my-agent", "MISSING", errs.NotFound},
		{"no-such-agent", "MODE", errs.NotFound},
		{"my-agent", "1BAD", errs.Input},
		{"../etc", "MODE", errs.Input},
	} {
		_, err := f.store.GetEnv(tc.agent, tc.key)
		if errs.KindOf(err) != tc.kind {
			t.Errorf("GetEnv(%s, %s): err = %v, want kind %v", tc.agent, tc.key, err, tc.kind)
		}
	}
	// Another identity that is not a recipient cannot read it.
	other, _ := newKey(t, t.TempDir(), "mallory")
	if _, err := f.as(t, other, fixedNow).GetEnv("my-agent", "MODE"); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("GetEnv as a non-recipient: err = %v, want a decrypt error", err)
	}
}

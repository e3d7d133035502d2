package providertest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
)

// Harness is one empty store under test.
type Harness struct {
	// P is the store with working credentials. It holds no secrets.
	P providers.Provider
	// Unauthorized is the same store reached with credentials it refuses.
	Unauthorized providers.Provider
	// NoVersions marks a store whose versions and rollback are not supported yet; the
	// suite then checks they fail with providers.ErrNotYet rather than skipping them.
	NoVersions bool
	// Unsupported names subtests this server cannot run, each with the reason and where
	// that behaviour is tested instead. They are reported as skipped with that reason.
	Unsupported map[string]string
}

// Run runs the conformance suite. newHarness is called once per subtest and must
// return an empty store.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"SetGetList", testSetGetList},
		{"Versions", testVersions},
		{"Rollback", testRollback},
		{"Remove", testRemove},
		{"NotFound", testNotFound},
		{"AuthFailure", testAuthFailure},
		{"Large", testLarge},
		{"Binary", testBinary},
		{"InvalidName", testInvalidName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if why, ok := h.Unsupported[tc.name]; ok {
				t.Skipf("not run against this server: %s", why)
			}
			tc.fn(t, h)
		})
	}
}

// RequireServer reports a missing server: a test failure when SWIFTCLAW_REQUIRE_SERVERS=1
// (CI), else a skip that says how to get it.
func RequireServer(t testing.TB, what, how string) {
	t.Helper()
	if os.Getenv("SWIFTCLAW_REQUIRE_SERVERS") == "1" {
		t.Fatalf("%s is missing and SWIFTCLAW_REQUIRE_SERVERS=1: %s", what, how)
	}
	t.Skipf("%s is missing (%s); set SWIFTCLAW_REQUIRE_SERVERS=1 to make this a failure", what, how)
}

var ctx = context.Background()

func set(t *testing.T, p providers.Provider, name string, value []byte, opts providers.SetOptions) *providers.SetResult {
	t.Helper()
	res, err := p.Set(ctx, name, value, opts)
	if err != nil {
		t.Fatalf("set %s: %v", name, err)
	}
	return res
}

func get(t *testing.T, p providers.Provider, name, version string) *providers.Secret {
	t.Helper()
	s, err := p.Get(ctx, name, version)
	if err != nil {
		t.Fatalf("get %s %s: %v", name, version, err)
	}
	return s
}

// sameValue compares without ever printing a value: only lengths and the first offset
// that differs.
func sameValue(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s: value differs (got %d bytes, want %d, first difference at offset %d)", what, len(got), len(want), i)
}

func wantKind(t *testing.T, what string, err error, kinds ...errs.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want kind %v", what, kinds)
	}
	if !slices.Contains(kinds, errs.KindOf(err)) {
		t.Fatalf("%s: error kind %v (%v), want one of %v", what, errs.KindOf(err), err, kinds)
	}
}

func names(ms []providers.Meta) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func testSetGetList(t *testing.T, h Harness) {
	p := h.P
	res := set(t, p, "api-key", []byte("sk-first"), providers.SetOptions{})
	if !res.Created || !res.Changed {
		t.Fatalf("first set: created=%v changed=%v, want both", res.Created, res.Changed)
	}
	sameValue(t, "get after set", get(t, p, "api-key", "").Value, []byte("sk-first"))

	again := set(t, p, "api-key", []byte("sk-first"), providers.SetOptions{})
	if again.Created || again.Changed {
		t.Fatalf("same value again: created=%v changed=%v, want neither", again.Created, again.Changed)
	}
	desc := "OpenAI API Key"
	set(t, p, "db-url", []byte("postgresql://db"), providers.SetOptions{Description: &desc})
	list, err := p.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"api-key", "db-url"}, names(list)); diff != "" {
		t.Fatalf("list (-want +got):\n%s", diff)
	}
	for _, m := range list {
		if m.Created.IsZero() {
			t.Errorf("%s: no created time", m.Name)
		}
	}
	if list[1].Description != desc {
		t.Errorf("db-url description %q, want %q", list[1].Description, desc)
	}
	if got := get(t, p, "db-url", "").Description; got != desc {
		t.Errorf("get db-url description %q, want %q", got, desc)
	}
}

// active returns the one active version.
func active(t *testing.T, vs []providers.Version) providers.Version {
	t.Helper()
	var out []providers.Version
	for _, v := range vs {
		if v.Status == providers.StatusActive {
			out = append(out, v)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d active versions in %+v, want 1", len(out), vs)
	}
	return out[0]
}

func testVersions(t *testing.T, h Harness) {
	p := h.P
	_, err := p.Versions(ctx, "missing")
	wantKind(t, "versions of a missing secret", err, errs.NotFound)
	set(t, p, "api-key", []byte("one"), providers.SetOptions{})
	if h.NoVersions {
		_, err := p.Versions(ctx, "api-key")
		if !errors.Is(err, providers.ErrNotYet) {
			t.Fatalf("versions: %v, want ErrNotYet", err)
		}
		return
	}
	first := active(t, mustVersions(t, p, "api-key"))
	set(t, p, "api-key", []byte("two"), providers.SetOptions{})
	set(t, p, "api-key", []byte("two"), providers.SetOptions{}) // no new version
	set(t, p, "api-key", []byte("three"), providers.SetOptions{})
	vs := mustVersions(t, p, "api-key")
	if len(vs) != 3 {
		t.Fatalf("%d versions %+v, want 3 (an unchanged value makes none)", len(vs), vs)
	}
	cur := active(t, vs)
	if vs[0].ID != cur.ID {
		t.Errorf("versions start with %+v, want the active one first", vs[0])
	}
	for _, v := range vs[1:] {
		if v.Status != providers.StatusDeprecated {
			t.Errorf("older version %s has status %q, want %q", v.ID, v.Status, providers.StatusDeprecated)
		}
		if v.Created.IsZero() {
			t.Errorf("version %s has no created time", v.ID)
		}
	}
	sameValue(t, "first version", get(t, p, "api-key", first.ID).Value, []byte("one"))
	sameValue(t, "active version", get(t, p, "api-key", cur.ID).Value, []byte("three"))
	if got := get(t, p, "api-key", "").Version; got != cur.ID {
		t.Errorf("current version %q, want %q", got, cur.ID)
	}
}

func mustVersions(t *testing.T, p providers.Provider, name string) []providers.Version {
	t.Helper()
	vs, err := p.Versions(ctx, name)
	if err != nil {
		t.Fatalf("versions %s: %v", name, err)
	}
	return vs
}

func testRollback(t *testing.T, h Harness) {
	p := h.P
	set(t, p, "api-key", []byte("one"), providers.SetOptions{})
	if h.NoVersions {
		_, err := p.Rollback(ctx, "api-key", "v1")
		if !errors.Is(err, providers.ErrNotYet) {
			t.Fatalf("rollback: %v, want ErrNotYet", err)
		}
		return
	}
	first := active(t, mustVersions(t, p, "api-key"))
	set(t, p, "api-key", []byte("two"), providers.SetOptions{})
	res, err := p.Rollback(ctx, "api-key", first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed {
		t.Error("rollback to an older value reported no change")
	}
	sameValue(t, "after rollback", get(t, p, "api-key", "").Value, []byte("one"))
	after := active(t, mustVersions(t, p, "api-key"))
	sameValue(t, "active version after rollback", get(t, p, "api-key", after.ID).Value, []byte("one"))
	again, err := p.Rollback(ctx, "api-key", after.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed {
		t.Error("rollback to the current version reported a change")
	}
	_, err = p.Rollback(ctx, "api-key", "v999")
	wantKind(t, "rollback to an unknown version", err, errs.NotFound, errs.Input)
}

func testRemove(t *testing.T, h Harness) {
	p := h.P
	set(t, p, "temp-token", []byte("token123"), providers.SetOptions{})
	set(t, p, "keep", []byte("k"), providers.SetOptions{})
	if err := p.Remove(ctx, "temp-token"); err != nil {
		t.Fatal(err)
	}
	_, err := p.Get(ctx, "temp-token", "")
	wantKind(t, "get after rm", err, errs.NotFound)
	list, err := p.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"keep"}, names(list)); diff != "" {
		t.Fatalf("list after rm (-want +got):\n%s", diff)
	}
	wantKind(t, "rm again", p.Remove(ctx, "temp-token"), errs.NotFound)
	res := set(t, p, "temp-token", []byte("token456"), providers.SetOptions{})
	if !res.Created {
		t.Error("setting a removed secret again did not report it created")
	}
	sameValue(t, "set after rm", get(t, p, "temp-token", "").Value, []byte("token456"))
}

func testNotFound(t *testing.T, h Harness) {
	p := h.P
	set(t, p, "present", []byte("x"), providers.SetOptions{})
	_, err := p.Get(ctx, "missing", "")
	wantKind(t, "get", err, errs.NotFound)
	if err != nil && !strings.Contains(err.Error(), "missing") {
		t.Errorf("not-found error %q does not name the secret", err)
	}
	wantKind(t, "rm", p.Remove(ctx, "missing"), errs.NotFound)
}

func testAuthFailure(t *testing.T, h Harness) {
	set(t, h.P, "api-key", []byte("sk-secret-value"), providers.SetOptions{})
	_, err := h.Unauthorized.Get(ctx, "api-key", "")
	// Exit code 3: a refused credential (Permission) or, in git, a key that cannot decrypt.
	wantKind(t, "get with bad credentials", err, errs.Permission, errs.Decrypt)
	if strings.Contains(err.Error(), "sk-secret-value") {
		t.Fatal("the error message contains the secret value")
	}
	_, err = h.Unauthorized.Set(ctx, "api-key", []byte("sk-other"), providers.SetOptions{})
	wantKind(t, "set with bad credentials", err, errs.Permission, errs.Decrypt)
	sameValue(t, "value after refused set", get(t, h.P, "api-key", "").Value, []byte("sk-secret-value"))
}

func testLarge(t *testing.T, h Harness) {
	p := h.P
	max := p.MaxValueSize()
	big := bytes.Repeat([]byte("0123456789abcdef"), max/16+1)[:max]
	set(t, p, "big", big, providers.SetOptions{})
	sameValue(t, "largest value", get(t, p, "big", "").Value, big)
	_, err := p.Set(ctx, "too-big", append(big, 'x'), providers.SetOptions{})
	wantKind(t, "value over the limit", err, errs.Input)
	_, err = p.Get(ctx, "too-big", "")
	wantKind(t, "get of a refused value", err, errs.NotFound)
}

func testBinary(t *testing.T, h Harness) {
	p := h.P
	var bin []byte
	for i := range 1024 {
		bin = append(bin, byte(i), byte(255-i%256))
	}
	bin = append(bin, 0xff, 0xfe, 0, '\n') // invalid UTF-8, a NUL and a trailing newline
	set(t, p, "db-cert", bin, providers.SetOptions{})
	sameValue(t, "binary value", get(t, p, "db-cert", "").Value, bin)
	text := []byte("line one\r\nline two\n\n")
	set(t, p, "multi-line", text, providers.SetOptions{})
	sameValue(t, "multi-line value", get(t, p, "multi-line", "").Value, text)
}

func testInvalidName(t *testing.T, h Harness) {
	for _, name := range []string{"../escape", "a/b", ""} {
		_, err := h.P.Set(ctx, name, []byte("x"), providers.SetOptions{})
		wantKind(t, "set "+name, err, errs.Input)
	}
}

package protocol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/testrepo"
	"github.com/swiftclaw/swiftclaw/vault"
)

func TestMain(m *testing.M) { testrepo.Main(m) }

var t0 = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// Values the tests store; no response but a successful get may contain them.
const (
	apiKey   = "sk-live-protocol-test-123"
	tempTok  = "token-protocol-test-456"
	dbURL    = "postgresql://agent:pw-protocol-789@db/agent"
	otherKey = "sk-other-agent-000"
)

var binaryValue = []byte{0xff, 0x00, 0xfe, 'c', 'e', 'r', 't', '\n'}

// project makes a repository with my-agent (api-key, temp-token expiring after 1h, a
// binary cert, DATABASE_URL) and other-agent, with the store's clock at *now.
func project(t *testing.T, now *time.Time) *testrepo.Repo {
	t.Helper()
	*now = t0
	r, err := testrepo.New(t.TempDir(), func() time.Time { return *now })
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		r.SetSecret("my-agent", "api-key", apiKey, 0),
		r.SetSecret("my-agent", "temp-token", tempTok, time.Hour),
		r.SetEnv("my-agent", "DATABASE_URL", dbURL),
		r.SetSecret("other-agent", "api-key", otherKey, 0),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Store.SetSecret(context.Background(), "my-agent", "db-cert", binaryValue, vault.SetOptions{}); err != nil {
		t.Fatal(err)
	}
	return r
}

// exchange serves the request lines and returns the handshake and response lines.
func exchange(t *testing.T, store Store, opts Options, requests ...string) (string, []string) {
	t.Helper()
	var out bytes.Buffer
	in := strings.Join(requests, "\n")
	if err := Serve(context.Background(), strings.NewReader(in), &out, store, opts); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	return lines[0], lines[1:]
}

func decode(t *testing.T, line string) wireResponse {
	t.Helper()
	var w wireResponse
	if err := json.Unmarshal([]byte(line), &w); err != nil {
		t.Fatalf("response %q: %v", line, err)
	}
	return w
}

func TestHandshake(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	hello, rest := exchange(t, r.Store, Options{Server: "swiftclaw test"})
	if want := `{"protocol":1,"server":"swiftclaw test","agent":null,"ops":["get","list","env","ping"]}`; hello != want {
		t.Errorf("handshake:\n got %s\nwant %s", hello, want)
	}
	if len(rest) != 0 {
		t.Errorf("no requests, yet responses: %q", rest)
	}
	hello, _ = exchange(t, r.Store, Options{Agent: "my-agent"})
	if !strings.Contains(hello, `"agent":"my-agent"`) {
		t.Errorf("bound handshake %s does not name the agent", hello)
	}
}

func TestGetListEnvPing(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	_, res := exchange(t, r.Store, Options{},
		`{"id":1,"op":"get","agent":"my-agent","name":"api-key","version":null}`,
		`{"id":2,"op":"get","agent":"my-agent","name":"db-cert"}`,
		`{"id":3,"op":"get","agent":"my-agent","name":"temp-token"}`,
		`{"id":4,"op":"env","agent":"my-agent","name":"DATABASE_URL"}`,
		`{"id":5,"op":"list","agent":"my-agent"}`,
		`{"id":"six","op":"ping"}`,
	)
	if len(res) != 6 {
		t.Fatalf("got %d responses, want 6: %q", len(res), res)
	}
	updated := t0.Format(time.RFC3339)
	expires := t0.Add(time.Hour).Format(time.RFC3339)
	want := []string{
		`{"id":1,"ok":true,"value":"` + apiKey + `","encoding":"utf-8","expires":null,"updated":"` + updated + `"}`,
		`{"id":2,"ok":true,"value":"/wD+Y2VydAo=","encoding":"base64","expires":null,"updated":"` + updated + `"}`,
		`{"id":3,"ok":true,"value":"` + tempTok + `","encoding":"utf-8","expires":"` + expires + `","updated":"` + updated + `"}`,
		`{"id":4,"ok":true,"value":"` + dbURL + `","encoding":"utf-8","expires":null}`,
		`{"id":5,"ok":true,"secrets":[` +
			`{"name":"api-key","created":"` + updated + `","updated":"` + updated + `","expires":null,"expired":false},` +
			`{"name":"db-cert","created":"` + updated + `","updated":"` + updated + `","expires":null,"expired":false},` +
			`{"name":"temp-token","created":"` + updated + `","updated":"` + updated + `","expires":"` + expires + `","expired":false}]}`,
		`{"id":"six","ok":true,"protocol":1}`,
	}
	if d := cmp.Diff(want, res); d != "" {
		t.Errorf("responses (-want +got):\n%s", d)
	}
	v := decode(t, res[1]).Value
	if b, err := v.Bytes(); err != nil || !bytes.Equal(b, binaryValue) {
		t.Errorf("binary value did not round-trip: %v", err)
	}
}

// TestRefusals checks each failure's kind and hint, and that no response but a successful
// get or env carries any value the project holds.
func TestRefusals(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	mallory := filepath.Join(t.TempDir(), "mallory.txt")
	if _, err := vault.GenerateIdentity(mallory, "test"); err != nil {
		t.Fatal(err)
	}
	strangerOpts := r.Options()
	strangerOpts.Identity.File = mallory
	stranger, err := vault.Open(strangerOpts)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(r.Root, ".swiftclaw/agents/my-agent/secrets/api-key.yaml")
	data, err := os.ReadFile(tampered)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		store    Store
		opts     Options
		req      string
		kind     string
		message  string
		hint     string
		advance  time.Duration
		setupErr func()
	}{
		{name: "unknown secret", req: `{"id":1,"op":"get","agent":"my-agent","name":"nope"}`, kind: KindNotFound, message: `secret "nope" not found in agent my-agent`, hint: "swiftclaw secrets list my-agent"},
		{name: "unknown agent", req: `{"id":1,"op":"get","agent":"ghost","name":"api-key"}`, kind: KindNotFound, message: `unknown agent "ghost"`, hint: "known agents"},
		{name: "unknown variable", req: `{"id":1,"op":"env","agent":"my-agent","name":"NOPE"}`, kind: KindNotFound, message: "NOPE is not set for agent my-agent"},
		{name: "expired", advance: 2 * time.Hour, req: `{"id":1,"op":"get","agent":"my-agent","name":"temp-token"}`, kind: KindExpired, message: "secret my-agent/temp-token expired at 2024-03-01 11:00 UTC", hint: "swiftclaw secrets set my-agent temp-token"},
		{name: "not a recipient", store: stranger, req: `{"id":1,"op":"get","agent":"my-agent","name":"api-key"}`, kind: KindAccessDenied, message: "cannot decrypt"},
		{name: "other agent on a bound server", opts: Options{Agent: "my-agent"}, req: `{"id":1,"op":"get","agent":"other-agent","name":"api-key"}`, kind: KindAccessDenied, message: "this channel serves agent my-agent only, not other-agent", hint: "swiftclaw run other-agent"},
		{name: "other agent's list on a bound server", opts: Options{Agent: "my-agent"}, req: `{"id":1,"op":"list","agent":"other-agent"}`, kind: KindAccessDenied, message: "serves agent my-agent only"},
		{name: "no agent", req: `{"id":1,"op":"get","name":"api-key"}`, kind: KindInput, message: "the request names no agent"},
		{name: "no name", req: `{"id":1,"op":"get","agent":"my-agent"}`, kind: KindInput, message: "get needs the secret's name"},
		{name: "bad name", req: `{"id":1,"op":"get","agent":"my-agent","name":"../../x"}`, kind: KindInput, message: "invalid secret name"},
		{name: "bad agent", req: `{"id":1,"op":"list","agent":"../etc"}`, kind: KindInput, message: "invalid agent name"},
		{name: "unknown op", req: `{"id":1,"op":"delete","agent":"my-agent","name":"api-key"}`, kind: KindInput, message: `unknown op "delete"`},
		{name: "version unsupported", req: `{"id":1,"op":"get","agent":"my-agent","name":"api-key","version":"v1"}`, kind: KindInput, message: "cannot read earlier versions"},
		{name: "malformed", req: `{"id":1,"op":["get"]}`, kind: KindInput, message: "malformed request"},
		{name: "tampered", setupErr: func() {
			if err := os.WriteFile(tampered, bytes.Replace(data, []byte("name: api-key"), []byte("name: api-key\nexpires: 2030-01-01T00:00:00Z"), 1), 0o644); err != nil {
				t.Fatal(err)
			}
		}, req: `{"id":1,"op":"get","agent":"my-agent","name":"api-key"}`, kind: KindTampered, message: "edited by hand"},
		{name: "no project", store: Unavailable(errs.New(errs.NotFound, "no .swiftclaw directory in /x").WithHint("run `swiftclaw init` at the root of your repository")),
			req: `{"id":1,"op":"get","agent":"my-agent","name":"api-key"}`, kind: KindNotFound, message: "no .swiftclaw directory", hint: "swiftclaw init"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = t0.Add(tc.advance)
			defer func() { now = t0 }()
			if tc.setupErr != nil {
				tc.setupErr()
				defer os.WriteFile(tampered, data, 0o644)
			}
			store := tc.store
			if store == nil {
				store = r.Store
			}
			_, res := exchange(t, store, tc.opts, tc.req)
			if len(res) != 1 {
				t.Fatalf("got %d responses: %q", len(res), res)
			}
			for _, v := range []string{apiKey, tempTok, dbURL, otherKey, "/wD+Y2VydAo="} {
				if strings.Contains(res[0], v) {
					t.Fatalf("a refusal carries a value: %s", res[0])
				}
			}
			w := decode(t, res[0])
			if w.OK || w.Error == nil {
				t.Fatalf("want a refusal, got %s", res[0])
			}
			if string(w.ID) != "1" {
				t.Errorf("id = %s, want 1", w.ID)
			}
			if w.Error.Kind != tc.kind || !strings.Contains(w.Error.Message, tc.message) || !strings.Contains(w.Error.Hint, tc.hint) {
				t.Errorf("got %+v\nwant kind %s, message containing %q, hint containing %q", *w.Error, tc.kind, tc.message, tc.hint)
			}
		})
	}
}

func TestBoundServerDefaultsToItsAgent(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	var seen []string
	opts := Options{Agent: "my-agent", OnValue: func(name string, value []byte) { seen = append(seen, name) }}
	_, res := exchange(t, r.Store, opts,
		`{"id":1,"op":"get","name":"api-key"}`,
		`{"id":2,"op":"get","agent":"my-agent","name":"api-key"}`,
		`{"id":3,"op":"env","name":"DATABASE_URL"}`,
		`{"id":4,"op":"get","agent":"other-agent","name":"api-key"}`,
	)
	for i, want := range []bool{true, true, true, false} {
		if w := decode(t, res[i]); w.OK != want {
			t.Errorf("response %d: ok = %v, want %v: %s", i+1, w.OK, want, res[i])
		}
	}
	if d := cmp.Diff([]string{"api-key", "api-key", "DATABASE_URL"}, seen); d != "" {
		t.Errorf("OnValue calls (-want +got):\n%s", d)
	}
}

func TestVersionHook(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	exp := t0.Add(time.Hour)
	opts := Options{GetVersion: func(ctx context.Context, agent, name, label string) ([]byte, *time.Time, error) {
		if label != "v1" {
			return nil, nil, errs.New(errs.NotFound, "%s/%s has no %s", agent, name, label)
		}
		return []byte("old-value"), &exp, nil
	}}
	_, res := exchange(t, r.Store, opts,
		`{"id":1,"op":"get","agent":"my-agent","name":"api-key","version":"v1"}`,
		`{"id":2,"op":"get","agent":"my-agent","name":"api-key","version":"v9"}`,
	)
	want := []string{
		`{"id":1,"ok":true,"value":"old-value","encoding":"utf-8","expires":"2024-03-01T11:00:00Z","version":"v1"}`,
		`{"id":2,"ok":false,"error":{"kind":"not_found","message":"my-agent/api-key has no v9"}}`,
	}
	if d := cmp.Diff(want, res); d != "" {
		t.Errorf("responses (-want +got):\n%s", d)
	}
}

func TestFramingRecovers(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	long := `{"id":1,"op":"get","agent":"my-agent","name":"` + strings.Repeat("x", MaxRequestLine) + `"}`
	_, res := exchange(t, r.Store, Options{},
		"not json",
		"",
		"   ",
		long,
		`{"id":7,"op":"ping"}`+"\r",
		`{"id":8,"op":"get","agent":"my-agent","name":"api-key"}`, // last line without a newline
	)
	if len(res) != 4 {
		t.Fatalf("got %d responses, want 4 (blank lines are skipped): %q", len(res), res)
	}
	for i, kind := range []string{KindInput, KindInput} {
		if w := decode(t, res[i]); w.OK || w.Error.Kind != kind || string(w.ID) != "null" {
			t.Errorf("response %d = %s, want an input error with id null", i+1, res[i])
		}
	}
	if !strings.Contains(res[1], "request line longer than 65536 bytes") {
		t.Errorf("overlong line: %s", res[1])
	}
	if res[2] != `{"id":7,"ok":true,"protocol":1}` {
		t.Errorf("after bad lines, ping = %s", res[2])
	}
	if w := decode(t, res[3]); !w.OK || w.Value.Value != apiKey {
		t.Errorf("final unterminated request: ok=%v", w.OK)
	}
}

func TestErrorFrom(t *testing.T) {
	for k, want := range map[errs.Kind]string{
		errs.NotFound: KindNotFound, errs.Expired: KindExpired, errs.Decrypt: KindAccessDenied,
		errs.Permission: KindAccessDenied, errs.Tampered: KindTampered, errs.Input: KindInput,
		errs.Conflict: KindInput, errs.Internal: KindInternal, errs.Busy: KindInternal,
	} {
		e := ErrorFrom(fmt.Errorf("context: %w", errs.New(k, "what").WithHint("next")))
		if e.Kind != want || e.Message != "context: what" || e.Hint != "next" {
			t.Errorf("kind %v -> %+v, want %s", k, *e, want)
		}
	}
	if e := ErrorFrom(errors.New("plain")); e.Kind != KindInternal {
		t.Errorf("plain error -> %s", e.Kind)
	}
	if ErrorFrom(nil) != nil {
		t.Error("ErrorFrom(nil) != nil")
	}
	if !errors.Is(ErrorFrom(errs.New(errs.Expired, "x")), ErrExpired) || errors.Is(ErrorFrom(errs.New(errs.Expired, "x")), ErrNotFound) {
		t.Error("errors.Is does not match sentinels by kind")
	}
}

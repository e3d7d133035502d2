package vault

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/rotation"
)

const apiKeyFile = ".swiftclaw/agents/my-agent/secrets/api-key.yaml"

func ptr[T any](v T) *T { return &v }

func (f *fixture) commits(t *testing.T) int {
	t.Helper()
	return len(strings.Split(git(t, f.root, "log", "--format=%H"), "\n"))
}

func TestRotateWithGracePeriod(t *testing.T) {
	f := newProject(t)
	f.set(t, f.at(t, 0), "api-key", "one")
	res, err := f.at(t, time.Hour).RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Value: []byte("two"), Grace: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	until := fixedNow.Add(25 * time.Hour)
	if res.Version != "v2" || res.GraceUntil == nil || !res.GraceUntil.Equal(until) {
		t.Fatalf("rotated to %s, grace until %v", res.Version, res.GraceUntil)
	}
	if msg := git(t, f.root, "log", "-1", "--format=%s"); msg != "swiftclaw: rotate my-agent/api-key to v2" {
		t.Fatalf("commit message %q", msg)
	}
	during := f.at(t, 2*time.Hour)
	if v, _, err := during.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil || string(v) != "two" {
		t.Fatalf("current: %v", err)
	}
	prev, meta, err := during.GetPrevious(ctx, "my-agent", "api-key")
	if err != nil || string(prev) != "one" || meta.GraceUntil == nil {
		t.Fatalf("previous during grace: %v", err)
	}
	if got := summary(mustVersions(t, during, "api-key")); got[0][:9] != "v2 active" || got[1][:8] != "v1 grace" {
		t.Fatalf("versions during grace: %v", got)
	}
	if strings.Contains(f.read(t, apiKeyFile), "one") {
		t.Fatal("the previous value is in the file in plain text")
	}

	after := f.at(t, 26*time.Hour)
	if _, _, err := after.GetPrevious(ctx, "my-agent", "api-key"); errs.KindOf(err) != errs.Expired {
		t.Fatalf("previous after grace: %v", err)
	}
	if got := summary(mustVersions(t, after, "api-key")); got[1][:13] != "v1 deprecated" {
		t.Fatalf("versions after grace: %v", got)
	}
	desc := "later write"
	if _, err := after.SetSecret(ctx, "my-agent", "api-key", []byte("two"), SetOptions{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(f.read(t, apiKeyFile), "previous:") {
		t.Fatal("the expired grace value was not dropped on the next write")
	}
	if _, _, err := after.GetPrevious(ctx, "my-agent", "api-key"); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("previous after drop: %v", err)
	}
}

func TestGraceValueFollowsKeyChangesAndIsBound(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "one")
	if _, err := f.store.RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Value: []byte("two"), Grace: time.Hour}); err != nil {
		t.Fatal(err)
	}
	bobFile, bobPub := newKey(t, t.TempDir(), "bob")
	if _, err := f.store.AddKey(ctx, "user", "bob@example.com", bobPub, AddKeyOptions{Owner: true}); err != nil {
		t.Fatal(err)
	}
	bob := f.as(t, bobFile, fixedNow)
	if v, _, err := bob.GetPrevious(ctx, "my-agent", "api-key"); err != nil || string(v) != "one" {
		t.Fatalf("added owner cannot read the grace value: %v", err)
	}
	if _, err := f.store.RemoveKey(ctx, "user", "bob@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bob.GetPrevious(ctx, "my-agent", "api-key"); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("removed key still reads the grace value: %v", err)
	}
	// Extending the grace period by hand is detected: until is sealed.
	edited := regexp.MustCompile(`until: \S+`).ReplaceAllString(f.read(t, apiKeyFile), "until: 2030-01-01T00:00:00Z")
	f.write(t, apiKeyFile, edited)
	if _, _, err := f.store.GetPrevious(ctx, "my-agent", "api-key"); errs.KindOf(err) != errs.Tampered {
		t.Fatalf("hand-extended grace: %v", err)
	}
}

func TestRotateExpiredSecretKeepsNoGraceAndRenewsTTL(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("one"), SetOptions{TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	later := f.at(t, 2*time.Hour)
	res, err := later.RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Value: []byte("two"), Grace: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.GraceUntil != nil || strings.Contains(f.read(t, apiKeyFile), "previous:") {
		t.Fatal("an expired value was kept for a grace period")
	}
	if res.Meta.Expires == nil || !res.Meta.Expires.Equal(fixedNow.Add(3*time.Hour)) || res.Meta.Expired {
		t.Fatalf("new expiry %v", res.Meta.Expires)
	}
	// A grace period never outlives the old value's own expiry.
	res, err = f.at(t, 2*time.Hour+30*time.Minute).RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Value: []byte("three"), Grace: 24 * time.Hour})
	if err != nil || res.GraceUntil == nil || !res.GraceUntil.Equal(fixedNow.Add(3*time.Hour)) {
		t.Fatalf("grace clamped to %v: %v", res.GraceUntil, err)
	}
	if _, err := later.RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Value: []byte("three")}); errs.KindOf(err) != errs.Input {
		t.Fatalf("rotating to the same value: %v", err)
	}
	if _, err := later.RotateSecret(ctx, "my-agent", "missing", RotateOptions{Value: []byte("x")}); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("rotating a missing secret: %v", err)
	}
}

func TestRotationPolicyAndGenerator(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "one")
	if _, err := f.store.RotateSecret(ctx, "my-agent", "api-key", RotateOptions{}); errs.KindOf(err) != errs.Input {
		t.Fatalf("rotation without value or policy: %v", err)
	}
	for _, bad := range []PolicyChange{
		{Auto: ptr(true)},
		{Interval: ptr("soon")},
		{Webhook: ptr("https://example.com/rotate")},
		{Webhook: ptr("ftp://example.com/"), WebhookSecret: ptr("secret:k")},
		{Interval: ptr("90d"), WebhookSecret: ptr("key")},
		{Generator: &rotation.Generator{Charset: "emoji"}},
	} {
		if _, _, err := f.store.SetRotationPolicy(ctx, "my-agent", "api-key", bad); errs.KindOf(err) != errs.Input {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	before := f.commits(t)
	meta, wr, err := f.store.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{
		Interval: ptr("90d"), Auto: ptr(true), GracePeriod: ptr("12h"),
		Generator: &rotation.Generator{Charset: "hex", Length: 64, Prefix: "sk-"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if wr.Commit == "" || f.commits(t) != before+1 || meta.RotationDue == nil || !meta.RotationDue.Equal(fixedNow.Add(90*24*time.Hour)) {
		t.Fatalf("policy write: commit %q, due %v", wr.Commit, meta.RotationDue)
	}
	if got := summary(mustVersions(t, f.store, "api-key")); len(got) != 1 {
		t.Fatalf("a policy change made a version: %v", got)
	}
	res, err := f.at(t, time.Hour).RotateSecret(ctx, "my-agent", "api-key", RotateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{})
	if err != nil || !regexp.MustCompile(`^sk-[0-9a-f]{64}$`).Match(v) {
		t.Fatalf("generated value has the wrong shape (%d bytes): %v", len(v), err)
	}
	if res.Source != "generator" || res.GraceUntil == nil || !res.GraceUntil.Equal(fixedNow.Add(13*time.Hour)) {
		t.Fatalf("source %s, grace %v (policy grace 12h)", res.Source, res.GraceUntil)
	}
	// "never" clears the interval and auto.
	meta, _, err = f.store.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{Interval: ptr("never")})
	if err != nil || meta.RotationDue != nil || meta.Rotation.Auto {
		t.Fatalf("never: %+v %v", meta.Rotation, err)
	}
}

func TestRotateDue(t *testing.T) {
	f := newProject(t)
	policies := map[string]PolicyChange{
		"due-auto":     {Interval: ptr("30d"), Auto: ptr(true)},
		"not-due-auto": {Interval: ptr("90d"), Auto: ptr(true)},
		"due-manual":   {Interval: ptr("30d")},
	}
	for _, name := range []string{"due-auto", "not-due-auto", "due-manual", "no-policy"} {
		f.set(t, f.store, name, "old-"+name)
		if p, ok := policies[name]; ok {
			if _, _, err := f.store.SetRotationPolicy(ctx, "my-agent", name, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	later := f.at(t, 31*24*time.Hour)
	before := f.commits(t)
	dry, err := later.RotateDue(ctx, RotateDueOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	actions := func(rs []DueResult) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name+" "+r.Action+" "+r.Version)
		}
		return out
	}
	if d := cmp.Diff([]string{"due-auto would rotate ", "due-manual manual "}, actions(dry)); d != "" {
		t.Fatalf("dry run (-want +got):\n%s", d)
	}
	if f.commits(t) != before {
		t.Fatal("dry run committed")
	}
	done, err := later.RotateDue(ctx, RotateDueOptions{Agent: "my-agent"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"due-auto rotated v2", "due-manual manual "}, actions(done)); d != "" {
		t.Fatalf("run (-want +got):\n%s", d)
	}
	if f.commits(t) != before+1 || done[0].Commit == "" {
		t.Fatalf("want one commit for the one rotated secret")
	}
	for name, changed := range map[string]bool{"due-auto": true, "not-due-auto": false, "due-manual": false, "no-policy": false} {
		v, _, err := later.GetSecret(ctx, "my-agent", name, GetOptions{})
		if err != nil || (string(v) != "old-"+name) != changed {
			t.Errorf("%s: changed=%v, want %v (%v)", name, string(v) != "old-"+name, changed, err)
		}
	}
	again, err := later.RotateDue(ctx, RotateDueOptions{})
	if err != nil || len(again) != 1 || again[0].Name != "due-manual" {
		t.Fatalf("second run should only list the manual one: %v %v", actions(again), err)
	}
}

// webhookServer verifies the signature of each call and answers with answer.
func webhookServer(t *testing.T, key []byte, answer func(w http.ResponseWriter, ev map[string]any)) (string, *[]map[string]any) {
	var events []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !rotation.Verify(key, body, r.Header.Get(rotation.SignatureHeader)) {
			t.Errorf("bad signature on webhook call")
			w.WriteHeader(401)
			return
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("body: %v", err)
		}
		events = append(events, ev)
		answer(w, ev)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/rotate", &events
}

func TestRotateWithWebhook(t *testing.T) {
	f := newProject(t)
	key := []byte("hmac-key-for-tests")
	f.set(t, f.store, "rotation-hmac", string(key))
	f.set(t, f.store, "api-key", "old-value")
	okURL, events := webhookServer(t, key, func(w http.ResponseWriter, ev map[string]any) {
		body := `{"value":"provider-value-` + ev["version"].(string) + `"}`
		w.Header().Set(rotation.SignatureHeader, rotation.Sign(key, []byte(body)))
		io.WriteString(w, body)
	})
	if _, _, err := f.store.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{
		Interval: ptr("30d"), Auto: ptr(true), Webhook: ptr(okURL), WebhookSecret: ptr("secret:rotation-hmac"), GracePeriod: ptr("1h"),
	}); err != nil {
		t.Fatal(err)
	}
	client := &rotation.Client{Backoff: -1}
	done, err := f.at(t, 31*24*time.Hour).RotateDue(ctx, RotateDueOptions{Webhook: client})
	if err != nil || len(done) != 1 || done[0].Action != "rotated" {
		t.Fatalf("rotate-due with webhook: %+v %v", done, err)
	}
	if v, _, _ := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); string(v) != "provider-value-v2" {
		t.Fatalf("the webhook's value was not stored (got %d bytes)", len(v))
	}
	ev := (*events)[0]
	want := map[string]any{"agent": "my-agent", "secret": "api-key", "version": "v2",
		"rotated_at": "2024-04-01T10:00:00Z", "grace_until": "2024-04-01T11:00:00Z"}
	if d := cmp.Diff(want, ev); d != "" {
		t.Fatalf("event (-want +got):\n%s", d)
	}

	// A failing endpoint leaves everything as it was: file, value, history.
	failURL, failEvents := webhookServer(t, key, func(w http.ResponseWriter, _ map[string]any) { w.WriteHeader(503) })
	if _, _, err := f.store.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{Webhook: ptr(failURL)}); err != nil {
		t.Fatal(err)
	}
	before, commits := f.read(t, apiKeyFile), f.commits(t)
	_, err = f.at(t, 62*24*time.Hour).RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Webhook: client})
	if err == nil || errs.KindOf(err) != errs.Internal || !strings.Contains(err.Error(), "current value stays active") ||
		!strings.Contains(err.Error(), "failed after 3 attempts") {
		t.Fatalf("failing webhook: %v", err)
	}
	if len(*failEvents) != 3 {
		t.Fatalf("%d attempts, want 3", len(*failEvents))
	}
	if f.read(t, apiKeyFile) != before || f.commits(t) != commits {
		t.Fatal("a failed webhook changed the secret")
	}
	if v, _, _ := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); string(v) != "provider-value-v2" {
		t.Fatal("the old value is no longer active")
	}
	// An endpoint that answers 2xx without a value: swiftclaw generates one.
	emptyURL, _ := webhookServer(t, key, func(w http.ResponseWriter, _ map[string]any) { w.WriteHeader(204) })
	if _, _, err := f.store.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{Webhook: ptr(emptyURL)}); err != nil {
		t.Fatal(err)
	}
	res, err := f.store.RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Webhook: client})
	if err != nil || res.Source != "generator" || res.Webhook.Status != 204 {
		t.Fatalf("204 webhook: %+v %v", res, err)
	}
	if data, _ := os.ReadFile(filepath.Join(f.root, apiKeyFile)); bytes.Contains(data, key) {
		t.Fatal("the key leaked into the file")
	}
}

func TestRollbackAfterKeyRemoval(t *testing.T) {
	f := newProject(t)
	bobFile, bobPub := newKey(t, t.TempDir(), "bob")
	if _, err := f.store.AddKey(ctx, "user", "bob@example.com", bobPub, AddKeyOptions{Owner: true}); err != nil {
		t.Fatal(err)
	}
	f.set(t, f.at(t, 0), "api-key", "one")
	f.set(t, f.at(t, time.Hour), "api-key", "two")
	if _, err := f.store.RemoveKey(ctx, "user", "bob@example.com", ""); err != nil {
		t.Fatal(err)
	}
	res, err := f.at(t, 2*time.Hour).RollbackSecret(ctx, "my-agent", "api-key", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "v3" || res.Restored.Label != "v1" {
		t.Fatalf("rolled back %s as %s", res.Restored.Label, res.Version)
	}
	msg := git(t, f.root, "log", "-1", "--format=%s")
	if !strings.HasPrefix(msg, "swiftclaw: rollback my-agent/api-key to v1 (as v3; restores the value of commit "+shortID(res.Restored.Commit)) {
		t.Fatalf("commit message %q", msg)
	}
	if v, _, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil || string(v) != "one" {
		t.Fatalf("value after rollback: %v", err)
	}
	if got := summary(mustVersions(t, f.store, "api-key")); len(got) != 3 || !strings.HasPrefix(got[0], "v3 active") {
		t.Fatalf("versions: %v", got)
	}
	bob := f.as(t, bobFile, fixedNow)
	if _, _, err := bob.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("the removed key reads the rolled-back value: %v", err)
	}
	// What bob could read before stays readable to him in history; swiftclaw does not pretend otherwise.
	if v, _, err := bob.GetVersion(ctx, "my-agent", "api-key", "v1", GetOptions{}); err != nil || string(v) != "one" {
		t.Fatalf("bob's old access to v1 in history: %v", err)
	}
	again, err := f.store.RollbackSecret(ctx, "my-agent", "api-key", "v1")
	if err != nil || again.Version != "" || again.Commit != "" {
		t.Fatalf("rolling back to the current value changed something: %+v %v", again, err)
	}
}

func TestResolveEnvExposesGraceValues(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "one")
	if _, err := f.store.RotateSecret(ctx, "my-agent", "api-key", RotateOptions{Value: []byte("two"), Grace: time.Hour}); err != nil {
		t.Fatal(err)
	}
	f.write(t, ".swiftclaw/agents/my-agent/agent.yaml", "run:\n  previous: true\n  secrets:\n    API_KEY: secret:api-key\n")
	env := func(s *Store, extra ...Mapping) map[string]string {
		t.Helper()
		vars, err := s.ResolveEnv(ctx, "my-agent", extra, ResolveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, v := range vars {
			out[v.Name] = string(v.Value)
		}
		return out
	}
	old := Mapping{Env: "OLD_KEY", Ref: "secret:api-key@previous"}
	if d := cmp.Diff(map[string]string{"API_KEY": "two", "API_KEY_PREVIOUS": "one", "OLD_KEY": "one"}, env(f.store, old)); d != "" {
		t.Fatalf("during grace (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"API_KEY": "two"}, env(f.at(t, 2*time.Hour), old)); d != "" {
		t.Fatalf("after grace (-want +got):\n%s", d)
	}
	if _, err := ParseMapping("X=secret:api-key@later"); errs.KindOf(err) != errs.Input {
		t.Fatalf("bad suffix accepted: %v", err)
	}
	if _, err := f.store.ResolveEnv(ctx, "my-agent", []Mapping{{Env: "X", Ref: "secret:missing@previous"}}, ResolveOptions{}); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("grace value of a missing secret: %v", err)
	}
}

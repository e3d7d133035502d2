package vault

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// recorder is an Auditor that keeps events and can refuse them.
type recorder struct {
	events []AuditEvent
	refuse error
}

func (r *recorder) Audit(_ context.Context, ev AuditEvent) error {
	if r.refuse != nil {
		return r.refuse
	}
	r.events = append(r.events, ev)
	return nil
}

func TestAuditorSeesReadsAndWritesWithPrincipal(t *testing.T) {
	f := newProject(t)
	ctx := context.Background()
	rec := &recorder{}
	s := f.store
	s.Auditor = rec
	if _, err := s.SetSecret(ctx, "my-agent", "api-key", []byte("sk-abc"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetEnv(ctx, "my-agent", map[string][]byte{"TOKEN": []byte("t0k")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveEnv(ctx, "my-agent", []Mapping{{Env: "API_KEY", Ref: "secret:api-key"}}, ResolveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevealEnv("my-agent"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UnsetEnv(ctx, "my-agent", []string{"TOKEN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveSecret(ctx, "my-agent", "api-key"); err != nil {
		t.Fatal(err)
	}
	a := "alice@example.com"
	want := []AuditEvent{
		{Action: "set", Agent: "my-agent", Secret: "api-key", Principal: a, Write: true},
		{Action: "env-set", Agent: "my-agent", Secret: "env:TOKEN", Principal: a, Write: true},
		{Action: "read", Agent: "my-agent", Secret: "api-key", Principal: a},
		{Action: "run", Agent: "my-agent", Secret: "env:TOKEN", Principal: a},
		{Action: "run", Agent: "my-agent", Secret: "api-key", Principal: a},
		{Action: "read", Agent: "my-agent", Secret: "env:TOKEN", Principal: a},
		{Action: "env-unset", Agent: "my-agent", Secret: "env:TOKEN", Principal: a, Write: true},
		{Action: "rm", Agent: "my-agent", Secret: "api-key", Principal: a, Write: true},
	}
	if diff := cmp.Diff(want, rec.events); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
}

func TestAuditorRefusalBlocksReadsButNotCompletedWrites(t *testing.T) {
	f := newProject(t)
	ctx := context.Background()
	s := f.store
	s.Auditor = &recorder{refuse: errs.New(errs.Permission, "audit sink unwritable")}
	res, err := s.SetSecret(ctx, "my-agent", "api-key", []byte("sk-abc"), SetOptions{})
	if err != nil {
		t.Fatalf("a completed write failed on audit: %v", err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "audit sink unwritable") {
		t.Fatalf("warnings = %q", res.Warnings)
	}
	value, _, err := s.GetSecret(ctx, "my-agent", "api-key", GetOptions{})
	if !errs.Is(err, errs.Permission) || value != nil {
		t.Fatalf("GetSecret = %q, %v; want the read refused", value, err)
	}
	if _, err := s.ResolveEnv(ctx, "my-agent", []Mapping{{Env: "K", Ref: "secret:api-key"}}, ResolveOptions{}); !errs.Is(err, errs.Permission) {
		t.Fatalf("ResolveEnv = %v, want the run refused", err)
	}
}

func TestAuditPrincipalForUnregisteredIdentity(t *testing.T) {
	f := newProject(t)
	rec := &recorder{}
	home := t.TempDir()
	bobFile, bobKey := newKey(t, home, "bob")
	// Bob's key is a recipient (added by key only) but not a principal in recipients.yaml.
	s := f.as(t, bobFile, fixedNow)
	s.Auditor = rec
	recs, err := s.Recipients()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.principal(recs, []string{bobKey}); !strings.HasPrefix(got, bobKey[:12]) {
		t.Fatalf("principal = %q, want bob's short key", got)
	}
	if got := s.principal(recs, []string{"age1other"}); got != "unknown" {
		t.Fatalf("principal for a file bob cannot read = %q", got)
	}
}

func TestProjectFileRoundTripCommits(t *testing.T) {
	f := newProject(t)
	ctx := context.Background()
	if data, err := f.store.ReadProjectFile("alerts.yaml"); err != nil || data != nil {
		t.Fatalf("missing file: %q %v", data, err)
	}
	wr, err := f.store.WriteProjectFile(ctx, "alerts.yaml", []byte("alerts: []\n"), "swiftclaw: alerts create x")
	if err != nil || wr.Commit == "" {
		t.Fatalf("write: %+v %v", wr, err)
	}
	if data, _ := f.store.ReadProjectFile("alerts.yaml"); string(data) != "alerts: []\n" {
		t.Fatalf("read back %q", data)
	}
	if got := git(t, f.root, "show", "--name-only", "--format=%s", "HEAD"); got != "swiftclaw: alerts create x\n\n.swiftclaw/alerts.yaml" {
		t.Fatalf("commit: %q", got)
	}
	for _, bad := range []string{"../x.yaml", "agents/a.yaml", ".lock", "x.txt"} {
		if _, err := f.store.WriteProjectFile(ctx, bad, nil, "m"); err == nil {
			t.Errorf("WriteProjectFile(%q) accepted", bad)
		}
	}
}

// TestAuditorSeesGrantAndRevoke: policy changes are writes in the audit log too.
func TestAuditorSeesGrantAndRevoke(t *testing.T) {
	f := newProject(t)
	ctx := context.Background()
	if _, err := f.store.SetSecret(ctx, "my-agent", "db-url", []byte("postgres://"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	_, bobPub := newKey(t, t.TempDir(), "bob")
	if _, err := f.store.AddKey(ctx, "user", "bob@example.com", bobPub, AddKeyOptions{}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	f.store.Auditor = rec
	req := GrantRequest{Principal: "user:bob@example.com", Agent: "my-agent", Secret: "db-*", Permissions: []string{"read"}}
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Revoke(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	a := "alice@example.com"
	want := []AuditEvent{
		{Action: "grant user:bob@example.com", Agent: "my-agent", Secret: "db-*", Principal: a, Write: true},
		{Action: "revoke user:bob@example.com", Agent: "my-agent", Secret: "db-*", Principal: a, Write: true},
	}
	if diff := cmp.Diff(want, rec.events); diff != "" {
		t.Fatalf("audit events (-want +got):\n%s", diff)
	}
}

package vault

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/policy"
)

func rules(t *testing.T, s *Store) []string {
	t.Helper()
	res, err := s.CheckPolicy()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.Rule+" "+f.Path)
	}
	return out
}

func TestCheckPolicyOnARealRepository(t *testing.T) {
	f, _, bobPub := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "db-*", []string{policy.Read}
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := rules(t, f.store); len(got) != 0 {
		t.Fatalf("a repository swiftclaw wrote has findings: %v", got)
	}

	// The grant removed from policy.yaml by hand: bob's key is still in the db files.
	f.write(t, ".swiftclaw/policy.yaml", "grants: []\n")
	want := []string{
		"unauthorized-recipient .swiftclaw/agents/my-agent/secrets/db-pass.yaml",
		"unauthorized-recipient .swiftclaw/agents/my-agent/secrets/db-url.yaml",
	}
	if diff := cmp.Diff(want, rules(t, f.store)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	// --fix re-encrypts them without bob and marks them; overdue after the deadline.
	fixed, _, err := f.store.Resync(ctx, BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fixed) != 2 || !fixed[0].Marked || !cmp.Equal(fixed[0].Lost, []string{bobPub}) {
		t.Errorf("resync = %+v", fixed)
	}
	if got := rules(t, f.store); len(got) != 0 {
		t.Errorf("after --fix: %v", got)
	}
	late := f.as(t, f.idFile, fixedNow.Add(8*24*time.Hour))
	want = []string{
		"rotation-overdue .swiftclaw/agents/my-agent/secrets/db-pass.yaml",
		"rotation-overdue .swiftclaw/agents/my-agent/secrets/db-url.yaml",
	}
	if diff := cmp.Diff(want, rules(t, late)); diff != "" {
		t.Errorf("findings 8 days later (-want +got):\n%s", diff)
	}

	// A recipient added by hand, and a plaintext env value pasted in.
	p := ".swiftclaw/agents/my-agent/secrets/api-key.yaml"
	_, stranger := newKey(t, t.TempDir(), "stranger")
	f.write(t, p, strings.Replace(f.read(t, p), "recipients:\n", "recipients:\n  - "+stranger+"\n", 1))
	e := ".swiftclaw/agents/my-agent/env.yaml"
	f.write(t, e, f.read(t, e)+"  PASTED: hunter2\n")
	want = []string{
		"plaintext-value .swiftclaw/agents/my-agent/env.yaml",
		"recipients-mismatch .swiftclaw/agents/my-agent/secrets/api-key.yaml",
		"unknown-recipient .swiftclaw/agents/my-agent/secrets/api-key.yaml",
	}
	if diff := cmp.Diff(want, rules(t, f.store)); diff != "" {
		t.Errorf("findings after hand edits (-want +got):\n%s", diff)
	}
	res, _ := f.store.CheckPolicy()
	for _, fd := range res.Findings {
		if strings.Contains(fd.Message, "hunter2") {
			t.Errorf("a finding shows the plaintext value: %s", fd.Message)
		}
	}
}

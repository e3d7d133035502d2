package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const templatePolicy = `# Grants: which principals may read or write which secrets.
# Owners may read and write everything.
grants: []
`

func TestAddGrantKeepsCommentsAndMerges(t *testing.T) {
	out, changed, err := AddGrant([]byte(templatePolicy), Grant{User: "bob@example.com", Agent: "my-agent", Secret: "api-key", Permissions: []string{"read"}})
	if err != nil || !changed {
		t.Fatalf("AddGrant: changed=%v err=%v", changed, err)
	}
	want := `# Grants: which principals may read or write which secrets.
# Owners may read and write everything.
grants:
  - user: bob@example.com
    agent: my-agent
    secret: api-key
    permissions: [read]
`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Fatalf("after first grant (-want +got):\n%s", diff)
	}

	// A glob needs quoting in YAML; the same target merges permissions.
	out, _, err = AddGrant(out, Grant{Service: "ci", Agent: "my-agent", Secret: "*", Permissions: []string{"write"}})
	if err != nil {
		t.Fatal(err)
	}
	out, changed, err = AddGrant(out, Grant{Service: "ci", Agent: "my-agent", Secret: "*", Permissions: []string{"read", "write"}})
	if err != nil || !changed {
		t.Fatalf("merge: changed=%v err=%v", changed, err)
	}
	again, changed, err := AddGrant(out, Grant{Service: "ci", Agent: "my-agent", Secret: "*", Permissions: []string{"read"}})
	if err != nil || changed || string(again) != string(out) {
		t.Fatalf("re-grant of an existing permission: changed=%v err=%v", changed, err)
	}
	p, err := Parse(out, "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantGrants := []Grant{
		{User: "bob@example.com", Agent: "my-agent", Secret: "api-key", Permissions: []string{"read"}},
		{Service: "ci", Agent: "my-agent", Secret: "*", Permissions: []string{"read", "write"}},
	}
	if diff := cmp.Diff(wantGrants, p.Grants); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
}

func TestRemoveGrant(t *testing.T) {
	src := `# my comment stays
require_signed_commits: true
grants:
  # bob reads the db secrets
  - user: bob@example.com
    agent: my-agent
    secret: "db-*"
    permissions: [read, write]
  - user: bob@example.com
    agent: other
    secret: "db-*"
    permissions: [read]
`
	out, removed, err := RemoveGrant([]byte(src), "user:bob@example.com", "my-agent", "db-*", []string{"write"})
	if err != nil || len(removed) != 1 {
		t.Fatalf("remove write: removed=%v err=%v", removed, err)
	}
	p, err := Parse(out, "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Principals(Write, "my-agent", "db-url"); len(got) != 0 {
		t.Errorf("writers after removing write = %v", got)
	}
	if got := p.Principals(Read, "my-agent", "db-url"); !cmp.Equal(got, []string{"user:bob@example.com"}) {
		t.Errorf("readers after removing write = %v", got)
	}

	out, removed, err = RemoveGrant(out, "user:bob@example.com", "my-agent", "db-*", nil)
	if err != nil || len(removed) != 1 {
		t.Fatalf("remove all: removed=%v err=%v", removed, err)
	}
	out, removed, err = RemoveGrant(out, "user:bob@example.com", "other", "db-*", nil)
	if err != nil || len(removed) != 1 {
		t.Fatalf("remove last: removed=%v err=%v", removed, err)
	}
	want := "# my comment stays\nrequire_signed_commits: true\ngrants: []\n"
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("after removing every grant (-want +got):\n%s", diff)
	}
	same, removed, err := RemoveGrant(out, "user:bob@example.com", "other", "db-*", nil)
	if err != nil || len(removed) != 0 || string(same) != string(out) {
		t.Errorf("removing a missing grant: removed=%v err=%v", removed, err)
	}
}

func TestAddGrantToEmptyOrBareFile(t *testing.T) {
	for name, src := range map[string]string{"empty": "", "bare grants key": "grants:\n"} {
		out, _, err := AddGrant([]byte(src), Grant{User: "a@example.com", Agent: "x", Secret: "y", Permissions: []string{"read"}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, err := Parse(out, "policy.yaml")
		if err != nil || len(p.Grants) != 1 {
			t.Errorf("%s: grants=%v err=%v\n%s", name, p, err, out)
		}
	}
	if _, _, err := AddGrant([]byte("grants: {}\n"), Grant{User: "a@example.com", Agent: "x", Secret: "y", Permissions: []string{"read"}}); err == nil {
		t.Error("a grants mapping was accepted")
	}
}

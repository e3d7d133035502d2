package vault

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
)

// accessProject is alice's project with bob (a plain user) in recipients.yaml and three
// secrets plus an env file.
func accessProject(t *testing.T) (f *fixture, bobID, bobPub string) {
	t.Helper()
	f = newProject(t)
	bobID, bobPub = newKey(t, t.TempDir(), "bob")
	if _, err := f.store.AddKey(ctx, "user", "bob@example.com", bobPub, AddKeyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"api-key", "db-url", "db-pass"} {
		if _, err := f.store.SetSecret(ctx, "my-agent", name, []byte(name+"-value"), SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"TOKEN": []byte("t")}); err != nil {
		t.Fatal(err)
	}
	return f, bobID, bobPub
}

func grantReq(email string) GrantRequest {
	return GrantRequest{Principal: "user:" + email, Agent: "my-agent"}
}

func reencrypted(rs []Resynced) []string {
	var out []string
	for _, r := range rs {
		out = append(out, orEnv(r.Name))
	}
	return out
}

func TestGrantGlobReencryptsMatchingSecrets(t *testing.T) {
	f, bobID, _ := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "db-*", []string{policy.Read}
	res, err := f.store.Grant(ctx, req, BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"db-pass", "db-url"}, reencrypted(res.Reencrypted)); diff != "" {
		t.Errorf("re-encrypted (-want +got):\n%s", diff)
	}
	if res.Commit == "" || !res.Changed {
		t.Errorf("commit=%q changed=%v", res.Commit, res.Changed)
	}
	if got := git(t, f.root, "log", "-1", "--format=%s"); got != "swiftclaw: grant read on my-agent/db-* to user:bob@example.com" {
		t.Errorf("commit subject %q", got)
	}
	pol := f.read(t, ".swiftclaw/policy.yaml")
	if !strings.Contains(pol, "# Grants: which principals") || !strings.Contains(pol, `secret: "db-*"`) {
		t.Errorf("policy.yaml lost its comment or the grant:\n%s", pol)
	}

	b := f.as(t, bobID, fixedNow)
	if v, _, err := b.GetSecret(ctx, "my-agent", "db-url", GetOptions{}); err != nil || string(v) != "db-url-value" {
		t.Fatalf("bob reads db-url: %v", err)
	}
	if _, _, err := b.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("bob reads api-key: %v", err)
	}

	// Granting again changes nothing and commits nothing; '*' adds the env file.
	again, err := f.store.Grant(ctx, req, BulkOptions{})
	if err != nil || again.Changed || again.Commit != "" {
		t.Fatalf("re-grant: %+v %v", again, err)
	}
	req.Secret = "*"
	all, err := f.store.Grant(ctx, req, BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"api-key", "env"}, reencrypted(all.Reencrypted)); diff != "" {
		t.Errorf("'*' re-encrypted (-want +got):\n%s", diff)
	}
	if _, err := b.RevealEnv("my-agent"); err != nil {
		t.Errorf("bob reads env after '*': %v", err)
	}
}

func TestGrantRefusals(t *testing.T) {
	f, bobID, _ := accessProject(t)
	req := grantReq("carol@example.com")
	req.Secret, req.Permissions = "api-key", []string{policy.Read}
	_, err := f.store.Grant(ctx, req, BulkOptions{})
	if errs.KindOf(err) != errs.NotFound || !strings.Contains(errs.HintOf(err), "swiftclaw keys add user carol@example.com") {
		t.Errorf("unknown principal: %v (hint %q)", err, errs.HintOf(err))
	}

	req = grantReq("bob@example.com")
	req.Secret, req.Permissions = "api-key", []string{policy.Read}
	_, err = f.as(t, bobID, fixedNow).Grant(ctx, req, BulkOptions{})
	if errs.KindOf(err) != errs.Permission || !strings.Contains(err.Error(), "user:bob@example.com is not an owner") {
		t.Errorf("grant by a non-owner: %v", err)
	}

	for _, bad := range []string{"../x", "a/b", "[", ""} {
		req.Secret = bad
		if _, err := f.store.Grant(ctx, req, BulkOptions{}); errs.KindOf(err) != errs.Input {
			t.Errorf("pattern %q: %v", bad, err)
		}
	}
	req.Secret, req.Agent = "x", "no-such-agent"
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); errs.KindOf(err) != errs.NotFound {
		t.Errorf("unknown agent: %v", err)
	}
	if got := git(t, f.root, "status", "--porcelain"); got != "" {
		t.Errorf("refused grants left changes:\n%s", got)
	}
}

func TestRevokeReencryptsMarksAndListsHistory(t *testing.T) {
	f, bobID, bobPub := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "*", []string{policy.Read}
	g, err := f.store.Grant(ctx, req, BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A new value of api-key while bob can read it: v2, a second readable version.
	later := f.as(t, f.idFile, fixedNow.Add(time.Hour))
	set, err := later.SetSecret(ctx, "my-agent", "api-key", []byte("second"), SetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// An overlapping narrower grant: revoking it leaves bob reading through '*'.
	req.Secret = "db-*"
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	narrow, err := f.store.Revoke(ctx, GrantRequest{Principal: req.Principal, Agent: "my-agent", Secret: "db-*"}, BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(narrow.Reencrypted) != 0 || !cmp.Equal(narrow.StillReadable, []string{"db-pass", "db-url"}) || len(narrow.Exposed) != 0 {
		t.Errorf("narrow revoke: reencrypted=%v still=%v exposed=%v", narrow.Reencrypted, narrow.StillReadable, narrow.Exposed)
	}

	res, err := f.store.Revoke(ctx, GrantRequest{Principal: req.Principal, Agent: "my-agent", Secret: "*"}, BulkOptions{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"api-key", "db-pass", "db-url", "env"}, reencrypted(res.Reencrypted)); diff != "" {
		t.Errorf("revoke re-encrypted (-want +got):\n%s", diff)
	}
	for _, r := range res.Reencrypted {
		if !r.Marked || !cmp.Equal(r.Lost, []string{bobPub}) {
			t.Errorf("%s: marked=%v lost=%v", r.Path, r.Marked, r.Lost)
		}
	}
	if _, _, err := f.as(t, bobID, fixedNow).GetSecret(ctx, "my-agent", "api-key", GetOptions{}); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("bob reads api-key after revoke: %v", err)
	}
	list, _ := f.store.ListSecrets("my-agent")
	if m := list[0].RotationRequired; m == nil || m.Reason != "read access of user:bob@example.com revoked" {
		t.Errorf("api-key mark = %+v", m)
	}

	// History: api-key v1 was readable from the grant commit, v2 from its own commit.
	var api *Exposure
	for i := range res.Exposed {
		if res.Exposed[i].Name == "api-key" {
			api = &res.Exposed[i]
		}
	}
	if api == nil {
		t.Fatalf("no exposure for api-key in %+v", res.Exposed)
	}
	want := []ExposedVersion{{Version: "v1", Commits: []string{g.Commit}}, {Version: "v2", Commits: []string{set.Commit}}}
	if diff := cmp.Diff(want, api.Versions); diff != "" {
		t.Errorf("api-key exposed versions (-want +got):\n%s", diff)
	}
	if len(res.Exposed) != 4 || !res.HistoryChecked {
		t.Errorf("exposed files = %d (checked %v), want 4 (three secrets and env)", len(res.Exposed), res.HistoryChecked)
	}

	_, err = f.store.Revoke(ctx, GrantRequest{Principal: req.Principal, Agent: "my-agent", Secret: "api-key"}, BulkOptions{})
	if errs.KindOf(err) != errs.NotFound {
		t.Errorf("revoking a grant that is gone: %v", err)
	}
}

func TestRevokeNamesTheCoveringGrant(t *testing.T) {
	f, _, _ := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "db-*", []string{policy.Read}
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := f.store.Revoke(ctx, GrantRequest{Principal: req.Principal, Agent: "my-agent", Secret: "db-url"}, BulkOptions{})
	if errs.KindOf(err) != errs.NotFound || errs.HintOf(err) != "swiftclaw secrets revoke my-agent 'db-*' --user bob@example.com" {
		t.Errorf("err = %v, hint %q", err, errs.HintOf(err))
	}
}

func TestAccessTableComparesPolicyWithFiles(t *testing.T) {
	f, _, bobPub := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "db-url", []string{policy.Read, policy.Write}
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	// Hand-edit: bob's key added to api-key's recipients list without a grant.
	p := ".swiftclaw/agents/my-agent/secrets/api-key.yaml"
	f.write(t, p, strings.Replace(f.read(t, p), "recipients:\n", "recipients:\n  - "+bobPub+"\n", 1))
	rows, err := f.store.Access("my-agent", "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Principal+" "+r.Secret+" "+strings.Join(r.Permissions, ",")+" "+r.Describe())
	}
	want := []string{
		"user:alice@example.com api-key read,write yes",
		"user:bob@example.com api-key  yes (not granted read)",
		"user:alice@example.com db-pass read,write yes",
		"user:alice@example.com db-url read,write yes",
		"user:bob@example.com db-url read,write yes",
		"user:alice@example.com env read,write yes",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access rows (-want +got):\n%s", diff)
	}
	rows, _ = f.store.Access("my-agent", "db-*")
	if len(rows) != 3 {
		t.Errorf("db-* rows = %d, want 3", len(rows))
	}
}

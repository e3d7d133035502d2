package vault

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// at opens the project as alice with the clock at fixedNow plus d.
func (f *fixture) at(t *testing.T, d time.Duration) *Store {
	t.Helper()
	return f.as(t, f.idFile, fixedNow.Add(d))
}

func (f *fixture) set(t *testing.T, s *Store, name, value string) *SetResult {
	t.Helper()
	res, err := s.SetSecret(ctx, "my-agent", name, []byte(value), SetOptions{})
	if err != nil {
		t.Fatalf("set %s: %v", name, err)
	}
	return res
}

// summary renders versions as "v3 active COMMIT" lines for comparison.
func summary(vs []Version) []string {
	var out []string
	for _, v := range vs {
		line := v.Label + " " + v.Status
		if v.Commit != "" {
			line += " " + shortID(v.Commit)
		}
		out = append(out, line)
	}
	return out
}

func mustVersions(t *testing.T, s *Store, name string) []Version {
	t.Helper()
	vs, err := s.Versions(ctx, "my-agent", name)
	if err != nil {
		t.Fatalf("versions %s: %v", name, err)
	}
	return vs
}

func TestVersionsCountValueChangesOnly(t *testing.T) {
	f := newProject(t)
	v1 := f.set(t, f.at(t, 0), "api-key", "one").Commit
	f.set(t, f.at(t, time.Minute), "api-key", "one") // same value: no commit at all
	desc := "described"
	if _, err := f.at(t, 2*time.Minute).SetSecret(ctx, "my-agent", "api-key", []byte("one"), SetOptions{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.at(t, 3*time.Minute).SetSecret(ctx, "my-agent", "api-key", []byte("one"), SetOptions{TTL: 48 * time.Hour}); err != nil {
		t.Fatal(err) // re-sealed for the new expiry, same value
	}
	_, bobPub := newKey(t, t.TempDir(), "bob")
	if _, err := f.store.AddKey(ctx, "user", "bob@example.com", bobPub, AddKeyOptions{Owner: true}); err != nil {
		t.Fatal(err) // re-encrypted to bob, same value
	}
	v2 := f.set(t, f.at(t, time.Hour), "api-key", "two").Commit
	rm, err := f.at(t, 2*time.Hour).RemoveSecret(ctx, "my-agent", "api-key")
	if err != nil {
		t.Fatal(err)
	}
	v3 := f.set(t, f.at(t, 3*time.Hour), "api-key", "three").Commit

	vs := mustVersions(t, f.at(t, 4*time.Hour), "api-key")
	want := []string{"v3 active " + shortID(v3), "v2 deleted " + shortID(v2), "v1 deprecated " + shortID(v1)}
	if d := cmp.Diff(want, summary(vs)); d != "" {
		t.Fatalf("versions (-want +got):\n%s", d)
	}
	if vs[1].EndedBy != rm.Commit || vs[2].EndedBy != v2 {
		t.Fatalf("ended by %s / %s", vs[1].EndedBy, vs[2].EndedBy)
	}
	if !vs[0].Created.Equal(fixedNow.Add(3*time.Hour)) || vs[0].Author != "Alice <alice@example.com>" {
		t.Fatalf("v3 created %v by %q", vs[0].Created, vs[0].Author)
	}
	// v1's latest state was re-encrypted to bob as well.
	if len(vs[2].Recipients) != 2 || vs[2].CanDecrypt == nil || !*vs[2].CanDecrypt {
		t.Fatalf("v1 recipients %v can_decrypt %v", vs[2].Recipients, vs[2].CanDecrypt)
	}
	for label, want := range map[string]string{"v1": "one", "v2": "two", "3": "three"} {
		got, _, err := f.store.GetVersion(ctx, "my-agent", "api-key", label, GetOptions{})
		if err != nil || string(got) != want {
			t.Fatalf("get %s: %v", label, err)
		}
	}
	if _, _, err := f.store.GetVersion(ctx, "my-agent", "api-key", "v4", GetOptions{}); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("v4: %v", err)
	}
	if _, _, err := f.store.GetVersion(ctx, "my-agent", "api-key", "x", GetOptions{}); errs.KindOf(err) != errs.Input {
		t.Fatalf("bad label: %v", err)
	}
}

func TestVersionsPendingAndUncommittedDelete(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "one")
	nc, err := Open(Options{Dir: f.root, NoCommit: true, Identity: IdentityOptions{File: f.idFile}, Now: func() time.Time { return fixedNow.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.SetSecret(ctx, "my-agent", "api-key", []byte("two"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	vs := mustVersions(t, nc, "api-key")
	if d := cmp.Diff([]string{"v2 pending", "v1 active " + shortID(vs[1].Commit)}, summary(vs)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if got, _, err := nc.GetVersion(ctx, "my-agent", "api-key", "v2", GetOptions{}); err != nil || string(got) != "two" {
		t.Fatalf("pending value: %v", err)
	}
	if _, err := nc.RemoveSecret(ctx, "my-agent", "api-key"); err != nil {
		t.Fatal(err)
	}
	if vs := mustVersions(t, nc, "api-key"); vs[0].Status != StatusDeleted || len(vs) != 1 {
		t.Fatalf("after uncommitted rm: %v", summary(vs))
	}
}

func TestVersionsCacheIsExtendedAndRebuilt(t *testing.T) {
	f := newProject(t)
	f.set(t, f.at(t, 0), "api-key", "one")
	first := summary(mustVersions(t, f.store, "api-key"))
	cache := filepath.Join(f.root, ".git", "swiftclaw", "versions", "my-agent", "api-key.json")
	data, err := os.ReadFile(cache)
	if err != nil {
		t.Fatalf("no cache written: %v", err)
	}
	if strings.Contains(string(data), "BEGIN AGE") {
		t.Fatal("the cache holds ciphertext")
	}
	// HEAD moves forward: the cache is extended.
	f.set(t, f.at(t, time.Hour), "api-key", "two")
	got := summary(mustVersions(t, f.store, "api-key"))
	if len(got) != 2 || got[1] != first[0][:3]+"deprecated"+first[0][len("v1 active"):] {
		t.Fatalf("after a new commit: %v (before %v)", got, first)
	}
	// A cache pointing at a commit that is not an ancestor (history rewritten) is rebuilt.
	git(t, f.root, "reset", "-q", "--hard", "HEAD~1")
	f.set(t, f.at(t, 2*time.Hour), "api-key", "three")
	got = summary(mustVersions(t, f.store, "api-key"))
	if len(got) != 2 || !strings.HasPrefix(got[1], "v1 deprecated") {
		t.Fatalf("after a rewrite: %v", got)
	}
	if v, _, err := f.store.GetVersion(ctx, "my-agent", "api-key", "v2", GetOptions{}); err != nil || string(v) != "three" {
		t.Fatalf("v2 after rewrite: %v", err)
	}
	// A current cache is read, not recomputed.
	data, _ = os.ReadFile(cache)
	if err := os.WriteFile(cache, []byte(strings.ReplaceAll(string(data), `"Alice `, `"Cached `)), 0o644); err != nil {
		t.Fatal(err)
	}
	if vs := mustVersions(t, f.store, "api-key"); vs[0].Author != "Cached <alice@example.com>" {
		t.Fatalf("cache not used: author %q", vs[0].Author)
	}
	// A corrupt cache is ignored.
	if err := os.WriteFile(cache, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again := summary(mustVersions(t, f.store, "api-key")); !cmp.Equal(again, got) {
		t.Fatalf("with a corrupt cache: %v", again)
	}
}

func TestVersionsUnknownSecret(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "one")
	if _, err := f.store.Versions(ctx, "my-agent", "nope"); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("unknown secret: %v", err)
	}
	if _, err := f.store.Versions(ctx, "no-agent", "nope"); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("unknown agent: %v", err)
	}
}

func TestVersionsFollowAgentRename(t *testing.T) {
	f := newProject(t)
	for i, v := range []string{"one", "two"} {
		if _, err := f.at(t, time.Duration(i)*time.Hour).SetSecret(ctx, "old-agent", "api-key", []byte(v), SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.SetEnv(ctx, "old-agent", map[string][]byte{"MODE": []byte("prod")}); err != nil {
		t.Fatal(err)
	}
	res, err := f.store.RenameAgent(ctx, "old-agent", "new-agent")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.root, ".swiftclaw/agents/old-agent")); !os.IsNotExist(err) {
		t.Fatalf("old folder still there: %v (changed %v)", err, res.Changed)
	}
	if env, err := f.store.RevealEnv("new-agent"); err != nil || string(env[0].Value) != "prod" {
		t.Fatalf("env after rename: %v", err)
	}
	if _, err := f.at(t, 3*time.Hour).SetSecret(ctx, "new-agent", "api-key", []byte("three"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	vs, err := f.store.Versions(ctx, "new-agent", "api-key")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, v := range vs {
		got = append(got, v.Label+" "+v.Status+" "+v.Path)
	}
	want := []string{
		"v3 active .swiftclaw/agents/new-agent/secrets/api-key.yaml",
		"v2 deprecated .swiftclaw/agents/new-agent/secrets/api-key.yaml", // latest state: after the move
		"v1 deprecated .swiftclaw/agents/old-agent/secrets/api-key.yaml",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	for label, want := range map[string]string{"v1": "one", "v2": "two"} {
		if v, _, err := f.store.GetVersion(ctx, "new-agent", "api-key", label, GetOptions{}); err != nil || string(v) != want {
			t.Fatalf("%s across the rename: %v", label, err)
		}
	}
	if _, err := f.store.RenameAgent(ctx, "new-agent", "new-agent"); errs.KindOf(err) != errs.Conflict {
		t.Fatalf("rename onto itself: %v", err)
	}
}

// Branches interleave in git log; versions follow each state's parents, so a metadata
// change on one branch and a value change on the other make exactly two versions.
func TestVersionsAcrossBranchesAndMerges(t *testing.T) {
	f := newProject(t)
	f.set(t, f.at(t, 0), "api-key", "one")
	git(t, f.root, "checkout", "-q", "-b", "feature")
	desc := "from feature"
	if _, err := f.at(t, time.Hour).SetSecret(ctx, "my-agent", "api-key", []byte("one"), SetOptions{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	git(t, f.root, "checkout", "-q", "main")
	f.set(t, f.at(t, 2*time.Hour), "other", "x") // a commit that does not touch api-key
	mustVersions(t, f.store, "api-key")          // cache at this head: the next read is incremental
	f.set(t, f.at(t, 3*time.Hour), "api-key", "two")
	git(t, f.root, "config", "--remove-section", "merge.swiftclaw") // no binary here: git's text merge
	git(t, f.root, "merge", "-q", "--no-edit", "feature")
	incremental := summary(mustVersions(t, f.store, "api-key"))
	if len(incremental) != 2 || !strings.HasPrefix(incremental[0], "v2 active") || !strings.HasPrefix(incremental[1], "v1 deprecated") {
		t.Fatalf("versions: %v", incremental)
	}
	if v, _, err := f.store.GetVersion(ctx, "my-agent", "api-key", "v2", GetOptions{}); err != nil || string(v) != "two" {
		t.Fatalf("v2: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(f.root, ".git", "swiftclaw")); err != nil {
		t.Fatal(err)
	}
	if full := summary(mustVersions(t, f.store, "api-key")); !cmp.Equal(full, incremental) {
		t.Fatalf("a full walk says %v, the incremental one %v", full, incremental)
	}
}

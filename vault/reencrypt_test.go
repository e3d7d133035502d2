package vault

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// bulkProject is a project with n secrets and an env file, committed once.
func bulkProject(t *testing.T, n int) *fixture {
	t.Helper()
	f := newProject(t)
	s := f.as(t, f.idFile, fixedNow)
	s.opts.NoCommit = true
	for i := range n {
		if _, err := s.SetSecret(ctx, "my-agent", fmt.Sprintf("s%02d", i), []byte(fmt.Sprintf("value-%d", i)), SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetEnv(ctx, "my-agent", map[string][]byte{"A": []byte("1"), "B": []byte("2")}); err != nil {
		t.Fatal(err)
	}
	git(t, f.root, "add", "-A")
	git(t, f.root, "commit", "-qm", "secrets")
	return f
}

// resyncTo runs resyncWith under the store's write path with rec and the current policy.
func resyncTo(t *testing.T, s *Store, rec *Recipients, opts resyncOptions) ([]Resynced, error) {
	t.Helper()
	pol, err := s.Policy()
	if err != nil {
		t.Fatal(err)
	}
	var got []Resynced
	_, err = s.write(ctx, "test: resync", func(tx *txn) error {
		var err error
		got, err = s.resyncWith(tx, rec, pol, opts)
		return err
	})
	return got, err
}

func TestResyncParallelIsOrderedAndMarksRevoked(t *testing.T) {
	const n = 12
	f := bulkProject(t, n)
	bobID, bobPub := newKey(t, t.TempDir(), "bob")
	rec, err := f.store.Recipients()
	if err != nil {
		t.Fatal(err)
	}
	rec.Users["bob@example.com"] = &PrincipalEntry{Role: RoleOwner, Keys: []string{bobPub}}
	var progress []int
	got, err := resyncTo(t, f.store, rec, resyncOptions{BulkOptions: BulkOptions{Workers: 4, Progress: func(done, total int) {
		if total != n+1 {
			t.Errorf("progress total = %d, want %d", total, n+1)
		}
		progress = append(progress, done)
	}}})
	if err != nil {
		t.Fatal(err)
	}
	var wantProgress []int
	var wantPaths, gotPaths []string
	for i := range n {
		wantProgress = append(wantProgress, i+1)
		wantPaths = append(wantPaths, fmt.Sprintf(".swiftclaw/agents/my-agent/secrets/s%02d.yaml", i))
	}
	wantProgress = append(wantProgress, n+1)
	wantPaths = append(wantPaths, ".swiftclaw/agents/my-agent/env.yaml")
	for _, r := range got {
		gotPaths = append(gotPaths, r.Path)
	}
	if diff := cmp.Diff(wantProgress, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantPaths, gotPaths); diff != "" {
		t.Errorf("re-encrypted files, in order (-want +got):\n%s", diff)
	}

	// bob now reads everything with his own key.
	bob := f.as(t, bobID, fixedNow)
	for i := range n {
		v, _, err := bob.GetSecret(ctx, "my-agent", fmt.Sprintf("s%02d", i), GetOptions{})
		if err != nil || string(v) != fmt.Sprintf("value-%d", i) {
			t.Fatalf("bob reads s%02d: %q, %v", i, v, err)
		}
	}
	if _, err := bob.RevealEnv("my-agent"); err != nil {
		t.Fatalf("bob reads env: %v", err)
	}

	// Taking bob out again marks every file rotation required; a new value clears it.
	delete(rec.Users, "bob@example.com")
	got, err = resyncTo(t, f.store, rec, resyncOptions{revoked: []string{bobPub}, reason: "test revoke"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if !r.Marked || !cmp.Equal(r.Lost, []string{bobPub}) {
			t.Errorf("%s: marked=%v lost=%v", r.Path, r.Marked, r.Lost)
		}
	}
	if _, _, err := bob.GetSecret(ctx, "my-agent", "s00", GetOptions{}); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("bob after revoke: %v", err)
	}
	list, err := f.store.ListSecrets("my-agent")
	if err != nil {
		t.Fatal(err)
	}
	if m := list[0].RotationRequired; m == nil || m.Reason != "test revoke" || !m.Since.Equal(fixedNow) {
		t.Fatalf("s00 mark = %+v", m)
	}
	if _, err := f.store.SetSecret(ctx, "my-agent", "s00", []byte("value-0"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.store.ListSecrets("my-agent"); list[0].RotationRequired == nil {
		t.Error("setting the same value cleared the mark")
	}
	if _, err := f.store.SetSecret(ctx, "my-agent", "s00", []byte("new"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.store.ListSecrets("my-agent"); list[0].RotationRequired != nil || list[1].RotationRequired == nil {
		t.Errorf("after a new value: s00 mark %+v, s01 mark %+v", list[0].RotationRequired, list[1].RotationRequired)
	}
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"A": []byte("new")}); err != nil {
		t.Fatal(err)
	}
	env, _, _ := f.store.readEnvFile("my-agent")
	if m := env.RotationRequired; m == nil || !cmp.Equal(m.Keys, []string{"B"}) {
		t.Errorf("env mark after rotating A = %+v", m)
	}
}

func TestResyncListsEveryFileItCannotRead(t *testing.T) {
	f := bulkProject(t, 7)
	carolID, carolPub := newKey(t, t.TempDir(), "carol")
	carol := f.as(t, carolID, fixedNow)
	rec, _ := carol.Recipients()
	rec.Users["carol@example.com"] = &PrincipalEntry{Role: RoleOwner, Keys: []string{carolPub}}
	before := f.read(t, ".swiftclaw/agents/my-agent/secrets/s00.yaml")
	_, err := resyncTo(t, carol, rec, resyncOptions{})
	if errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("err = %v, want a decrypt error", err)
	}
	want := "cannot re-encrypt 8 files (my-agent/s00, my-agent/s01, my-agent/s02, my-agent/s03, my-agent/s04 and 3 more)"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v\nwant prefix %q", err, want)
	}
	if f.read(t, ".swiftclaw/agents/my-agent/secrets/s00.yaml") != before {
		t.Error("a failed resync changed a file")
	}
}

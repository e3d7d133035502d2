package vault

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
)

func TestRotateIdentityReplacesTheOwnersKey(t *testing.T) {
	f, bobID, _ := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "db-*", []string{policy.Read}
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	oldBytes, err := os.ReadFile(f.idFile)
	if err != nil {
		t.Fatal(err)
	}
	// Out is the identity file in use: the old one is kept beside it.
	s := f.as(t, f.idFile, fixedNow)
	res, err := s.RotateIdentity(ctx, RotateIdentityOptions{Out: f.idFile, BulkOptions: BulkOptions{Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if res.OldKey != f.ownerKey || res.NewKey == f.ownerKey || !strings.HasPrefix(res.NewKey, "age1") {
		t.Fatalf("keys: old %s new %s", res.OldKey, res.NewKey)
	}
	if len(res.Reencrypted) != 4 || res.Commit == "" {
		t.Errorf("re-encrypted %d files (want 3 secrets and env), commit %q", len(res.Reencrypted), res.Commit)
	}
	if want := f.idFile + ".old-20240301T100000Z"; res.OldKept != want {
		t.Errorf("old identity kept at %q, want %q", res.OldKept, want)
	}
	if kept, _ := os.ReadFile(res.OldKept); string(kept) != string(oldBytes) {
		t.Error("the old identity file was not kept as it was")
	}
	rec := f.read(t, ".swiftclaw/recipients.yaml")
	if strings.Contains(rec, f.ownerKey) || !strings.Contains(rec, res.NewKey) {
		t.Errorf("recipients.yaml still has the old key or lacks the new one:\n%s", rec)
	}

	// The new identity reads everything; the old one nothing current; bob is unaffected.
	for _, name := range []string{"api-key", "db-url", "db-pass"} {
		if _, _, err := f.as(t, f.idFile, fixedNow).GetSecret(ctx, "my-agent", name, GetOptions{}); err != nil {
			t.Errorf("new identity reads %s: %v", name, err)
		}
		if _, _, err := f.as(t, res.OldKept, fixedNow).GetSecret(ctx, "my-agent", name, GetOptions{}); errs.KindOf(err) != errs.Decrypt {
			t.Errorf("old identity reads %s: %v", name, err)
		}
	}
	if _, _, err := f.as(t, bobID, fixedNow).GetSecret(ctx, "my-agent", "db-url", GetOptions{}); err != nil {
		t.Errorf("bob after the owner's rotation: %v", err)
	}
	if got := rules(t, f.store); len(got) != 0 {
		t.Errorf("policy check after rotation: %v", got)
	}
}

func TestRotateIdentityRefusalsLeaveNothingBehind(t *testing.T) {
	f, bobID, _ := accessProject(t)
	out := filepath.Join(t.TempDir(), "new.txt")
	_, err := f.as(t, bobID, fixedNow).RotateIdentity(ctx, RotateIdentityOptions{Out: out})
	if errs.KindOf(err) != errs.Permission {
		t.Errorf("non-owner: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a refused rotation left a new identity file")
	}
	_, err = f.store.RotateIdentity(ctx, RotateIdentityOptions{Out: bobID})
	if errs.KindOf(err) != errs.Conflict {
		t.Errorf("out is someone else's file: %v", err)
	}
	// A failing write (the lock is held) removes the new identity and restores the old.
	unlock, err := f.store.lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := f.as(t, f.idFile, fixedNow)
	s.opts.LockTimeout = 1
	_, err = s.RotateIdentity(ctx, RotateIdentityOptions{Out: f.idFile})
	unlock()
	if errs.KindOf(err) != errs.Busy {
		t.Fatalf("rotation under a held lock: %v", err)
	}
	matches, _ := filepath.Glob(f.idFile + "*")
	if len(matches) != 1 {
		t.Errorf("identity files after a failed rotation: %v", matches)
	}
	if _, _, err := f.as(t, f.idFile, fixedNow).GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil {
		t.Errorf("the old identity no longer works after a failed rotation: %v", err)
	}
}

func TestRemoveKeyMarksRotationRequired(t *testing.T) {
	f, _, _ := accessProject(t)
	req := grantReq("bob@example.com")
	req.Secret, req.Permissions = "api-key", []string{policy.Read}
	if _, err := f.store.Grant(ctx, req, BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RemoveKey(ctx, "user", "bob@example.com", ""); err != nil {
		t.Fatal(err)
	}
	list, _ := f.store.ListSecrets("my-agent")
	for _, m := range list {
		marked := m.RotationRequired != nil
		if marked != (m.Name == "api-key") {
			t.Errorf("%s marked=%v", m.Name, marked)
		}
	}
	if m := list[0].RotationRequired; m == nil || m.Reason != "key of user:bob@example.com removed" {
		t.Errorf("api-key mark %+v", m)
	}
}

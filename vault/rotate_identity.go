package vault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// RotateIdentityOptions configure RotateIdentity.
type RotateIdentityOptions struct {
	// Out is where the new identity is written (mode 0600). When it is the very file the
	// old identity was read from, that file is first renamed to Out.old-TIMESTAMP and kept.
	// Any other existing file is refused.
	Out string
	BulkOptions
}

// RotateIdentityResult reports a RotateIdentity.
type RotateIdentityResult struct {
	// Principal is the owner whose key was replaced.
	Principal string `json:"principal"`
	OldKey    string `json:"old_key"`
	NewKey    string `json:"new_key"`
	// Out is the new identity file.
	Out string `json:"out"`
	// OldSource is where the old identity came from; OldKept is where its file is now
	// ("" when it did not come from a file swiftclaw moved: it is where it was).
	OldSource string `json:"old_source"`
	OldKept   string `json:"old_kept,omitempty"`
	// Reencrypted lists the files re-encrypted from the old key to the new one.
	Reencrypted []Resynced `json:"reencrypted"`
	*WriteResult
}

// RotateIdentity replaces the current owner's key: it generates a new age identity, puts
// its public key in recipients.yaml in place of the old one, and re-encrypts every file the
// owner can read to the new key, in one commit. The old identity is kept (it still decrypts
// old versions in git history) until the user deletes it. If anything fails, the new
// identity file is removed and the old one is back where it was.
func (s *Store) RotateIdentity(ctx context.Context, opts RotateIdentityOptions) (*RotateIdentityResult, error) {
	if opts.Out == "" {
		return nil, errs.New(errs.Input, "no file given for the new identity")
	}
	rec, err := s.Recipients()
	if err != nil {
		return nil, err
	}
	if err := s.requireOwner(rec); err != nil {
		return nil, err
	}
	// The first identity in use that is an owner's key is the one replaced.
	ids, _ := s.Identities()
	var old Identity
	var owner Principal
	for _, id := range ids.List {
		if p, ok := rec.ByKey(id.Recipient); ok && id.Recipient != "" && p.IsOwner() {
			old, owner = id, p
			break
		}
	}
	res := &RotateIdentityResult{Principal: owner.Ref(), OldKey: old.Recipient, OldSource: old.Source, Out: opts.Out}
	undo, err := s.moveAside(opts.Out, old.Source, res)
	if err != nil {
		return nil, err
	}
	res.NewKey, err = GenerateIdentity(opts.Out, s.Now().Format(time.RFC3339))
	if err != nil {
		undo()
		return nil, err
	}
	msg := fmt.Sprintf("swiftclaw: keys rotate-identity %s", owner.Ref())
	wr, err := s.write(ctx, msg, func(t *txn) error {
		rec, err := s.Recipients() // re-read under the lock
		if err != nil {
			return err
		}
		i := -1
		e := rec.entries(owner.Kind)[owner.ID]
		if e != nil {
			i = slices.Index(e.Keys, old.Recipient)
		}
		if i < 0 {
			return errs.New(errs.Conflict, "recipients.yaml changed while rotating: %s no longer has the key %s", owner.Ref(), shortKey(old.Recipient))
		}
		e.Keys[i] = res.NewKey
		res.Reencrypted, err = s.stageRecipientsWith(t, rec, resyncOptions{BulkOptions: opts.BulkOptions})
		return err
	})
	if err != nil {
		os.Remove(opts.Out)
		undo()
		return nil, err
	}
	res.WriteResult = wr
	return res, nil
}

// moveAside renames the old identity file out of the way when the new one is to take its
// place, and returns how to undo that.
func (s *Store) moveAside(out, oldSource string, res *RotateIdentityResult) (undo func(), err error) {
	if _, err := os.Lstat(out); os.IsNotExist(err) {
		return func() {}, nil
	}
	if !sameFile(out, oldSource) {
		return nil, errs.New(errs.Conflict, "%s already exists", out).
			WithHint("pass --out with a new file name")
	}
	kept := out + ".old-" + s.Now().Format("20060102T150405Z")
	if _, err := os.Lstat(kept); err == nil {
		return nil, errs.New(errs.Conflict, "%s already exists", kept).WithHint("pass --out with a new file name")
	}
	if err := os.Rename(out, kept); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot keep the old identity as %s", kept)
	}
	res.OldKept = kept
	return func() { _ = os.Rename(kept, out) }, nil
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(filepath.Clean(b))
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

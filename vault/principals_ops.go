package vault

import (
	"context"
	"fmt"
	"slices"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// AddKeyOptions are the optional parts of AddKey.
type AddKeyOptions struct {
	// Owner gives the principal the owner role (read and write everything).
	Owner bool
}

// AddKey adds public key to principal kind/id ("user"/email or "service"/name), creating
// the principal if needed. Files the principal may read are re-encrypted to include it.
func (s *Store) AddKey(ctx context.Context, kind, id, key string, opts AddKeyOptions) (*WriteResult, error) {
	if err := ValidatePrincipalID(kind, id); err != nil {
		return nil, err
	}
	_, canon, err := ParseRecipient(key)
	if err != nil {
		return nil, err
	}
	return s.write(ctx, fmt.Sprintf("swiftclaw: keys add %s %s", kind, id), func(t *txn) error {
		rec, err := s.Recipients()
		if err != nil {
			return err
		}
		if err := s.requireOwner(rec); err != nil {
			return err
		}
		if other, ok := rec.ByKey(canon); ok && other.Ref() != kind+":"+id {
			return errs.New(errs.Conflict, "that key already belongs to %s", other.Ref())
		}
		entries := rec.entries(kind)
		e := entries[id]
		if e == nil {
			e = &PrincipalEntry{}
			entries[id] = e
		}
		if !slices.Contains(e.Keys, canon) {
			e.Keys = append(e.Keys, canon)
		}
		if opts.Owner {
			if kind != "user" {
				return errs.New(errs.Input, "only users can be owners")
			}
			e.Role = RoleOwner
		}
		return s.stageRecipients(t, rec)
	})
}

// RemoveKey removes one key of a principal, or the whole principal when key is "".
// Every file encrypted to the removed keys is re-encrypted without them; old git history
// stays readable to them.
func (s *Store) RemoveKey(ctx context.Context, kind, id, key string) (*WriteResult, error) {
	if err := ValidatePrincipalID(kind, id); err != nil {
		return nil, err
	}
	return s.write(ctx, fmt.Sprintf("swiftclaw: keys remove %s %s", kind, id), func(t *txn) error {
		rec, err := s.Recipients()
		if err != nil {
			return err
		}
		if err := s.requireOwner(rec); err != nil {
			return err
		}
		entries := rec.entries(kind)
		e := entries[id]
		if e == nil {
			return errs.New(errs.NotFound, "no %s %q in recipients.yaml", kind, id).WithHint("list principals with `swiftclaw keys list`")
		}
		removed := slices.Clone(e.Keys)
		if key == "" {
			delete(entries, id)
		} else {
			_, canon, err := ParseRecipient(key)
			if err != nil {
				return err
			}
			i := slices.Index(e.Keys, canon)
			if i < 0 {
				return errs.New(errs.NotFound, "%s %s has no such key", kind, id)
			}
			removed = []string{canon}
			e.Keys = slices.Delete(e.Keys, i, i+1)
			if len(e.Keys) == 0 {
				delete(entries, id)
			}
		}
		if len(rec.Owners()) == 0 {
			return errs.New(errs.Input, "refusing to remove the last owner key: nobody could manage the secrets").
				WithHint("add another owner first with `swiftclaw keys add user EMAIL KEY --owner`")
		}
		// Files that lose the key are marked rotation required, as after a revoke.
		_, err = s.stageRecipientsWith(t, rec, resyncOptions{revoked: removed, reason: fmt.Sprintf("key of %s:%s removed", kind, id)})
		return err
	})
}

// stageRecipients stages recipients.yaml and re-encrypts every file whose readers change.
func (s *Store) stageRecipients(t *txn, rec *Recipients) error {
	pol, err := s.Policy()
	if err != nil {
		return err
	}
	if err := s.resync(t, rec, pol); err != nil {
		return err
	}
	return s.putRecipients(t, rec)
}

// stageRecipientsWith is stageRecipients with bulk options; it returns what it re-encrypted.
func (s *Store) stageRecipientsWith(t *txn, rec *Recipients, opts resyncOptions) ([]Resynced, error) {
	pol, err := s.Policy()
	if err != nil {
		return nil, err
	}
	done, err := s.resyncWith(t, rec, pol, opts)
	if err != nil {
		return nil, err
	}
	return done, s.putRecipients(t, rec)
}

// putRecipients stages recipients.yaml, keeping its comments.
func (s *Store) putRecipients(t *txn, rec *Recipients) error {
	p, err := s.path("recipients.yaml")
	if err != nil {
		return err
	}
	var data []byte
	if rec.doc != nil {
		data, err = encodeYAML(rec, rec.doc)
	} else {
		data, err = encodeWithComment(rec, "Principals and their public keys. Owners read and write every secret.")
	}
	if err != nil {
		return err
	}
	t.put(p, data)
	return nil
}

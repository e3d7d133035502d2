package vault

import (
	"context"
	"fmt"
	"slices"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
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
			e.Keys = slices.Delete(e.Keys, i, i+1)
			if len(e.Keys) == 0 {
				delete(entries, id)
			}
		}
		if len(rec.Owners()) == 0 {
			return errs.New(errs.Input, "refusing to remove the last owner key: nobody could manage the secrets").
				WithHint("add another owner first with `swiftclaw keys add user EMAIL KEY --owner`")
		}
		return s.stageRecipients(t, rec)
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

// resync stages re-encryption of every secret and env file whose recipients differ from
// what rec and pol say they should be. Files already right are not touched. It needs an
// identity that can read every file it must re-encrypt, and fails listing those it cannot.
func (s *Store) resync(t *txn, rec *Recipients, pol *policy.Policy) error {
	for _, agent := range s.agentNames() {
		for _, name := range s.secretNames(agent) {
			f, err := s.readSecretFile(agent, name)
			if err != nil {
				return err
			}
			readers, err := s.Readers(rec, pol, agent, name)
			if err != nil {
				return err
			}
			if slices.Equal(sortedCopy(f.Recipients), readers) {
				continue
			}
			oldRec, err := s.Recipients() // describe with the names as they were
			if err != nil {
				return err
			}
			value, err := s.decryptSecret(f, oldRec)
			if err != nil {
				return errs.Wrap(errs.KindOf(err), err, "cannot re-encrypt %s/%s", agent, name)
			}
			data, err := s.reseal(f, value, oldRec, readers, nil)
			if err != nil {
				return err
			}
			t.put(f.path, data)
		}
		f, exists, err := s.readEnvFile(agent)
		if err != nil {
			return err
		}
		if !exists {
			continue
		}
		readers, err := s.Readers(rec, pol, agent, "")
		if err != nil {
			return err
		}
		if slices.Equal(sortedCopy(f.Recipients), readers) {
			continue
		}
		oldRec, err := s.Recipients()
		if err != nil {
			return err
		}
		if err := s.reencryptEnv(f, oldRec, readers, nil); err != nil {
			return errs.Wrap(errs.KindOf(err), err, "cannot re-encrypt the env of %s", agent)
		}
		data, err := marshalEnvFile(f)
		if err != nil {
			return err
		}
		t.put(f.path, data)
	}
	return nil
}

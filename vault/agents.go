package vault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
)

// RenameAgent renames agent from to to in one commit: every secret and env value is
// re-sealed with the new agent name (the name is bound into each ciphertext), the
// files move to the new folder, and agent.yaml moves as it is. Values, descriptions,
// created/updated times and grace values are kept, so `versions` follows the secrets
// across the rename. Grants in policy.yaml that name the old agent do not follow; the
// result warns when that changes who can read a secret.
func (s *Store) RenameAgent(ctx context.Context, from, to string) (*WriteResult, error) {
	if err := s.requireAgent(from); err != nil {
		return nil, err
	}
	toDir, err := s.agentDir(to)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(toDir); err == nil {
		return nil, errs.New(errs.Conflict, "agent %q already exists", to).WithHint("choose another name, or remove it first")
	}
	var warnings []string
	wr, err := s.write(ctx, fmt.Sprintf("swiftclaw: rename agent %s to %s", from, to), func(t *txn) error {
		rec, pol, err := s.access()
		if err != nil {
			return err
		}
		if err := s.requireOwner(rec); err != nil {
			return err // grants name agents: renaming one is an owner's change
		}
		for _, name := range s.secretNames(from) {
			f, err := s.readSecretFile(from, name)
			if err != nil {
				return err
			}
			value, err := s.decryptSecret(f, rec)
			if err != nil {
				return errs.Wrap(errs.KindOf(err), err, "cannot move %s/%s", from, name)
			}
			readers, err := s.Readers(rec, pol, to, name)
			if err != nil {
				return err
			}
			if !slices.Equal(sortedCopy(f.Recipients), readers) {
				warnings = append(warnings, fmt.Sprintf("%s/%s is now readable by a different set of keys: grants in policy.yaml name agents", to, name))
			}
			oldPath := f.path
			if f.path, err = s.secretPath(to, name); err != nil {
				return err
			}
			data, err := s.reseal(f, value, rec, readers, func() { f.Agent = to })
			if err != nil {
				return err
			}
			t.put(f.path, data)
			t.remove(oldPath)
		}
		if err := s.moveEnv(t, rec, pol, from, to); err != nil {
			return err
		}
		cfg, err := s.path("agents", from, "agent.yaml")
		if err != nil {
			return err
		}
		if data, err := os.ReadFile(cfg); err == nil {
			t.put(filepath.Join(toDir, "agent.yaml"), data)
			t.remove(cfg)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	wr.Warnings = append(wr.Warnings, warnings...)
	return wr, nil
}

// moveEnv stages from's env.yaml as to's, every value re-sealed for the new agent.
func (s *Store) moveEnv(t *txn, rec *Recipients, pol *policy.Policy, from, to string) error {
	f, exists, err := s.readEnvFile(from)
	if err != nil || !exists {
		return err
	}
	values := make(map[string][]byte, len(f.Vars))
	for k := range f.Vars {
		if values[k], err = s.decryptEnv(f, k, rec); err != nil {
			return errs.Wrap(errs.KindOf(err), err, "cannot move the env of %s", from)
		}
	}
	readers, err := s.Readers(rec, pol, to, "")
	if err != nil {
		return err
	}
	moved := &EnvFile{Version: f.Version, Agent: to, Vars: map[string]string{}, doc: f.doc}
	if moved.path, err = s.envPath(to); err != nil {
		return err
	}
	if err := s.reencryptEnv(moved, rec, readers, values); err != nil {
		return err
	}
	data, err := marshalEnvFile(moved)
	if err != nil {
		return err
	}
	t.put(moved.path, data)
	t.remove(f.path)
	return nil
}

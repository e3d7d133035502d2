package vault

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func (s *Store) envPath(agent string) (string, error) {
	if err := ValidateName("agent", agent); err != nil {
		return "", err
	}
	return s.path("agents", agent, "env.yaml")
}

// readEnvFile loads agent's env.yaml; a missing file yields an empty EnvFile.
func (s *Store) readEnvFile(agent string) (*EnvFile, bool, error) {
	p, err := s.envPath(agent)
	if err != nil {
		return nil, false, err
	}
	data, err := readCapped(p)
	if os.IsNotExist(err) {
		return &EnvFile{Version: FormatVersion, Agent: agent, Vars: map[string]string{}, path: p}, false, nil
	}
	if err != nil {
		return nil, false, errs.Wrap(errs.Input, err, "cannot read %s", s.rel(p))
	}
	f, err := ParseEnvFile(data, s.rel(p))
	if err != nil {
		return nil, false, err
	}
	if f.Agent != agent {
		return nil, false, errs.New(errs.Tampered, "%s claims to belong to agent %s; it was moved or edited by hand", s.rel(p), f.Agent)
	}
	f.path = p
	return f, true, nil
}

func (s *Store) decryptEnv(f *EnvFile, key string, rec *Recipients) ([]byte, error) {
	ids, err := s.Identities()
	if err != nil {
		return nil, err
	}
	sealed, value, err := open(f.Vars[key], ids.hinted(f.Recipients), f.Agent+" env "+key, rec.Describe(f.Recipients))
	if err != nil {
		return nil, err
	}
	if d := f.binding(key).diff(sealed); d != "" {
		return nil, errs.New(errs.Tampered, "%s was edited by hand without re-encrypting (%s): %s", s.rel(f.path), key, d).
			WithHint("restore it with `git checkout -- %s`, or set the value again with `swiftclaw env set`", s.rel(f.path))
	}
	return value, nil
}

// SetEnv sets environment variables of agent, each value encrypted separately. Values
// that did not change keep their ciphertext.
func (s *Store) SetEnv(ctx context.Context, agent string, vars map[string][]byte) (*WriteResult, error) {
	if _, err := s.envPath(agent); err != nil {
		return nil, err
	}
	if len(vars) == 0 {
		return nil, errs.New(errs.Input, "no variables given").WithHint("swiftclaw env set %s KEY=VALUE [KEY=VALUE...]", agent)
	}
	keys := make([]string, 0, len(vars))
	for k, v := range vars {
		if err := ValidateEnvKey(k); err != nil {
			return nil, err
		}
		if err := checkEnvValue(k, v); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msg := fmt.Sprintf("swiftclaw: env set %s %s", agent, strings.Join(keys, ", "))
	wr, err := s.write(ctx, msg, func(t *txn) error {
		rec, pol, err := s.access()
		if err != nil {
			return err
		}
		if err := s.requireWrite(rec, pol, agent, ""); err != nil {
			return err
		}
		readers, err := s.Readers(rec, pol, agent, "")
		if err != nil {
			return err
		}
		f, _, err := s.readEnvFile(agent)
		if err != nil {
			return err
		}
		if err := s.reencryptEnv(f, rec, readers, vars); err != nil {
			return err
		}
		if err := s.ensureAgentConfig(t, agent); err != nil {
			return err
		}
		data, err := marshalEnvFile(f)
		if err != nil {
			return err
		}
		t.put(f.path, data)
		return nil
	})
	return s.auditWrite(ctx, wr, err, "env-set", agent, envNames(keys)...)
}

// envNames renders env keys as audited names: "env:KEY".
func envNames(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "env:" + k
	}
	return out
}

// reencryptEnv brings f to recipients readers and applies updates. Existing values are
// decrypted only when they must be re-encrypted (recipients changed) or compared (updated),
// so an unchanged value keeps its ciphertext byte for byte.
func (s *Store) reencryptEnv(f *EnvFile, rec *Recipients, readers []string, updates map[string][]byte) error {
	recipientsChanged := !slices.Equal(sortedCopy(f.Recipients), readers)
	recips, err := parseRecipientList(readers)
	if err != nil {
		return err
	}
	newVars := make(map[string]string, len(f.Vars)+len(updates))
	for k, c := range f.Vars {
		newVars[k] = c
	}
	for k := range updates {
		newVars[k] = f.Vars[k] // "" for a new key; replaced below
	}
	for k := range newVars {
		value, isUpdate := updates[k]
		_, existed := f.Vars[k]
		same := false
		if existed && (isUpdate || recipientsChanged) {
			old, err := s.decryptEnv(f, k, rec)
			same = err == nil && bytes.Equal(old, value)
			switch {
			case err != nil && (recipientsChanged || errs.KindOf(err) == errs.Tampered):
				return err
			case same && !recipientsChanged:
				continue // identical value: keep its ciphertext
			case !isUpdate:
				value = old
			}
		} else if !isUpdate {
			continue // untouched, recipients unchanged: keep its ciphertext
		}
		if isUpdate && !same {
			f.RotationRequired = f.RotationRequired.rotated(k) // a new value replaces the exposed one
		}
		b := Binding{Kind: "env", Agent: f.Agent, Name: k, Recipients: readers}
		if newVars[k], err = seal(value, b, recips); err != nil {
			return err
		}
	}
	f.Recipients = readers
	f.Vars = newVars
	return nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func checkEnvValue(key string, v []byte) error {
	if len(v) > MaxValueSize {
		return errs.New(errs.Input, "value of %s is larger than %d MiB", key, MaxValueSize>>20)
	}
	if bytes.IndexByte(v, 0) >= 0 {
		return errs.New(errs.Input, "value of %s contains a NUL byte, which environment variables cannot carry", key).
			WithHint("keep it as a file-valued secret and have the agent read it with `swiftclaw secrets get AGENT NAME > FILE`, or base64-encode it")
	}
	return nil
}

// UnsetEnv removes environment variables of agent.
func (s *Store) UnsetEnv(ctx context.Context, agent string, keys []string) (*WriteResult, error) {
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	f, exists, err := s.readEnvFile(agent)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, k := range keys {
		if err := ValidateEnvKey(k); err != nil {
			return nil, err
		}
		if _, ok := f.Vars[k]; !exists || !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, errs.New(errs.NotFound, "%s not set for agent %s", strings.Join(missing, ", "), agent).
			WithHint("list the variables with `swiftclaw env list %s`", agent)
	}
	wr, err := s.write(ctx, fmt.Sprintf("swiftclaw: env unset %s %s", agent, strings.Join(keys, ", ")), func(t *txn) error {
		if err := s.requireWriteAccess(agent, ""); err != nil {
			return err
		}
		for _, k := range keys {
			delete(f.Vars, k)
		}
		data, err := marshalEnvFile(f)
		if err != nil {
			return err
		}
		t.put(f.path, data)
		return nil
	})
	return s.auditWrite(ctx, wr, err, "env-unset", agent, envNames(keys)...)
}

// EnvKeys lists agent's environment variable names without decrypting.
func (s *Store) EnvKeys(agent string) ([]string, error) {
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	f, _, err := s.readEnvFile(agent)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(f.Vars))
	for k := range f.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// RevealEnv decrypts all of agent's environment variables.
func (s *Store) RevealEnv(agent string) ([]EnvVar, error) {
	return s.revealEnv(context.Background(), agent, "read")
}

// RevealEnvFor is RevealEnv for a command that hands the values on: the audit log records
// each variable under action (e.g. "deploy").
func (s *Store) RevealEnvFor(ctx context.Context, agent, action string) ([]EnvVar, error) {
	return s.revealEnv(ctx, agent, action)
}

// revealEnv decrypts and audits (as action) all of agent's environment variables.
func (s *Store) revealEnv(ctx context.Context, agent, action string) ([]EnvVar, error) {
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	f, _, err := s.readEnvFile(agent)
	if err != nil {
		return nil, err
	}
	rec, err := s.Recipients()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(f.Vars))
	for k := range f.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]EnvVar, 0, len(keys))
	for _, k := range keys {
		v, err := s.decryptEnv(f, k, rec)
		if err != nil {
			return nil, err
		}
		if err := s.auditRead(ctx, action, agent, "env:"+k, f.Recipients, rec); err != nil {
			return nil, err
		}
		out = append(out, EnvVar{Name: k, Value: v, Source: "env:" + k})
	}
	return out, nil
}

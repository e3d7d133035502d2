package vault

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// SecretMeta is a secret's readable metadata: everything but the value.
type SecretMeta struct {
	Agent       string     `json:"agent"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
	Expires     *time.Time `json:"expires,omitempty"`
	Expired     bool       `json:"expired"`
	TTL         string     `json:"ttl,omitempty"`
	Rotation    *Rotation  `json:"rotation,omitempty"`
	Recipients  []string   `json:"recipients"`
	Path        string     `json:"path"`
	// RotationRequired is set after a reader's access was revoked, until a new value is set.
	RotationRequired *RotationMark `json:"rotation_required,omitempty"`
	// RotationDue is when the rotation interval runs out (nil without an interval).
	RotationDue *time.Time `json:"rotation_due,omitempty"`
	// RotationOverdue is true once RotationDue has passed.
	RotationOverdue bool `json:"rotation_overdue"`
	// GraceUntil is when the previous value stops being readable (nil: none readable).
	GraceUntil *time.Time `json:"grace_until,omitempty"`
}

func (s *Store) meta(f *SecretFile) SecretMeta {
	m := SecretMeta{
		Agent: f.Agent, Name: f.Name, Description: f.Description,
		Created: f.Created, Updated: f.Updated, Expires: f.Expires, TTL: f.TTL,
		Rotation: f.Rotation, Recipients: f.Recipients, Path: s.rel(f.path),
		RotationRequired: f.RotationRequired,
	}
	m.Expired = f.Expires != nil && !s.Now().Before(*f.Expires)
	s.rotationStatus(f, &m)
	return m
}

func (s *Store) agentDir(agent string) (string, error) {
	if err := ValidateName("agent", agent); err != nil {
		return "", err
	}
	return s.path("agents", agent)
}

func (s *Store) secretPath(agent, name string) (string, error) {
	if err := ValidateName("agent", agent); err != nil {
		return "", err
	}
	if err := ValidateName("secret", name); err != nil {
		return "", err
	}
	return s.path("agents", agent, "secrets", name+".yaml")
}

// requireAgent fails with NotFound when the agent has no directory.
func (s *Store) requireAgent(agent string) error {
	dir, err := s.agentDir(agent)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		hint := "create it by setting a secret: `swiftclaw secrets set " + agent + " NAME`"
		if names := s.agentNames(); len(names) > 0 {
			hint = "known agents: " + strings.Join(names, ", ")
		}
		return errs.New(errs.NotFound, "unknown agent %q", agent).WithHint("%s", hint)
	}
	return nil
}

// Agents lists the project's agents.
func (s *Store) Agents() ([]string, error) { return s.agentNames(), nil }

func (s *Store) agentNames() []string {
	dir, err := s.path("agents")
	if err != nil {
		return nil
	}
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.IsDir() && ValidateName("agent", e.Name()) == nil {
			out = append(out, e.Name())
		}
	}
	return out
}

// readSecretFile loads and parses agent/name's file, NotFound if absent.
func (s *Store) readSecretFile(agent, name string) (*SecretFile, error) {
	p, err := s.secretPath(agent, name)
	if err != nil {
		return nil, err
	}
	data, err := readCapped(p)
	if err != nil {
		if os.IsNotExist(err) {
			if err := s.requireAgent(agent); err != nil {
				return nil, err
			}
			return nil, errs.New(errs.NotFound, "secret %q not found in agent %s", name, agent).
				WithHint("list the agent's secrets with `swiftclaw secrets list %s`", agent)
		}
		return nil, errs.Wrap(errs.Input, err, "cannot read %s", s.rel(p))
	}
	f, err := ParseSecretFile(data, s.rel(p))
	if err != nil {
		return nil, err
	}
	if f.Agent != agent || f.Name != name {
		return nil, errs.New(errs.Tampered, "%s claims to be %s/%s; it was moved or edited by hand", s.rel(p), f.Agent, f.Name).
			WithHint("restore it with `git checkout -- %s`, or set the secret again", s.rel(p))
	}
	f.path = p
	return f, nil
}

// decryptSecret decrypts f and checks the sealed binding against its metadata.
func (s *Store) decryptSecret(f *SecretFile, rec *Recipients) ([]byte, error) {
	ids, err := s.Identities()
	if err != nil {
		return nil, err
	}
	what := f.Agent + "/" + f.Name
	sealed, value, err := open(f.Value, ids.hinted(f.Recipients), what, rec.Describe(f.Recipients))
	if err != nil {
		return nil, err
	}
	if d := f.binding().diff(sealed); d != "" {
		return nil, errs.New(errs.Tampered, "%s was edited by hand without re-encrypting: %s", s.rel(f.path), d).
			WithHint("restore it with `git checkout -- %s`, or set the value again with `swiftclaw secrets set`", s.rel(f.path))
	}
	return value, nil
}

// SetOptions are the optional parts of SetSecret.
type SetOptions struct {
	// Description replaces the description when non-nil.
	Description *string
	// TTL, when non-zero, sets expires = now + TTL and records the TTL so a later new value
	// gets the same lifetime.
	TTL time.Duration
	// NoExpiry clears any expiry.
	NoExpiry bool
}

// SetResult reports a SetSecret.
type SetResult struct {
	Meta    SecretMeta
	Created bool
	// ValueChanged is false when the value was identical and the ciphertext was kept.
	ValueChanged bool
	*WriteResult

	newAgentWarning string
}

// SetSecret creates or updates agent/name with value, encrypted to the agent's readers.
func (s *Store) SetSecret(ctx context.Context, agent, name string, value []byte, opts SetOptions) (*SetResult, error) {
	return s.setSecret(ctx, agent, name, value, opts, &secretWrite{msg: fmt.Sprintf("swiftclaw: set %s/%s", agent, name)})
}

// secretWrite is what the commands built on SetSecret (rotate, rollback) add to it.
type secretWrite struct {
	msg string
	// graceUntil, when set, keeps the current value readable as the previous one until
	// then (never past the current value's own expiry).
	graceUntil *time.Time
	// edit changes metadata (the rotation policy) before anything is sealed.
	edit func(f *SecretFile) error
	// mustExist refuses to create the secret; mustChange refuses an identical value.
	mustExist, mustChange bool
	// obtain, when set, supplies the value under the lock, after the current file is
	// read (rotation: from a webhook or a generator).
	obtain func(f *SecretFile) ([]byte, error)
	// action is the audited action (default "set").
	action string
}

func (s *Store) setSecret(ctx context.Context, agent, name string, value []byte, opts SetOptions, w *secretWrite) (*SetResult, error) {
	p, err := s.secretPath(agent, name)
	if err != nil {
		return nil, err
	}
	if err := checkValueSize(agent, name, value); err != nil {
		return nil, err
	}
	res := &SetResult{}
	var warnings []string
	wr, err := s.write(ctx, w.msg, func(t *txn) error {
		rec, pol, err := s.access()
		if err != nil {
			return err
		}
		if err := s.requireWrite(rec, pol, agent, name); err != nil {
			return err
		}
		readers, err := s.Readers(rec, pol, agent, name)
		if err != nil {
			return err
		}
		now := s.Now()
		f, err := s.readSecretFile(agent, name)
		var oldValue []byte
		haveOld := false
		var oldErr error
		switch {
		case err == nil:
			// Compare with the current value so an identical one keeps its ciphertext.
			// A writer who cannot read the old value simply re-encrypts.
			if v, derr := s.decryptSecret(f, rec); derr == nil {
				oldValue, haveOld = v, true
			} else if errs.KindOf(derr) == errs.Tampered {
				return derr
			} else {
				oldErr = derr
			}
		case errs.KindOf(err) == errs.NotFound && !w.mustExist:
			f = &SecretFile{Version: FormatVersion, Agent: agent, Name: name, Created: now, Updated: now, path: p}
			res.Created = true
		default:
			return err
		}
		oldBinding, oldPrevious := f.binding(), f.previousBinding()
		oldExpired := f.Expires != nil && !now.Before(*f.Expires)
		if w.edit != nil {
			if err := w.edit(f); err != nil {
				return err
			}
		}
		if opts.Description != nil {
			f.Description = *opts.Description
		}
		if w.obtain != nil {
			if value, err = w.obtain(f); err != nil {
				return err
			}
			if err := checkValueSize(agent, name, value); err != nil {
				return err
			}
		}
		valueChanged := !haveOld || !bytes.Equal(oldValue, value)
		if w.mustChange && !valueChanged {
			return errs.New(errs.Input, "the new value of %s/%s is the same as the current one", agent, name).
				WithHint("a rotation needs a different value")
		}
		graceUntil := w.graceUntil
		if graceUntil != nil && !valueChanged {
			graceUntil = nil
		}
		if graceUntil != nil {
			switch {
			case !haveOld:
				return errs.Wrap(errs.KindOf(oldErr), oldErr, "cannot keep the current value of %s/%s for a grace period", agent, name)
			case oldExpired:
				warnings = append(warnings, fmt.Sprintf("the current value of %s/%s has expired, so it is not kept for a grace period", agent, name))
				graceUntil = nil
			case f.Expires != nil && f.Expires.Before(*graceUntil):
				graceUntil = f.Expires // the old value never outlives its own expiry
			}
		}
		switch {
		case opts.NoExpiry:
			f.Expires, f.TTL = nil, ""
		case opts.TTL > 0:
			exp := now.Add(opts.TTL)
			f.Expires, f.TTL = &exp, FormatDuration(opts.TTL)
		case valueChanged && f.TTL != "" && !res.Created:
			// A new value gets the lifetime the secret was created with.
			if d, err := ParseDuration(f.TTL); err == nil {
				exp := now.Add(d)
				f.Expires = &exp
			}
		}
		f.Recipients = readers
		recips, err := parseRecipientList(readers)
		if err != nil {
			return err
		}
		if valueChanged || oldBinding.diff(f.binding()) != "" {
			armored, err := seal(value, f.binding(), recips)
			if err != nil {
				return err
			}
			f.Value = armored
		}
		if graceUntil != nil {
			f.Previous = &Previous{Until: *graceUntil}
			if f.Previous.Value, err = seal(oldValue, f.previousBinding(), recips); err != nil {
				return err
			}
		} else if err := s.refreshPrevious(f, oldPrevious, rec, recips); err != nil {
			return err
		}
		if valueChanged {
			f.Updated = now
			f.RotationRequired = nil // rotated: the value a revoked reader saw is gone
		}
		res.ValueChanged = valueChanged
		if err := s.ensureAgentConfig(t, agent); err != nil {
			return err
		}
		res.newAgentWarning = s.newAgentWarning(agent)
		data, err := marshalSecretFile(f)
		if err != nil {
			return err
		}
		t.put(p, data)
		res.Meta = s.meta(f)
		return nil
	})
	action := w.action
	if action == "" {
		action = "set"
	}
	if wr, err = s.auditWrite(ctx, wr, err, action, agent, name); err != nil {
		return nil, err
	}
	wr.Warnings = append(wr.Warnings, warnings...)
	res.WriteResult = wr
	if res.newAgentWarning != "" {
		wr.Warnings = append(wr.Warnings, res.newAgentWarning)
	}
	return res, nil
}

func checkValueSize(agent, name string, value []byte) error {
	if len(value) > MaxValueSize {
		return errs.New(errs.Input, "value for %s/%s is %d bytes; the limit is %d MiB", agent, name, len(value), MaxValueSize>>20).
			WithHint("store large files elsewhere and keep a reference or key here")
	}
	return nil
}

// newAgentWarning flags a write that creates an agent when others exist: usually a typo.
func (s *Store) newAgentWarning(agent string) string {
	if s.requireAgent(agent) == nil {
		return ""
	}
	if others := s.agentNames(); len(others) > 0 {
		return fmt.Sprintf("created a new agent %q (existing agents: %s); `swiftclaw secrets rm` removes it if that was a typo", agent, strings.Join(others, ", "))
	}
	return ""
}

func parseRecipientList(keys []string) ([]age.Recipient, error) {
	out := make([]age.Recipient, 0, len(keys))
	for _, k := range keys {
		r, _, err := ParseRecipient(k)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// GetOptions are the optional parts of GetSecret.
type GetOptions struct {
	// AllowExpired returns an expired secret's value instead of an Expired error.
	AllowExpired bool
	// Action is the audited action (default "read"; run and deploy pass their own).
	Action string
}

// GetSecret decrypts agent/name. An expired secret is refused with errs.Expired unless
// opts.AllowExpired. The expiry checked is the one sealed inside the ciphertext.
func (s *Store) GetSecret(ctx context.Context, agent, name string, opts GetOptions) ([]byte, *SecretMeta, error) {
	f, err := s.readSecretFile(agent, name)
	if err != nil {
		return nil, nil, err
	}
	rec, err := s.Recipients()
	if err != nil {
		return nil, nil, err
	}
	value, err := s.decryptSecret(f, rec)
	if err != nil {
		return nil, nil, err
	}
	m := s.meta(f)
	if m.Expired && !opts.AllowExpired {
		return nil, &m, errs.New(errs.Expired, "secret %s/%s expired at %s", agent, name, f.Expires.UTC().Format("2006-01-02 15:04 UTC")).
			WithHint("set a new value with `swiftclaw secrets set %s %s`, or pass --allow-expired to read it anyway", agent, name)
	}
	if err := s.auditRead(ctx, opts.Action, agent, name, f.Recipients, rec); err != nil {
		return nil, nil, err
	}
	return value, &m, nil
}

// ListSecrets returns the metadata of every secret of agent, sorted by name, without
// decrypting anything.
func (s *Store) ListSecrets(agent string) ([]SecretMeta, error) {
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	dir, err := s.path("agents", agent, "secrets")
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(dir))
	}
	var out []SecretMeta
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok || e.IsDir() || ValidateName("secret", name) != nil {
			continue
		}
		f, err := s.readSecretFile(agent, name)
		if err != nil {
			return nil, err
		}
		out = append(out, s.meta(f))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RemoveSecret deletes agent/name (git history keeps its old versions).
func (s *Store) RemoveSecret(ctx context.Context, agent, name string) (*WriteResult, error) {
	if _, err := s.readSecretFile(agent, name); err != nil {
		return nil, err
	}
	p, _ := s.secretPath(agent, name)
	wr, err := s.write(ctx, fmt.Sprintf("swiftclaw: rm %s/%s", agent, name), func(t *txn) error {
		if err := s.requireWriteAccess(agent, name); err != nil {
			return err
		}
		t.remove(p)
		return nil
	})
	return s.auditWrite(ctx, wr, err, "rm", agent, name)
}

const agentConfigTemplate = `# Settings for agent %s.
# run.secrets maps environment variables to secrets for ` + "`swiftclaw run`" + ` (deploy uses
# run.secrets and deploy.secrets). Variables from ` + "`swiftclaw env set`" + ` are always passed.
#   run:
#     secrets:
#       OPENAI_API_KEY: secret:api-key
run:
  secrets: {}
`

// ensureAgentConfig stages agent.yaml for a new agent.
func (s *Store) ensureAgentConfig(t *txn, agent string) error {
	p, err := s.path("agents", agent, "agent.yaml")
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); os.IsNotExist(err) {
		t.put(p, []byte(fmt.Sprintf(agentConfigTemplate, agent)))
	}
	return nil
}

// AgentConfig reads agents/AGENT/agent.yaml (empty if absent).
func (s *Store) AgentConfig(agent string) (*AgentConfig, error) {
	p, err := s.path("agents", agent, "agent.yaml")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return nil, errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
	}
	return parseAgentConfig(data, s.rel(p))
}

// secretNames lists the names of agent's secret files.
func (s *Store) secretNames(agent string) []string {
	dir, err := s.path("agents", agent, "secrets")
	if err != nil {
		return nil
	}
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() && ValidateName("secret", name) == nil {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

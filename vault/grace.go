package vault

import (
	"context"
	"strings"

	"filippo.io/age"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// rotationStatus fills the rotation and grace fields of m from f's policy and the clock.
func (s *Store) rotationStatus(f *SecretFile, m *SecretMeta) {
	now := s.Now()
	if f.Rotation != nil && f.Rotation.Interval != "" {
		if d, err := ParseDuration(f.Rotation.Interval); err == nil {
			due := f.Updated.Add(d)
			m.RotationDue = &due
			m.RotationOverdue = !now.Before(due)
		}
	}
	if f.Previous != nil && now.Before(f.Previous.Until) {
		until := f.Previous.Until
		m.GraceUntil = &until
	}
}

// reseal re-encrypts f's value and grace value for readers after edit (nil or a
// metadata change such as a new agent name) and renders the file.
func (s *Store) reseal(f *SecretFile, value []byte, rec *Recipients, readers []string, edit func()) ([]byte, error) {
	recips, err := parseRecipientList(readers)
	if err != nil {
		return nil, err
	}
	was := f.previousBinding()
	f.Recipients = readers
	if edit != nil {
		edit()
	}
	if f.Value, err = seal(value, f.binding(), recips); err != nil {
		return nil, err
	}
	if err := s.refreshPrevious(f, was, rec, recips); err != nil {
		return nil, err
	}
	return marshalSecretFile(f)
}

// refreshPrevious brings f's grace value along with a write: dropped once its grace
// period is over (it is then deprecated), kept byte for byte while its binding is
// unchanged, else re-sealed to recips. was is the binding it was sealed with.
func (s *Store) refreshPrevious(f *SecretFile, was Binding, rec *Recipients, recips []age.Recipient) error {
	if f.Previous == nil {
		return nil
	}
	if !s.Now().Before(f.Previous.Until) {
		f.Previous = nil
		return nil
	}
	if f.previousBinding().diff(was) == "" {
		return nil
	}
	value, err := s.openPrevious(f, was, rec)
	if err != nil {
		return errs.Wrap(errs.KindOf(err), err, "cannot re-encrypt the grace value of %s/%s", f.Agent, f.Name)
	}
	f.Previous.Value, err = seal(value, f.previousBinding(), recips)
	return err
}

// openPrevious decrypts f's grace value and checks it was sealed with binding want.
func (s *Store) openPrevious(f *SecretFile, want Binding, rec *Recipients) ([]byte, error) {
	ids, err := s.Identities()
	if err != nil {
		return nil, err
	}
	what := f.Agent + "/" + f.Name + " (previous value)"
	sealed, value, err := open(f.Previous.Value, ids, what, rec.Describe(want.Recipients))
	if err != nil {
		return nil, err
	}
	if d := want.diff(sealed); d != "" {
		return nil, errs.New(errs.Tampered, "%s was edited by hand without re-encrypting: previous %s", s.rel(f.path), d).
			WithHint("restore it with `git checkout -- %s`", s.rel(f.path))
	}
	return value, nil
}

// GetPrevious decrypts the value a rotation with a grace period replaced. It is readable
// until the grace period ends; after that it is deprecated and refused with errs.Expired
// (older values stay reachable with GetVersion).
func (s *Store) GetPrevious(ctx context.Context, agent, name string) ([]byte, *SecretMeta, error) {
	return s.getPrevious(ctx, agent, name, "")
}

// getPrevious is GetPrevious audited as action ("" = read).
func (s *Store) getPrevious(ctx context.Context, agent, name, action string) ([]byte, *SecretMeta, error) {
	f, err := s.readSecretFile(agent, name)
	if err != nil {
		return nil, nil, err
	}
	m := s.meta(f)
	if f.Previous == nil {
		return nil, &m, errs.New(errs.NotFound, "%s/%s has no previous value in a grace period", agent, name).
			WithHint("older values are in history: `swiftclaw secrets versions %s %s`, then `secrets get --version vN`", agent, name)
	}
	if m.GraceUntil == nil {
		return nil, &m, errs.New(errs.Expired, "the grace period of %s/%s ended at %s; the previous value is deprecated",
			agent, name, f.Previous.Until.UTC().Format("2006-01-02 15:04 UTC")).
			WithHint("read it from history with `swiftclaw secrets versions %s %s` and `secrets get --version vN`", agent, name)
	}
	rec, err := s.Recipients()
	if err != nil {
		return nil, nil, err
	}
	value, err := s.openPrevious(f, f.previousBinding(), rec)
	if err != nil {
		return nil, nil, err
	}
	if err := s.auditRead(ctx, action, agent, name, f.Recipients, rec); err != nil {
		return nil, nil, err
	}
	return value, &m, nil
}

// previousSuffix marks a reference to a secret's grace value: secret:NAME@previous.
const previousSuffix = "@previous"

// withPrevious adds ENV_PREVIOUS=secret:NAME@previous for every ENV=secret:NAME mapping
// not already mapped (agent.yaml: run.previous: true).
func withPrevious(all []Mapping) []Mapping {
	mapped := map[string]bool{}
	for _, m := range all {
		mapped[m.Env] = true
	}
	out := all
	for _, m := range all {
		if strings.HasSuffix(m.Ref, previousSuffix) || mapped[m.Env+"_PREVIOUS"] {
			continue
		}
		out = append(out, Mapping{Env: m.Env + "_PREVIOUS", Ref: m.Ref + previousSuffix})
	}
	return out
}

// resolveRef reads the value a mapping names. A grace value that does not exist (no
// rotation with a grace period, or the period is over) is skipped: the variable stays
// unset, so the agent sees no previous value.
func (s *Store) resolveRef(ctx context.Context, agent, name string, opts GetOptions) (value []byte, skip bool, err error) {
	name, previous := strings.CutSuffix(name, previousSuffix)
	if !previous {
		value, _, err = s.GetSecret(ctx, agent, name, opts)
		return value, false, err
	}
	value, meta, err := s.getPrevious(ctx, agent, name, opts.Action)
	if meta != nil && (errs.KindOf(err) == errs.NotFound || errs.KindOf(err) == errs.Expired) {
		return nil, true, nil
	}
	return value, false, err
}

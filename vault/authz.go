package vault

import (
	"slices"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
)

// Whoami maps the identities in use to the principals in recipients.yaml that hold their
// public keys, in identity order.
func (s *Store) Whoami(rec *Recipients) ([]Principal, error) {
	ids, err := s.Identities()
	if err != nil {
		return nil, err
	}
	var out []Principal
	for _, id := range ids.List {
		if p, ok := rec.ByKey(id.Recipient); ok && !slices.ContainsFunc(out, func(q Principal) bool { return q.Ref() == p.Ref() }) {
			out = append(out, p)
		}
	}
	return out, nil
}

// requireWrite refuses a write to agent/name (name "" = the env file) unless the
// identity in use belongs to an owner or to a principal granted write on it. git is the
// real boundary (anyone with push access can edit files, and `policy verify` checks commits
// in CI); this check keeps honest mistakes out of the history.
func (s *Store) requireWrite(rec *Recipients, pol *policy.Policy, agent, name string) error {
	me, err := s.Whoami(rec)
	if err != nil {
		return err
	}
	writers := pol.Principals(policy.Write, agent, name)
	for _, p := range me {
		if p.IsOwner() || slices.Contains(writers, p.Ref()) {
			return nil
		}
	}
	what := agent + "/" + orEnv(name)
	return errs.New(errs.Permission, "%s may not write %s", s.describeMe(me), what).
		WithHint("ask an owner to run `swiftclaw secrets grant %s %s --user YOU --permission write`", agent, grantTarget(name))
}

// requireOwner refuses changes to recipients.yaml and policy.yaml by non-owners.
func (s *Store) requireOwner(rec *Recipients) error {
	me, err := s.Whoami(rec)
	if err != nil {
		return err
	}
	for _, p := range me {
		if p.IsOwner() {
			return nil
		}
	}
	return errs.New(errs.Permission, "%s is not an owner; only owners change principals and grants", s.describeMe(me)).
		WithHint("ask an owner (see `swiftclaw keys list`) to make the change")
}

func grantTarget(name string) string {
	if name == "" {
		return "'*'"
	}
	return name
}

func (s *Store) describeMe(me []Principal) string {
	if len(me) == 0 {
		ids, _ := s.Identities()
		return "your identity (" + ids.Sources() + ") is not in recipients.yaml and"
	}
	refs := make([]string, len(me))
	for i, p := range me {
		refs[i] = p.Ref()
	}
	return strings.Join(refs, ", ")
}

// requireWriteAccess loads recipients and policy and calls requireWrite.
func (s *Store) requireWriteAccess(agent, name string) error {
	rec, err := s.Recipients()
	if err != nil {
		return err
	}
	pol, err := s.Policy()
	if err != nil {
		return err
	}
	return s.requireWrite(rec, pol, agent, name)
}

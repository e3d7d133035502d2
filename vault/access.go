package vault

import (
	"context"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
)

// GrantRequest names a grant: who, on which agent's secrets, with which permissions.
type GrantRequest struct {
	// Principal is "user:EMAIL" or "service:NAME", as in policy.yaml.
	Principal string
	// Agent is the agent whose secrets the grant covers.
	Agent string
	// Secret is a secret name or a glob ("*", "db-*"); "*" also covers the agent's env.
	Secret string
	// Permissions are policy.Read and/or policy.Write. Revoke treats none as all.
	Permissions []string
}

// grant returns the policy.Grant the request describes.
func (r GrantRequest) grant() policy.Grant {
	g := policy.Grant{Agent: r.Agent, Secret: r.Secret, Permissions: r.Permissions}
	kind, id, _ := strings.Cut(r.Principal, ":")
	if kind == "user" {
		g.User = id
	} else {
		g.Service = id
	}
	return g
}

func (r GrantRequest) validate(needPerms bool) error {
	kind, id, _ := strings.Cut(r.Principal, ":")
	if err := ValidatePrincipalID(kind, id); err != nil {
		return err
	}
	if err := ValidateName("agent", r.Agent); err != nil {
		return err
	}
	if err := validatePattern(r.Secret); err != nil {
		return err
	}
	if needPerms && len(r.Permissions) == 0 {
		return errs.New(errs.Input, "no permission given").WithHint("pass --permission read, write or read,write")
	}
	for _, p := range r.Permissions {
		if p != policy.Read && p != policy.Write {
			return errs.New(errs.Input, "unknown permission %q", p).WithHint("use read, write or read,write")
		}
	}
	return nil
}

var patternRE = regexp.MustCompile(`^[A-Za-z0-9._*?\[\]-]+$`)

// validatePattern checks a secret name or glob as grants use them.
func validatePattern(p string) error {
	if !strings.ContainsAny(p, "*?[") {
		return ValidateName("secret", p)
	}
	if _, err := path.Match(p, ""); err != nil || !patternRE.MatchString(p) {
		return errs.New(errs.Input, "invalid secret pattern %q", p).
			WithHint("use a secret name or a glob of names such as '*' or 'db-*' (quote it in the shell)")
	}
	return nil
}

// GrantResult reports a Grant.
type GrantResult struct {
	// Grant is the grant as policy.yaml now holds it.
	Grant policy.Grant
	// Changed is false when the principal already had these permissions.
	Changed bool
	// Matches lists the existing secrets the grant covers ("env" for the env file).
	Matches []string
	// Reencrypted lists the files re-encrypted to include the principal's keys.
	Reencrypted []Resynced
	*WriteResult
}

// Grant records a grant in policy.yaml and re-encrypts every file it lets the principal
// read, so the principal's keys become recipients. Only an owner may change the policy: the
// identity in use must belong to an owner in recipients.yaml. The principal must exist in
// recipients.yaml. Writing is not enforced cryptographically: `policy verify` checks commits.
func (s *Store) Grant(ctx context.Context, req GrantRequest, opts BulkOptions) (*GrantResult, error) {
	if err := req.validate(true); err != nil {
		return nil, err
	}
	res := &GrantResult{}
	msg := fmt.Sprintf("swiftclaw: grant %s on %s/%s to %s", strings.Join(req.Permissions, ","), req.Agent, req.Secret, req.Principal)
	edit := func(rec *Recipients, data []byte) ([]byte, error) {
		if _, ok := rec.Lookup(req.Principal); !ok {
			kind, id, _ := strings.Cut(req.Principal, ":")
			return nil, errs.New(errs.NotFound, "unknown %s %q: it is not in recipients.yaml, so there is no key to encrypt to", kind, id).
				WithHint("add its public key first: `swiftclaw keys add %s %s KEY`", kind, id)
		}
		if err := s.requireAgent(req.Agent); err != nil {
			return nil, err
		}
		out, changed, err := policy.AddGrant(data, req.grant())
		res.Changed = changed
		return out, err
	}
	apply := func(t *txn, rec *Recipients, pol *policy.Policy) (err error) {
		res.Grant = grantFor(pol, req)
		for _, name := range s.matching(req.Agent, req.Secret) {
			res.Matches = append(res.Matches, orEnv(name))
		}
		res.Reencrypted, err = s.resyncWith(t, rec, pol, resyncOptions{BulkOptions: opts})
		return err
	}
	wr, err := s.editPolicy(ctx, msg, edit, apply)
	if err != nil {
		return nil, err
	}
	res.WriteResult, _ = s.auditWrite(ctx, wr, nil, "grant "+req.Principal, req.Agent, req.Secret)
	if len(res.Matches) == 0 {
		wr.Warnings = append(wr.Warnings, fmt.Sprintf("no secret of %s matches %q yet; the grant applies to secrets set later", req.Agent, req.Secret))
	}
	return res, nil
}

func grantFor(pol *policy.Policy, req GrantRequest) policy.Grant {
	for _, g := range pol.Grants {
		if g.Principal() == req.Principal && g.Agent == req.Agent && g.Secret == req.Secret {
			return g
		}
	}
	return req.grant()
}

// matching lists agent's existing secrets matching pattern, plus "" (the env file) when
// "*" covers an existing env file.
func (s *Store) matching(agent, pattern string) []string {
	var out []string
	g := policy.Grant{Agent: agent, Secret: pattern}
	for _, name := range s.secretNames(agent) {
		if g.Matches(agent, name) {
			out = append(out, name)
		}
	}
	if _, exists, err := s.readEnvFile(agent); err == nil && exists && g.Matches(agent, "") {
		out = append(out, "")
	}
	return out
}

// RevokeResult reports a Revoke.
type RevokeResult struct {
	// Removed lists the grants as they were before the revoke.
	Removed []policy.Grant
	// Reencrypted lists the files re-encrypted without the principal's keys; each one that
	// lost them is marked rotation required.
	Reencrypted []Resynced
	// StillReadable lists secrets in the revoked scope the principal can still read, through
	// another grant or as an owner ("env" for the env file).
	StillReadable []string
	// Exposed lists, per file in the revoked scope, the versions in git history (reachable
	// from HEAD) encrypted to the principal's keys: those stay readable to them.
	Exposed []Exposure
	// HistoryChecked is false when there is no git history to look at (outside git).
	HistoryChecked bool
	*WriteResult
}

// Revoke removes the principal's grant on agent/secret (the exact pattern it was granted
// with; only req.Permissions when given), re-encrypts every affected secret and env file
// without the principal's keys, marks each one rotation required, and reports which
// versions in git history the principal's keys can still decrypt. Only an owner may revoke.
func (s *Store) Revoke(ctx context.Context, req GrantRequest, opts BulkOptions) (*RevokeResult, error) {
	if err := req.validate(false); err != nil {
		return nil, err
	}
	res := &RevokeResult{}
	perms := "access"
	if len(req.Permissions) > 0 {
		perms = strings.Join(req.Permissions, ",")
	}
	msg := fmt.Sprintf("swiftclaw: revoke %s on %s/%s from %s", perms, req.Agent, req.Secret, req.Principal)
	edit := func(rec *Recipients, data []byte) ([]byte, error) {
		out, removed, err := policy.RemoveGrant(data, req.Principal, req.Agent, req.Secret, req.Permissions)
		if err == nil && len(removed) == 0 {
			oldPol, _ := policy.Parse(data, "policy.yaml") // RemoveGrant parsed it already
			err = noSuchGrant(oldPol, req)
		}
		res.Removed = removed
		return out, err
	}
	apply := func(t *txn, rec *Recipients, pol *policy.Policy) (err error) {
		removed := res.Removed
		p, _ := rec.Lookup(req.Principal)
		reason := fmt.Sprintf("read access of %s revoked", req.Principal)
		if res.Reencrypted, err = s.resyncWith(t, rec, pol, resyncOptions{BulkOptions: opts, revoked: p.Keys, reason: reason}); err != nil {
			return err
		}
		inScope := func(agent, name string) bool {
			return slices.ContainsFunc(removed, func(g policy.Grant) bool { return g.Matches(agent, name) })
		}
		for _, name := range s.matching(req.Agent, "*") {
			if inScope(req.Agent, name) && (p.IsOwner() || slices.Contains(pol.Principals(policy.Read, req.Agent, name), req.Principal)) {
				res.StillReadable = append(res.StillReadable, orEnv(name))
			}
		}
		if len(p.Keys) > 0 && s.InGit {
			res.HistoryChecked = true
			res.Exposed, err = s.exposure(ctx, req.Agent, p.Keys, func(name string) bool {
				return inScope(req.Agent, name) && !slices.Contains(res.StillReadable, orEnv(name))
			})
		}
		return err
	}
	wr, err := s.editPolicy(ctx, msg, edit, apply)
	if err != nil {
		return nil, err
	}
	res.WriteResult, _ = s.auditWrite(ctx, wr, nil, "revoke "+req.Principal, req.Agent, req.Secret)
	return res, nil
}

// editPolicy makes an owner-only change to policy.yaml under the write lock: edit returns
// the new text of policy.yaml from the current one, and apply stages what the new policy
// implies (re-encryption) before policy.yaml itself is staged.
func (s *Store) editPolicy(ctx context.Context, msg string,
	edit func(rec *Recipients, data []byte) ([]byte, error),
	apply func(t *txn, rec *Recipients, pol *policy.Policy) error) (*WriteResult, error) {
	return s.write(ctx, msg, func(t *txn) error {
		rec, err := s.Recipients()
		if err != nil {
			return err
		}
		if err := s.requireOwner(rec); err != nil {
			return err
		}
		p, err := s.path("policy.yaml")
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			return errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
		}
		out, err := edit(rec, data)
		if err != nil {
			return err
		}
		pol, err := policy.Parse(out, s.rel(p))
		if err != nil {
			return err
		}
		if err := apply(t, rec, pol); err != nil {
			return err
		}
		t.put(p, out)
		return nil
	})
}

// noSuchGrant explains why nothing matched a revoke, naming any grant that does cover it.
func noSuchGrant(pol *policy.Policy, req GrantRequest) error {
	e := errs.New(errs.NotFound, "%s has no grant on %s/%s", req.Principal, req.Agent, req.Secret)
	var covering []string
	for _, g := range pol.Grants {
		if g.Principal() == req.Principal && g.Agent == req.Agent {
			if ok, _ := path.Match(g.Secret, req.Secret); ok || req.Secret == "*" {
				covering = append(covering, g.Secret)
			}
		}
	}
	kind, id, _ := strings.Cut(req.Principal, ":")
	if len(covering) > 0 {
		e.Msg += fmt.Sprintf(" (grants are revoked by the pattern they were given with; %s has %q)", id, strings.Join(covering, `", "`))
		return e.WithHint("swiftclaw secrets revoke %s '%s' --%s %s", req.Agent, covering[0], kind, id)
	}
	return e.WithHint("list who can access what with `swiftclaw secrets access %s`", req.Agent)
}

// Resync re-encrypts every secret and env file whose recipients differ from what
// recipients.yaml and policy.yaml say, which is what `policy check --fix` runs. A file that
// loses a key is marked rotation required: that key could read it. Only an owner may.
func (s *Store) Resync(ctx context.Context, opts BulkOptions) ([]Resynced, *WriteResult, error) {
	var out []Resynced
	wr, err := s.write(ctx, "swiftclaw: re-encrypt files to the keys the policy allows", func(t *txn) error {
		rec, err := s.Recipients()
		if err != nil {
			return err
		}
		if err := s.requireOwner(rec); err != nil {
			return err
		}
		pol, err := s.Policy()
		if err != nil {
			return err
		}
		out, err = s.resyncWith(t, rec, pol, resyncOptions{BulkOptions: opts, markLost: true, reason: "encrypted to keys the policy did not allow"})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, wr, nil
}

package deploy

import (
	"context"
	"slices"
	"sort"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// RequestFor gathers the flags, agent.yaml's run and deploy mappings (deploy wins) and
// the agent's env var names.
func RequestFor(s *vault.Store, agent string, flags []string) (Request, error) {
	keys, err := s.EnvKeys(agent)
	if err != nil {
		return Request{}, err
	}
	cfg, err := s.AgentConfig(agent)
	if err != nil {
		return Request{}, err
	}
	merged := map[string]string{}
	for k, v := range cfg.Run.Secrets {
		merged[k] = v
	}
	for k, v := range cfg.Deploy.Secrets {
		merged[k] = v
	}
	specs := make([]string, 0, len(merged))
	for k, v := range merged {
		specs = append(specs, k+"="+v)
	}
	sort.Strings(specs)
	return Request{Flags: flags, Deploy: specs, Env: keys}, nil
}

// StoreResolver answers deploy's questions from a vault.Store.
type StoreResolver struct {
	ctx   context.Context
	s     *vault.Store
	agent string
	metas map[string]vault.SecretMeta
	env   map[string][]byte

	// External, when set, resolves references first (external managers, and secret:NAME
	// of an agent kept in a provider); ok false leaves a reference to the git store.
	External func(ctx context.Context, ref string) (value []byte, ok bool, err error)
	external map[string][]byte // values External resolved during Check
}

// NewStoreResolver resolves agent's values from s.
func NewStoreResolver(ctx context.Context, s *vault.Store, agent string) *StoreResolver {
	return &StoreResolver{ctx: ctx, s: s, agent: agent}
}

// Identity reports whether an identity is available.
func (r *StoreResolver) Identity() error {
	_, err := r.s.Identities()
	return err
}

// Check looks at metadata only: existence, expiry, and whether the secret is encrypted to
// any identity at hand.
func (r *StoreResolver) Check(ref Ref) error {
	if handled, err := r.checkExternal(ref); handled {
		return err
	}
	if ref.Kind == RefEnv {
		return nil // env vars come from EnvKeys, so they exist; Read reports decryption
	}
	if err := vault.ValidateName("secret", ref.Name); err != nil {
		return err
	}
	if r.metas == nil {
		list, err := r.s.ListSecrets(r.agent)
		if err != nil {
			return err
		}
		r.metas = map[string]vault.SecretMeta{}
		for _, m := range list {
			r.metas[m.Name] = m
		}
	}
	m, ok := r.metas[ref.Name]
	switch {
	case !ok:
		return errs.New(errs.NotFound, "secret %q not found in agent %s", ref.Name, r.agent).
			WithHint("list the agent's secrets with `swiftclaw secrets list %s`", r.agent)
	case m.Expired:
		return errs.New(errs.Expired, "secret %s/%s expired at %s", r.agent, ref.Name, m.Expires.UTC().Format("2006-01-02 15:04 UTC")).
			WithHint("set a new value with `swiftclaw secrets set %s %s`", r.agent, ref.Name)
	}
	ids, err := r.s.Identities()
	if err != nil {
		return nil // reported once by Identity
	}
	for _, id := range ids.List {
		if id.Recipient == "" || slices.Contains(m.Recipients, id.Recipient) {
			return nil
		}
	}
	return errs.New(errs.Permission, "secret %s/%s is not encrypted to your identity (%s)", r.agent, ref.Name, ids.Sources()).
		WithHint("an owner must grant read access to this key, then deploy again")
}

// Read decrypts one value.
func (r *StoreResolver) Read(ref Ref) ([]byte, error) {
	if v, ok := r.external[ref.String()]; ok {
		return v, nil
	}
	if ref.Kind == RefSecret {
		v, _, err := r.s.GetSecret(r.ctx, r.agent, ref.Name, vault.GetOptions{Action: "deploy"})
		return v, err
	}
	if r.env == nil {
		vars, err := r.s.RevealEnvFor(r.ctx, r.agent, "deploy")
		if err != nil {
			return nil, err
		}
		r.env = map[string][]byte{}
		for _, v := range vars {
			r.env[v.Name] = v.Value
		}
	}
	return r.env[ref.Name], nil
}

// checkExternal resolves ref with External during Check, so a missing or refused external
// secret is reported with every other problem before anything is written. The value is
// kept for Read.
func (r *StoreResolver) checkExternal(ref Ref) (bool, error) {
	if ref.Kind == RefEnv {
		return false, nil
	}
	if r.External == nil {
		if ref.Kind != RefSecret {
			return true, errs.New(errs.Input, "no resolver for %s references here", ref.Kind)
		}
		return false, nil
	}
	v, ok, err := r.External(r.ctx, ref.String())
	if !ok || err != nil {
		return ok, err
	}
	if r.external == nil {
		r.external = map[string][]byte{}
	}
	r.external[ref.String()] = v
	return true, nil
}

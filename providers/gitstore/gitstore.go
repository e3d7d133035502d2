package gitstore

import (
	"context"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/vault"
)

// Store is one agent's secrets in a vault.Store.
type Store struct {
	s     *vault.Store
	agent string
}

var _ providers.Provider = (*Store)(nil)

// New returns agent's secrets in s.
func New(s *vault.Store, agent string) *Store { return &Store{s: s, agent: agent} }

// Kind returns providers.Git.
func (g *Store) Kind() string { return providers.Git }

// Where names the agent's directory.
func (g *Store) Where() string { return "git (.swiftclaw/agents/" + g.agent + ")" }

// MaxValueSize is vault.MaxValueSize.
func (g *Store) MaxValueSize() int { return vault.MaxValueSize }

func meta(m *vault.SecretMeta) providers.Meta {
	return providers.Meta{Name: m.Name, Description: m.Description, Created: m.Created, Updated: m.Updated, Expires: m.Expires}
}

// Get decrypts name, or the value it had at version ("v2") from git history.
func (g *Store) Get(ctx context.Context, name, version string) (*providers.Secret, error) {
	if version != "" {
		v, _, err := g.s.GetVersion(ctx, g.agent, name, version, vault.GetOptions{})
		if err != nil {
			return nil, err
		}
		return &providers.Secret{Meta: providers.Meta{Name: name, Version: version}, Value: v}, nil
	}
	v, m, err := g.s.GetSecret(ctx, g.agent, name, vault.GetOptions{})
	if err != nil {
		return nil, err
	}
	sec := &providers.Secret{Meta: meta(m), Value: v}
	if vs, err := g.s.Versions(ctx, g.agent, name); err == nil {
		for _, ver := range vs {
			if ver.Status == vault.StatusActive || ver.Status == vault.StatusPending {
				sec.Version = ver.Label
				break
			}
		}
	}
	return sec, nil
}

// Set encrypts and commits value; an identical value keeps its ciphertext.
func (g *Store) Set(ctx context.Context, name string, value []byte, opts providers.SetOptions) (*providers.SetResult, error) {
	res, err := g.s.SetSecret(ctx, g.agent, name, value, vault.SetOptions{Description: opts.Description, TTL: opts.TTL, NoExpiry: opts.NoExpiry})
	if err != nil {
		return nil, err
	}
	return &providers.SetResult{Meta: meta(&res.Meta), Created: res.Created, Changed: res.ValueChanged}, nil
}

// List returns the agent's secrets; an agent without secrets has none.
func (g *Store) List(ctx context.Context) ([]providers.Meta, error) {
	list, err := g.s.ListSecrets(g.agent)
	if errs.KindOf(err) == errs.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]providers.Meta, len(list))
	for i := range list {
		out[i] = meta(&list[i])
	}
	return out, nil
}

// Versions lists the secret's versions from git history, newest first.
func (g *Store) Versions(ctx context.Context, name string) ([]providers.Version, error) {
	vs, err := g.s.Versions(ctx, g.agent, name)
	if err != nil {
		return nil, err
	}
	out := make([]providers.Version, len(vs))
	for i, v := range vs {
		out[i] = providers.Version{ID: v.Label, Created: v.Created, Status: v.Status}
	}
	return out, nil
}

// Rollback makes version's value current again as a new version, re-encrypted to today's
// recipients.
func (g *Store) Rollback(ctx context.Context, name, version string) (*providers.SetResult, error) {
	res, err := g.s.RollbackSecret(ctx, g.agent, name, version)
	if err != nil {
		return nil, err
	}
	return &providers.SetResult{Meta: meta(&res.Meta), Changed: res.ValueChanged}, nil
}

// Remove deletes the secret's file (git history keeps it).
func (g *Store) Remove(ctx context.Context, name string) error {
	_, err := g.s.RemoveSecret(ctx, g.agent, name)
	return err
}

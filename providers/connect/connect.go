package connect

import (
	"context"
	"os"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/awssm"
	"github.com/swiftclaw/swiftclaw/providers/azurekv"
	"github.com/swiftclaw/swiftclaw/providers/gitstore"
	"github.com/swiftclaw/swiftclaw/providers/hashivault"
	"github.com/swiftclaw/swiftclaw/vault"
)

// Agent is one agent's view of its stores.
type Agent struct {
	// Settings is what agent.yaml says about stores.
	Settings *providers.AgentSettings
	// Literals are credentials agent.yaml holds as literals instead of secret:NAME or
	// env:VAR; they work, but the caller should warn.
	Literals []providers.Finding

	store  *vault.Store
	name   string
	getenv func(string) string
	opened map[string]providers.Provider // by kind, for references
}

// Load reads agent's store settings from its agent.yaml. getenv reads the environment
// (os.Getenv when nil).
func Load(s *vault.Store, agent string, getenv func(string) string) (*Agent, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	data, rel, err := s.AgentFile(agent)
	if err != nil {
		return nil, err
	}
	settings, err := providers.ParseAgentFile(data, rel)
	if err != nil {
		return nil, err
	}
	literals, err := providers.LiteralCredentials(data, rel)
	if err != nil {
		return nil, err
	}
	return &Agent{Settings: settings, Literals: literals, store: s, name: agent, getenv: getenv, opened: map[string]providers.Provider{}}, nil
}

// Git returns the agent's git store.
func (a *Agent) Git() providers.Provider { return gitstore.New(a.store, a.name) }

// Store opens the store the agent's secrets commands use: git, or its provider.
func (a *Agent) Store(ctx context.Context) (providers.Provider, error) {
	if a.Settings.Store() == providers.Git {
		return a.Git(), nil
	}
	return a.Open(ctx, a.Settings.Store())
}

// Open opens the store of kind with the agent's settings for it (the secrets: block when
// it names kind, else deploy.targets.KIND, else the ecosystem's environment).
func (a *Agent) Open(ctx context.Context, kind string) (providers.Provider, error) {
	if p, ok := a.opened[kind]; ok {
		return p, nil
	}
	if kind == providers.Git {
		return a.Git(), nil
	}
	cfg := a.Settings.Target(kind)
	p, err := a.OpenConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.opened[kind] = p
	return p, nil
}

// OpenConfig opens the store cfg describes, resolving its secret:NAME fields from the
// agent's git store and its env:VAR fields from the environment.
func (a *Agent) OpenConfig(ctx context.Context, cfg *providers.Config) (providers.Provider, error) {
	c, err := cfg.Resolve(ctx, providers.Lookup{
		Getenv: a.getenv,
		Secret: func(ctx context.Context, name string) ([]byte, error) {
			v, _, err := a.store.GetSecret(ctx, a.name, name, vault.GetOptions{})
			return v, err
		},
	})
	if err != nil {
		return nil, err
	}
	switch c.Provider {
	case providers.Git:
		return a.Git(), nil
	case providers.Vault:
		path := c.Path
		if path == "" {
			path = "secret/data/" + a.name
		}
		return hashivault.New(hashivault.Options{Address: c.Address, Token: c.Token, Namespace: c.Namespace, Path: path})
	case providers.AWS:
		prefix := c.NamePrefix
		if prefix == "" && c.SecretArn == "" {
			prefix = a.name + "/"
		}
		return awssm.New(ctx, awssm.Options{
			Region: c.Region, Endpoint: c.Endpoint, Profile: c.Profile, AccessKeyID: c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, NamePrefix: prefix, SecretID: c.SecretArn,
		})
	case providers.Azure:
		url := c.VaultURL
		if url == "" {
			url = a.getenv("AZURE_KEYVAULT_URL")
		}
		return azurekv.New(azurekv.Options{VaultURL: url, TenantID: c.TenantID, ClientID: c.ClientID, ClientSecret: c.ClientSecret})
	}
	return nil, errs.New(errs.Input, "unknown provider %q", c.Provider).WithHint("use one of: %s", strings.Join(providers.Kinds(), ", "))
}

// refKinds maps reference schemes to the store kind that serves them.
var refKinds = map[string]string{"vault": providers.Vault, "aws-sm": providers.AWS, "azure-kv": providers.Azure}

// Resolve resolves a reference for run and deploy. ok is false for secret:NAME when the
// agent's secrets are in git: the git store resolves those itself (with its expiry and
// grace rules).
func (a *Agent) Resolve(ctx context.Context, ref string) (value []byte, ok bool, err error) {
	scheme, rest, _ := strings.Cut(ref, ":")
	if scheme == "secret" {
		if a.Settings.Store() == providers.Git {
			return nil, false, nil
		}
		p, err := a.Store(ctx)
		if err != nil {
			return nil, true, err
		}
		s, err := p.Get(ctx, rest, "")
		if err != nil {
			return nil, true, err
		}
		return s.Value, true, nil
	}
	kind, known := refKinds[scheme]
	if !known || rest == "" {
		return nil, true, errs.New(errs.Input, "unsupported reference with scheme %q", scheme).
			WithHint("use secret:NAME, vault:PATH#FIELD, aws-sm:NAME-or-ARN[#KEY] or azure-kv:NAME[/VERSION]")
	}
	p, err := a.Open(ctx, kind)
	if err != nil {
		return nil, true, err
	}
	switch kind {
	case providers.Vault:
		path, field, _ := strings.Cut(rest, "#")
		v, err := p.(*hashivault.Provider).ReadRef(ctx, path, field)
		return v, true, err
	case providers.AWS:
		id, key, _ := strings.Cut(rest, "#")
		v, err := p.(interface {
			ReadRef(ctx context.Context, id, key string) ([]byte, error)
		}).ReadRef(ctx, id, key)
		return v, true, err
	default:
		name, version, _ := strings.Cut(rest, "/")
		s, err := p.Get(ctx, name, version)
		if err != nil {
			return nil, true, err
		}
		return s.Value, true, nil
	}
}

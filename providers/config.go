package providers

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Config is one store's settings: agent.yaml's secrets: block, or an entry of
// deploy.targets. Field names are the product page's. Any field may be written as
// secret:NAME or env:VAR instead of a literal (see Resolve).
type Config struct {
	// Provider is the store kind: git (the default), vault, aws-secrets-manager or
	// azure-keyvault.
	Provider string `yaml:"provider"`

	// Vault: server address (default VAULT_ADDR), token (default VAULT_TOKEN), the KV
	// version 2 path holding the agent's secrets (e.g. secret/data/my-agent), and an
	// optional enterprise namespace (default VAULT_NAMESPACE).
	Address   string `yaml:"address"`
	Token     string `yaml:"token"`
	Path      string `yaml:"path"`
	Namespace string `yaml:"namespace"`

	// AWS Secrets Manager: region (default from the AWS configuration), and where the
	// agent's secrets live: SecretArn names one secret holding a JSON object with one key
	// per swiftclaw secret (the product page's form), NamePrefix one secret per swiftclaw
	// secret named PREFIX+NAME (default "AGENT/" when neither is set). Endpoint overrides
	// AWS_ENDPOINT_URL. Credentials come from the AWS default chain unless the optional
	// static key fields are set.
	Region          string `yaml:"region"`
	SecretArn       string `yaml:"secretArn"`
	NamePrefix      string `yaml:"namePrefix"`
	Endpoint        string `yaml:"endpoint"`
	Profile         string `yaml:"profile"`
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
	SessionToken    string `yaml:"sessionToken"`

	// Azure Key Vault: the vault's URL and, optionally, a service principal; without one
	// Azure's environment credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID,
	// AZURE_CLIENT_SECRET, ...) are used.
	VaultURL     string `yaml:"vaultUrl"`
	TenantID     string `yaml:"tenantId"`
	ClientID     string `yaml:"clientId"`
	ClientSecret string `yaml:"clientSecret"`

	// Source says where the block was read from ("agents/my-agent/agent.yaml:3"), for
	// messages.
	Source string `yaml:"-"`
}

// fieldsFor lists the fields each provider reads; others are refused as typos.
var fieldsFor = map[string][]string{
	Git:   {},
	Vault: {"address", "token", "path", "namespace"},
	AWS:   {"region", "secretArn", "namePrefix", "endpoint", "profile", "accessKeyId", "secretAccessKey", "sessionToken"},
	Azure: {"vaultUrl", "tenantId", "clientId", "clientSecret"},
}

// credentialFields hold secrets: a literal value there is accepted but reported by
// LiteralCredentials.
var credentialFields = []string{"token", "secretAccessKey", "sessionToken", "clientSecret"}

// AgentSettings is what agent.yaml says about stores.
type AgentSettings struct {
	// Secrets is the secrets: block, nil when absent (git).
	Secrets *Config
	// Targets are deploy.targets entries by provider kind: where `deploy --target vault`
	// and the others push the agent's git-stored secrets.
	Targets map[string]*Config
}

// Store returns the kind of store the agent's secrets commands use.
func (a *AgentSettings) Store() string {
	if a == nil || a.Secrets == nil {
		return Git
	}
	return a.Secrets.Provider
}

// Target returns the settings for deploying to kind: deploy.targets.KIND, else the
// secrets: block when it names kind, else an empty Config (ecosystem defaults).
func (a *AgentSettings) Target(kind string) *Config {
	if a != nil {
		if c, ok := a.Targets[kind]; ok {
			return c
		}
		if a.Secrets != nil && a.Secrets.Provider == kind {
			return a.Secrets
		}
	}
	return &Config{Provider: kind}
}

// ParseAgentFile reads the secrets: block and deploy.targets of an agent.yaml (YAML, or
// the product page's JSON form). name is the file's path for messages. Other sections are
// ignored; unknown fields inside a store block are errors naming the line.
func ParseAgentFile(data []byte, name string) (*AgentSettings, error) {
	out := &AgentSettings{Targets: map[string]*Config{}}
	root, err := parseRoot(data, name)
	if err != nil || root == nil {
		return out, err
	}
	if n := child(root, "secrets"); n != nil {
		c, err := parseBlock(n, name, "")
		if err != nil {
			return nil, err
		}
		out.Secrets = c
	}
	if targets := child(child(root, "deploy"), "targets"); targets != nil {
		if targets.Kind != yaml.MappingNode {
			return nil, errs.New(errs.Input, "%s:%d: deploy.targets must be a mapping of provider to settings", name, targets.Line)
		}
		for i := 0; i+1 < len(targets.Content); i += 2 {
			kind := targets.Content[i].Value
			c, err := parseBlock(targets.Content[i+1], name, kind)
			if err != nil {
				return nil, err
			}
			if kind == Git {
				return nil, errs.New(errs.Input, "%s:%d: deploy.targets.git: git is where deploys push from, not a target", name, targets.Content[i].Line)
			}
			out.Targets[kind] = c
		}
	}
	return out, nil
}

// parseRoot returns the top mapping of an agent.yaml, nil for an empty file.
func parseRoot(data []byte, name string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(errs.Input, err, "malformed %s", name)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	if root := doc.Content[0]; root.Kind == yaml.MappingNode {
		return root, nil
	}
	return nil, errs.New(errs.Input, "malformed %s: not a mapping", name)
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// parseBlock decodes one store block; kind, when set, is implied by its position.
func parseBlock(n *yaml.Node, file, kind string) (*Config, error) {
	where := fmt.Sprintf("%s:%d", file, n.Line)
	if n.Kind != yaml.MappingNode {
		return nil, errs.New(errs.Input, "%s: the store settings must be a mapping", where).
			WithHint("write e.g. secrets: {provider: vault, address: https://vault.example.com, path: secret/data/my-agent}")
	}
	provider := kind
	if p := child(n, "provider"); p != nil && p.Kind == yaml.ScalarNode {
		if kind != "" && p.Value != kind {
			return nil, errs.New(errs.Input, "%s: deploy.targets.%s says provider %s", where, kind, p.Value)
		}
		provider = p.Value
	}
	if provider == "" {
		provider = Git
	}
	allowed, ok := fieldsFor[provider]
	if !ok {
		return nil, errs.New(errs.Input, "%s: unknown provider %q", where, provider).
			WithHint("use one of: %s", strings.Join(Kinds(), ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "provider" && !slices.Contains(allowed, k.Value) {
			return nil, errs.New(errs.Input, "%s:%d: unknown field %q for provider %s", file, k.Line, k.Value, provider).
				WithHint("%s reads: %s", provider, strings.Join(allowed, ", "))
		}
		if v.Kind != yaml.ScalarNode {
			return nil, errs.New(errs.Input, "%s:%d: %s must be a string", file, v.Line, k.Value)
		}
	}
	var c Config
	if err := n.Decode(&c); err != nil {
		return nil, errs.Wrap(errs.Input, err, "%s", where)
	}
	c.Provider, c.Source = provider, where
	if c.Provider == AWS && c.SecretArn != "" && c.NamePrefix != "" {
		return nil, errs.New(errs.Input, "%s: set secretArn or namePrefix, not both", where).
			WithHint("secretArn keeps every secret as a key of one JSON secret; namePrefix keeps one AWS secret per swiftclaw secret")
	}
	return &c, nil
}

// Lookup resolves the secret:NAME and env:VAR forms of a field.
type Lookup struct {
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// Secret reads a swiftclaw secret of the same agent; nil refuses secret:NAME.
	Secret func(ctx context.Context, name string) ([]byte, error)
}

func (l Lookup) getenv(k string) string {
	if l.Getenv == nil {
		return os.Getenv(k)
	}
	return l.Getenv(k)
}

// Resolve returns a copy of c with every secret:NAME and env:VAR field replaced by its
// value. Values are never put in errors.
func (c *Config) Resolve(ctx context.Context, l Lookup) (*Config, error) {
	out := *c
	v := reflect.ValueOf(&out).Elem()
	t := v.Type()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("yaml")
		if tag == "" || tag == "-" || tag == "provider" {
			continue
		}
		f := v.Field(i)
		raw := f.String()
		switch {
		case strings.HasPrefix(raw, "env:"):
			name := strings.TrimPrefix(raw, "env:")
			val := l.getenv(name)
			if val == "" {
				return nil, errs.New(errs.Input, "%s: %s is %s, which is not set", c.Source, tag, raw).
					WithHint("export %s, or change %s in agent.yaml", name, tag)
			}
			f.SetString(val)
		case strings.HasPrefix(raw, "secret:"):
			name := strings.TrimPrefix(raw, "secret:")
			if l.Secret == nil {
				return nil, errs.New(errs.Input, "%s: %s refers to %s, but no swiftclaw store is open to read it", c.Source, tag, raw)
			}
			val, err := l.Secret(ctx, name)
			if err != nil {
				return nil, errs.Wrap(errs.KindOf(err), err, "%s: reading %s for %s", c.Source, raw, tag).
					WithHint("%s", errs.HintOf(err))
			}
			f.SetString(strings.TrimSpace(string(val)))
		}
	}
	return &out, nil
}

// Finding is a credential written literally in agent.yaml.
type Finding struct {
	// File and Line locate it; Field is its name (token, clientSecret, ...).
	File  string `json:"file"`
	Line  int    `json:"line"`
	Field string `json:"field"`
	// Provider is the store the block configures.
	Provider string `json:"provider"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s of %s is a literal credential; write secret:NAME or env:VAR instead", f.File, f.Line, f.Field, f.Provider)
}

// LiteralCredentials finds credential fields (token, clientSecret, secretAccessKey,
// sessionToken) written as literals instead of secret:NAME or env:VAR in an agent.yaml.
// Policy checks and the scanner call it; the value itself is never reported.
func LiteralCredentials(data []byte, name string) ([]Finding, error) {
	root, err := parseRoot(data, name)
	if err != nil || root == nil {
		return nil, err
	}
	blocks := map[*yaml.Node]string{} // block -> provider kind
	if n := child(root, "secrets"); n != nil {
		blocks[n] = Git
		if p := child(n, "provider"); p != nil {
			blocks[n] = p.Value
		}
	}
	if targets := child(child(root, "deploy"), "targets"); targets != nil && targets.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(targets.Content); i += 2 {
			blocks[targets.Content[i+1]] = targets.Content[i].Value
		}
	}
	var out []Finding
	for b, provider := range blocks {
		if b.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(b.Content); i += 2 {
			k, v := b.Content[i], b.Content[i+1]
			if !slices.Contains(credentialFields, k.Value) || v.Kind != yaml.ScalarNode || v.Value == "" {
				continue
			}
			if strings.HasPrefix(v.Value, "secret:") || strings.HasPrefix(v.Value, "env:") {
				continue
			}
			out = append(out, Finding{File: name, Line: v.Line, Field: k.Value, Provider: provider})
		}
	}
	slices.SortFunc(out, func(a, b Finding) int { return a.Line - b.Line })
	slices.SortFunc(out, func(a, b Finding) int { return a.Line - b.Line })
	return out, nil
}

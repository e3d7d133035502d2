package providers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
)

// The product page's three blocks, in its JSON form (agent.yaml may be JSON).
var pageJSON = map[string]string{
	providers.AWS: `{
	"secrets": {
		"provider": "aws-secrets-manager",
		"region": "us-east-1",
		"secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-secret"
	}
}`,
	providers.Vault: `{
  "secrets": {
    "provider": "vault",
    "address": "https://vault.example.com",
    "token": "s.abc123...",
    "path": "secret/data/my-agent"
  }
}`,
	providers.Azure: `{
  "secrets": {
    "provider": "azure-keyvault",
    "vaultUrl": "https://my-vault.vault.azure.net",
    "tenantId": "tenant-id",
    "clientId": "client-id",
    "clientSecret": "client-secret"
  }
}`,
}

func TestParsePageJSON(t *testing.T) {
	want := map[string]providers.Config{
		providers.AWS:   {Provider: providers.AWS, Region: "us-east-1", SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:my-secret"},
		providers.Vault: {Provider: providers.Vault, Address: "https://vault.example.com", Token: "s.abc123...", Path: "secret/data/my-agent"},
		providers.Azure: {Provider: providers.Azure, VaultURL: "https://my-vault.vault.azure.net", TenantID: "tenant-id", ClientID: "client-id", ClientSecret: "client-secret"},
	}
	for kind, doc := range pageJSON {
		a, err := providers.ParseAgentFile([]byte(doc), "agent.yaml")
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		got := *a.Secrets
		got.Source = ""
		if diff := cmp.Diff(want[kind], got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", kind, diff)
		}
		if a.Store() != kind {
			t.Errorf("store %q, want %q", a.Store(), kind)
		}
	}
}

func TestParseYAMLAndTargets(t *testing.T) {
	doc := `# agent settings
run:
  secrets:
    OPENAI_API_KEY: secret:api-key
secrets:
  provider: vault
  address: https://vault.example.com
  token: env:VAULT_TOKEN
  path: secret/data/my-agent
deploy:
  targets:
    aws-secrets-manager:
      region: eu-west-1
      namePrefix: prod/my-agent/
`
	a, err := providers.ParseAgentFile([]byte(doc), "agent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a.Store() != providers.Vault || a.Secrets.Source != "agent.yaml:6" {
		t.Errorf("secrets block %+v", a.Secrets)
	}
	if got := a.Target(providers.AWS); got.NamePrefix != "prod/my-agent/" || got.Provider != providers.AWS {
		t.Errorf("aws target %+v", got)
	}
	if got := a.Target(providers.Vault); got != a.Secrets {
		t.Errorf("vault target %+v, want the secrets block", got)
	}
	if got := a.Target(providers.Azure); got.Provider != providers.Azure || got.VaultURL != "" {
		t.Errorf("azure target %+v, want an empty config", got)
	}
	empty, err := providers.ParseAgentFile(nil, "agent.yaml")
	if err != nil || empty.Store() != providers.Git {
		t.Errorf("empty file: %v %q", err, empty.Store())
	}
}

func TestParseErrors(t *testing.T) {
	for doc, want := range map[string]string{
		"secrets:\n  provider: vault\n  adress: x\n":                                   `agent.yaml:3: unknown field "adress" for provider vault`,
		"secrets:\n  provider: gcp\n":                                                  `unknown provider "gcp"`,
		"secrets: [a]\n":                                                               "must be a mapping",
		"secrets:\n  provider: vault\n  token: {a: b}\n":                               "token must be a string",
		"secrets:\n  provider: aws-secrets-manager\n  secretArn: a\n  namePrefix: b\n": "not both",
		"deploy:\n  targets:\n    vault: {provider: azure-keyvault}\n":                 "says provider azure-keyvault",
	} {
		_, err := providers.ParseAgentFile([]byte(doc), "agent.yaml")
		if errs.KindOf(err) != errs.Input || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want input error containing %q", doc, err, want)
		}
	}
}

func TestResolve(t *testing.T) {
	c := &providers.Config{Provider: providers.Azure, VaultURL: "https://v.vault.azure.net", TenantID: "env:TENANT", ClientID: "client", ClientSecret: "secret:azure-sp", Source: "agent.yaml:2"}
	env := map[string]string{"TENANT": "t-1"}
	l := providers.Lookup{
		Getenv: func(k string) string { return env[k] },
		Secret: func(_ context.Context, name string) ([]byte, error) {
			if name != "azure-sp" {
				return nil, errs.New(errs.NotFound, "secret %q not found", name)
			}
			return []byte("s3cr3t\n"), nil
		},
	}
	got, err := c.Resolve(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if got.TenantID != "t-1" || got.ClientSecret != "s3cr3t" || got.ClientID != "client" || c.ClientSecret != "secret:azure-sp" {
		t.Errorf("resolved %+v (original %+v)", got, c)
	}
	c.TenantID = "env:UNSET"
	if _, err := c.Resolve(context.Background(), l); errs.KindOf(err) != errs.Input || !strings.Contains(err.Error(), "UNSET") {
		t.Errorf("unset env: %v", err)
	}
	c.TenantID, c.ClientSecret = "t", "secret:nope"
	_, err = c.Resolve(context.Background(), l)
	if errs.KindOf(err) != errs.NotFound || !strings.Contains(err.Error(), "secret:nope") {
		t.Errorf("missing secret: %v", err)
	}
}

func TestLiteralCredentials(t *testing.T) {
	doc := `secrets:
  provider: vault
  token: s.abc123
  address: https://vault.example.com
deploy:
  targets:
    azure-keyvault:
      clientSecret: env:AZ_SECRET
    aws-secrets-manager:
      secretAccessKey: wJalrXUtnFEMI
`
	got, err := providers.LiteralCredentials([]byte(doc), "agent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []providers.Finding{
		{File: "agent.yaml", Line: 3, Field: "token", Provider: providers.Vault},
		{File: "agent.yaml", Line: 10, Field: "secretAccessKey", Provider: providers.AWS},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, f := range got {
		if strings.Contains(f.String(), "s.abc123") || strings.Contains(f.String(), "wJalr") {
			t.Errorf("finding %q shows the value", f)
		}
	}
	none, err := providers.LiteralCredentials([]byte(pageJSON[providers.AWS]), "agent.yaml")
	if err != nil || len(none) != 0 {
		t.Errorf("aws page example: %v %v", none, err)
	}
}

package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestPrincipalsMatchGlobsAndEnv(t *testing.T) {
	p, err := Parse([]byte(`
grants:
  - user: bob@example.com
    agent: my-agent
    secret: "db-*"
    permissions: [read]
  - service: ci
    agent: my-agent
    secret: "*"
    permissions: [read, write]
  - user: carol@example.com
    agent: other
    secret: "*"
    permissions: [read]
`), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"service:ci", "user:bob@example.com"}, p.Principals(Read, "my-agent", "db-url")); diff != "" {
		t.Errorf("db-url readers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"service:ci"}, p.Principals(Read, "my-agent", "api-key")); diff != "" {
		t.Errorf("api-key readers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"service:ci"}, p.Principals(Read, "my-agent", "")); diff != "" {
		t.Errorf("env readers (-want +got):\n%s", diff)
	}
	if got := p.Principals(Write, "my-agent", "db-url"); !cmp.Equal(got, []string{"service:ci"}) {
		t.Errorf("writers = %v", got)
	}
}

func TestParseRejectsBadGrants(t *testing.T) {
	for name, src := range map[string]string{
		"both principals": "grants:\n  - {user: a, service: b, agent: x, secret: y, permissions: [read]}\n",
		"bad permission":  "grants:\n  - {user: a, agent: x, secret: y, permissions: [admin]}\n",
		"unknown field":   "grantz: []\n",
		"bad glob":        "grants:\n  - {user: a, agent: x, secret: \"[\", permissions: [read]}\n",
	} {
		if _, err := Parse([]byte(src), "policy.yaml"); errs.KindOf(err) != errs.Input {
			t.Errorf("%s: err = %v, want input error", name, err)
		}
	}
}

package policy

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Permission names.
const (
	Read  = "read"
	Write = "write"
)

// Policy is the content of policy.yaml.
type Policy struct {
	// RequireSignedCommits makes `policy verify` demand a valid signature by a writer.
	RequireSignedCommits bool `yaml:"require_signed_commits,omitempty"`
	// RotationDeadline is how long a secret may stay "rotation required" before
	// `policy check` fails, e.g. 7d.
	RotationDeadline string  `yaml:"rotation_deadline,omitempty"`
	Grants           []Grant `yaml:"grants"`
}

// Grant gives one principal permissions on the secrets of one agent matching a glob.
// A grant whose Secret is "*" also covers the agent's environment variables.
type Grant struct {
	User        string   `yaml:"user,omitempty" json:"user,omitempty"`
	Service     string   `yaml:"service,omitempty" json:"service,omitempty"`
	Agent       string   `yaml:"agent" json:"agent"`
	Secret      string   `yaml:"secret" json:"secret"`
	Permissions []string `yaml:"permissions,flow" json:"permissions"`
}

// Principal returns the grant's principal reference: "user:EMAIL" or "service:NAME".
func (g Grant) Principal() string {
	if g.User != "" {
		return "user:" + g.User
	}
	return "service:" + g.Service
}

// Matches reports whether the grant covers secret name of agent. name "" means the
// agent's environment variables, covered only by a "*" grant.
func (g Grant) Matches(agent, name string) bool {
	if g.Agent != agent && g.Agent != "*" {
		return false
	}
	if name == "" {
		return g.Secret == "*"
	}
	ok, err := path.Match(g.Secret, name)
	return err == nil && ok
}

// Has reports whether the grant includes permission p.
func (g Grant) Has(p string) bool { return slices.Contains(g.Permissions, p) }

// Principals returns the sorted, de-duplicated principals granted permission p on
// agent/name (name "" for environment variables).
func (p *Policy) Principals(perm, agent, name string) []string {
	var out []string
	for _, g := range p.Grants {
		if g.Has(perm) && g.Matches(agent, name) {
			out = append(out, g.Principal())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Parse reads policy.yaml strictly; errors name the file and line.
func Parse(data []byte, name string) (*Policy, error) {
	p := &Policy{}
	if len(bytes.TrimSpace(data)) == 0 {
		return p, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, errs.Wrap(errs.Input, err, "malformed %s", name).WithHint("fix the file or restore it with `git checkout -- %s`", name)
	}
	for i, g := range p.Grants {
		if err := g.validate(); err != nil {
			return nil, errs.Wrap(errs.Input, err, "malformed %s: grant %d", name, i+1)
		}
	}
	return p, nil
}

func (g Grant) validate() error {
	if (g.User == "") == (g.Service == "") {
		return fmt.Errorf("needs exactly one of user or service")
	}
	if g.Agent == "" || g.Secret == "" {
		return fmt.Errorf("needs agent and secret")
	}
	if _, err := path.Match(g.Secret, ""); err != nil {
		return fmt.Errorf("secret pattern %q is not a valid glob", g.Secret)
	}
	if len(g.Permissions) == 0 {
		return fmt.Errorf("needs permissions (read, write)")
	}
	for _, perm := range g.Permissions {
		if perm != Read && perm != Write {
			return fmt.Errorf("unknown permission %q (use read or write)", perm)
		}
	}
	return nil
}

// ParsePermissions parses "read", "write" or "read,write".
func ParsePermissions(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p != Read && p != Write {
			return nil, errs.New(errs.Input, "unknown permission %q", p).WithHint("use read, write or read,write")
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

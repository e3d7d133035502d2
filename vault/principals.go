package vault

import (
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// RoleOwner marks a principal who may read and write every secret and change the policy.
const RoleOwner = "owner"

// PrincipalEntry is one user or service in recipients.yaml.
type PrincipalEntry struct {
	Role string   `yaml:"role,omitempty"`
	Keys []string `yaml:"keys"`
	// SigningKeys are public keys (SSH or OpenPGP) that verify this principal's commits.
	SigningKeys []string `yaml:"signing_keys,omitempty"`
}

// Recipients is the content of recipients.yaml.
type Recipients struct {
	Users    map[string]*PrincipalEntry `yaml:"users,omitempty"`
	Services map[string]*PrincipalEntry `yaml:"services,omitempty"`

	doc *yaml.Node
}

// Principal is a flattened view of one entry.
type Principal struct {
	Kind string // "user" or "service"
	ID   string // email or service name
	PrincipalEntry
}

// Ref is the principal's reference as policy.yaml uses it: "user:EMAIL" or "service:NAME".
func (p Principal) Ref() string { return p.Kind + ":" + p.ID }

// IsOwner reports whether the principal has the owner role.
func (p Principal) IsOwner() bool { return p.Role == RoleOwner }

// List returns every principal, users first, each group sorted by ID.
func (r *Recipients) List() []Principal {
	var out []Principal
	add := func(kind string, m map[string]*PrincipalEntry) {
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			out = append(out, Principal{Kind: kind, ID: id, PrincipalEntry: *m[id]})
		}
	}
	add("user", r.Users)
	add("service", r.Services)
	return out
}

// Lookup finds a principal by reference ("user:x" / "service:y").
func (r *Recipients) Lookup(ref string) (Principal, bool) {
	kind, id, _ := strings.Cut(ref, ":")
	var m map[string]*PrincipalEntry
	switch kind {
	case "user":
		m = r.Users
	case "service":
		m = r.Services
	}
	if e, ok := m[id]; ok {
		return Principal{Kind: kind, ID: id, PrincipalEntry: *e}, true
	}
	return Principal{}, false
}

// ByKey returns the principal holding the public key k.
func (r *Recipients) ByKey(k string) (Principal, bool) {
	for _, p := range r.List() {
		if slices.Contains(p.Keys, k) {
			return p, true
		}
	}
	return Principal{}, false
}

// Owners returns the owner principals.
func (r *Recipients) Owners() []Principal {
	var out []Principal
	for _, p := range r.List() {
		if p.IsOwner() {
			out = append(out, p)
		}
	}
	return out
}

// Describe renders keys for messages as "alice@example.com (age1abc…xyz)".
func (r *Recipients) Describe(keys []string) string {
	if len(keys) == 0 {
		return "no recipients"
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		if p, ok := r.ByKey(k); ok {
			parts[i] = p.ID + " (" + shortKey(k) + ")"
		} else {
			parts[i] = "unknown key " + shortKey(k)
		}
	}
	return strings.Join(parts, ", ")
}

func (r *Recipients) entries(kind string) map[string]*PrincipalEntry {
	if kind == "user" {
		if r.Users == nil {
			r.Users = map[string]*PrincipalEntry{}
		}
		return r.Users
	}
	if r.Services == nil {
		r.Services = map[string]*PrincipalEntry{}
	}
	return r.Services
}

// ParseRecipients parses recipients.yaml, validating every key.
func ParseRecipients(data []byte, name string) (*Recipients, error) {
	r := &Recipients{}
	if len(strings.TrimSpace(string(data))) == 0 {
		return r, nil
	}
	doc, err := parseYAML(data, r, true)
	if err != nil {
		return nil, malformed(name, err)
	}
	r.doc = doc
	for _, p := range r.List() {
		if p.Role != "" && p.Role != RoleOwner {
			return nil, errs.New(errs.Input, "malformed %s: %s has unknown role %q", name, p.ID, p.Role).WithHint("the only role is owner; leave it out for other principals")
		}
		for _, k := range p.Keys {
			if _, _, err := ParseRecipient(k); err != nil {
				return nil, errs.Wrap(errs.Input, err, "malformed %s: a key of %s", name, p.ID)
			}
		}
	}
	return r, nil
}

// ValidatePrincipalID checks a user email or service name.
func ValidatePrincipalID(kind, id string) error {
	switch kind {
	case "user":
		if !strings.Contains(id, "@") || strings.ContainsAny(id, " \t\n:") || len(id) > 254 {
			return errs.New(errs.Input, "invalid user %q: users are named by email address", id)
		}
	case "service":
		return ValidateName("service", id)
	default:
		return errs.New(errs.Input, "unknown principal kind %q", kind).WithHint("use user or service")
	}
	return nil
}

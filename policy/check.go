package policy

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Principal is one entry of recipients.yaml as the checks see it.
type Principal struct {
	// Ref is "user:EMAIL" or "service:NAME".
	Ref   string `yaml:"ref" json:"ref"`
	Owner bool   `yaml:"owner,omitempty" json:"owner,omitempty"`
	// Keys are the principal's recipient (encryption) public keys.
	Keys []string `yaml:"keys" json:"keys"`
	// SigningKeys are the SSH and OpenPGP public keys that verify its commits.
	SigningKeys []string `yaml:"signing_keys,omitempty" json:"signing_keys,omitempty"`
}

// File is one secret or env file's readable metadata, as the checks see it. Nothing is
// decrypted to build it.
type File struct {
	// Path is relative to the working tree root.
	Path  string `yaml:"path"`
	Agent string `yaml:"agent"`
	// Name is the secret's name, or "" for the agent's env file.
	Name       string   `yaml:"name,omitempty"`
	Recipients []string `yaml:"recipients"`
	// Values describes each value: the secret's one value, or each env variable.
	Values []Value `yaml:"values"`
	// RotationRequired is when the file was marked rotation required, if it is.
	RotationRequired *time.Time `yaml:"rotation_required,omitempty"`
	// Malformed, when set, says why the file could not be read at all.
	Malformed string `yaml:"malformed,omitempty"`
}

// Value is one value of a File.
type Value struct {
	// Key is the env variable, or "value" for a secret.
	Key string `yaml:"key"`
	// Plaintext is true when the value is not age-encrypted at all.
	Plaintext bool `yaml:"plaintext,omitempty"`
	// Stanzas is the number of recipient stanzas in the value's age header, or -1 when it
	// cannot be compared with the recipients list (age plugins may write several).
	Stanzas int `yaml:"stanzas"`
}

// State is the repository as `policy check` compares it with the policy.
type State struct {
	Principals []Principal `yaml:"principals"`
	Files      []File      `yaml:"files"`
}

// CheckOptions are the parts of a check that come from outside the policy file.
type CheckOptions struct {
	// Now is the time rotation deadlines are measured against.
	Now time.Time
	// RotationDeadline is how long a secret may stay rotation required.
	RotationDeadline time.Duration
}

// Finding is one disagreement between the repository and the policy.
type Finding struct {
	// Rule names the check, e.g. "unknown-recipient" (see Rules).
	Rule string `json:"rule"`
	// Path is the file concerned, "" for policy-wide findings.
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// Rule is one check `policy check` runs.
type Rule struct {
	Name string
	// Doc says what the rule catches.
	Doc string
	// Fix is the next step the report suggests when the rule fires.
	Fix string
}

const (
	fixResync  = "re-encrypt every file to exactly the keys the policy allows: `swiftclaw policy check --fix` (needs an owner's identity; files that lose a key are marked rotation required)"
	fixRestore = "restore hand-edited files from git (`git checkout -- PATH`) or set the value again"
)

// Rules lists every check `policy check` runs.
var Rules = []Rule{
	{"malformed-file", "a secret or env file that cannot be parsed", fixRestore},
	{"plaintext-value", "a value (secret or env variable) that is not age-encrypted", "encrypt it with `swiftclaw secrets set` or `swiftclaw env set`, and treat the value as leaked if it was ever committed"},
	{"unknown-recipient", "a file encrypted to a key that is not in recipients.yaml", fixResync},
	{"unauthorized-recipient", "a file encrypted to a principal that is neither an owner nor granted read", fixResync},
	{"missing-recipient", "an owner or a principal granted read whose key the file is not encrypted to", fixResync},
	{"recipients-mismatch", "a recipients list that differs from the encrypted value's header (edited by hand)", fixRestore},
	{"rotation-overdue", "a secret marked rotation required for longer than rotation_deadline", "set a new value: `swiftclaw secrets set AGENT NAME` (or `swiftclaw env set AGENT KEY`)"},
	{"unknown-principal", "a grant to a principal that is not in recipients.yaml", "add it with `swiftclaw keys add`, or revoke the grant with `swiftclaw secrets revoke`"},
	{"no-owner", "recipients.yaml has no owner, so nobody may change the policy", "add an owner: `swiftclaw keys add user EMAIL KEY --owner`"},
}

// Check compares the repository state with the policy and returns every finding, sorted
// by path, then rule.
func Check(p *Policy, st State, opts CheckOptions) []Finding {
	var out []Finding
	add := func(rule, path, format string, args ...any) {
		out = append(out, Finding{Rule: rule, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	byKey := map[string]Principal{}
	byRef := map[string]Principal{}
	owners := 0
	for _, pr := range st.Principals {
		byRef[pr.Ref] = pr
		for _, k := range pr.Keys {
			byKey[k] = pr
		}
		if pr.Owner {
			owners++
		}
	}
	if owners == 0 {
		add("no-owner", "", "recipients.yaml has no owner, so nobody may change the policy or read every secret")
	}
	var refs []string
	for _, g := range p.Grants {
		if _, ok := byRef[g.Principal()]; !ok && !slices.Contains(refs, g.Principal()) {
			refs = append(refs, g.Principal())
			add("unknown-principal", "", "policy.yaml grants %s access, but it is not in recipients.yaml", g.Principal())
		}
	}
	for _, f := range st.Files {
		if f.Malformed != "" {
			add("malformed-file", f.Path, "%s", f.Malformed)
			continue
		}
		readers := map[string]bool{}
		for _, pr := range st.Principals {
			if pr.Owner || slices.Contains(p.Principals(Read, f.Agent, f.Name), pr.Ref) {
				readers[pr.Ref] = true
			}
		}
		for _, k := range f.Recipients {
			pr, known := byKey[k]
			switch {
			case !known:
				add("unknown-recipient", f.Path, "encrypted to %s, which is not in recipients.yaml", k)
			case !readers[pr.Ref]:
				add("unauthorized-recipient", f.Path, "encrypted to %s (%s), but no grant lets %s read it", pr.Ref, k, pr.Ref)
			}
		}
		for _, pr := range st.Principals {
			if !readers[pr.Ref] {
				continue
			}
			for _, k := range pr.Keys {
				if !slices.Contains(f.Recipients, k) {
					add("missing-recipient", f.Path, "%s may read it, but it is not encrypted to their key %s", pr.Ref, k)
				}
			}
		}
		for _, v := range f.Values {
			what := v.Key
			if f.Name != "" {
				what = "the value"
			}
			switch {
			case v.Plaintext:
				add("plaintext-value", f.Path, "%s is not encrypted: it is stored in plain text", what)
			case v.Stanzas >= 0 && v.Stanzas != len(f.Recipients):
				add("recipients-mismatch", f.Path, "%s is encrypted to %s but the recipients list names %d: the list was edited without re-encrypting", what, keys(v.Stanzas), len(f.Recipients))
			}
		}
		if m := f.RotationRequired; m != nil && opts.Now.Sub(*m) > opts.RotationDeadline {
			add("rotation-overdue", f.Path, "rotation required since %s, longer than the rotation deadline (%s)", m.UTC().Format(time.RFC3339), fmtDeadline(opts.RotationDeadline))
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return out
}

func keys(n int) string {
	if n == 1 {
		return "1 key"
	}
	return fmt.Sprintf("%d keys", n)
}

func fmtDeadline(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// WriteReport writes findings as text, grouped by file: the report `policy check` prints.
func WriteReport(w io.Writer, findings []Finding, files int) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintf(w, "policy check: ok (%d files agree with policy.yaml and recipients.yaml)\n", files)
		return err
	}
	plural := "s"
	if len(findings) == 1 {
		plural = ""
	}
	if _, err := fmt.Fprintf(w, "policy check: %d problem%s\n", len(findings), plural); err != nil {
		return err
	}
	last := "\x00"
	for _, f := range findings {
		if f.Path != last {
			name := f.Path
			if name == "" {
				name = "policy"
			}
			fmt.Fprintf(w, "%s\n", name)
			last = f.Path
		}
		if _, err := fmt.Fprintf(w, "  %s: %s\n", f.Rule, f.Message); err != nil {
			return err
		}
	}
	var fixes []string
	for _, r := range Rules {
		if slices.ContainsFunc(findings, func(f Finding) bool { return f.Rule == r.Name }) && !slices.Contains(fixes, r.Fix) {
			fixes = append(fixes, r.Fix)
		}
	}
	fmt.Fprintln(w, "to fix:")
	for _, fix := range fixes {
		if _, err := fmt.Fprintf(w, "  - %s\n", fix); err != nil {
			return err
		}
	}
	return nil
}

package deploy

import (
	"bytes"
	"sort"

	"github.com/swiftclaw/swiftclaw/dotenv"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Var is one decrypted variable to deploy.
type Var struct {
	Name   string // environment variable name, e.g. OPENAI_API_KEY
	Value  []byte
	Source string // where the value came from, for messages: "secret:api-key", "env:DEBUG"
}

// label names a variable and its source for error messages.
func (v Var) label() string {
	if v.Source == "" {
		return v.Name
	}
	return v.Name + " (from " + v.Source + ")"
}

// checkNames refuses invalid or repeated names; every target needs unique, portable names.
func checkNames(vars []Var) error {
	seen := map[string]bool{}
	for _, v := range vars {
		if !dotenv.ValidKey(v.Name) {
			return errs.New(errs.Input, "%q is not a valid environment variable name", v.Name).
				WithHint("use letters, digits and '_', not starting with a digit")
		}
		if seen[v.Name] {
			return errs.New(errs.Input, "%s is set twice", v.Name)
		}
		seen[v.Name] = true
	}
	return nil
}

// checkEnvValue refuses a NUL byte, which no environment variable can carry.
func checkEnvValue(v Var) error {
	if bytes.IndexByte(v.Value, 0) >= 0 {
		return errs.New(errs.Input, "value of %s contains a NUL byte, which no environment variable can hold", v.label())
	}
	return nil
}

// sorted returns vars ordered by name so every output is deterministic.
func sorted(vars []Var) []Var {
	out := append([]Var(nil), vars...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

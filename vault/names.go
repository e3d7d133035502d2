package vault

import (
	"regexp"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

const nameHint = "names use letters, digits, '.', '_' and '-', start with a letter or digit, and are at most 128 characters"

// MaxNameLen is the longest agent or secret name accepted.
const MaxNameLen = 128

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	envKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// ValidateName checks an agent or secret name. Names become path components, so anything
// that could escape the directory (separators, "..", a leading dot) is refused.
func ValidateName(kind, name string) error {
	switch {
	case name == "":
		return errs.New(errs.Input, "invalid %s name: it is empty", kind).WithHint("%s", nameHint)
	case len(name) > MaxNameLen:
		return errs.New(errs.Input, "invalid %s name %q: longer than %d characters", kind, truncate(name, 20), MaxNameLen).WithHint("%s", nameHint)
	case strings.ContainsAny(name, `/\`):
		return errs.New(errs.Input, "invalid %s name %q: it contains a path separator", kind, name).
			WithHint("%s", nameHint)
	case strings.Contains(name, ".."):
		return errs.New(errs.Input, "invalid %s name %q: it contains \"..\"", kind, name)
	case strings.HasPrefix(name, "."):
		return errs.New(errs.Input, "invalid %s name %q: it starts with a dot", kind, name).
			WithHint("%s", nameHint)
	case !nameRE.MatchString(name):
		return errs.New(errs.Input, "invalid %s name %q", kind, name).
			WithHint("%s", nameHint)
	}
	return nil
}

// ValidateEnvKey checks an environment variable name (POSIX portable: letters, digits,
// underscore, not starting with a digit).
func ValidateEnvKey(key string) error {
	if !envKeyRE.MatchString(key) || len(key) > 256 {
		return errs.New(errs.Input, "invalid environment variable name %q", truncate(key, 40)).
			WithHint("use letters, digits and '_', not starting with a digit, e.g. OPENAI_API_KEY")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

package audit

import (
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

// Redacted replaces every value [RedactArgs] removes.
const Redacted = "[REDACTED]"

// valueFlags take a secret value as their argument.
var valueFlags = map[string]bool{"--value": true, "--new-value": true}

// urlFlags take URLs whose path or query may hold a token (webhook URLs).
var urlFlags = map[string]bool{"--webhook": true, "--notify": true, "--url": true}

// RedactArgs returns a copy of a swiftclaw argv that is safe to record:
//   - the argument of --value and --new-value (both "--value X" and "--value=X") becomes
//     [REDACTED];
//   - a KEY=VALUE, positional (as in `env set my-agent OPENAI_API_KEY=sk-...`) or a flag's
//     argument, keeps only KEY=[REDACTED];
//   - URLs given to --webhook, --notify and --url keep only scheme and host;
//   - after "--" (the child command of `run`), only the program name is kept.
//
// It is idempotent, so a caller may redact before handing argv to a [Logger], which
// redacts again.
func RedactArgs(argv []string) []string {
	out := make([]string, len(argv))
	copy(out, argv)
	for i := 1; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "--":
			for j := i + 2; j < len(out); j++ {
				out[j] = Redacted
			}
			return out
		case strings.HasPrefix(a, "-"):
			name, val, hasEq := strings.Cut(a, "=")
			if hasEq {
				out[i] = name + "=" + redactFlagValue(name, val)
			} else if (valueFlags[a] || urlFlags[a]) && i+1 < len(out) {
				out[i+1] = redactFlagValue(a, out[i+1])
				i++
			}
		case strings.Contains(a, "="):
			key, _, _ := strings.Cut(a, "=")
			out[i] = key + "=" + Redacted
		}
	}
	return out
}

func redactFlagValue(flag, val string) string {
	if valueFlags[flag] {
		return Redacted
	}
	if i := strings.Index(val, "://"); urlFlags[flag] && i >= 0 {
		// Keep a "webhook:" style prefix in front of the scheme.
		prefix, u := "", val
		if j := strings.LastIndex(val[:i], ":"); j >= 0 {
			prefix, u = val[:j+1], val[j+1:]
		}
		return prefix + webhook.Redact(u)
	}
	if key, _, ok := strings.Cut(val, "="); ok {
		// --flag=KEY=VALUE, like a positional KEY=VALUE.
		return key + "=" + Redacted
	}
	return val
}

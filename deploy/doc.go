// Package deploy hands already-decrypted secrets to the place an agent runs: a .env file, GitHub Actions' $GITHUB_ENV, a Kubernetes Secret manifest, a
// `docker run --env-file` file or JSON. (The exec target runs a command through the runner
// package; deploy supplies its Redactor.)
//
// It never decrypts anything itself. The caller resolves Mappings (ENV=secret:NAME) through
// a Resolver (the vault), and Resolve checks every mapping before any value is read, so a
// deploy with one expired or unreadable secret among five fails listing every problem and
// writes nothing. Write then renders all variables for one target in memory and writes the
// file once, atomically, mode 0600 (internal/fsutil.WriteFile); DryRun reports names and
// destinations, never values.
//
// Redactor is the io.Writer wrapper behind `--redact`: it replaces every injected value, and
// every line of a multi-line value, with [REDACTED:NAME] as output streams through it, even
// when a value is split across writes.
//
// Values never appear in errors: messages name variables and their sources only.
package deploy

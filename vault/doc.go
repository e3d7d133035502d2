// Package vault is swiftclaw's library: the encrypted secret store over a git working tree.
//
// # Layout
//
// A project keeps its secrets under .swiftclaw/ at the root of its git working tree:
//
//	.swiftclaw/config.yaml                   project settings (autocommit, scan, audit)
//	.swiftclaw/recipients.yaml               principals (users, services) and their public keys
//	.swiftclaw/policy.yaml                   grants: who may read or write which secrets
//	.swiftclaw/agents/AGENT/agent.yaml       run/deploy mappings and agent settings
//	.swiftclaw/agents/AGENT/env.yaml         environment variables, each value encrypted
//	.swiftclaw/agents/AGENT/secrets/N.yaml   one file per secret
//
// # File format
//
// Secret and env files are YAML whose metadata (name, description, times, recipients)
// stays readable in git diff, while each value is an armored age payload. The payload is an
// envelope that binds the security-relevant metadata (agent, name, kind, expiry, recipients)
// to the value, so a hand edit of those fields without re-encrypting is detected on read
// (ErrTampered). Rewriting a file without changing a value keeps its ciphertext byte for
// byte, so git diff shows only what really changed.
//
// # Identities
//
// Identities are looked up in the order DESIGN.md fixes: an explicit file, SWIFTCLAW_AGE_KEY,
// SWIFTCLAW_AGE_KEY_FILE, ~/.config/swiftclaw/identity.txt, sops' age key file, then
// ~/.ssh/id_ed25519 and ~/.ssh/id_rsa. See LoadIdentities.
//
// # Versions, rotation and merges
//
// Git history is the version log: Versions walks the commits that changed a secret's
// file (with the git CLI, cached per secret under the git directory) and counts a new
// version only where the sealed value changed, following agent renames and merges.
// GetVersion and RollbackSecret read old values; a rollback re-encrypts to today's
// recipients. RotateSecret writes a new value (given, from a signed webhook, or from a
// generator, see package rotation), optionally keeping the previous one readable for a
// grace period (GetPrevious); RotateDue rotates every due automatic policy. MergeFiles is
// the three-way YAML merge behind `swiftclaw merge-driver`, which Init registers.
//
// # Writes
//
// Every write is atomic (temp file and rename, see internal/fsutil), serialized by a lock on
// .swiftclaw/.lock, and by default committed with the git CLI, committing only the files
// swiftclaw changed even when the user has other changes staged.
package vault

// Package scan finds secrets in a git repository with the gitleaks v8 detection engine,
// used as a library, plus two checks gitleaks cannot make on its own.
//
// # What is scanned
//
// A [Scanner] is built once per repository by [New]: gitleaks' default rules, or the
// repository's .gitleaks.toml (which replaces them unless it says
// `[extend] useDefault = true`, exactly as gitleaks treats it), the .gitleaksignore
// fingerprints and `gitleaks:allow` line comments. [Scanner.Scan] then runs one of three
// modes:
//
//   - [ModeWorkTree]: tracked and untracked, not ignored files (plain directory walk
//     outside git), read in parallel on all cores.
//   - [ModeStaged]: the added lines of the staged diff, which is what the pre-commit hook
//     runs. Renames are scanned as new files, deleted lines are never findings, binary files
//     are skipped as gitleaks skips them.
//   - [ModeHistory]: the added lines of every commit (all refs, or a revision range),
//     including what a merge commit itself introduced (its remerge diff).
//
// # swiftclaw's own files
//
// Secret files (.swiftclaw/agents/A/secrets/N.yaml), env files (.swiftclaw/agents/A/env.yaml)
// and fingerprint files (.swiftclaw/agents/A/fingerprints.yaml) are not excluded by path.
// Each value that must be age ciphertext is verified (armor decodes, age-encryption.org/v1
// header, recipient stanzas, MAC line, a payload); only verified ciphertext lines are hidden
// from the rules, everything else in those files is scanned like any file, and a value that
// is not ciphertext (a hand edit, a botched merge) is a finding of rule [UnencryptedRuleID].
//
// # Managed secrets
//
// Rules only find secrets that look like secrets. When the caller can decrypt, it passes the
// plaintexts as [Managed] values and the scanner finds those exact bytes anywhere; without an
// identity, [Fingerprints] (keyed HMACs stored beside the secrets) find them without any
// plaintext or plain hash being committed. Such findings have rule [ManagedRuleID] and name
// the managed secret in [Finding.Managed].
//
// # Output
//
// A [Result] holds [Finding] values whose secret is only ever exposed redacted (at most its
// first four characters). [WriteTable], [WriteJSON], [WriteSARIF] and [WriteBlocked] render
// it. The package never prints, prompts or exits; errors are *errs.Error values.
package scan

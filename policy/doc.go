// Package policy models .swiftclaw/policy.yaml: grants of read and write permission on
// secrets to principals (users by email, services by name). Reading is enforced
// cryptographically by the vault (a principal can read a secret exactly when it is
// encrypted to that principal's keys); this package answers who the grants say may, and
// checks that the repository agrees.
//
// # Editing
//
// AddGrant and RemoveGrant edit policy.yaml's YAML nodes, so comments and the other grants
// survive a `secrets grant` or `secrets revoke`.
//
// # Drift checks
//
// Check compares a State (recipients.yaml's principals and every file's readable metadata,
// built by the vault without decrypting) with the policy; each rule in Rules has failing
// and passing cases under testdata/{invalid,valid}, one file per case with its golden
// report.
//
// # Commit verification
//
// Verify judges every commit in a range that changed swiftclaw's files by the policy in
// force before it: who may change which file, and, with require_signed_commits, whether
// the commit carries a valid SSH or OpenPGP signature by one of the principal's
// signing_keys.
package policy

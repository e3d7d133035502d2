// Package policy models .swiftclaw/policy.yaml: grants of read and write permission on
// secrets to principals (users by email, services by name). Reading is enforced
// cryptographically by the vault (a principal can read a secret exactly when it is
// encrypted to that principal's keys); this package answers who the grants say may.
package policy

package vault

import (
	"slices"
	"strings"
	"time"
)

// RotationMark records that a secret's current value must be replaced because someone who
// could read it lost access: re-encrypting stops them reading new versions, but they may
// have kept the value, and git history still holds it encrypted to their key. Setting a
// new value clears the mark; `policy check` fails once a mark is older than the policy's
// rotation_deadline.
type RotationMark struct {
	// Since is when the secret was first marked.
	Since time.Time `yaml:"since" json:"since"`
	// Reason says why, e.g. "read access of user:bob@example.com revoked".
	Reason string `yaml:"reason" json:"reason"`
	// Keys lists the variables still to rotate (env files only; a secret has one value).
	Keys []string `yaml:"keys,omitempty" json:"keys,omitempty"`
}

// add returns m with reason and keys added; the earliest Since is kept so the rotation
// deadline runs from the first unresolved revocation.
func (m *RotationMark) add(now time.Time, reason string, keys []string) *RotationMark {
	if m == nil {
		return &RotationMark{Since: now, Reason: reason, Keys: slices.Clone(keys)}
	}
	out := *m
	if !slices.Contains(strings.Split(out.Reason, "; "), reason) {
		out.Reason += "; " + reason
	}
	out.Keys = append(slices.Clone(out.Keys), keys...)
	slices.Sort(out.Keys)
	out.Keys = slices.Compact(out.Keys)
	return &out
}

// rotated returns m without key (an env variable given a new value), or nil when
// nothing is left to rotate.
func (m *RotationMark) rotated(key string) *RotationMark {
	if m == nil {
		return nil
	}
	out := *m
	out.Keys = slices.DeleteFunc(slices.Clone(m.Keys), func(k string) bool { return k == key })
	if len(out.Keys) == 0 {
		return nil
	}
	return &out
}

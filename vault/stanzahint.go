package vault

import (
	"slices"

	"filippo.io/age"
)

// hinted returns ids with each identity whose public key is among recipients told which
// header stanza is its own. seal encrypts to the recipients in their sorted order and age
// writes one stanza per native recipient in that order, so for a file whose recipients list
// is sorted, identity k's stanza is at k's index. Trying that stanza first saves one X25519
// operation per other recipient on every decrypt (about a fifth of the work of bulk
// re-encryption with 20 recipients). Any miss falls back to trying every stanza, so a
// hand-edited list or a plugin that writes several stanzas only loses the shortcut.
func (ids *Identities) hinted(recipients []string) *Identities {
	if ids == nil || !slices.IsSorted(recipients) {
		return ids
	}
	out := &Identities{Tried: ids.Tried, List: slices.Clone(ids.List)}
	for i, id := range out.List {
		if n := slices.Index(recipients, id.Recipient); n >= 0 && id.Recipient != "" {
			out.List[i].Identity = stanzaHint{Identity: id.Identity, index: n}
		}
	}
	return out
}

// stanzaHint is an identity that tries the stanza at index before all of them.
type stanzaHint struct {
	age.Identity
	index int
}

// Unwrap implements age.Identity.
func (h stanzaHint) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if h.index < len(stanzas) {
		if key, err := h.Identity.Unwrap(stanzas[h.index : h.index+1]); err == nil {
			return key, nil
		}
	}
	return h.Identity.Unwrap(stanzas)
}

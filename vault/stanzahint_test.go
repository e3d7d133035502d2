package vault

import (
	"slices"
	"testing"

	"filippo.io/age"
)

// countingIdentity records how many stanzas each Unwrap call was offered.
type countingIdentity struct {
	age.Identity
	offered *[]int
}

func (c countingIdentity) Unwrap(s []*age.Stanza) ([]byte, error) {
	*c.offered = append(*c.offered, len(s))
	return c.Identity.Unwrap(s)
}

func TestHintedIdentityTriesItsOwnStanzaFirst(t *testing.T) {
	var keys []string
	byKey := map[string]*age.X25519Identity{}
	for range 8 {
		k, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.Recipient().String())
		byKey[k.Recipient().String()] = k
	}
	slices.Sort(keys)
	// Not the last key: "wrong position" shifts it by one and must still be in range.
	mine := byKey[keys[3]]
	recips, err := parseRecipientList(keys)
	if err != nil {
		t.Fatal(err)
	}
	b := Binding{Kind: "secret", Agent: "a", Name: "n", Recipients: keys}
	armored, err := seal([]byte("v"), b, recips)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		recipients []string
		want       []int
	}{
		{"sorted list: one stanza offered", keys, []int{1}},
		{"unsorted list: no hint", append([]string{keys[7]}, keys[:7]...), []int{8}},
		{"wrong position: falls back to all", append([]string{"age1!"}, keys...), []int{1, 8}}, // "age1!" sorts first
	} {
		var offered []int
		ids := &Identities{List: []Identity{{Identity: countingIdentity{mine, &offered}, Recipient: mine.Recipient().String()}}}
		_, value, err := open(armored, ids.hinted(tc.recipients), "a/n", "")
		if err != nil || string(value) != "v" {
			t.Fatalf("%s: %q %v", tc.name, value, err)
		}
		if !slices.Equal(offered, tc.want) {
			t.Errorf("%s: stanzas offered per try = %v, want %v", tc.name, offered, tc.want)
		}
	}
}

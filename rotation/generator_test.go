package rotation

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestGeneratorDefaultIs32BytesBase64URL(t *testing.T) {
	v, err := Generator{}.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 43 {
		t.Fatalf("default value has %d characters, want 43 (32 bytes base64url)", len(v))
	}
	raw, err := base64.RawURLEncoding.DecodeString(string(v))
	if err != nil || len(raw) != 32 {
		t.Fatalf("default value is not 32 bytes of base64url: %v (%d bytes)", err, len(raw))
	}
	w, _ := Generator{}.Generate()
	if bytes.Equal(v, w) {
		t.Fatal("two generated values are equal")
	}
}

func TestGeneratorCharsets(t *testing.T) {
	for _, g := range []Generator{
		{Charset: "alphanumeric", Length: 40},
		{Charset: "digits", Length: 6},
		{Charset: "hex", Length: 64, Prefix: "sk-"},
		{Charset: "symbols", Length: 100},
		{Charset: "chars:ab", Length: 500},
	} {
		v, err := g.Generate()
		if err != nil {
			t.Fatalf("%+v: %v", g, err)
		}
		set, _ := g.alphabet()
		body, ok := strings.CutPrefix(string(v), g.Prefix)
		if !ok || len(body) != g.Length {
			t.Fatalf("%+v: got %d characters after the prefix (prefix ok: %v)", g, len(body), ok)
		}
		for _, c := range body {
			if !strings.ContainsRune(set, c) {
				t.Fatalf("%+v: character %q is outside the set", g, c)
			}
		}
	}
}

// TestGeneratorIsUnbiased feeds every byte value once: with rejection sampling each of
// the 10 digits is chosen exactly 25 times (bytes 250..255 are rejected).
func TestGeneratorIsUnbiased(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	v, err := Generator{Charset: "digits", Length: 250}.generate(bytes.NewReader(all))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[byte]int{}
	for _, c := range v {
		counts[c]++
	}
	for d := byte('0'); d <= '9'; d++ {
		if counts[d] != 25 {
			t.Errorf("digit %c chosen %d times, want 25", d, counts[d])
		}
	}
}

func TestGeneratorRefusesBadSettings(t *testing.T) {
	for _, g := range []Generator{
		{Charset: "emoji"},
		{Charset: "chars:a"},
		{Charset: "chars:a b"},
		{Length: -1},
		{Length: MaxLength + 1},
		{Prefix: "a\nb"},
	} {
		if _, err := g.Generate(); errs.KindOf(err) != errs.Input {
			t.Errorf("%+v: got %v, want an input error", g, err)
		}
	}
}

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
	if s := (Generator{}).String(); s != "32 random bytes, base64url" {
		t.Fatalf("String() = %q", s)
	}
}

func TestGeneratorCharsets(t *testing.T) {
	sets := map[string]string{"alphanumeric": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "digits": "0123456789", "hex": "0123456789abcdef"}
	for _, g := range []Generator{
		{Charset: "alphanumeric", Length: 40},
		{Charset: "digits", Length: 6},
		{Charset: "hex", Length: 64, Prefix: "sk-"},
	} {
		v, err := g.Generate()
		if err != nil {
			t.Fatalf("%+v: %v", g, err)
		}
		body, ok := strings.CutPrefix(string(v), g.Prefix)
		if !ok || len(body) != g.Length {
			t.Fatalf("%+v: got %d characters after the prefix (prefix ok: %v)", g, len(body), ok)
		}
		for _, c := range body {
			if !strings.ContainsRune(sets[g.Charset], c) {
				t.Fatalf("%+v: character %q is outside the set", g, c)
			}
		}
	}
}

func TestGeneratorRefusesBadSettings(t *testing.T) {
	for _, g := range []Generator{
		{Charset: "emoji"},
		{Length: -1},
		{Length: 4097},
		{Prefix: "a\nb"},
	} {
		if _, err := g.Generate(); errs.KindOf(err) != errs.Input {
			t.Errorf("%+v: got %v, want an input error", g, err)
		}
	}
}

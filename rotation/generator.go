package rotation

import (
	"fmt"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/templates"
)

// DefaultLength is the default generated length: bytes for the base64url default,
// characters for a character set.
const DefaultLength = 32

// CharsetNames lists the character sets a Generator accepts (those of secret templates'
// generate: specs, which share the implementation).
const CharsetNames = "alphanumeric, alpha, lower, upper, digits, hex, base64url, printable"

// Generator describes how to make a new value. The zero value is the default: 32 random
// bytes, base64url-encoded without padding. It is stored in a secret's rotation policy.
type Generator struct {
	// Charset is "" for random bytes encoded as base64url, or the name of a character set
	// (CharsetNames) to draw Length characters from uniformly.
	Charset string `yaml:"charset,omitempty" json:"charset,omitempty"`
	// Length is the number of random bytes (Charset "") or characters; 0 means DefaultLength.
	Length int `yaml:"length,omitempty" json:"length,omitempty"`
	// Prefix is prepended to every generated value (e.g. "sk-"); it adds no randomness.
	Prefix string `yaml:"prefix,omitempty" json:"prefix,omitempty"`
}

// spec is the equivalent template generate: spec, validated.
func (g Generator) spec() (templates.Generate, error) {
	n := g.Length
	if n == 0 {
		n = DefaultLength
	}
	if n < 0 {
		return templates.Generate{}, errs.New(errs.Input, "invalid generator length %d: it must be positive", g.Length)
	}
	for _, r := range g.Prefix {
		if r < ' ' || r == 0x7f {
			return templates.Generate{}, errs.New(errs.Input, "invalid generator prefix: it contains a control character")
		}
	}
	t := templates.Generate{Length: n, Charset: g.Charset}
	if g.Charset == "" {
		t = templates.Generate{Bytes: n, Encoding: "base64url"}
	}
	if err := t.Validate(); err != nil {
		return t, errs.Wrap(errs.Input, err, "invalid generator").WithHint("charsets: %s", CharsetNames)
	}
	return t, nil
}

// Validate checks the generator's settings.
func (g Generator) Validate() error {
	_, err := g.spec()
	return err
}

// String describes the generator for people, e.g. "32 random bytes, base64url".
func (g Generator) String() string {
	t, _ := g.spec()
	s := fmt.Sprintf("%d random bytes, base64url", t.Bytes)
	if g.Charset != "" {
		s = fmt.Sprintf("%d characters from %s", t.Length, g.Charset)
	}
	if g.Prefix != "" {
		s += ", prefix " + g.Prefix
	}
	return s
}

// Generate returns a new value, drawing randomness from crypto/rand.
func (g Generator) Generate() ([]byte, error) {
	t, err := g.spec()
	if err != nil {
		return nil, err
	}
	v, err := t.Value()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot read random bytes")
	}
	return append([]byte(g.Prefix), v...), nil
}

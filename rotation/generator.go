package rotation

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// DefaultLength is the default generated length: bytes for the base64url default,
// characters for a character set.
const DefaultLength = 32

// MaxLength bounds a generated value.
const MaxLength = 4096

// Named character sets a Generator accepts in Charset.
var charsets = map[string]string{
	"alphanumeric": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	"alpha":        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	"lower":        "abcdefghijklmnopqrstuvwxyz",
	"upper":        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"digits":       "0123456789",
	"hex":          "0123456789abcdef",
	"symbols":      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~",
}

// CharsetNames lists the named character sets, for help texts.
const CharsetNames = "alphanumeric, alpha, lower, upper, digits, hex, symbols, or chars:LITERAL"

// Generator describes how to make a new value. The zero value is the default: 32 random
// bytes, base64url-encoded without padding.
type Generator struct {
	// Charset is "" for random bytes encoded as base64url, a name from CharsetNames, or
	// "chars:" followed by the literal characters to draw from (printable ASCII).
	Charset string `yaml:"charset,omitempty" json:"charset,omitempty"`
	// Length is the number of random bytes (Charset "") or characters; 0 means DefaultLength.
	Length int `yaml:"length,omitempty" json:"length,omitempty"`
	// Prefix is prepended to every generated value (e.g. "sk-"); it adds no randomness.
	Prefix string `yaml:"prefix,omitempty" json:"prefix,omitempty"`
}

func (g Generator) length() int {
	if g.Length == 0 {
		return DefaultLength
	}
	return g.Length
}

// alphabet returns the characters to draw from, or "" for the base64url-bytes default.
func (g Generator) alphabet() (string, error) {
	if g.Charset == "" {
		return "", nil
	}
	if lit, ok := strings.CutPrefix(g.Charset, "chars:"); ok {
		seen := map[rune]bool{}
		var b strings.Builder
		for _, r := range lit {
			if r < '!' || r > '~' {
				return "", errs.New(errs.Input, "invalid generator charset: only printable ASCII without spaces is allowed")
			}
			if !seen[r] {
				seen[r] = true
				b.WriteRune(r)
			}
		}
		if b.Len() < 2 {
			return "", errs.New(errs.Input, "invalid generator charset: it needs at least two different characters")
		}
		return b.String(), nil
	}
	set, ok := charsets[g.Charset]
	if !ok {
		return "", errs.New(errs.Input, "unknown generator charset %q", g.Charset).WithHint("use one of: %s", CharsetNames)
	}
	return set, nil
}

// Validate checks the generator's settings.
func (g Generator) Validate() error {
	if g.Length < 0 || g.Length > MaxLength {
		return errs.New(errs.Input, "invalid generator length %d: it must be between 1 and %d", g.Length, MaxLength)
	}
	for _, r := range g.Prefix {
		if r < ' ' || r == 0x7f {
			return errs.New(errs.Input, "invalid generator prefix: it contains a control character")
		}
	}
	_, err := g.alphabet()
	return err
}

// String describes the generator for people, e.g. "32 random bytes, base64url".
func (g Generator) String() string {
	s := fmt.Sprintf("%d random bytes, base64url", g.length())
	if g.Charset != "" {
		s = fmt.Sprintf("%d characters from %s", g.length(), g.Charset)
	}
	if g.Prefix != "" {
		s += ", prefix " + g.Prefix
	}
	return s
}

// Generate returns a new value, drawing randomness from crypto/rand.
func (g Generator) Generate() ([]byte, error) { return g.generate(rand.Reader) }

// generate draws from r; characters are chosen uniformly by rejection sampling.
func (g Generator) generate(r io.Reader) ([]byte, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	set, _ := g.alphabet()
	n := g.length()
	if set == "" {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "cannot read random bytes")
		}
		return []byte(g.Prefix + base64.RawURLEncoding.EncodeToString(b)), nil
	}
	out := make([]byte, 0, len(g.Prefix)+n)
	out = append(out, g.Prefix...)
	limit := 256 - 256%len(set) // bytes at or above limit would bias the choice
	br := bufio.NewReaderSize(r, 64)
	for len(out) < len(g.Prefix)+n {
		c, err := br.ReadByte()
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "cannot read random bytes")
		}
		if int(c) < limit {
			out = append(out, set[int(c)%len(set)])
		}
	}
	return out, nil
}

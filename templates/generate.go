package templates

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// Charsets a Generate spec may name.
var charsets = map[string]string{
	"alphanumeric": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	"alpha":        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	"lower":        "abcdefghijklmnopqrstuvwxyz",
	"upper":        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"digits":       "0123456789",
	"hex":          "0123456789abcdef",
	"base64url":    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	"printable":    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%+,-./:=?@^_~",
}

// Encodings a Generate spec with Bytes may name.
var encodings = map[string]func([]byte) string{
	"hex":       hex.EncodeToString,
	"base64":    base64.StdEncoding.EncodeToString,
	"base64url": base64.RawURLEncoding.EncodeToString,
}

// Generate says how to create a missing value: Length characters drawn uniformly from
// Charset, or Bytes random bytes written in Encoding.
type Generate struct {
	Length  int
	Charset string // a name in charsets; default alphanumeric
	Bytes   int
	// Encoding of Bytes: hex (default), base64 or base64url (unpadded).
	Encoding string
}

const maxGenerate = 4096

func names[V any](m map[string]V) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// Validate checks g and fills in defaults; Value needs a validated Generate.
func (g *Generate) Validate() error { return g.validate() }

// validate checks g and fills in defaults.
func (g *Generate) validate() error {
	switch {
	case g.Length > 0 && g.Bytes > 0:
		return fmt.Errorf("generate takes length (with charset) or bytes (with encoding), not both")
	case g.Length > 0:
		if g.Encoding != "" {
			return fmt.Errorf("generate: encoding goes with bytes, not length")
		}
		return choose("length", g.Length, "charset", &g.Charset, "alphanumeric", charsets)
	case g.Bytes > 0:
		if g.Charset != "" {
			return fmt.Errorf("generate: charset goes with length, not bytes")
		}
		return choose("bytes", g.Bytes, "encoding", &g.Encoding, "hex", encodings)
	default:
		return fmt.Errorf("generate needs a positive length or bytes")
	}
}

// choose bounds the size n and checks *kind, defaulting to def, is a key of known.
func choose[V any](size string, n int, field string, kind *string, def string, known map[string]V) error {
	if n > maxGenerate {
		return fmt.Errorf("generate: %s must be at most %d", size, maxGenerate)
	}
	if *kind == "" {
		*kind = def
	}
	if _, ok := known[*kind]; !ok {
		return fmt.Errorf("generate: unknown %s %q (known: %s)", field, *kind, names(known))
	}
	return nil
}

// Value returns a new random value from crypto/rand.
func (g Generate) Value() ([]byte, error) {
	if g.Bytes > 0 {
		buf := make([]byte, g.Bytes)
		if _, err := rand.Read(buf); err != nil {
			return nil, err
		}
		return []byte(encodings[g.Encoding](buf)), nil
	}
	set := charsets[g.Charset]
	n := big.NewInt(int64(len(set)))
	out := make([]byte, g.Length)
	for i := range out {
		k, err := rand.Int(rand.Reader, n) // uniform: no modulo bias
		if err != nil {
			return nil, err
		}
		out[i] = set[k.Int64()]
	}
	return out, nil
}

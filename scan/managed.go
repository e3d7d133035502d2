package scan

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"slices"
	"strings"
)

// Managed is the plaintext of one secret swiftclaw manages, decrypted by the caller.
// Name is how findings refer to it, e.g. "my-agent/api-key" or "my-agent/env/DATABASE_URL".
type Managed struct {
	Name  string
	Value []byte
}

// MinManagedLength is the shortest (trimmed) value searched for by exact match or by
// fingerprint. Shorter values match too much unrelated text to be useful, and their
// fingerprints would be trivial to invert by guessing. Values shorter than 16 bytes made of
// a single character class (only lower-case letters, only upper-case letters or only
// digits) are skipped for the same reason. Such values are left to the gitleaks rules.
const MinManagedLength = 8

// minLineNeedle is the shortest line of a multi-line value searched for on its own.
const minLineNeedle = 16

// needles returns the strings to search for when value leaks: the value without
// surrounding whitespace, or for a multi-line value (a certificate, a key file) each of its
// lines that is long enough and not a PEM armor line, since leaks are matched line by line.
func needles(value []byte) []string {
	v := string(bytes.TrimSpace(value))
	if !strings.ContainsAny(v, "\r\n") {
		if usable(v) {
			return []string{v}
		}
		return nil
	}
	var out []string
	for line := range strings.Lines(v) {
		line = strings.TrimSpace(line)
		if len(line) >= minLineNeedle && !strings.HasPrefix(line, "-----") && !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out
}

func usable(v string) bool {
	if len(v) < MinManagedLength {
		return false
	}
	if len(v) >= 16 {
		return true
	}
	var lower, upper, digit, other bool
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	return classes > 1 || other
}

// isDelim marks the bytes that may surround a leaked value: whitespace, quotes, and the
// punctuation of assignments, URLs, JSON/YAML, shell and query strings.
var isDelim, isSpace [256]bool

func init() {
	for _, c := range []byte(" \t\r\n\v\f\"'`=:,;()[]{}<>|&?#@/\\!$") {
		isDelim[c] = true
	}
	for _, c := range []byte(" \t\r\n\v\f") {
		isSpace[c] = true
	}
}

// matcher finds managed secrets in scanned text: exact plaintexts, and keyed fingerprints.
type matcher struct {
	plain  []needle
	groups []*fpGroup
}

type needle struct{ name, text string }

// fpGroup is every fingerprint made with one key, with the lengths to try per shape.
type fpGroup struct {
	key  []byte
	lens [numShapes][]int // ascending, distinct
	macs map[[sha256.Size]byte]string
}

type hit struct {
	name       string
	start, end int // byte offsets into the scanned text
}

func newMatcher(managed []Managed, fps []*Fingerprints) *matcher {
	m := &matcher{}
	for _, mv := range managed {
		for _, n := range needles(mv.Value) {
			m.plain = append(m.plain, needle{mv.Name, n})
		}
	}
	byKey := map[string]*fpGroup{}
	for _, f := range fps {
		if f == nil || len(f.Entries) == 0 {
			continue
		}
		g := byKey[string(f.Key)]
		if g == nil {
			g = &fpGroup{key: f.Key, macs: map[[sha256.Size]byte]string{}}
			byKey[string(f.Key)] = g
			m.groups = append(m.groups, g)
		}
		for _, e := range f.Entries {
			mac, ok := decodeMAC(e.MAC)
			if !ok || e.Length < MinManagedLength {
				continue
			}
			g.macs[mac] = e.Name
			sh := e.Shape
			if sh == "" {
				sh = ShapeText // most general: files from before shapes were recorded
			}
			i := shapeIndex[sh]
			if !slices.Contains(g.lens[i], e.Length) {
				g.lens[i] = append(g.lens[i], e.Length)
				slices.Sort(g.lens[i])
			}
		}
	}
	return m
}

func (m *matcher) empty() bool { return len(m.plain) == 0 && len(m.groups) == 0 }

// find returns every managed secret in text, in no particular order.
func (m *matcher) find(text string) []hit {
	var hits []hit
	for _, n := range m.plain {
		for off := 0; ; {
			i := strings.Index(text[off:], n.text)
			if i < 0 {
				break
			}
			hits = append(hits, hit{n.name, off + i, off + i + len(n.text)})
			off += i + len(n.text)
		}
	}
	for _, g := range m.groups {
		hits = g.find(text, hits)
	}
	return hits
}

// Value shapes, recorded with each fingerprint so that matching hashes few candidates.
const (
	// ShapeToken is a value without delimiters: it can only leak as a whole token.
	ShapeToken = "token"
	// ShapeWord is a value with delimiters (see [Fingerprints]) but no whitespace.
	ShapeWord = "word"
	// ShapeText is a value containing whitespace.
	ShapeText = "text"
)

const numShapes = 3

var shapeIndex = map[string]int{ShapeToken: 0, ShapeWord: 1, ShapeText: 2}

// shapeOf classifies a fingerprinted text.
func shapeOf(v string) string {
	shape := ShapeToken
	for i := 0; i < len(v); i++ {
		if isSpace[v[i]] {
			return ShapeText
		}
		if isDelim[v[i]] {
			shape = ShapeWord
		}
	}
	return shape
}

// find hashes the candidates of text whose length is a fingerprinted length of their shape.
// A candidate starts at the beginning of a line or right after a delimiter and ends at the
// end of a line or right before a delimiter. A token candidate is a whole run of
// non-delimiters; a word candidate lies within a run of non-whitespace and may contain
// delimiters (a URL, a password with punctuation); a text candidate is any such span of the
// line. That finds exactly the delimited occurrences of every value, while hashing only the
// spans that could be one.
func (g *fpGroup) find(text string, hits []hit) []hit {
	c := fpCursor{g: g, mac: hmac.New(sha256.New, g.key), hits: hits}
	for lineStart := 0; lineStart < len(text); {
		lineEnd := strings.IndexByte(text[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += lineStart
		}
		line := text[lineStart:lineEnd]
		c.base = lineStart
		if len(g.lens[0]) > 0 {
			c.tokens(line)
		}
		if len(g.lens[1]) > 0 {
			for s := 0; s < len(line); {
				if isSpace[line[s]] {
					s++
					continue
				}
				e := s
				for e < len(line) && !isSpace[line[e]] {
					e++
				}
				c.spans(line, s, e, g.lens[1])
				s = e
			}
		}
		if len(g.lens[2]) > 0 {
			c.spans(line, 0, len(line), g.lens[2])
		}
		lineStart = lineEnd + 1
	}
	return c.hits
}

type fpCursor struct {
	g    *fpGroup
	mac  hash.Hash
	sum  [sha256.Size]byte
	buf  []byte
	base int // offset of the current line in the text
	hits []hit
}

func (c *fpCursor) check(line string, s, e int) {
	c.buf = append(c.buf[:0], line[s:e]...)
	c.mac.Reset()
	c.mac.Write(c.buf)
	c.mac.Sum(c.sum[:0])
	if name, ok := c.g.macs[c.sum]; ok {
		c.hits = append(c.hits, hit{name, c.base + s, c.base + e})
	}
}

// tokens checks every maximal run of non-delimiters with a token length.
func (c *fpCursor) tokens(line string) {
	lens := c.g.lens[0]
	for s := 0; s < len(line); {
		if isDelim[line[s]] {
			s++
			continue
		}
		e := s
		for e < len(line) && !isDelim[line[e]] {
			e++
		}
		if l := e - s; l >= lens[0] && l <= lens[len(lens)-1] && slices.Contains(lens, l) {
			c.check(line, s, e)
		}
		s = e
	}
}

// spans checks every delimited span of line[from:to] with one of the lengths lens.
func (c *fpCursor) spans(line string, from, to int, lens []int) {
	for s := from; s+lens[0] <= to; s++ {
		if (s > 0 && !isDelim[line[s-1]]) || isSpace[line[s]] {
			continue
		}
		for _, l := range lens {
			e := s + l
			if e > to {
				break
			}
			if (e < len(line) && !isDelim[line[e]]) || isSpace[line[e-1]] {
				continue
			}
			c.check(line, s, e)
		}
	}
}

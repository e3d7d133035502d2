package scan

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
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

// fpGroup is every fingerprint made with one key.
type fpGroup struct {
	key     []byte
	lengths []int // ascending, distinct
	macs    map[[sha256.Size]byte]string
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
			if !slices.Contains(g.lengths, e.Length) {
				g.lengths = append(g.lengths, e.Length)
			}
		}
		slices.Sort(g.lengths)
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
		if len(g.lengths) > 0 {
			hits = g.find(text, hits)
		}
	}
	return hits
}

// find hashes every candidate token of text whose length is one of the fingerprinted
// lengths. A candidate starts at the beginning of a line or right after a delimiter and
// ends at the end of a line or right before a delimiter; it may contain delimiters itself,
// so values such as URLs or passphrases with spaces are found too.
func (g *fpGroup) find(text string, hits []hit) []hit {
	mac := hmac.New(sha256.New, g.key)
	var sum [sha256.Size]byte
	var buf []byte
	minLen := g.lengths[0]
	for lineStart := 0; lineStart < len(text); {
		lineEnd := strings.IndexByte(text[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += lineStart
		}
		line := text[lineStart:lineEnd]
		for s := 0; s+minLen <= len(line); s++ {
			if (s > 0 && !isDelim[line[s-1]]) || isSpace[line[s]] {
				continue
			}
			for _, l := range g.lengths {
				e := s + l
				if e > len(line) {
					break
				}
				if (e < len(line) && !isDelim[line[e]]) || isSpace[line[e-1]] {
					continue
				}
				buf = append(buf[:0], line[s:e]...)
				mac.Reset()
				mac.Write(buf)
				mac.Sum(sum[:0])
				if name, ok := g.macs[sum]; ok {
					hits = append(hits, hit{name, lineStart + s, lineStart + e})
				}
			}
		}
		lineStart = lineEnd + 1
	}
	return hits
}

package scan

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// FingerprintKeySize is the size in bytes of a fingerprint key.
const FingerprintKeySize = 32

// FingerprintFileName is the name of the fingerprint file in an agent's directory:
// .swiftclaw/agents/<agent>/fingerprints.yaml.
const FingerprintFileName = "fingerprints.yaml"

const fingerprintHeader = "# Managed by swiftclaw: keyed fingerprints (HMAC-SHA256) of secret values, used by\n" +
	"# `swiftclaw security scan` to find leaked values without decrypting. No values are stored.\n"

// Fingerprints lets the scanner recognise leaked secret values without an identity to
// decrypt them and without committing any plaintext or plain hash. The vault keeps one
// file per agent at .swiftclaw/agents/<agent>/fingerprints.yaml (see [FingerprintPath]),
// holding a random key and, for each managed value, HMAC-SHA256(key, value) and the value's
// length. The scanner hashes every candidate token of the scanned text whose length is one
// of the stored lengths (see below) and reports a match by the entry's name.
//
// What it protects and what it does not:
//
//   - The key is stored next to the fingerprints, so anyone who can read the repository can
//     test guesses against them, one HMAC per guess. A fingerprint therefore hides a
//     high-entropy value (an API key, a generated password) but NOT a guessable one (a
//     dictionary word, a short or patterned password): treat such a value as exposed to
//     everyone with read access. What the key does prevent is precomputed tables and
//     correlating equal values across repositories. Use a different key per repository.
//   - Each entry records the value's length. This reveals nothing new: the age ciphertext of
//     the value, committed beside it, already reveals its exact length. It also records the
//     value's shape: whether it contains whitespace, or delimiters (below), or neither. That
//     is one or two bits about the value, and it lets the scanner hash only the candidates
//     that could be the value, which keeps fingerprint matching cheap on large scans.
//   - Matching finds a leaked value when it is delimited in the scanned line: at the start
//     or end of the line, or next to whitespace, a quote or one of = : , ; ( ) [ ] { } < > |
//     & ? # @ / \ ! $. A value embedded in a longer token (abcVALUEdef), split across lines,
//     or transformed (base64, URL or other encodings, different case) is not found; the
//     gitleaks rules still apply to those.
//   - A multi-line value (a certificate or key file) is fingerprinted line by line, for lines
//     of at least 16 bytes that are not PEM armor lines, so leaking any such line is found.
//   - Values are compared after trimming surrounding whitespace. Values shorter than
//     [MinManagedLength] bytes, and short single-character-class values, are not
//     fingerprinted at all: [Fingerprints.Put] reports that it stored nothing.
//   - Fingerprints go stale when a value changes; the vault must call Put on every write.
//
// In the file the key is called "salt" so that secret scanners do not mistake the line for
// a credential; it is not a secret (see above).
type Fingerprints struct {
	Version int
	Key     []byte
	Entries []FingerprintEntry
}

// FingerprintEntry is the fingerprint of one value, or one line of a multi-line value.
type FingerprintEntry struct {
	Name   string // how findings name the secret, e.g. "my-agent/api-key"
	Length int    // length in bytes of the fingerprinted text
	Shape  string // ShapeToken, ShapeWord or ShapeText: which delimiters the text contains
	MAC    string // base64 (standard, padded) of HMAC-SHA256(key, text)
}

// NewFingerprintKey returns a new random fingerprint key.
func NewFingerprintKey() ([]byte, error) {
	k := make([]byte, FingerprintKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "generate fingerprint key")
	}
	return k, nil
}

// NewFingerprints returns an empty fingerprint set using key, which must be
// [FingerprintKeySize] bytes (from [NewFingerprintKey]).
func NewFingerprints(key []byte) (*Fingerprints, error) {
	if len(key) != FingerprintKeySize {
		return nil, errs.New(errs.Input, "fingerprint key must be %d bytes, not %d", FingerprintKeySize, len(key))
	}
	return &Fingerprints{Version: 1, Key: slices.Clone(key)}, nil
}

// FingerprintValue returns base64(HMAC-SHA256(key, text)) for exactly the given bytes.
// [Fingerprints.Put] applies it to a value's trimmed text or lines; call Put rather than
// this function to fingerprint a secret.
func FingerprintValue(key, text []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(text)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Put records the fingerprints of value under name, replacing any earlier ones with that
// name. It returns how many fingerprints it stored: 0 when the value is too short or too
// simple to fingerprint (see [MinManagedLength]), more than 1 for a multi-line value.
func (f *Fingerprints) Put(name string, value []byte) int {
	f.Remove(name)
	ns := needles(value)
	for _, n := range ns {
		f.Entries = append(f.Entries, FingerprintEntry{Name: name, Length: len(n), Shape: shapeOf(n), MAC: FingerprintValue(f.Key, []byte(n))})
	}
	return len(ns)
}

// Remove deletes every fingerprint recorded under name and reports whether there was one.
func (f *Fingerprints) Remove(name string) bool {
	n := len(f.Entries)
	f.Entries = slices.DeleteFunc(f.Entries, func(e FingerprintEntry) bool { return e.Name == name })
	return len(f.Entries) != n
}

// Names returns the distinct names that have fingerprints, sorted.
func (f *Fingerprints) Names() []string {
	var out []string
	for _, e := range f.Entries {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type fingerprintDoc struct {
	Version int              `yaml:"version"`
	Salt    string           `yaml:"salt"`
	Values  []fingerprintRow `yaml:"values"`
}

type fingerprintRow struct {
	Name   string `yaml:"name"`
	Length int    `yaml:"length"`
	Shape  string `yaml:"shape,omitempty"`
	MAC    string `yaml:"hmac"`
}

// Marshal returns the file form of f, sorted by name so that diffs stay small.
func (f *Fingerprints) Marshal() ([]byte, error) {
	doc := fingerprintDoc{Version: f.Version, Salt: base64.StdEncoding.EncodeToString(f.Key)}
	if doc.Version == 0 {
		doc.Version = 1
	}
	for _, e := range f.Entries {
		doc.Values = append(doc.Values, fingerprintRow(e))
	}
	slices.SortStableFunc(doc.Values, func(a, b fingerprintRow) int { return strings.Compare(a.Name, b.Name) })
	var buf bytes.Buffer
	buf.WriteString(fingerprintHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode fingerprints")
	}
	if err := enc.Close(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode fingerprints")
	}
	return buf.Bytes(), nil
}

// ParseFingerprints parses a fingerprint file.
func ParseFingerprints(data []byte) (*Fingerprints, error) {
	var doc fingerprintDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(errs.Input, err, "parse fingerprints")
	}
	if doc.Version != 1 {
		return nil, errs.New(errs.Input, "unsupported fingerprint file version %d", doc.Version)
	}
	key, err := base64.StdEncoding.DecodeString(doc.Salt)
	if err != nil || len(key) != FingerprintKeySize {
		return nil, errs.New(errs.Input, "fingerprint file has a malformed salt (want %d base64 bytes)", FingerprintKeySize)
	}
	f := &Fingerprints{Version: doc.Version, Key: key}
	for i, r := range doc.Values {
		_, shapeOK := shapeIndex[r.Shape]
		if _, ok := decodeMAC(r.MAC); !ok || r.Name == "" || r.Length <= 0 || !(shapeOK || r.Shape == "") {
			return nil, errs.New(errs.Input, "fingerprint entry %d is malformed", i+1)
		}
		f.Entries = append(f.Entries, FingerprintEntry(r))
	}
	return f, nil
}

func decodeMAC(s string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return out, false
	}
	copy(out[:], b)
	return out, true
}

// FingerprintPath returns the path of agent's fingerprint file in the repository at root.
func FingerprintPath(root, agent string) string {
	return filepath.Join(root, ".swiftclaw", "agents", agent, FingerprintFileName)
}

// LoadFingerprints reads every agent's fingerprint file in the repository at root. Agents
// without one are skipped; a malformed file is an error.
func LoadFingerprints(root string) ([]*Fingerprints, error) {
	return loadFingerprints(root, true)
}

// loadFingerprints is LoadFingerprints; unless strict, malformed files are skipped (a scan
// still reports them, as findings in the file itself).
func loadFingerprints(root string, strict bool) ([]*Fingerprints, error) {
	dirs, err := os.ReadDir(filepath.Join(root, ".swiftclaw", "agents"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "read agents")
	}
	var out []*Fingerprints
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		p := FingerprintPath(root, d.Name())
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "read %s", p)
		}
		f, err := ParseFingerprints(data)
		if err != nil {
			if !strict {
				continue
			}
			return nil, errs.Wrap(errs.Input, err, "%s", p)
		}
		out = append(out, f)
	}
	return out, nil
}

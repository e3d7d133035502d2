package sopsfile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Format is a sops file format.
type Format string

// The supported formats.
const (
	YAML   Format = "yaml"
	JSON   Format = "json"
	Dotenv Format = "dotenv"
)

// FormatFromPath picks the format from a file name as sops does: .yaml/.yml, .json, .env.
func FormatFromPath(path string) (Format, error) {
	base := filepath.Base(path)
	switch ext := filepath.Ext(base); {
	case ext == ".yaml" || ext == ".yml":
		return YAML, nil
	case ext == ".json":
		return JSON, nil
	case ext == ".env" || base == ".env":
		return Dotenv, nil
	}
	return "", errs.New(errs.Input, "cannot tell the sops format of %s from its name", path).
		WithHint("name it .yaml, .json or .env, or pass --format yaml|json|dotenv")
}

// ParseFormat returns the Format named s.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case YAML, JSON, Dotenv:
		return Format(s), nil
	}
	return "", errs.New(errs.Input, "unknown sops format %q", s).WithHint("use yaml, json or dotenv")
}

// MaxFileSize caps the input Decrypt accepts.
const MaxFileSize = 16 << 20

// Entry is one decrypted leaf value.
type Entry struct {
	// Path is the key path; list items add their index ("hosts", "0").
	Path []string
	// Value is the plaintext: strings as they are, numbers and booleans as sops prints them
	// in JSON (5432, 0.75, true).
	Value []byte
	// Type is the sops type: str, int, float, bool, bytes, time (or the YAML/JSON type of an
	// unencrypted value).
	Type string
	// Encrypted is false for values the file keeps in plaintext (e.g. key_unencrypted).
	Encrypted bool
}

// Decrypt reads a sops file in format, decrypts its data key with one of identities, checks
// the MAC and returns every leaf value in file order. name labels errors.
func Decrypt(r io.Reader, name string, format Format, identities []age.Identity) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "read %s", name)
	}
	if len(data) > MaxFileSize {
		return nil, errs.New(errs.Input, "%s is larger than %d bytes", name, MaxFileSize)
	}
	var branches []branch
	var md *metadata
	switch format {
	case YAML:
		branches, md, err = loadYAML(data)
	case JSON:
		branches, md, err = loadJSON(data)
	case Dotenv:
		branches, md, err = loadDotenv(data)
	default:
		_, err = ParseFormat(string(format))
		return nil, err
	}
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "read sops file %s", name)
	}
	if md.commentRegex {
		return nil, errs.New(errs.Input, "%s uses comment-based encryption rules, which swiftclaw cannot read", name).
			WithHint("decrypt it with sops and run swiftclaw env import AGENT FILE")
	}
	key, err := dataKey(md, name, identities)
	if err != nil {
		return nil, err
	}
	w := &walker{md: md, key: key, mac: sha512.New()}
	if w.md.macOnlyEncrypted {
		w.mac.Write(macOnlyEncryptedInit)
	}
	if w.encRe, err = compileOpt(md.encryptedRegex); err != nil {
		return nil, errs.Wrap(errs.Input, err, "%s: bad encrypted_regex", name)
	}
	if w.unencRe, err = compileOpt(md.unencryptedRegex); err != nil {
		return nil, errs.Wrap(errs.Input, err, "%s: bad unencrypted_regex", name)
	}
	for _, b := range branches {
		if err := w.branch(b, nil, nil); err != nil {
			return nil, errs.Wrap(errs.Tampered, err, "decrypt %s", name)
		}
	}
	if err := w.checkMAC(); err != nil {
		return nil, errs.Wrap(errs.Tampered, err, "%s failed its integrity check", name).
			WithHint("the file was edited without sops; restore it from git or re-encrypt it with sops")
	}
	return w.out, nil
}

func compileOpt(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	return regexp.Compile(expr)
}

// macOnlyEncryptedInit is sops' MACOnlyEncryptedInitialization: the MAC of a file with
// mac_only_encrypted starts with these bytes, so it differs from one without.
var macOnlyEncryptedInit = []byte{0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0xb, 0xb, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69}

// dataKey decrypts the 32-byte data key from the first age entry an identity opens.
func dataKey(md *metadata, name string, identities []age.Identity) ([]byte, error) {
	if md.keyGroups > 1 && md.shamirThreshold > 1 {
		return nil, errs.New(errs.Input, "%s splits its key across %d key groups (Shamir), which swiftclaw cannot read", name, md.keyGroups).
			WithHint("decrypt it with sops and run swiftclaw env import AGENT FILE")
	}
	if len(md.ageKeys) == 0 {
		return nil, errs.New(errs.Input, "%s has no age recipients (only PGP or cloud KMS keys)", name).
			WithHint("add an age recipient with sops updatekeys, or decrypt it with sops and run swiftclaw env import AGENT FILE")
	}
	if len(identities) == 0 {
		return nil, errs.New(errs.Decrypt, "no age identity to decrypt %s", name).
			WithHint("set SWIFTCLAW_AGE_KEY or pass --identity FILE")
	}
	recipients := make([]string, 0, len(md.ageKeys))
	for _, k := range md.ageKeys {
		recipients = append(recipients, k.recipient)
		r, err := age.Decrypt(armor.NewReader(strings.NewReader(k.enc)), identities...)
		if err != nil {
			var noMatch *age.NoIdentityMatchError
			if errors.As(err, &noMatch) {
				continue
			}
			return nil, errs.Wrap(errs.Decrypt, err, "decrypt the data key of %s for %s", name, k.recipient)
		}
		key, err := io.ReadAll(io.LimitReader(r, 64))
		if err != nil {
			return nil, errs.Wrap(errs.Decrypt, err, "decrypt the data key of %s", name)
		}
		if len(key) != 32 {
			return nil, errs.New(errs.Tampered, "the data key of %s is %d bytes, not 32", name, len(key))
		}
		return key, nil
	}
	return nil, errs.New(errs.Decrypt, "none of your identities can decrypt %s; it is encrypted to %s", name, strings.Join(recipients, ", ")).
		WithHint("use the identity of one of those recipients with --identity FILE or SWIFTCLAW_AGE_KEY")
}

type walker struct {
	md             *metadata
	key            []byte
	mac            hash.Hash
	encRe, unencRe *regexp.Regexp
	out            []Entry
}

// branch walks a mapping. aad is sops' key path (list indexes are not part of it); names
// is the same path with indexes, for Entry.Path.
func (w *walker) branch(b branch, aad, names []string) error {
	for _, it := range b {
		if err := w.value(it.value, append(aad[:len(aad):len(aad)], it.key), append(names[:len(names):len(names)], it.key)); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) value(v any, aad, names []string) error {
	switch v := v.(type) {
	case branch:
		return w.branch(v, aad, names)
	case []any:
		for i, e := range v {
			if err := w.value(e, aad, append(names[:len(names):len(names)], strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return nil // sops neither encrypts nor hashes nulls
	}
	encrypted := w.shouldBeEncrypted(aad)
	var plain []byte
	var typ string
	if encrypted {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: expected an encrypted value", strings.Join(names, "."))
		}
		var err error
		plain, typ, err = w.decryptValue(s, strings.Join(aad, ":")+":")
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(names, "."), err)
		}
	} else {
		var err error
		plain, typ, err = toBytes(v)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(names, "."), err)
		}
	}
	if typ == "comment" {
		return nil
	}
	if !w.md.macOnlyEncrypted || encrypted {
		w.mac.Write(plain)
	}
	w.out = append(w.out, Entry{Path: names, Value: display(plain, typ), Type: typ, Encrypted: encrypted})
	return nil
}

// display turns sops' MAC bytes into the value a user sees: booleans lower-case as in
// sops' JSON output, everything else unchanged.
func display(plain []byte, typ string) []byte {
	if typ == "bool" {
		return []byte(strings.ToLower(string(plain)))
	}
	return plain
}

// shouldBeEncrypted is sops' Tree.shouldBeEncrypted without the comment rules.
func (w *walker) shouldBeEncrypted(path []string) bool {
	md := w.md
	encrypted := true
	if md.unencryptedSuffix != "" {
		for _, p := range path {
			if strings.HasSuffix(p, md.unencryptedSuffix) {
				encrypted = false
				break
			}
		}
	}
	if md.encryptedSuffix != "" {
		encrypted = false
		for _, p := range path {
			if strings.HasSuffix(p, md.encryptedSuffix) {
				encrypted = true
				break
			}
		}
	}
	if w.unencRe != nil {
		for _, p := range path {
			if w.unencRe.MatchString(p) {
				encrypted = false
				break
			}
		}
	}
	if w.encRe != nil {
		encrypted = false
		for _, p := range path {
			if w.encRe.MatchString(p) {
				encrypted = true
				break
			}
		}
	}
	return encrypted
}

var encRe = regexp.MustCompile(`^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]`)

// decryptValue opens one ENC[...] value and returns its bytes as sops' ToBytes would
// produce them from the typed value, which is what the MAC covers.
func (w *walker) decryptValue(s, aad string) ([]byte, string, error) {
	if s == "" {
		return []byte{}, "str", nil // sops leaves empty values unencrypted
	}
	m := encRe.FindStringSubmatch(s)
	if m == nil {
		return nil, "", errors.New("value is not in sops' ENC[AES256_GCM,...] format")
	}
	var parts [3][]byte
	for i := range parts {
		b, err := base64.StdEncoding.DecodeString(m[i+1])
		if err != nil {
			return nil, "", fmt.Errorf("bad base64 in encrypted value: %w", err)
		}
		parts[i] = b
	}
	data, iv, tag := parts[0], parts[1], parts[2]
	block, err := aes.NewCipher(w.key)
	if err != nil {
		return nil, "", err
	}
	if len(iv) == 0 {
		return nil, "", errors.New("empty IV")
	}
	gcm, err := cipher.NewGCMWithNonceSize(block, len(iv))
	if err != nil {
		return nil, "", err
	}
	if len(tag) != gcm.Overhead() {
		return nil, "", errors.New("bad authentication tag length")
	}
	plain, err := gcm.Open(nil, iv, append(data[:len(data):len(data)], tag...), []byte(aad))
	if err != nil {
		return nil, "", errors.New("value does not authenticate (edited, moved to another key, or a different data key)")
	}
	typ := m[4]
	canon, err := canonical(plain, typ)
	return canon, typ, err
}

// canonical round-trips a decrypted value through its type as sops does before hashing.
func canonical(plain []byte, typ string) ([]byte, error) {
	s := string(plain)
	switch typ {
	case "str", "bytes", "comment":
		return plain, nil
	case "int":
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, err
		}
		return []byte(strconv.Itoa(n)), nil
	case "float":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, err
		}
		return []byte(strconv.FormatFloat(f, 'f', -1, 64)), nil
	case "bool":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, err
		}
		return boolBytes(b), nil
	case "time":
		var t time.Time
		if err := t.UnmarshalText(plain); err != nil {
			return nil, err
		}
		return t.MarshalText()
	}
	return nil, fmt.Errorf("unknown sops value type %q", typ)
}

func boolBytes(b bool) []byte {
	if b {
		return []byte("True")
	}
	return []byte("False")
}

// toBytes is sops' ToBytes for a value kept in plaintext.
func toBytes(v any) ([]byte, string, error) {
	switch v := v.(type) {
	case string:
		return []byte(v), "str", nil
	case int:
		return []byte(strconv.Itoa(v)), "int", nil
	case float64:
		return []byte(strconv.FormatFloat(v, 'f', -1, 64)), "float", nil
	case bool:
		return boolBytes(v), "bool", nil
	case time.Time:
		b, err := v.MarshalText()
		return b, "time", err
	}
	return nil, "", fmt.Errorf("cannot read a plaintext value of type %T", v)
}

// checkMAC decrypts the stored MAC (additional data: lastmodified as RFC 3339) and compares
// it with the computed one in constant time.
func (w *walker) checkMAC() error {
	if w.md.mac == "" {
		return errors.New("the file has no MAC")
	}
	lm, err := time.Parse(time.RFC3339, w.md.lastModified)
	if err != nil {
		return fmt.Errorf("bad lastmodified time: %w", err)
	}
	stored, _, err := w.decryptValue(w.md.mac, lm.Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("cannot decrypt the MAC: %w", err)
	}
	computed := []byte(strings.ToUpper(fmt.Sprintf("%x", w.mac.Sum(nil))))
	if !hmac.Equal(stored, computed) {
		return errors.New("MAC mismatch")
	}
	return nil
}

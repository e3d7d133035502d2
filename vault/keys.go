package vault

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"
	"golang.org/x/crypto/ssh"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// ParseRecipient parses one public key as it appears in recipients.yaml: an age X25519
// key (age1...), a post-quantum hybrid key (age1pq1...), an age plugin recipient
// (age1NAME1..., used through the plugin binary age-plugin-NAME on PATH), or an SSH
// public key (ssh-ed25519 / ssh-rsa, comment optional). It returns the recipient and the
// key's canonical text (SSH comments dropped), which is what files record.
func ParseRecipient(s string) (age.Recipient, string, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "ssh-"):
		pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return nil, "", errs.Wrap(errs.Input, err, "invalid SSH public key")
		}
		canon := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
		r, err := agessh.ParseRecipient(canon)
		if err != nil {
			return nil, "", errs.New(errs.Input, "unsupported SSH public key type %q", pk.Type()).
				WithHint("use an ssh-ed25519 or ssh-rsa key, or an age key from `swiftclaw keys generate`")
		}
		return r, canon, nil
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return nil, "", errs.Wrap(errs.Input, err, "invalid age post-quantum public key")
		}
		return r, s, nil
	case strings.HasPrefix(s, "age1"):
		if r, err := age.ParseX25519Recipient(s); err == nil {
			return r, s, nil
		}
		// Not X25519: an age plugin recipient such as age1yubikey1...
		r, err := plugin.NewRecipient(s, pluginUI)
		if err != nil {
			return nil, "", errs.Wrap(errs.Input, err, "invalid age public key").
				WithHint("copy the key exactly as `swiftclaw keys show` (or age-keygen -y) prints it")
		}
		return r, s, nil
	}
	if strings.HasPrefix(strings.ToUpper(s), "AGE-") || strings.Contains(s, "PRIVATE KEY") {
		// Never echo it: this is key material.
		return nil, "", errs.New(errs.Input, "that is a private key, not a public key").
			WithHint("give the public key: `swiftclaw keys show` prints yours; keep the private key secret")
	}
	// The text is not echoed: a mistyped key could be anything, including a secret.
	return nil, "", errs.New(errs.Input, "unrecognized public key").
		WithHint("public keys start with age1 (from `swiftclaw keys generate` or age-keygen), ssh-ed25519 or ssh-rsa")
}

// pluginUI lets age plugins run non-interactively; an interactive CLI may replace it.
var pluginUI = &plugin.ClientUI{
	DisplayMessage: func(name, message string) error { return nil },
	RequestValue: func(name, prompt string, secret bool) (string, error) {
		return "", fmt.Errorf("plugin %s asked for input, which is not supported", name)
	},
	Confirm: func(name, prompt, yes, no string) (bool, error) {
		return false, fmt.Errorf("plugin %s asked for confirmation", name)
	},
}

// Identity is one private key swiftclaw can decrypt with, plus where it came from.
type Identity struct {
	age.Identity
	// Source says where the identity was found, e.g. "$SWIFTCLAW_AGE_KEY" or a file path.
	Source string
	// Recipient is the canonical public key text of this identity, or "" when unknown.
	Recipient string
}

// IdentityOptions says where LoadIdentities looks. Zero fields fall back to the process
// environment and home directory.
type IdentityOptions struct {
	// File is an explicit identity file (--identity); when set, only it is used.
	File string
	// Getenv reads environment variables; defaults to os.Getenv.
	Getenv func(string) string
	// Home is the user's home directory; defaults to os.UserHomeDir.
	Home string
	// Passphrase, when set, is called to unlock a passphrase-protected SSH key, lazily,
	// only if a file is actually encrypted to it.
	Passphrase func(path string) ([]byte, error)
}

// Identities is the ordered set of identities found, and every place that was looked at.
type Identities struct {
	List  []Identity
	Tried []string
}

// Primary returns the first identity found: the one whose public key `keys show` prints
// and `init` registers.
func (ids *Identities) Primary() (Identity, bool) {
	if ids == nil || len(ids.List) == 0 {
		return Identity{}, false
	}
	return ids.List[0], true
}

// AgeIdentities returns the identities for age.Decrypt.
func (ids *Identities) AgeIdentities() []age.Identity {
	out := make([]age.Identity, 0, len(ids.List))
	for _, id := range ids.List {
		out = append(out, id.Identity)
	}
	return out
}

// Sources describes the identities that were tried, for error messages.
func (ids *Identities) Sources() string {
	if ids == nil || len(ids.List) == 0 {
		return "none"
	}
	var parts []string
	for _, id := range ids.List {
		if id.Recipient != "" {
			parts = append(parts, id.Source+" ("+shortKey(id.Recipient)+")")
		} else {
			parts = append(parts, id.Source)
		}
	}
	return strings.Join(parts, ", ")
}

// ConfigDir returns swiftclaw's per-user config directory ($XDG_CONFIG_HOME/swiftclaw or
// ~/.config/swiftclaw).
func ConfigDir(getenv func(string) string, home string) string {
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "swiftclaw")
	}
	return filepath.Join(home, ".config", "swiftclaw")
}

// DefaultIdentityFile is where `keys generate` writes and LoadIdentities looks by default.
func DefaultIdentityFile(getenv func(string) string, home string) string {
	return filepath.Join(ConfigDir(getenv, home), "identity.txt")
}

// ErrNoIdentity is returned (wrapped) when no identity could be found.
var ErrNoIdentity = errors.New("no identity found")

// LoadIdentities finds the user's identities in the order DESIGN.md fixes. It returns an
// errs.Decrypt error listing every place it looked when none is found.
func LoadIdentities(opts IdentityOptions) (*Identities, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	home := opts.Home
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	ids := &Identities{}
	if opts.File != "" {
		ids.Tried = append(ids.Tried, opts.File)
		list, err := loadIdentityFile(opts.File, opts.Passphrase, true)
		if err != nil {
			return nil, err
		}
		ids.List = list
		return ids, nil
	}
	if v := getenv("SWIFTCLAW_AGE_KEY"); v != "" {
		ids.Tried = append(ids.Tried, "$SWIFTCLAW_AGE_KEY")
		list, err := parseAgeIdentities([]byte(v), "$SWIFTCLAW_AGE_KEY")
		if err != nil {
			return nil, err
		}
		ids.List = append(ids.List, list...)
	} else {
		ids.Tried = append(ids.Tried, "$SWIFTCLAW_AGE_KEY (unset)")
	}
	var files []string
	if f := getenv("SWIFTCLAW_AGE_KEY_FILE"); f != "" {
		files = append(files, f)
	}
	files = append(files, DefaultIdentityFile(getenv, home))
	if f := getenv("SOPS_AGE_KEY_FILE"); f != "" {
		files = append(files, f)
	} else if x := getenv("XDG_CONFIG_HOME"); x != "" {
		files = append(files, filepath.Join(x, "sops", "age", "keys.txt"))
	} else {
		files = append(files, filepath.Join(home, ".config", "sops", "age", "keys.txt"))
	}
	files = append(files, filepath.Join(home, ".ssh", "id_ed25519"), filepath.Join(home, ".ssh", "id_rsa"))
	for i, f := range files {
		ids.Tried = append(ids.Tried, f)
		list, err := loadIdentityFile(f, opts.Passphrase, i == 0 && getenv("SWIFTCLAW_AGE_KEY_FILE") != "")
		if err != nil {
			return nil, err
		}
		ids.List = append(ids.List, list...)
	}
	if len(ids.List) == 0 {
		return ids, errs.New(errs.Decrypt, "no identity found; looked in %s", strings.Join(ids.Tried, ", ")).
			WithHint("create one with `swiftclaw keys generate`, or set SWIFTCLAW_AGE_KEY / pass --identity FILE")
	}
	return ids, nil
}

// loadIdentityFile reads one identity file. A missing file is not an error unless
// required; a group- or world-readable one is refused.
func loadIdentityFile(path string, passphrase func(string) ([]byte, error), required bool) ([]Identity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) && !required {
			return nil, nil
		}
		return nil, errs.Wrap(errs.Input, err, "cannot read identity file %s", path).
			WithHint("check the path, or create one with `swiftclaw keys generate --out %s`", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, errs.New(errs.Permission, "identity file %s is readable by other users (mode %04o)", path, fi.Mode().Perm()).
			WithHint("run `chmod 600 %s`", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "cannot read identity file %s", path)
	}
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		return parseSSHIdentity(data, path, passphrase)
	}
	return parseAgeIdentities(data, path)
}

// ParseIdentities parses age identity text (one AGE-SECRET-KEY-1... per line, '#' comments,
// CRLF and surrounding whitespace tolerated). source names where the text came from.
func ParseIdentities(data []byte, source string) ([]Identity, error) {
	return parseAgeIdentities(data, source)
}

func parseAgeIdentities(data []byte, source string) ([]Identity, error) {
	if len(data) > 1<<20 {
		return nil, errs.New(errs.Input, "identity %s is larger than 1 MiB", source)
	}
	var out []Identity
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var (
			id  age.Identity
			rec string
		)
		switch {
		case strings.HasPrefix(line, "AGE-SECRET-KEY-PQ-1"):
			h, err := age.ParseHybridIdentity(line)
			if err != nil {
				return nil, identityLineErr(source, n+1)
			}
			id, rec = h, h.Recipient().String()
		case strings.HasPrefix(line, "AGE-SECRET-KEY-1"):
			x, err := age.ParseX25519Identity(line)
			if err != nil {
				return nil, identityLineErr(source, n+1)
			}
			id, rec = x, x.Recipient().String()
		case strings.HasPrefix(line, "AGE-PLUGIN-"):
			p, err := plugin.NewIdentity(line, pluginUI)
			if err != nil {
				return nil, identityLineErr(source, n+1)
			}
			id = p
		default:
			// Never echo the line: it may be key material.
			return nil, identityLineErr(source, n+1)
		}
		out = append(out, Identity{Identity: id, Source: source, Recipient: rec})
	}
	if len(out) == 0 {
		return nil, errs.New(errs.Input, "identity %s contains no age identity", source).
			WithHint("an age identity line starts with AGE-SECRET-KEY-1; create one with `swiftclaw keys generate`")
	}
	return out, nil
}

func identityLineErr(source string, line int) error {
	return errs.New(errs.Input, "identity %s line %d is not a valid age identity", source, line).
		WithHint("an age identity line starts with AGE-SECRET-KEY-1; create one with `swiftclaw keys generate`")
}

func parseSSHIdentity(data []byte, path string, passphrase func(string) ([]byte, error)) ([]Identity, error) {
	id, err := agessh.ParseIdentity(data)
	if err == nil {
		rec := ""
		if k, err := ssh.ParseRawPrivateKey(data); err == nil {
			if s, ok := k.(crypto.Signer); ok {
				if pk, err := ssh.NewPublicKey(s.Public()); err == nil {
					rec = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
				}
			}
		}
		return []Identity{{Identity: id, Source: path, Recipient: rec}}, nil
	}
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		pub := missing.PublicKey
		if pub == nil {
			if b, err := os.ReadFile(path + ".pub"); err == nil {
				pub, _, _, _, _ = ssh.ParseAuthorizedKey(b)
			}
		}
		if pub == nil || passphrase == nil {
			// Cannot use it without prompting; skip it rather than fail the whole lookup.
			return nil, nil
		}
		enc, err := agessh.NewEncryptedSSHIdentity(pub, data, func() ([]byte, error) { return passphrase(path) })
		if err != nil {
			return nil, nil
		}
		return []Identity{{Identity: enc, Source: path, Recipient: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))}}, nil
	}
	// Unsupported SSH key types (ecdsa, ...) are not identities for age; skip them.
	return nil, nil
}

// GenerateIdentity creates a new age X25519 identity and writes it to path exclusively
// with mode 0600 (refusing to overwrite an existing file). It returns the public key.
func GenerateIdentity(path string, now string) (string, error) {
	k, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", errs.Wrap(errs.Internal, err, "cannot create %s", filepath.Dir(path))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return "", errs.New(errs.Conflict, "identity file %s already exists", path).
				WithHint("use it as it is (`swiftclaw keys show`), or pass --out to write a new one elsewhere")
		}
		return "", errs.Wrap(errs.Internal, err, "cannot create identity file")
	}
	content := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", now, k.Recipient(), k)
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		os.Remove(path)
		return "", errs.Wrap(errs.Internal, err, "cannot write identity file")
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", errs.Wrap(errs.Internal, err, "cannot write identity file")
	}
	return k.Recipient().String(), nil
}

// shortKey abbreviates a public key for messages: enough to recognize, short enough to read.
func shortKey(k string) string {
	if strings.HasPrefix(k, "ssh-") {
		f := strings.Fields(k)
		if len(f) >= 2 && len(f[1]) > 16 {
			return f[0] + " …" + f[1][len(f[1])-12:]
		}
		return k
	}
	if len(k) > 20 {
		return k[:12] + "…" + k[len(k)-6:]
	}
	return k
}

package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// envelopeMagic starts every plaintext swiftclaw encrypts. The JSON line after it binds
// the value to the metadata that matters for security; the raw value follows.
const envelopeMagic = "swiftclaw-value/v1\n"

// Binding is the metadata sealed inside each encrypted value. On read it must equal the
// file's readable metadata, or the file was edited without re-encrypting.
type Binding struct {
	Kind       string   `json:"kind"` // "secret" or "env"
	Agent      string   `json:"agent"`
	Name       string   `json:"name"`
	Expires    string   `json:"expires,omitempty"` // RFC 3339 UTC, "" for never
	Recipients []string `json:"recipients"`        // sorted canonical public keys
}

func (b Binding) normalized() Binding {
	b.Recipients = slices.Clone(b.Recipients)
	slices.Sort(b.Recipients)
	return b
}

// diff names the first field that differs between the file's claim and the sealed truth.
func (b Binding) diff(sealed Binding) string {
	b, sealed = b.normalized(), sealed.normalized()
	switch {
	case b.Kind != sealed.Kind:
		return "kind"
	case b.Agent != sealed.Agent:
		return fmt.Sprintf("agent (file says %q, encrypted value says %q)", b.Agent, sealed.Agent)
	case b.Name != sealed.Name:
		return fmt.Sprintf("name (file says %q, encrypted value says %q)", b.Name, sealed.Name)
	case b.Expires != sealed.Expires:
		return fmt.Sprintf("expires (file says %q, encrypted value says %q)", orNever(b.Expires), orNever(sealed.Expires))
	case !slices.Equal(b.Recipients, sealed.Recipients):
		return "recipients (the list was changed without re-encrypting)"
	}
	return ""
}

func orNever(s string) string {
	if s == "" {
		return "never"
	}
	return s
}

// seal encrypts value with its binding to recipients and returns armored text.
func seal(value []byte, b Binding, recipients []age.Recipient) (string, error) {
	hdr, err := json.Marshal(b.normalized())
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, recipients...)
	if err != nil {
		return "", errs.Wrap(errs.Input, err, "cannot encrypt to the recipients")
	}
	for _, part := range [][]byte{[]byte(envelopeMagic), hdr, {'\n'}, value} {
		if _, err := w.Write(part); err != nil {
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	if err := aw.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// maxPlaintext bounds what one decrypt may produce: the 10 MiB value limit plus envelope.
const maxPlaintext = MaxValueSize + 64<<10

// open decrypts armored text and splits the envelope. what names the value for errors
// ("my-agent/api-key"); recipients describes the file's recipients, listed when decrypt fails.
func open(armored string, ids *Identities, what string, recipients string) (Binding, []byte, error) {
	if ids == nil || len(ids.List) == 0 {
		return Binding{}, nil, errs.Wrap(errs.Decrypt, ErrNoIdentity, "cannot decrypt %s", what).
			WithHint("create an identity with `swiftclaw keys generate`, or set SWIFTCLAW_AGE_KEY / pass --identity FILE")
	}
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(armored)), ids.AgeIdentities()...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return Binding{}, nil, errs.New(errs.Decrypt,
				"cannot decrypt %s: it is encrypted to %s, and none of the identities tried match (tried: %s)",
				what, recipients, ids.Sources()).
				WithHint("ask an owner to grant you access: `swiftclaw secrets grant AGENT NAME --user YOU --permission read`")
		}
		return Binding{}, nil, errs.Wrap(errs.Tampered, err, "cannot decrypt %s: the encrypted value is corrupt or truncated", what)
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxPlaintext+1))
	if err != nil {
		return Binding{}, nil, errs.Wrap(errs.Tampered, err, "cannot decrypt %s: the encrypted value is corrupt or truncated", what)
	}
	if len(plain) > maxPlaintext {
		return Binding{}, nil, errs.New(errs.Input, "cannot decrypt %s: value larger than %d MiB", what, MaxValueSize>>20)
	}
	rest, ok := bytes.CutPrefix(plain, []byte(envelopeMagic))
	if !ok {
		return Binding{}, nil, errs.New(errs.Tampered, "cannot read %s: the encrypted value was not written by swiftclaw", what)
	}
	line, value, ok := bytes.Cut(rest, []byte{'\n'})
	var b Binding
	if !ok || json.Unmarshal(line, &b) != nil {
		return Binding{}, nil, errs.New(errs.Tampered, "cannot read %s: the encrypted value has a malformed header", what)
	}
	return b, value, nil
}

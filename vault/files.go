package vault

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/rotation"
)

// FormatVersion is the version of the secret and env file formats this code writes.
const FormatVersion = 1

// MaxValueSize is the largest secret or env value accepted (10 MiB).
const MaxValueSize = 10 << 20

// maxFileSize bounds what the parser reads: a 10 MiB value armors to under 14 MiB.
const maxFileSize = 32 << 20

const (
	armorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"
	armorEnd   = "-----END AGE ENCRYPTED FILE-----"
)

const secretFileComment = "Managed by swiftclaw: edit with `swiftclaw secrets set`. The value is age-encrypted;\nagent, name, expires and recipients are bound to it, so hand edits to them are detected."

// Rotation is a secret's rotation policy (see RotateSecret and RotateDue).
type Rotation struct {
	// Interval is how long a value may live before it is due for rotation, e.g. 90d.
	Interval string `yaml:"interval,omitempty" json:"interval,omitempty"`
	// Auto lets `rotate-due` rotate the secret itself: the webhook supplies the new value
	// or the generator makes one.
	Auto bool `yaml:"auto,omitempty" json:"auto,omitempty"`
	// Webhook is called (signed) on every rotation; it may supply the new value.
	Webhook string `yaml:"webhook,omitempty" json:"webhook,omitempty"`
	// WebhookSecret names the secret holding the webhook's HMAC key: "secret:NAME" in the
	// same agent.
	WebhookSecret string `yaml:"webhook_secret,omitempty" json:"webhook_secret,omitempty"`
	// GracePeriod keeps the previous value readable this long after an automatic rotation.
	GracePeriod string `yaml:"grace_period,omitempty" json:"grace_period,omitempty"`
	// Generator says how swiftclaw makes new values (default 32 random bytes, base64url).
	Generator *rotation.Generator `yaml:"generator,omitempty" json:"generator,omitempty"`
}

// Previous is the value a rotation replaced, kept readable until Until (a grace period).
// It is sealed like the value, with kind "previous" and Until as its expiry.
type Previous struct {
	Until time.Time `yaml:"until"`
	Value string    `yaml:"value"`
}

// SecretFile is one secret file: readable metadata plus the armored encrypted value.
type SecretFile struct {
	Version     int        `yaml:"version"`
	Agent       string     `yaml:"agent"`
	Name        string     `yaml:"name"`
	Description string     `yaml:"description,omitempty"`
	Created     time.Time  `yaml:"created"`
	Updated     time.Time  `yaml:"updated"`
	Expires     *time.Time `yaml:"expires,omitempty"`
	TTL         string     `yaml:"ttl,omitempty"`
	Rotation    *Rotation  `yaml:"rotation,omitempty"`
	Recipients  []string   `yaml:"recipients"`
	Previous    *Previous  `yaml:"previous,omitempty"`
	Value       string     `yaml:"value,omitempty"` // rendered by appendValueBlock, always last
	// RotationRequired is set when a reader lost access (see RotationMark).
	RotationRequired *RotationMark `yaml:"rotation_required,omitempty"`

	doc  *yaml.Node // the parsed document, to keep comments and order on rewrite
	path string
}

// binding is what the encrypted value must agree with.
func (f *SecretFile) binding() Binding {
	return Binding{Kind: "secret", Agent: f.Agent, Name: f.Name, Expires: formatExpiry(f.Expires), Recipients: f.Recipients}
}

// previousBinding is what the grace value must agree with.
func (f *SecretFile) previousBinding() Binding {
	b := Binding{Kind: "previous", Agent: f.Agent, Name: f.Name, Recipients: f.Recipients}
	if f.Previous != nil {
		b.Expires = formatExpiry(&f.Previous.Until)
	}
	return b
}

func formatExpiry(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// EnvFile is an agent's environment: each variable's value encrypted separately so an
// unchanged value keeps its ciphertext when others change.
type EnvFile struct {
	Version    int               `yaml:"version"`
	Agent      string            `yaml:"agent"`
	Recipients []string          `yaml:"recipients"`
	Vars       map[string]string `yaml:"vars"`
	// RotationRequired lists variables to rotate after a reader lost access.
	RotationRequired *RotationMark `yaml:"rotation_required,omitempty"`

	doc  *yaml.Node
	path string
}

func (f *EnvFile) binding(key string) Binding {
	return Binding{Kind: "env", Agent: f.Agent, Name: key, Recipients: f.Recipients}
}

// readCapped reads a file refusing anything larger than maxFileSize.
func readCapped(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxFileSize {
		return nil, errs.New(errs.Input, "%s is larger than %d MiB", path, maxFileSize>>20)
	}
	return os.ReadFile(path)
}

// ParseSecretFile parses and validates a secret file's structure without decrypting.
// name is used in error messages (usually the path). Errors name the file and line.
func ParseSecretFile(data []byte, name string) (*SecretFile, error) {
	var f SecretFile
	head, value, fast := splitValueBlock(data)
	if !fast {
		head = data
	}
	doc, err := parseYAML(head, &f, true)
	if err != nil {
		return nil, malformed(name, err)
	}
	root := docRoot(doc)
	if fast && root != nil && root.Kind == yaml.MappingNode {
		if mappingValue(root, "value") != nil {
			return nil, malformed(name, fmt.Errorf("line %d: value given twice", lineOf(root, "value")))
		}
		f.Value = value
		root.Content = append(root.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "value", Line: bytes.Count(head, []byte("\n")) + 1},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.LiteralStyle})
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, malformed(name, fmt.Errorf("line 1: not a mapping"))
	}
	if f.Version != FormatVersion {
		if f.Version > FormatVersion {
			return nil, errs.New(errs.Input, "%s: format version %d is newer than this swiftclaw understands", name, f.Version).
				WithHint("upgrade swiftclaw")
		}
		return nil, malformed(name, fmt.Errorf("line %d: missing or invalid version", lineOf(root, "version")))
	}
	for _, k := range []string{"agent", "name", "created", "recipients", "value"} {
		if mappingValue(root, k) == nil {
			return nil, malformed(name, fmt.Errorf("line %d: missing field %q", lastLine(root), k))
		}
	}
	if err := checkArmor(f.Value); err != nil {
		return nil, malformed(name, fmt.Errorf("line %d: value %v", lineOf(root, "value"), err))
	}
	if f.Previous != nil {
		if err := checkArmor(f.Previous.Value); err != nil {
			return nil, malformed(name, fmt.Errorf("line %d: previous value %v", lineOf(root, "previous"), err))
		}
	}
	f.doc = doc
	return &f, nil
}

// ParseEnvFile parses and validates an env file's structure without decrypting.
func ParseEnvFile(data []byte, name string) (*EnvFile, error) {
	var f EnvFile
	doc, err := parseYAML(data, &f, true)
	if err != nil {
		return nil, malformed(name, err)
	}
	root := docRoot(doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, malformed(name, fmt.Errorf("line 1: not a mapping"))
	}
	if f.Version != FormatVersion {
		return nil, malformed(name, fmt.Errorf("line %d: missing or unsupported version", lineOf(root, "version")))
	}
	vars := mappingValue(root, "vars")
	for k, v := range f.Vars {
		if err := ValidateEnvKey(k); err != nil {
			return nil, malformed(name, fmt.Errorf("line %d: %v", lineOf(vars, k), err))
		}
		if err := checkArmor(v); err != nil {
			return nil, malformed(name, fmt.Errorf("line %d: value of %s %v", lineOf(vars, k), k, err))
		}
	}
	if f.Vars == nil {
		f.Vars = map[string]string{}
	}
	f.doc = doc
	return &f, nil
}

func malformed(name string, err error) error {
	return errs.Wrap(errs.Input, err, "malformed file %s", name).
		WithHint("restore it from git (`git checkout -- %s`) or remove it and set the value again", name)
}

// checkArmor is a cheap structural check; full validation happens on decrypt.
func checkArmor(v string) error {
	t := strings.TrimSpace(v)
	if !strings.HasPrefix(t, armorBegin) {
		return fmt.Errorf("is not age-encrypted (it must start with %s)", armorBegin)
	}
	if !strings.HasSuffix(t, armorEnd) {
		return fmt.Errorf("is truncated (no %s line)", armorEnd)
	}
	return nil
}

func lineOf(m *yaml.Node, key string) int {
	if m == nil {
		return 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return m.Line
}

func lastLine(m *yaml.Node) int {
	if len(m.Content) == 0 {
		return m.Line
	}
	return m.Content[len(m.Content)-1].Line
}

// marshalSecretFile renders f, merging into its original document when it has one. The
// value is always written last, as a literal block, by appendValueBlock.
func marshalSecretFile(f *SecretFile) ([]byte, error) {
	value := f.Value
	meta := *f
	meta.Value = ""
	var (
		out []byte
		err error
	)
	if f.doc == nil {
		out, err = encodeWithComment(&meta, secretFileComment)
	} else {
		out, err = encodeYAML(&meta, f.doc)
	}
	if err != nil {
		return nil, err
	}
	// The empty Value was omitted, so the merge dropped the key; the block goes last.
	return appendValueBlock(out, value), nil
}

func marshalEnvFile(f *EnvFile) ([]byte, error) {
	if f.doc == nil {
		return encodeWithComment(f, "Managed by swiftclaw: edit with `swiftclaw env set`. Each value is age-encrypted.")
	}
	return encodeYAML(f, f.doc)
}

func encodeWithComment(v any, comment string) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	n.HeadComment = comment
	return renderDoc(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{&n}})
}

package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Template is a parsed, validated secret template.
type Template struct {
	Source      string // file name or builtin:NAME
	Description string
	Secrets     []Secret
}

// Secret is one entry of a template.
type Secret struct {
	Name        string
	Description string
	Env         string // optional deploy variable name
	Required    bool
	Rotation    Rotation       // zero when the template sets none
	Pattern     *regexp.Regexp // anchored: must match the whole value; nil when absent
	PatternText string         // the pattern as written
	Generate    *Generate
	Line        int
}

// MaxFileSize caps a template file.
const MaxFileSize = 1 << 20

var (
	// nameRe is the vault's rule for secret names (they become file names).
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	envRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinPrefix marks a built-in template reference: builtin:openai.
const BuiltinPrefix = "builtin:"

// Builtins lists the names of the built-in templates.
func Builtins() []string {
	entries, _ := builtinFS.ReadDir("builtin")
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// Load reads a template from a file path or a builtin:NAME reference.
func Load(ref string) (*Template, error) {
	if name, ok := strings.CutPrefix(ref, BuiltinPrefix); ok {
		data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
		if err != nil || strings.ContainsAny(name, "/\\") {
			return nil, errs.New(errs.NotFound, "no built-in template %q", name).
				WithHint("use one of: builtin:%s", strings.Join(Builtins(), ", builtin:"))
		}
		return Parse(bytes.NewReader(data), ref)
	}
	f, err := os.Open(ref)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errs.Wrap(errs.NotFound, err, "template %s not found", ref).
				WithHint("pass a template file, or one of: builtin:%s", strings.Join(Builtins(), ", builtin:"))
		}
		return nil, errs.Wrap(errs.Input, err, "open template %s", ref)
	}
	defer f.Close()
	return Parse(f, ref)
}

// lineErr is an input error naming the file and the line of n.
func lineErr(source string, n *yaml.Node, format string, args ...any) error {
	return errs.New(errs.Input, "%s:%d: %s", source, n.Line, fmt.Sprintf(format, args...))
}

// Parse reads and validates a template; name labels errors.
func Parse(r io.Reader, name string) (*Template, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "read template %s", name)
	}
	if len(data) > MaxFileSize {
		return nil, errs.New(errs.Input, "template %s is larger than %d bytes", name, MaxFileSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(errs.Input, err, "template %s is not valid YAML", name)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, errs.New(errs.Input, "template %s is empty", name).
			WithHint("start it with a secrets: list")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, lineErr(name, root, "a template is a mapping with a secrets: list")
	}
	t := &Template{Source: name}
	var secretsNode *yaml.Node
	if err := eachField(name, root, "template", []string{"secrets", "description"}, func(key string, v *yaml.Node) error {
		switch key {
		case "secrets":
			secretsNode = v
			return nil
		default:
			return scalar(name, v, key, &t.Description)
		}
	}); err != nil {
		return nil, err
	}
	if secretsNode == nil {
		return nil, lineErr(name, root, "missing secrets: list")
	}
	if secretsNode.Kind != yaml.SequenceNode {
		return nil, lineErr(name, secretsNode, "secrets must be a list")
	}
	seen := map[string]int{}
	for _, n := range secretsNode.Content {
		s, err := parseSecret(name, n)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[s.Name]; dup {
			return nil, lineErr(name, n, "secret %q is listed twice (first on line %d)", s.Name, prev)
		}
		seen[s.Name] = s.Line
		t.Secrets = append(t.Secrets, s)
	}
	return t, nil
}

// eachField walks a mapping, refusing unknown and repeated keys.
func eachField(source string, m *yaml.Node, what string, known []string, f func(key string, v *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return lineErr(source, k, "%s keys must be plain names", what)
		}
		ok := false
		for _, kn := range known {
			ok = ok || kn == k.Value
		}
		if !ok {
			return lineErr(source, k, "unknown field %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return lineErr(source, k, "field %q repeated in %s", k.Value, what)
		}
		seen[k.Value] = true
		if err := f(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

func scalar(source string, v *yaml.Node, key string, dst *string) error {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return lineErr(source, v, "%s must be a string", key)
	}
	*dst = v.Value
	return nil
}

func intField(source string, v *yaml.Node, key string, dst *int) error {
	n, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil || n <= 0 {
		return lineErr(source, v, "%s must be a positive whole number", key)
	}
	*dst = n
	return nil
}

var secretFields = []string{"name", "description", "env", "required", "rotation", "pattern", "generate"}

func parseSecret(source string, n *yaml.Node) (Secret, error) {
	s := Secret{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return s, lineErr(source, n, "each entry of secrets must be a mapping with at least a name")
	}
	err := eachField(source, n, "secret", secretFields, func(key string, v *yaml.Node) error {
		switch key {
		case "name":
			return scalar(source, v, key, &s.Name)
		case "description":
			return scalar(source, v, key, &s.Description)
		case "env":
			return scalar(source, v, key, &s.Env)
		case "required":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				return lineErr(source, v, "required must be true or false")
			}
			s.Required = v.Value == "true"
			return nil
		case "rotation":
			var text string
			if err := scalar(source, v, key, &text); err != nil {
				return err
			}
			r, err := ParseRotation(text)
			if err != nil {
				return lineErr(source, v, "%v", err)
			}
			s.Rotation = r
			return nil
		case "pattern":
			if err := scalar(source, v, key, &s.PatternText); err != nil {
				return err
			}
			re, err := regexp.Compile(`^(?:` + s.PatternText + `)$`)
			if err != nil {
				return lineErr(source, v, "pattern is not a valid regular expression: %v", err)
			}
			s.Pattern = re
			return nil
		default: // generate
			g, err := parseGenerate(source, v)
			s.Generate = g
			return err
		}
	})
	if err != nil {
		return s, err
	}
	switch {
	case s.Name == "":
		return s, lineErr(source, n, "secret has no name")
	case !nameRe.MatchString(s.Name) || strings.Contains(s.Name, ".."):
		return s, lineErr(source, n, "secret name %q must be letters, digits, '.', '_' or '-', starting with a letter or digit", s.Name)
	case s.Env != "" && !envRe.MatchString(s.Env):
		return s, lineErr(source, n, "env %q of %s is not a valid environment variable name", s.Env, s.Name)
	}
	return s, nil
}

func parseGenerate(source string, v *yaml.Node) (*Generate, error) {
	if v.Kind != yaml.MappingNode {
		return nil, lineErr(source, v, "generate must be a mapping like {length: 32, charset: alphanumeric}")
	}
	g := &Generate{}
	err := eachField(source, v, "generate", []string{"length", "charset", "bytes", "encoding"}, func(key string, f *yaml.Node) error {
		switch key {
		case "length":
			return intField(source, f, key, &g.Length)
		case "bytes":
			return intField(source, f, key, &g.Bytes)
		case "charset":
			return scalar(source, f, key, &g.Charset)
		default:
			return scalar(source, f, key, &g.Encoding)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := g.validate(); err != nil {
		return nil, lineErr(source, v, "%v", err)
	}
	return g, nil
}

package scan

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Config is the `scan:` section of .swiftclaw/config.yaml:
//
//	scan:
//	  agents:
//	    my-agent:
//	      enabled: true
//	      paths: [agents/my-agent, shared]   # optional; default: the whole repository
//
// It records which agents `swiftclaw security scan AGENT --enable` turned scanning on for.
// Other keys of config.yaml belong to other packages; [UpdateConfig] rewrites only this
// section and keeps every other key and comment.
type Config struct {
	Agents map[string]AgentConfig `yaml:"agents"`
}

// AgentConfig is one agent's scan settings.
type AgentConfig struct {
	Enabled bool `yaml:"enabled"`
	// Paths are the repository-relative paths scanned for the agent; empty means the whole
	// repository. The agent's own .swiftclaw/agents/<agent> directory is always included.
	Paths []string `yaml:"paths,omitempty"`
}

// ConfigPath returns the path of config.yaml in the repository at root.
func ConfigPath(root string) string { return filepath.Join(root, ".swiftclaw", "config.yaml") }

// LoadConfig reads the scan section of the repository's config.yaml; a missing file or
// section is an empty Config.
func LoadConfig(root string) (Config, error) {
	data, err := os.ReadFile(ConfigPath(root))
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, errs.Wrap(errs.Internal, err, "read config")
	}
	return ParseConfig(data)
}

// ParseConfig reads the scan section of config.yaml's contents.
func ParseConfig(data []byte) (Config, error) {
	var doc struct {
		Scan Config `yaml:"scan"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, errs.Wrap(errs.Input, err, "parse .swiftclaw/config.yaml").WithHint("fix the YAML syntax in .swiftclaw/config.yaml")
	}
	return doc.Scan, nil
}

// Paths returns the repository-relative paths a scan for agent covers, or nil for the
// whole repository. With agent empty (the pre-commit hook, a CI check of everything) it is
// the union over enabled agents; when no agent is enabled, or one covers the whole
// repository, it is the whole repository: scanning is never narrowed to nothing.
func (c Config) Paths(agent string) []string {
	if agent != "" {
		a := c.Agents[agent]
		if len(a.Paths) == 0 {
			return nil
		}
		return append(slices.Clone(a.Paths), filepath.ToSlash(filepath.Join(".swiftclaw", "agents", agent)))
	}
	var out []string
	for name, a := range c.Agents {
		if !a.Enabled {
			continue
		}
		p := c.Paths(name)
		if p == nil {
			return nil
		}
		out = append(out, p...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Enabled reports whether scanning is enabled for agent.
func (c Config) Enabled(agent string) bool { return c.Agents[agent].Enabled }

var agentNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// UpdateConfig returns config.yaml's contents (data, possibly empty) with agent's scan
// setting recorded, creating the scan section and the agent's entry as needed. It edits
// the YAML node tree, so comments, key order and the other sections survive; paths, when
// non-nil, replace the agent's paths. The caller writes the result (the vault does, under
// its lock).
func UpdateConfig(data []byte, agent string, enabled bool, paths []string) ([]byte, error) {
	if !agentNameRE.MatchString(agent) {
		return nil, errs.New(errs.Input, "invalid agent name %q", agent).WithHint("agent names use letters, digits, '.', '_' and '-'")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(errs.Input, err, "parse .swiftclaw/config.yaml").WithHint("fix the YAML syntax in .swiftclaw/config.yaml")
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errs.New(errs.Input, ".swiftclaw/config.yaml is not a mapping").WithHint("fix .swiftclaw/config.yaml")
	}
	a := childMap(childMap(childMap(top, "scan"), "agents"), agent)
	if a == nil {
		return nil, errs.New(errs.Input, "the scan section of .swiftclaw/config.yaml is not a mapping").WithHint("fix .swiftclaw/config.yaml")
	}
	setScalar(a, "enabled", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(enabled)})
	if paths != nil {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range paths {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: filepath.ToSlash(s)})
		}
		setScalar(a, "paths", seq)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2) // as the vault writes config.yaml
	if err := enc.Encode(&doc); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode config")
	}
	if err := enc.Close(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode config")
	}
	return buf.Bytes(), nil
}

// childMap returns the mapping under key in m, creating it (or replacing a null) when
// absent; nil when m is nil or the existing value is not a mapping.
func childMap(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		v := m.Content[i+1]
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			*v = yaml.Node{Kind: yaml.MappingNode}
		}
		if v.Kind != yaml.MappingNode {
			return nil
		}
		return v
	}
	v := &yaml.Node{Kind: yaml.MappingNode}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v
}

func setScalar(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

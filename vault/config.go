package vault

import (
	"gopkg.in/yaml.v3"
)

// Config is the part of .swiftclaw/config.yaml the vault reads. Other sections (scan,
// audit) belong to their packages and are preserved on rewrite.
type Config struct {
	Version int `yaml:"version"`
	Git     struct {
		// Autocommit commits every change swiftclaw makes (default true).
		Autocommit *bool `yaml:"autocommit,omitempty"`
	} `yaml:"git"`
}

// AutocommitEnabled reports the effective autocommit setting.
func (c *Config) AutocommitEnabled() bool { return c.Git.Autocommit == nil || *c.Git.Autocommit }

func parseConfig(data []byte, name string) (*Config, error) {
	c := &Config{}
	if len(data) == 0 {
		return c, nil
	}
	if _, err := parseYAML(data, c, false); err != nil {
		return nil, malformed(name, err)
	}
	return c, nil
}

// AgentConfig is the part of agent.yaml the vault reads: the environment mappings for
// `run` and `deploy`. Other sections (provider, alerts) are read by their packages.
type AgentConfig struct {
	Run struct {
		// Secrets maps environment variable names to references such as "secret:api-key".
		Secrets map[string]string `yaml:"secrets,omitempty"`
		// Previous also passes ENV_PREVIOUS for each mapped secret that has a grace value.
		Previous bool `yaml:"previous,omitempty"`
	} `yaml:"run,omitempty"`
	Deploy struct {
		Secrets map[string]string `yaml:"secrets,omitempty"`
	} `yaml:"deploy,omitempty"`

	doc *yaml.Node
}

func parseAgentConfig(data []byte, name string) (*AgentConfig, error) {
	c := &AgentConfig{}
	if len(data) == 0 {
		return c, nil
	}
	doc, err := parseYAML(data, c, false)
	if err != nil {
		return nil, malformed(name, err)
	}
	c.doc = doc
	return c, nil
}

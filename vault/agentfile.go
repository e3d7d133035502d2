package vault

import (
	"os"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// AgentFile returns the raw bytes of agents/AGENT/agent.yaml (nil when absent) and its
// path relative to the root, for packages that read sections the vault does not (the
// secrets: block of providers).
func (s *Store) AgentFile(agent string) ([]byte, string, error) {
	if err := ValidateName("agent", agent); err != nil {
		return nil, "", err
	}
	p, err := s.path("agents", agent, "agent.yaml")
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		return nil, "", errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
	}
	return data, s.rel(p), nil
}

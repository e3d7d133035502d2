package vault

import (
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// GetEnv decrypts one of agent's environment variables. A variable the agent does not
// have is errs.NotFound. Only that variable is decrypted.
func (s *Store) GetEnv(agent, key string) ([]byte, error) {
	if err := ValidateEnvKey(key); err != nil {
		return nil, err
	}
	if err := s.requireAgent(agent); err != nil {
		return nil, err
	}
	f, _, err := s.readEnvFile(agent)
	if err != nil {
		return nil, err
	}
	if _, ok := f.Vars[key]; !ok {
		return nil, errs.New(errs.NotFound, "%s is not set for agent %s", key, agent).
			WithHint("list the variables with `swiftclaw env list %s`", agent)
	}
	rec, err := s.Recipients()
	if err != nil {
		return nil, err
	}
	return s.decryptEnv(f, key, rec)
}

package vault

import (
	"context"
	"os"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// ReadProjectFile reads .swiftclaw/NAME, a settings file another package owns (alerts.yaml,
// …). A missing file reads as nil.
func (s *Store) ReadProjectFile(name string) ([]byte, error) {
	p, err := s.projectFile(name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot read %s", s.rel(p))
	}
	return data, nil
}

// WriteProjectFile replaces .swiftclaw/NAME with data under the project lock and commits
// it like every other swiftclaw change.
func (s *Store) WriteProjectFile(ctx context.Context, name string, data []byte, msg string) (*WriteResult, error) {
	p, err := s.projectFile(name)
	if err != nil {
		return nil, err
	}
	return s.write(ctx, msg, func(t *txn) error {
		t.put(p, data)
		return nil
	})
}

// projectFile resolves a top-level settings file; nested or hidden names are refused.
func (s *Store) projectFile(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".yaml") {
		return "", errs.New(errs.Internal, "invalid project file name %q", name)
	}
	return s.path(name)
}

package vault

import (
	"context"
	"fmt"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// RollbackResult reports a rollback.
type RollbackResult struct {
	*SetResult
	// Restored is the version whose value was made current.
	Restored *Version
	// Version is the label of the new version holding it ("v5").
	Version string
}

// RollbackSecret makes the value of version label current again as a new version:
// history is never rewritten. The value is re-encrypted to today's readers, so a key
// removed since that version was written cannot read the result. A removed secret is
// re-created. Restoring the value the secret already has changes nothing.
func (s *Store) RollbackSecret(ctx context.Context, agent, name, label string) (*RollbackResult, error) {
	vs, v, err := s.lookupVersion(ctx, agent, name, label)
	if err != nil {
		return nil, err
	}
	if v.Status == StatusPending {
		return nil, errs.New(errs.Input, "%s of %s/%s is not committed yet; there is nothing to roll back to", v.Label, agent, name)
	}
	value, err := s.decryptVersion(ctx, v.hist, name)
	if err != nil {
		return nil, err
	}
	next := vs[0].Number + 1
	if vs[0].Status == StatusPending {
		next = vs[0].Number
	}
	res := &RollbackResult{Restored: v, Version: fmt.Sprintf("v%d", next)}
	msg := fmt.Sprintf("swiftclaw: rollback %s/%s to %s (as %s; restores the value of commit %s)", agent, name, v.Label, res.Version, shortID(v.Commit))
	res.SetResult, err = s.setSecret(ctx, agent, name, value, SetOptions{}, &secretWrite{msg: msg, action: "rollback"})
	if err != nil {
		return nil, err
	}
	if !res.ValueChanged {
		res.Version = ""
	}
	return res, nil
}

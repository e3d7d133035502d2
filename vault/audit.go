package vault

import (
	"context"
	"slices"
)

// Auditor records who read and changed which secret (package audit implements the log;
// cmd/swiftclaw adapts it). The Store calls it after a value is decrypted and before the
// value is returned, so a non-nil error refuses the read: that is how audit.fail_closed
// works. For writes it is called after the change is on disk; an error there becomes a
// warning, because the change is done and git history records it.
type Auditor interface {
	Audit(ctx context.Context, ev AuditEvent) error
}

// AuditEvent is one audited action. It never carries a value.
type AuditEvent struct {
	// Action is read, run or deploy for reads; set, rm, env-set or env-unset for writes.
	Action string
	Agent  string
	// Secret is the secret's name, or "env:KEY" for an environment variable.
	Secret string
	// Principal is the recipients.yaml ID (email or service name) of the identity that
	// decrypted (reads) or of the user's primary identity (writes); an abbreviated
	// public key when the identity is not registered.
	Principal string
	// Write tells writes from reads.
	Write bool
}

// auditRead records a read of agent/secret, decrypted with one of the user's identities
// that is among fileRecipients. It returns the Auditor's error, which refuses the read.
func (s *Store) auditRead(ctx context.Context, action, agent, secret string, fileRecipients []string, rec *Recipients) error {
	if s.Auditor == nil {
		return nil
	}
	if action == "" {
		action = "read"
	}
	return s.Auditor.Audit(ctx, AuditEvent{Action: action, Agent: agent, Secret: secret,
		Principal: s.principal(rec, fileRecipients)})
}

// auditWrite records a completed write of each secret; an Auditor failure is added to
// wr.Warnings.
func (s *Store) auditWrite(ctx context.Context, wr *WriteResult, err error, action, agent string, secrets ...string) (*WriteResult, error) {
	if s.Auditor == nil || err != nil || wr == nil || len(wr.Changed) == 0 {
		return wr, err
	}
	rec, rerr := s.Recipients()
	if rerr != nil {
		rec = &Recipients{}
	}
	who := s.principal(rec, nil)
	for _, name := range secrets {
		if aerr := s.Auditor.Audit(ctx, AuditEvent{Action: action, Agent: agent, Secret: name, Principal: who, Write: true}); aerr != nil {
			wr.Warnings = append(wr.Warnings, aerr.Error())
			break
		}
	}
	return wr, nil
}

// principal names the user: the first identity whose public key is among keys (any
// identity when keys is nil), mapped through recipients.yaml.
func (s *Store) principal(rec *Recipients, keys []string) string {
	ids, _ := s.Identities()
	if ids == nil {
		return "unknown"
	}
	fallback := ""
	for _, id := range ids.List {
		if id.Recipient == "" || (keys != nil && !slices.Contains(keys, id.Recipient)) {
			continue
		}
		if p, ok := rec.ByKey(id.Recipient); ok {
			return p.ID
		}
		if fallback == "" {
			fallback = shortKey(id.Recipient)
		}
	}
	if fallback == "" {
		return "unknown"
	}
	return fallback
}

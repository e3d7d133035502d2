package vault

import (
	"context"
	"fmt"
)

// MetaUpdate changes the parts of a secret's metadata that are not bound to its value.
// nil fields are left alone.
type MetaUpdate struct {
	Description *string
	// RotationInterval sets rotation.interval (e.g. "90d"); "" clears it, so the secret
	// has no rotation schedule.
	RotationInterval *string
}

// UpdateSecretMeta sets description and rotation interval of agent/name. Neither is sealed
// into the ciphertext, so nothing is decrypted or re-encrypted and no identity is needed; an
// update that changes nothing writes and commits nothing.
func (s *Store) UpdateSecretMeta(ctx context.Context, agent, name string, u MetaUpdate) (*WriteResult, error) {
	if u.RotationInterval != nil && *u.RotationInterval != "" {
		if _, err := ParseDuration(*u.RotationInterval); err != nil {
			return nil, err
		}
	}
	return s.write(ctx, fmt.Sprintf("swiftclaw: update %s/%s metadata", agent, name), func(t *txn) error {
		f, err := s.readSecretFile(agent, name)
		if err != nil {
			return err
		}
		if u.Description != nil {
			f.Description = *u.Description
		}
		if u.RotationInterval != nil {
			r := Rotation{}
			if f.Rotation != nil {
				r = *f.Rotation
			}
			r.Interval = *u.RotationInterval
			f.Rotation = &r
			if r == (Rotation{}) {
				f.Rotation = nil
			}
		}
		data, err := marshalSecretFile(f)
		if err != nil {
			return err
		}
		t.put(f.path, data)
		return nil
	})
}

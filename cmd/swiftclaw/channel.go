package main

import (
	"context"
	"time"

	"github.com/swiftclaw/swiftclaw/deploy"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/sdk/protocol"
	"github.com/swiftclaw/swiftclaw/vault"
)

// openRunChannel starts serving agent's secrets to the child of run or deploy --target
// exec. Every value served is first added to the output redactors (run --redact).
func openRunChannel(env *Env, s *vault.Store, agent string, redactors []*deploy.Redactor) (*protocol.Channel, error) {
	opts := protocol.Options{Agent: agent, Server: "swiftclaw " + buildVersion(), GetVersion: versionGetter(s)}
	if len(redactors) > 0 {
		opts.OnValue = func(name string, value []byte) {
			for _, rd := range redactors {
				rd.Add(deploy.Var{Name: name, Value: value})
			}
		}
	}
	ch, err := protocol.OpenChannel(env.Ctx, s, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot open the run channel")
	}
	return ch, nil
}

// versionGetter serves SDK requests for an earlier version ("v2") from git history.
func versionGetter(s *vault.Store) func(ctx context.Context, agent, name, label string) ([]byte, *time.Time, error) {
	return func(ctx context.Context, agent, name, label string) ([]byte, *time.Time, error) {
		value, v, err := s.GetVersion(ctx, agent, name, label, vault.GetOptions{})
		if err != nil {
			return nil, nil, err
		}
		return value, v.Expires, nil
	}
}

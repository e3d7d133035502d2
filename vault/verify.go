package vault

import (
	"context"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/gitcli"
	"github.com/swiftclaw/swiftclaw/policy"
)

// VerifyCommits checks who made the commits in rng (see policy.Verify): every change to a
// secret by a principal with write permission on it, every change to the policy by an
// owner, each judged by the policy and recipients in force before the commit.
func (s *Store) VerifyCommits(ctx context.Context, rng string) (*policy.VerifyReport, error) {
	if !s.InGit {
		return nil, errs.New(errs.Input, "%s is not in a git repository: there are no commits to verify", s.Root)
	}
	return policy.Verify(ctx, policy.VerifyOptions{Dir: s.Root, Range: rng, Prefix: DirName, Load: s.policyAt})
}

// policyAt reads policy.yaml and recipients.yaml as commit left them.
func (s *Store) policyAt(ctx context.Context, commit string) (*policy.Policy, []policy.Principal, bool, error) {
	polName, recName := commit+":"+DirName+"/policy.yaml", commit+":"+DirName+"/recipients.yaml"
	blobs, err := gitcli.CatFileBatch(ctx, s.Root, []string{polName, recName})
	if err != nil {
		return nil, nil, false, err
	}
	if blobs[1] == nil {
		return &policy.Policy{}, nil, false, nil
	}
	pol, err := policy.Parse(blobs[0], polName)
	if err != nil {
		return nil, nil, false, err
	}
	rec, err := ParseRecipients(blobs[1], recName)
	if err != nil {
		return nil, nil, false, err
	}
	return pol, rec.Principals(), true, nil
}

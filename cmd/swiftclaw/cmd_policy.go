package main

import (
	"fmt"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/policy"
	"github.com/swiftclaw/swiftclaw/vault"
)

// PolicyCmd groups the policy checks.
type PolicyCmd struct {
	Check  PolicyCheckCmd  `cmd:"" help:"Check that every file is encrypted to exactly the keys policy.yaml allows (exit 1 on problems)."`
	Verify PolicyVerifyCmd `cmd:"" help:"Check that every commit changing secrets was made by a principal allowed to (for CI on pull requests)."`
}

// PolicyCheckCmd is `policy check`.
type PolicyCheckCmd struct {
	Fix  bool `help:"First re-encrypt files whose recipients differ from the policy (owners only); files that lose a key are marked rotation required."`
	JSON bool `help:"Print the findings as JSON."`
}

// Run checks the repository against the policy.
func (c *PolicyCheckCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if c.Fix {
		fixed, wr, err := s.Resync(env.Ctx, vault.BulkOptions{Progress: progress(env)})
		if err != nil {
			return err
		}
		if len(fixed) > 0 {
			fmt.Fprintf(env.Stderr, "re-encrypted %s to the keys the policy allows: %s\n", files(len(fixed)), joinFiles(fixed, 10))
		}
		printCommitted(env, wr)
	}
	res, err := s.CheckPolicy()
	if err != nil {
		return err
	}
	if c.JSON {
		if err := writeJSON(env.Stdout, map[string]any{"findings": nonNil(res.Findings), "files": res.Files}); err != nil {
			return err
		}
	} else if err := policy.WriteReport(env.Stdout, res.Findings, res.Files); err != nil {
		return err
	}
	if len(res.Findings) > 0 {
		return errs.New(errs.Findings, "policy check failed: %d problem(s)", len(res.Findings))
	}
	return nil
}

// PolicyVerifyCmd is `policy verify [REV-RANGE]`.
type PolicyVerifyCmd struct {
	Range string `arg:"" optional:"" name:"rev-range" help:"Commits to check, e.g. origin/main..HEAD (default: all of HEAD's history)."`
	JSON  bool   `help:"Print the verdicts as JSON."`
}

// Run verifies the commits.
func (c *PolicyVerifyCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	rep, err := s.VerifyCommits(env.Ctx, c.Range)
	if err != nil {
		return err
	}
	if c.JSON {
		if rep.Commits == nil {
			rep.Commits = []policy.CommitCheck{}
		}
		err = writeJSON(env.Stdout, map[string]any{"range": rep.Range, "commits": rep.Commits, "unsigned": rep.Unsigned()})
	} else {
		err = policy.WriteVerifyReport(env.Stdout, rep)
	}
	if err != nil {
		return err
	}
	if n := rep.Failed(); n > 0 {
		return errs.New(errs.Findings, "policy verify refused %d commit(s)", n)
	}
	return nil
}

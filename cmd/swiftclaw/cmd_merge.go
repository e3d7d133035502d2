package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/vault"
)

// MergeDriverCmd is `swiftclaw merge-driver BASE OURS THEIRS PATH`, what git runs for
// files with the merge=swiftclaw attribute (see `swiftclaw init`). It writes the result
// to OURS and exits non-zero on a conflict, so git marks the file conflicted.
type MergeDriverCmd struct {
	Base   string `arg:"" help:"The common ancestor's version (git's %O)."`
	Ours   string `arg:"" help:"Our version; the result is written here (git's %A)."`
	Theirs string `arg:"" help:"Their version (git's %B)."`
	Path   string `arg:"" help:"The file's path in the repository (git's %P)."`
}

// Run merges the three versions.
func (c *MergeDriverCmd) Run(g *Globals, env *Env) error {
	in := vault.MergeInput{Path: c.Path}
	for _, f := range []struct {
		dst  *[]byte
		path string
	}{{&in.Base, c.Base}, {&in.Ours, c.Ours}, {&in.Theirs, c.Theirs}} {
		data, err := os.ReadFile(f.path)
		if err != nil && !(os.IsNotExist(err) && f.path == c.Base) {
			return errs.Wrap(errs.Input, err, "cannot read %s", f.path)
		}
		*f.dst = data
	}
	res, err := vault.MergeFiles(in)
	if err != nil {
		return err
	}
	if len(res.Conflicts) > 0 {
		dir := g.Chdir
		if dir == "" {
			dir = "."
		}
		in.OursCommit, in.TheirsCommit = vault.MergeCommits(env.Ctx, dir, c.Path, os.Environ())
		if res, err = vault.MergeFiles(in); err != nil {
			return err
		}
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(c.Ours); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := fsutil.WriteFile(c.Ours, res.Data, mode); err != nil {
		return errs.Wrap(errs.Internal, err, "cannot write the merge result")
	}
	if len(res.Conflicts) == 0 {
		return nil
	}
	var parts []string
	for _, cf := range res.Conflicts {
		parts = append(parts, cf.Field+": "+cf.Reason)
	}
	sides := fmt.Sprintf("ours: commit %s, theirs: commit %s", orUnknown(in.OursCommit), orUnknown(in.TheirsCommit))
	return errs.New(errs.Conflict, "merge conflict in %s (%s): %s", c.Path, sides, strings.Join(parts, "; ")).
		WithHint("keep one side with `git checkout --ours -- %s` (or --theirs) and `git add %s`; the file holds no plaintext", c.Path, c.Path)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

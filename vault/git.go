package vault

import (
	"context"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/gitcli"
)

// gitCommit commits exactly paths (relative to root) with the git CLI and returns the
// new commit id.
//
// The git CLI is used rather than go-git because `git commit --only -- PATHS` commits just
// swiftclaw's files while leaving the user's other staged changes staged (go-git commits the
// whole index), and because the CLI honours the user's signing configuration
// (commit.gpgsign, gpg.format ssh) that `policy verify` checks. --no-verify: the files were
// validated by swiftclaw itself, and a user's formatter hook must not rewrite ciphertext.
func gitCommit(ctx context.Context, root, msg string, paths []string) (string, error) {
	// --force: the user's own ignore rules (a global "*.yaml", say) must not keep
	// swiftclaw's files out of its commit; only explicit paths are added.
	args := append([]string{"add", "--all", "--force", "--"}, paths...)
	if _, err := runGit(ctx, root, args...); err != nil {
		return "", err
	}
	args = append([]string{"commit", "--quiet", "--no-verify", "--only", "-m", msg, "--"}, paths...)
	if _, err := runGit(ctx, root, args...); err != nil {
		return "", err
	}
	out, err := runGit(ctx, root, "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// runGit runs git in dir. Arguments never carry secret values.
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	return gitcli.Run(ctx, dir, args...)
}

// gitDirty returns which of paths differ from HEAD (staged, unstaged or untracked).
func gitDirty(ctx context.Context, root string, paths []string) ([]string, error) {
	args := append([]string{"status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--"}, paths...)
	out, err := runGit(ctx, root, args...)
	if err != nil {
		return nil, err
	}
	var dirty []string
	entries := strings.Split(out, "\x00")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if len(e) < 4 {
			continue
		}
		if e[0] == 'R' || e[0] == 'C' {
			i++ // the rename source follows
		}
		dirty = append(dirty, e[3:])
	}
	return dirty, nil
}

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
	args := append([]string{"add", "--all", "--"}, paths...)
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

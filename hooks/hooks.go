package hooks

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
)

// DefaultCommand is what the hook runs unless [Options.Command] says otherwise. The binary
// is looked up on PATH when the hook runs, not when it is installed.
var DefaultCommand = []string{"swiftclaw", "security", "scan", "--staged", "--check"}

// ChainedSuffix is appended to the name of an existing hook kept and run by swiftclaw's.
const ChainedSuffix = ".swiftclaw-chained"

// marker identifies a hook file written by this package.
const marker = "# swiftclaw-managed-hook v1"

// Options says which repository and what command.
type Options struct {
	// Dir is any directory inside the repository or one of its worktrees (default ".").
	Dir string
	// Command is the hook's command line (default DefaultCommand). A first word without a
	// slash is looked up on PATH when the hook runs.
	Command []string
}

// Result reports what Install or Uninstall did.
type Result struct {
	Hook    string // path of the pre-commit hook
	Chained string // Install: where the pre-existing hook was kept, if there was one
	Updated bool   // Install: an earlier swiftclaw hook was rewritten
	// Restored is true when Uninstall put the original hook back.
	Restored bool
}

// HookPath returns the path of the pre-commit hook git runs for the repository containing
// dir. It asks the git CLI (`git rev-parse --git-path hooks`) because go-git resolves
// neither core.hooksPath nor the common directory of linked worktrees.
func HookPath(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--git-path", "hooks")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errs.Wrap(errs.Internal, err, "git is not installed").WithHint("install git and make sure it is on PATH")
		}
		return "", errs.New(errs.Input, "%s is not in a git repository", dir).
			WithHint("run `swiftclaw security install-hook` inside a git repository")
	}
	p := strings.TrimRight(string(out), "\r\n")
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	p, err = filepath.Abs(p)
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "hooks directory")
	}
	return filepath.Join(p, "pre-commit"), nil
}

// Install installs the swiftclaw pre-commit hook, keeping and chaining any existing one.
// Installing again rewrites the swiftclaw hook (e.g. with a new command) and keeps the
// chained hook.
func Install(ctx context.Context, opts Options) (*Result, error) {
	hook, err := HookPath(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	cmd := opts.Command
	if len(cmd) == 0 {
		cmd = DefaultCommand
	}
	res := &Result{Hook: hook}
	chained := hook + ChainedSuffix
	ours, exists, err := isOurs(hook)
	if err != nil {
		return nil, err
	}
	if exists && ours {
		res.Updated = true
	}
	if _, err := os.Lstat(chained); err == nil {
		res.Chained = chained
	}
	if exists && !ours {
		if res.Chained != "" {
			return nil, errs.New(errs.Conflict, "%s is not swiftclaw's hook, and %s already holds an earlier hook", hook, chained).
				WithHint("move one of them away, then run `swiftclaw security install-hook` again")
		}
		if err := os.Rename(hook, chained); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "keep existing pre-commit hook")
		}
		res.Chained = chained
	}
	if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "create hooks directory")
	}
	if err := fsutil.WriteFile(hook, []byte(Script(cmd)), 0o755); err != nil {
		if exists && !ours {
			_ = os.Rename(chained, hook) // put the original back
		}
		return nil, errs.Wrap(errs.Internal, err, "write pre-commit hook")
	}
	return res, nil
}

// Uninstall removes the swiftclaw pre-commit hook and puts back the hook it chained, if
// any. A pre-commit hook that is not swiftclaw's is left alone (a Conflict error).
func Uninstall(ctx context.Context, opts Options) (*Result, error) {
	hook, err := HookPath(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	ours, exists, err := isOurs(hook)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, errs.New(errs.NotFound, "no pre-commit hook is installed at %s", hook).
			WithHint("install it with `swiftclaw security install-hook`")
	}
	if !ours {
		return nil, errs.New(errs.Conflict, "the pre-commit hook at %s is not swiftclaw's; leaving it alone", hook)
	}
	if err := os.Remove(hook); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "remove pre-commit hook")
	}
	res := &Result{Hook: hook}
	chained := hook + ChainedSuffix
	if _, err := os.Lstat(chained); err == nil {
		if err := os.Rename(chained, hook); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "restore original pre-commit hook from %s", chained)
		}
		res.Restored = true
	}
	return res, nil
}

// Installed reports whether the pre-commit hook for the repository containing dir is
// swiftclaw's.
func Installed(ctx context.Context, dir string) (bool, error) {
	hook, err := HookPath(ctx, dir)
	if err != nil {
		return false, err
	}
	ours, _, err := isOurs(hook)
	return ours, err
}

func isOurs(hook string) (ours, exists bool, err error) {
	fi, err := os.Lstat(hook)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, errs.Wrap(errs.Internal, err, "inspect pre-commit hook")
	}
	if !fi.Mode().IsRegular() {
		return false, true, nil
	}
	data, err := os.ReadFile(hook)
	if err != nil {
		return false, true, errs.Wrap(errs.Internal, err, "read pre-commit hook")
	}
	return bytes.Contains(data, []byte("\n"+marker+"\n")), true, nil
}

// Script returns the pre-commit hook script that runs the chained hook, if present and
// executable (as git would have), then command.
func Script(command []string) string {
	quoted := make([]string, len(command))
	for i, a := range command {
		quoted[i] = shellQuote(a)
	}
	bin := quoted[0]
	var check string
	if strings.Contains(command[0], "/") {
		check = "[ -x " + bin + " ]"
	} else {
		check = "command -v " + bin + " >/dev/null 2>&1"
	}
	return `#!/bin/sh
# swiftclaw pre-commit hook: blocks commits that add secrets.
# Installed by 'swiftclaw security install-hook'; remove it with 'swiftclaw security uninstall-hook'.
` + marker + `
chained="$(dirname -- "$0")/pre-commit` + ChainedSuffix + `"
if [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi
if ! ` + check + `; then
	echo "swiftclaw pre-commit hook: "` + bin + `" not found; install swiftclaw or run 'swiftclaw security uninstall-hook'" >&2
	exit 1
fi
exec ` + strings.Join(quoted, " ") + "\n"
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

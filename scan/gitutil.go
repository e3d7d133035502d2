package scan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// The git CLI is used for listing files, diffs and logs: go-git has no equivalent of
// `git ls-files --others --exclude-standard`, no remerge diffs, does not honour the index
// a pre-commit hook is given in GIT_INDEX_FILE, and is many times slower on history.

// gitOutput runs git in dir and returns its stdout.
func gitOutput(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, gitError(args, err, stderr.String())
	}
	return out, nil
}

func gitError(args []string, err error, stderr string) error {
	var ee *exec.ExitError
	if errors.Is(err, exec.ErrNotFound) {
		return errs.Wrap(errs.Internal, err, "git is not installed").WithHint("install git and make sure it is on PATH")
	}
	msg := strings.TrimSpace(stderr)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if errors.As(err, &ee) && msg != "" {
		return errs.New(errs.Internal, "git %s: %s", args[0], msg)
	}
	return errs.Wrap(errs.Internal, err, "git %s", args[0])
}

// gitStream starts git in dir, with stdin when not nil, and returns its stdout; wait
// reports how it ended.
func gitStream(ctx context.Context, dir string, stdin io.Reader, args ...string) (io.ReadCloser, func() error, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "git %s", args[0])
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, gitError(args, err, "")
	}
	wait := func() error {
		if err := cmd.Wait(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return gitError(args, err, stderr.String())
		}
		return nil
	}
	return out, wait, nil
}

// diffArgs pins the diff output format against user configuration that would change it
// (diff.noprefix, diff.mnemonicPrefix, diff.relative, color.ui, external diff drivers and
// textconv filters, which would hide the real content).
var diffArgs = []string{"-U0", "--no-color", "--no-ext-diff", "--no-textconv",
	"--src-prefix=a/", "--dst-prefix=b/", "--no-relative"}

// pathspecs turns repository-relative paths into literal, top-anchored git pathspecs.
func pathspecs(paths []string) []string {
	if len(paths) == 0 {
		return nil
	}
	out := []string{"--"}
	for _, p := range paths {
		out = append(out, ":(top,literal)"+strings.TrimPrefix(p, "/"))
	}
	return out
}

// catFile reads blobs through one long-running `git cat-file --batch`.
type catFile struct {
	ctx  context.Context
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	fail error
}

// get returns the blob named by spec ("<commit>:<path>", or ":<path>" for the index);
// ok is false when there is no such blob.
func (c *catFile) get(spec string) (data []byte, ok bool, err error) {
	if strings.ContainsAny(spec, "\n") {
		return nil, false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return nil, false, c.fail
	}
	if c.cmd == nil {
		c.cmd = exec.CommandContext(c.ctx, "git", "-C", c.dir, "cat-file", "--batch")
		if c.in, err = c.cmd.StdinPipe(); err != nil {
			return nil, false, c.setFail(err)
		}
		out, err := c.cmd.StdoutPipe()
		if err != nil {
			return nil, false, c.setFail(err)
		}
		c.out = bufio.NewReader(out)
		if err := c.cmd.Start(); err != nil {
			return nil, false, c.setFail(err)
		}
	}
	if _, err := io.WriteString(c.in, spec+"\n"); err != nil {
		return nil, false, c.setFail(err)
	}
	hdr, err := c.out.ReadString('\n')
	if err != nil {
		return nil, false, c.setFail(err)
	}
	f := strings.Fields(hdr)
	if len(f) != 3 {
		return nil, false, nil // "<spec> missing" or "ambiguous"
	}
	size, err := strconv.Atoi(f[2])
	if err != nil {
		return nil, false, c.setFail(fmt.Errorf("bad cat-file header"))
	}
	buf := make([]byte, size+1)
	if _, err := io.ReadFull(c.out, buf); err != nil {
		return nil, false, c.setFail(err)
	}
	if f[1] != "blob" {
		return nil, false, nil
	}
	return buf[:size], true, nil
}

func (c *catFile) setFail(err error) error {
	c.fail = errs.Wrap(errs.Internal, err, "git cat-file")
	return c.fail
}

func (c *catFile) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		c.in.Close()
		_ = c.cmd.Wait()
		c.cmd = nil
	}
}

// Package gitcli runs the git command line for swiftclaw's packages. The CLI is used
// where go-git is far slower (path-filtered logs on long histories, batch object reads)
// or lacks a feature (committing only some paths, SSH signature verification). Arguments
// never carry secret values.
package gitcli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Run runs git with args in dir and returns its stdout. A failure is an errs.Internal
// error carrying git's first line of stderr.
func Run(ctx context.Context, dir string, args ...string) (string, error) {
	out, _, err := RunStderr(ctx, dir, args...)
	return out, err
}

// RunStderr is Run that also returns stderr, for commands that report there
// (verify-commit).
func RunStderr(ctx context.Context, dir string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(se.String())
		if _, ok := err.(*exec.Error); ok {
			return "", msg, errs.Wrap(errs.Internal, err, "cannot run git").WithHint("install git, or pass --no-commit")
		}
		e := errs.New(errs.Internal, "git %s failed: %s", args[0], FirstLines(msg, 6))
		if strings.Contains(msg, "Please tell me who you are") || strings.Contains(msg, "empty ident") {
			e.Hint = "tell git who you are: `git config user.email you@example.com` and `git config user.name \"Your Name\"`"
		}
		return so.String(), msg, e
	}
	return so.String(), se.String(), nil
}

// FirstLines keeps git's message readable but bounded to n lines.
func FirstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}

// FirstLine returns s up to its first newline.
func FirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// CatFileBatch reads objects named like "COMMIT:PATH" or "COMMIT" with one
// `git cat-file --batch` process and returns each object's content in order, nil for a
// missing one (such as a path deleted in that commit).
func CatFileBatch(ctx context.Context, dir string, names []string) ([][]byte, error) {
	var req bytes.Buffer
	for _, n := range names {
		fmt.Fprintln(&req, n)
	}
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = dir
	cmd.Stdin = &req
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot run git cat-file")
	}
	if err := cmd.Start(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot run git").WithHint("install git")
	}
	out, perr := readBatch(bufio.NewReaderSize(stdout, 1<<16), len(names))
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil || perr != nil {
		if perr == nil {
			perr = err
		}
		return nil, errs.New(errs.Internal, "git cat-file failed: %v %s", perr, FirstLine(strings.TrimSpace(stderr.String())))
	}
	return out, nil
}

func readBatch(r *bufio.Reader, n int) ([][]byte, error) {
	out := make([][]byte, 0, n)
	for range n {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			out = append(out, nil)
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("unexpected cat-file header %q", strings.TrimSpace(header))
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("unexpected cat-file header %q", strings.TrimSpace(header))
		}
		body := make([]byte, size+1) // content and its trailing newline
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, err
		}
		out = append(out, body[:size])
	}
	return out, nil
}

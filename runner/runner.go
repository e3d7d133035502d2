// Package runner starts a child process with injected environment variables, forwards
// signals to it and reports its exit status the way a shell would. Values travel only
// in the child's environment, never on its argv.
package runner

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Spec describes the child to run.
type Spec struct {
	// Argv is the command and its arguments; Argv[0] is looked up on PATH.
	Argv []string
	// Env is the complete environment of the child, as KEY=VALUE strings.
	Env []string
	// Dir is the working directory ("" = the current one).
	Dir    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// ExtraFiles are inherited by the child as descriptors 3, 4, ... (exec.Cmd.ExtraFiles).
	// Run closes them once the child has started, or failed to: the child holds its own
	// copies, and a peer reading the other end of a pipe or socket then sees end-of-file
	// when the child is done with it.
	ExtraFiles []*os.File
	// TerminalSignals, when true, means the child shares our terminal: SIGINT and SIGQUIT
	// typed at the terminal reach it directly, so they are not forwarded a second time.
	TerminalSignals bool
}

// Exit codes for a child that could not be started, as shells use them.
const (
	ExitNotFound      = 127
	ExitNotExecutable = 126
)

// forwarded are the signals passed on to the child.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

// Run starts the child, forwards signals until it exits and returns its exit code
// (128+N when it was killed by signal N). A child that cannot be started returns
// 127/126 with an errs.Input error.
func Run(ctx context.Context, spec Spec) (int, error) {
	defer closeAll(spec.ExtraFiles)
	if len(spec.Argv) == 0 {
		return 2, errs.New(errs.Input, "no command given").WithHint("put the command after --, e.g. `swiftclaw run my-agent -- python agent.py`")
	}
	path, err := exec.LookPath(spec.Argv[0])
	if err != nil {
		code := ExitNotFound
		if errors.Is(err, os.ErrPermission) {
			code = ExitNotExecutable
		}
		return code, errs.Wrap(errs.Input, err, "cannot run %s", spec.Argv[0])
	}
	cmd := &exec.Cmd{Path: path, Args: spec.Argv, Env: spec.Env, Dir: spec.Dir, Stdin: spec.Stdin, Stdout: spec.Stdout, Stderr: spec.Stderr, ExtraFiles: spec.ExtraFiles}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		code := ExitNotExecutable
		return code, errs.Wrap(errs.Input, err, "cannot run %s", spec.Argv[0])
	}
	closeAll(spec.ExtraFiles)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				if spec.TerminalSignals && (sig == syscall.SIGINT || sig == syscall.SIGQUIT) {
					continue
				}
				_ = cmd.Process.Signal(sig)
			case <-ctx.Done():
				_ = cmd.Process.Signal(syscall.SIGTERM)
				return
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	if err == nil {
		return 0, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exitErr.ExitCode(), nil
	}
	return 1, errs.Wrap(errs.Internal, err, "waiting for %s", spec.Argv[0])
}

// MergeEnv returns base with vars set (replacing existing keys) and the keys in drop
// removed.
func MergeEnv(base []string, vars map[string]string, drop ...string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[k]; ok || contains(drop, k) {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

package deploy

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"syscall"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Environ returns base with vars set, replacing any entry of the same name. Values go only
// into the environment, never into argv.
func Environ(base []string, vars []Var) ([]string, error) {
	if err := checkNames(vars); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, v := range vars {
		if err := checkEnvValue(v); err != nil {
			return nil, err
		}
		set[v.Name] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !set[name] {
			out = append(out, kv)
		}
	}
	for _, v := range sorted(vars) {
		out = append(out, v.Name+"="+string(v.Value))
	}
	return out, nil
}

// ExecOptions configure Run.
type ExecOptions struct {
	Args    []string // command and arguments; must not contain values
	Vars    []Var
	BaseEnv []string // the environment to extend, usually os.Environ()
	Dir     string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// Redact wraps Stdout and Stderr in a Redactor each.
	Redact bool
}

// Run runs the command with vars in its environment and returns its exit status (128+n when
// killed by signal n). The error is non-nil only when the command could not be run.
func Run(ctx context.Context, o ExecOptions) (int, error) {
	if len(o.Args) == 0 {
		return 0, errs.New(errs.Input, "no command to run").
			WithHint("put the command after --, e.g. swiftclaw deploy AGENT --target exec -- ./start.sh")
	}
	env, err := Environ(o.BaseEnv, o.Vars)
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, o.Args[0], o.Args[1:]...)
	cmd.Env = env
	cmd.Dir = o.Dir
	cmd.Stdin = o.Stdin
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	var closers []*Redactor
	if o.Redact {
		for _, w := range []*io.Writer{&cmd.Stdout, &cmd.Stderr} {
			if *w != nil {
				r := NewRedactor(*w, o.Vars)
				closers = append(closers, r)
				*w = r
			}
		}
	}
	runErr := cmd.Run()
	for _, r := range closers {
		if err := r.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return 0, nil
	case errors.As(runErr, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exit.ExitCode(), nil
	case errors.Is(runErr, exec.ErrNotFound):
		return 0, errs.Wrap(errs.Input, runErr, "cannot run %s", o.Args[0])
	default:
		return 0, errs.Wrap(errs.Internal, runErr, "run %s", o.Args[0])
	}
}

// Command swiftclaw keeps an agent project's secrets encrypted in its git repository and
// hands them to processes at run and deploy time. This package only wires the kong command
// line to the library packages (vault, runner, ...); see `swiftclaw --help`.
package main

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/term"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// version is set with -ldflags "-X main.version=..." by release builds; otherwise the
// module version from build info is used.
var version = ""

// CLI is the whole command line.
type CLI struct {
	Globals

	Init        InitCmd        `cmd:"" help:"Create .swiftclaw/ in this repository and register your key as the first owner."`
	Keys        KeysCmd        `cmd:"" help:"Manage identities and the principals (users, services) secrets are encrypted to."`
	Secrets     SecretsCmd     `cmd:"" help:"Store, read, list and remove an agent's secrets."`
	Env         EnvCmd         `cmd:"" help:"Manage an agent's environment variables (each value encrypted)."`
	Run         RunCmd         `cmd:"" help:"Run a command with the agent's variables and secrets in its environment."`
	Deploy      DeployCmd      `cmd:"" help:"Decrypt an agent's variables and secrets into a deploy target (exec, dotenv, github-actions, kubernetes, docker-env, json)."`
	Import      ImportCmd      `cmd:"" help:"Import secrets from other tools (sops)."`
	Audit       AuditCmd       `cmd:"" help:"Show who read and changed secrets; verify the access log."`
	Alerts      AlertsCmd      `cmd:"" help:"Alert on secret access, expiring secrets, overdue rotation and scan findings."`
	Serve       ServeCmd       `cmd:"" help:"Serve the SDK protocol to agent code (sdk/PROTOCOL.md): swiftclaw serve --stdio."`
	Policy      PolicyCmd      `cmd:"" help:"Check the repository against policy.yaml and verify who made commits."`
	Security    SecurityCmd    `cmd:"" help:"Scan for leaked secrets and install the pre-commit hook that blocks them."`
	Agents      AgentsCmd      `cmd:"" help:"Manage agents (rename)."`
	MergeDriver MergeDriverCmd `cmd:"" name:"merge-driver" hidden:"" help:"The git merge driver swiftclaw init registers (git runs it)."`
	Completion  CompletionCmd  `cmd:"" help:"Print a shell completion script (bash, zsh, fish)."`
	// NoCommand holds --version: as a root flag it would shadow the --version flags of
	// `secrets get` and `secrets rollback` (kong matches root flags first).
	NoCommand NoCommand `cmd:"" default:"withargs" hidden:""`
}

// NoCommand runs when no command is given: `swiftclaw --version`, or a usage error.
type NoCommand struct {
	Version kong.VersionFlag `help:"Print the version and exit."`
}

// Run reports the missing command.
func (NoCommand) Run() error {
	return errs.New(errs.Input, "no command given").WithHint("run `swiftclaw --help`, or `swiftclaw --version` for the version")
}

// Globals are flags every command accepts.
type Globals struct {
	Chdir    string `short:"C" name:"chdir" placeholder:"DIR" help:"Run as if swiftclaw was started in DIR (relative paths too, like git -C)."`
	Identity string `placeholder:"FILE" help:"Identity (private key) file to decrypt with; overrides the lookup order."`
	NoCommit bool   `name:"no-commit" help:"Do not commit changes to git."`

	audit *auditing // the audit log of this process, opened on first use
}

// Env is the process environment handed to every command: streams, variables, terminal
// state and clock. Tests replace nothing here; testscript runs the real binary.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StdinTTY and StdoutTTY report whether the streams are terminals.
	StdinTTY, StdoutTTY bool
	Ctx                 context.Context
}

func (g *Globals) storeOptions(env *Env) vault.Options {
	opts := vault.Options{
		Dir:      g.Chdir,
		NoCommit: g.NoCommit,
		Identity: vault.IdentityOptions{File: g.Identity, Getenv: env.Getenv, Passphrase: sshPassphrase(env)},
	}
	// SWIFTCLAW_FAKE_NOW is a test hook (RFC 3339): testscripts use it to make expiry and
	// grace periods deterministic without sleeping.
	if v := env.Getenv("SWIFTCLAW_FAKE_NOW"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			opts.Now = func() time.Time { return t }
		}
	}
	return opts
}

func (g *Globals) open(env *Env) (*vault.Store, error) {
	s, err := vault.Open(g.storeOptions(env))
	if err != nil {
		return nil, err
	}
	g.attachAuditor(s, env)
	return s, nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
	}
	return v
}

func newParser(cli *CLI, env *Env, exit func(int)) (*kong.Kong, error) {
	return kong.New(cli,
		kong.Name("swiftclaw"),
		kong.Description("Secrets as code for agent projects: encrypted in git, blocked at commit, injected at run time. `swiftclaw --version` prints the version.\n\nExit codes: 0 ok, 1 findings or failed check, 2 usage or input error, 3 decrypt, permission, expired or tampered, 4 tool or environment failure (git, I/O, lock busy)."),
		kong.UsageOnError(),
		kong.Vars{"version": "swiftclaw " + buildVersion()},
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(exit),
		kong.Bind(env),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
}

// Main runs swiftclaw with args and returns the exit code.
func Main(args []string, env *Env) (code int) {
	cli := &CLI{}
	exited := false
	exitCode := 0
	parser, err := newParser(cli, env, func(c int) { exited, exitCode = true, c; panic(exitPanic{}) })
	if err != nil {
		return report(env, err)
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exitPanic); ok && exited {
				code = exitCode
				return
			}
			panic(r)
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		return reportUsage(env, err)
	}
	// -C works like git's: everything after, relative paths included, is as if started there.
	if cli.Chdir != "" {
		if err := os.Chdir(cli.Chdir); err != nil {
			return report(env, errs.Wrap(errs.Input, err, "cannot change to -C %s", cli.Chdir).WithHint("check the directory exists"))
		}
		cli.Chdir = ""
	}
	err = kctx.Run(&cli.Globals)
	cli.Globals.closeAudit(env)
	if err != nil {
		return report(env, err)
	}
	return 0
}

// exitPanic unwinds kong's Exit (used for --help and --version) back to Main.
type exitPanic struct{}

// childExit lets `run` pass the child's exit code through Main without printing.
type childExit struct{ code int }

func (childExit) Error() string { return "" }

func main() {
	env := &Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv:    os.Getenv,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		Ctx:       contextBackground(),
	}
	os.Exit(Main(os.Args[1:], env))
}

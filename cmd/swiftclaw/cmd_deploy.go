package main

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/swiftclaw/swiftclaw/deploy"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/runner"
	"github.com/swiftclaw/swiftclaw/sdk/protocol"
	"github.com/swiftclaw/swiftclaw/vault"
)

// DeployCmd is `swiftclaw deploy AGENT [--secret ENV=secret:NAME ...] --target T [-- CMD...]`.
type DeployCmd struct {
	Secret    []string `placeholder:"ENV=secret:NAME" help:"Map a secret to a variable (repeatable); overrides agent.yaml's run/deploy secrets. References: secret:NAME, vault:PATH#FIELD, aws-sm:NAME-or-ARN[#KEY], azure-kv:NAME[/VERSION]."`
	Target    string   `placeholder:"TARGET" help:"Where the variables go: exec, dotenv, github-actions, kubernetes, docker-env, json; or push the agent's git-stored secrets into vault, aws-secrets-manager or azure-keyvault. Default: github-actions inside GitHub Actions, else a dry run."`
	Out       string   `placeholder:"FILE" help:"File to write (dotenv, kubernetes, docker-env, json), or - for standard output. Written atomically, mode 0600."`
	DryRun    bool     `name:"dry-run" help:"Check everything and show names and destinations, never values; write nothing."`
	Namespace string   `help:"Namespace of the Kubernetes Secret."`
	Name      string   `help:"Name of the Kubernetes Secret (default: the agent name)."`
	Encoding  string   `placeholder:"utf8|base64" help:"JSON value encoding: utf8 (default; binary values refused) or base64."`
	Redact    bool     `help:"exec: replace every injected value in the command's output with [REDACTED:NAME]."`
	Prune     bool     `help:"vault, aws-secrets-manager, azure-keyvault: also remove secrets the manager has and git does not."`
	Agent     string   `arg:"" help:"Agent name."`
	Command   []string `arg:"" optional:"" passthrough:"" help:"exec: the command and its arguments, after --."`
}

// Run checks every mapping first, then writes the target in one step.
func (c *DeployCmd) Run(g *Globals, env *Env) error {
	if len(c.Command) > 0 && c.Command[0] == "--" {
		c.Command = c.Command[1:]
	}
	checkOnly := false
	if c.Target == "" {
		// `swiftclaw deploy AGENT --secret ...` as the product page writes it: inside GitHub
		// Actions it feeds the job's environment; elsewhere it checks and shows the plan.
		c.Target = string(deploy.GitHubActions)
		if env.Getenv("GITHUB_ENV") == "" {
			c.Target, c.DryRun, checkOnly = string(deploy.Exec), true, true
			fmt.Fprintf(env.Stderr, "no --target: checking only; choose where the variables go with --target (exec, dotenv, github-actions, kubernetes, docker-env, json)\n")
		}
	}
	if slices.Contains(providerTargets, c.Target) {
		return c.pushToProvider(g, env)
	}
	target, err := deploy.ParseTarget(c.Target)
	if err != nil {
		return err
	}
	name := c.Name
	if name == "" {
		name = c.Agent
	}
	opts := deploy.Options{
		Target: target, Out: c.Out, Stdout: env.Stdout, Namespace: c.Namespace, Name: name,
		GitHubEnv: env.Getenv("GITHUB_ENV"), Encoding: c.Encoding,
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	switch {
	case target == deploy.Exec && len(c.Command) == 0 && !c.DryRun:
		return errs.New(errs.Input, "the exec target needs a command").
			WithHint("swiftclaw deploy %s --target exec -- ./start.sh", c.Agent)
	case target != deploy.Exec && len(c.Command) > 0:
		return errs.New(errs.Input, "only the exec target runs a command; %s writes a file", target)
	case target != deploy.Exec && c.Redact:
		return errs.New(errs.Input, "--redact applies to the exec target only")
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	req, err := deploy.RequestFor(s, c.Agent, c.Secret)
	if err != nil {
		return err
	}
	r := deploy.NewStoreResolver(env.Ctx, s, c.Agent)
	if err := withExternal(env, s, c.Agent, r); err != nil {
		return err
	}
	if c.DryRun {
		plan, err := deploy.Check(req, r)
		planned := deploy.DryRun(plan, opts)
		for i := range planned {
			if checkOnly {
				planned[i].Destination = "nowhere yet: no --target"
			}
		}
		if werr := deploy.WriteDryRun(env.Stdout, planned); werr != nil {
			return werr
		}
		return err
	}
	vars, err := deploy.Resolve(req, r)
	if err != nil {
		return err
	}
	if target == deploy.Exec {
		return runWithVars(env, s, c.Agent, c.Command, vars, c.Redact)
	}
	res, err := deploy.Write(vars, opts)
	if err != nil {
		return err
	}
	where := res.Path
	if where == "" {
		where = "standard output"
	}
	fmt.Fprintf(env.Stderr, "deployed %d variable(s) of %s to %s (%s)\n", len(res.Names), c.Agent, where, target)
	return nil
}

// runWithVars runs argv with vars in its environment (never the key that decrypted them),
// optionally redacting their values from its output, and passes its exit code through.
// The child also gets the run channel (sdk/PROTOCOL.md): SWIFTCLAW_CHANNEL_FD names an
// inherited socket on which this process serves agent's secrets, and only agent's.
func runWithVars(env *Env, s *vault.Store, agent string, argv []string, vars []deploy.Var, redact bool) error {
	set := make(map[string]string, len(vars)+1)
	for _, v := range vars {
		set[v.Name] = string(v.Value)
	}
	stdout, stderr := env.Stdout, env.Stderr
	var redactors []*deploy.Redactor
	if redact {
		for _, w := range []*io.Writer{&stdout, &stderr} {
			rd := deploy.NewRedactor(*w, vars)
			redactors = append(redactors, rd)
			*w = rd
		}
	}
	channel, err := openRunChannel(env, s, agent, redactors)
	if err != nil {
		return err
	}
	defer channel.Close()
	set[protocol.ChannelEnv] = channel.ChildEnv()
	code, err := runner.Run(env.Ctx, runner.Spec{
		Argv: argv, Env: runner.MergeEnv(os.Environ(), set, "SWIFTCLAW_AGE_KEY"),
		Stdin: env.Stdin, Stdout: stdout, Stderr: stderr,
		ExtraFiles:      []*os.File{channel.Child()},
		TerminalSignals: env.StdinTTY,
	})
	channel.Close()
	for _, rd := range redactors {
		if cerr := rd.Close(); cerr != nil && err == nil {
			err = errs.Wrap(errs.Internal, cerr, "write output")
		}
	}
	if err != nil {
		report(env, err)
		return childExit{code}
	}
	if code != 0 {
		return childExit{code}
	}
	return nil
}

// deployVars converts the vault's resolved variables for deploy's Redactor.
func deployVars(vs []vault.EnvVar) []deploy.Var {
	out := make([]deploy.Var, len(vs))
	for i, v := range vs {
		out[i] = deploy.Var{Name: v.Name, Value: v.Value, Source: v.Source}
	}
	return out
}

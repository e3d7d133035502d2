package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/swiftclaw/swiftclaw/deploy"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/runner"
	"github.com/swiftclaw/swiftclaw/sdk/protocol"
	"github.com/swiftclaw/swiftclaw/vault"
)

// DeployCmd is `swiftclaw deploy AGENT [--secret ENV=secret:NAME ...] --target T [-- CMD...]`.
type DeployCmd struct {
	Secret    []string `placeholder:"ENV=secret:NAME" help:"Map a secret to a variable (repeatable); overrides agent.yaml's run/deploy secrets."`
	Target    string   `placeholder:"TARGET" help:"Where the variables go: exec, dotenv, github-actions, kubernetes, docker-env, json. Default: github-actions inside GitHub Actions, else a dry run."`
	Out       string   `placeholder:"FILE" help:"File to write (dotenv, kubernetes, docker-env, json), or - for standard output. Written atomically, mode 0600."`
	DryRun    bool     `name:"dry-run" help:"Check everything and show names and destinations, never values; write nothing."`
	Namespace string   `help:"Namespace of the Kubernetes Secret."`
	Name      string   `help:"Name of the Kubernetes Secret (default: the agent name)."`
	Encoding  string   `placeholder:"utf8|base64" help:"JSON value encoding: utf8 (default; binary values refused) or base64."`
	Redact    bool     `help:"exec: replace every injected value in the command's output with [REDACTED:NAME]."`
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
	req, err := deployRequest(s, c.Agent, c.Secret)
	if err != nil {
		return err
	}
	r := &vaultResolver{ctx: env.Ctx, s: s, agent: c.Agent}
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

// deployRequest gathers the flags, agent.yaml's run and deploy mappings (deploy wins) and
// the agent's env var names.
func deployRequest(s *vault.Store, agent string, flags []string) (deploy.Request, error) {
	keys, err := s.EnvKeys(agent)
	if err != nil {
		return deploy.Request{}, err
	}
	cfg, err := s.AgentConfig(agent)
	if err != nil {
		return deploy.Request{}, err
	}
	merged := map[string]string{}
	for k, v := range cfg.Run.Secrets {
		merged[k] = v
	}
	for k, v := range cfg.Deploy.Secrets {
		merged[k] = v
	}
	specs := make([]string, 0, len(merged))
	for k, v := range merged {
		specs = append(specs, k+"="+v)
	}
	sort.Strings(specs)
	return deploy.Request{Flags: flags, Deploy: specs, Env: keys}, nil
}

// vaultResolver answers deploy's questions from the store.
type vaultResolver struct {
	ctx   context.Context
	s     *vault.Store
	agent string
	metas map[string]vault.SecretMeta
	env   map[string][]byte
}

func (r *vaultResolver) Identity() error {
	_, err := r.s.Identities()
	return err
}

// Check looks at metadata only: existence, expiry, and whether the secret is encrypted to
// any identity at hand.
func (r *vaultResolver) Check(ref deploy.Ref) error {
	if ref.Kind == deploy.RefEnv {
		return nil // env vars come from EnvKeys, so they exist; Read reports decryption
	}
	if err := vault.ValidateName("secret", ref.Name); err != nil {
		return err
	}
	if r.metas == nil {
		list, err := r.s.ListSecrets(r.agent)
		if err != nil {
			return err
		}
		r.metas = map[string]vault.SecretMeta{}
		for _, m := range list {
			r.metas[m.Name] = m
		}
	}
	m, ok := r.metas[ref.Name]
	switch {
	case !ok:
		return errs.New(errs.NotFound, "secret %q not found in agent %s", ref.Name, r.agent).
			WithHint("list the agent's secrets with `swiftclaw secrets list %s`", r.agent)
	case m.Expired:
		return errs.New(errs.Expired, "secret %s/%s expired at %s", r.agent, ref.Name, m.Expires.UTC().Format("2006-01-02 15:04 UTC")).
			WithHint("set a new value with `swiftclaw secrets set %s %s`", r.agent, ref.Name)
	}
	ids, err := r.s.Identities()
	if err != nil {
		return nil // reported once by Identity
	}
	for _, id := range ids.List {
		if id.Recipient == "" || slices.Contains(m.Recipients, id.Recipient) {
			return nil
		}
	}
	return errs.New(errs.Permission, "secret %s/%s is not encrypted to your identity (%s)", r.agent, ref.Name, ids.Sources()).
		WithHint("an owner must grant read access to this key, then deploy again")
}

func (r *vaultResolver) Read(ref deploy.Ref) ([]byte, error) {
	if ref.Kind == deploy.RefSecret {
		v, _, err := r.s.GetSecret(r.ctx, r.agent, ref.Name, vault.GetOptions{})
		return v, err
	}
	if r.env == nil {
		vars, err := r.s.RevealEnv(r.agent)
		if err != nil {
			return nil, err
		}
		r.env = map[string][]byte{}
		for _, v := range vars {
			r.env[v.Name] = v.Value
		}
	}
	return r.env[ref.Name], nil
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

package main

import (
	"github.com/swiftclaw/swiftclaw/vault"
)

// RunCmd is `swiftclaw run AGENT [--secret ENV=secret:NAME ...] -- COMMAND [ARGS...]`.
type RunCmd struct {
	Secret       []string `placeholder:"ENV=secret:NAME" help:"Map a secret to an environment variable (repeatable); adds to run.secrets in agent.yaml. References: secret:NAME, vault:PATH#FIELD, aws-sm:NAME-or-ARN[#KEY], azure-kv:NAME[/VERSION]."`
	AllowExpired bool     `name:"allow-expired" help:"Pass expired secrets instead of refusing to start."`
	Redact       bool     `help:"Replace every injected value in the command's output with [REDACTED:NAME]."`
	Agent        string   `arg:"" help:"Agent name."`
	Command      []string `arg:"" passthrough:"" help:"Command and arguments to run."`
}

// Run resolves the environment and runs the command, passing its exit code through.
func (c *RunCmd) Run(g *Globals, env *Env) error {
	// kong's passthrough keeps a leading "--" separator; it is not part of the command.
	if len(c.Command) > 0 && c.Command[0] == "--" {
		c.Command = c.Command[1:]
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	var mappings []vault.Mapping
	for _, m := range c.Secret {
		mp, err := vault.ParseMapping(m)
		if err != nil {
			return err
		}
		mappings = append(mappings, mp)
	}
	ext, err := resolver(env, s, c.Agent)
	if err != nil {
		return err
	}
	vars, err := s.ResolveEnv(env.Ctx, c.Agent, mappings, vault.ResolveOptions{AllowExpired: c.AllowExpired, External: ext.Resolve})
	if err != nil {
		return err
	}
	return runWithVars(env, s, c.Agent, c.Command, deployVars(vars), c.Redact)
}

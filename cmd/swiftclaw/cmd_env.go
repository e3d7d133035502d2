package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// EnvCmd groups environment variable commands.
type EnvCmd struct {
	Set    EnvSetCmd    `cmd:"" help:"Set environment variables: KEY=VALUE, or KEY alone to be prompted."`
	Unset  EnvUnsetCmd  `cmd:"" help:"Remove environment variables."`
	List   EnvListCmd   `cmd:"" help:"List variable names (--reveal decrypts the values)."`
	Import EnvImportCmd `cmd:"" help:"Import a .env file as encrypted variables (or --secrets); ambiguous lines are refused."`
}

// EnvSetCmd is `env set AGENT KEY=VALUE...`.
type EnvSetCmd struct {
	Agent      string   `arg:"" help:"Agent name."`
	Vars       []string `arg:"" name:"KEY=VALUE" help:"Variables to set. A bare KEY prompts for its value on the terminal (or reads it from stdin with --value-stdin)."`
	ValueStdin bool     `name:"value-stdin" help:"Read the value of the single bare KEY from stdin (one trailing newline dropped): the safe way in scripts and CI."`
}

// Run sets the variables.
func (c *EnvSetCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if err := vault.ValidateName("agent", c.Agent); err != nil {
		return err
	}
	vars := map[string][]byte{}
	onArgv := false
	for _, kv := range c.Vars {
		k, v, hasValue := strings.Cut(kv, "=")
		if err := vault.ValidateEnvKey(k); err != nil {
			return err
		}
		if _, dup := vars[k]; dup {
			return errs.New(errs.Input, "%s is given twice", k)
		}
		if !hasValue && c.ValueStdin {
			if len(c.Vars) != 1 {
				return errs.New(errs.Input, "--value-stdin reads one value, but %d variables were given", len(c.Vars)).
					WithHint("set one variable per command: `printf %%s \"$V\" | swiftclaw env set %s KEY --value-stdin`", c.Agent)
			}
			v, err := readAllCapped(env.Stdin, "stdin")
			if err != nil {
				return err
			}
			vars[k] = trimOneNewline(v)
			continue
		}
		if !hasValue {
			if !env.StdinTTY {
				return errs.New(errs.Input, "no value for %s", k).WithHint("write KEY=VALUE, pipe it with `swiftclaw env set %s %s --value-stdin`, or run on a terminal to be prompted", c.Agent, k)
			}
			pv, err := promptSecret(env, fmt.Sprintf("Value for %s: ", k))
			if err != nil {
				return err
			}
			vars[k] = pv
			continue
		}
		onArgv = true
		vars[k] = []byte(v)
	}
	if onArgv {
		warn(env, "values on the command line are visible in the process list and shell history; `swiftclaw env set %s KEY` prompts, and --value-stdin reads stdin", c.Agent)
	}
	wr, err := s.SetEnv(env.Ctx, c.Agent, vars)
	if err != nil {
		return err
	}
	if len(wr.Changed) == 0 {
		fmt.Fprintf(env.Stdout, "unchanged: %s already had these values\n", c.Agent)
	} else {
		fmt.Fprintf(env.Stdout, "set %d variable(s) for %s\n", len(vars), c.Agent)
	}
	printCommitted(env, wr)
	return nil
}

// EnvUnsetCmd is `env unset AGENT KEY...`.
type EnvUnsetCmd struct {
	Agent string   `arg:"" help:"Agent name."`
	Keys  []string `arg:"" name:"KEY" help:"Variables to remove."`
}

// Run removes the variables.
func (c *EnvUnsetCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	wr, err := s.UnsetEnv(env.Ctx, c.Agent, c.Keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "unset %s for %s\n", strings.Join(c.Keys, ", "), c.Agent)
	printCommitted(env, wr)
	return nil
}

// EnvListCmd is `env list AGENT`.
type EnvListCmd struct {
	Agent  string `arg:"" help:"Agent name."`
	Reveal bool   `help:"Decrypt and show the values."`
	JSON   bool   `help:"Print JSON."`
}

// Run lists variables.
func (c *EnvListCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if !c.Reveal {
		keys, err := s.EnvKeys(c.Agent)
		if err != nil {
			return err
		}
		if c.JSON {
			if keys == nil {
				keys = []string{}
			}
			return writeJSON(env.Stdout, keys)
		}
		for _, k := range keys {
			fmt.Fprintln(env.Stdout, k)
		}
		return nil
	}
	vars, err := s.RevealEnv(c.Agent)
	if err != nil {
		return err
	}
	if c.JSON {
		out := map[string]string{}
		for _, v := range vars {
			out[v.Name] = string(v.Value)
		}
		return writeJSON(env.Stdout, out)
	}
	for _, v := range vars {
		fmt.Fprintf(env.Stdout, "%s=%s\n", v.Name, shellValue(string(v.Value)))
	}
	return nil
}

// shellValue quotes a value only when it would not read back as itself.
func shellValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r\"'\\$`#;&|<>(){}*?!~") {
		return v
	}
	return strconv.Quote(v)
}

package main

import (
	"fmt"

	"github.com/swiftclaw/swiftclaw/vault"
)

// SecretsVersionsCmd is `secrets versions AGENT NAME`.
type SecretsVersionsCmd struct {
	Agent string `arg:"" help:"Agent name."`
	Name  string `arg:"" help:"Secret name."`
	UTC   bool   `name:"utc" help:"Show times in UTC instead of local time."`
	JSON  bool   `help:"Print JSON: adds commit id, author and whether your identity can decrypt each version."`
}

// Run lists the versions, newest first.
func (c *SecretsVersionsCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if p, err := externalStore(env, s, c.Agent); p != nil || err != nil {
		return c.onProvider(env, p, err)
	}
	vs, err := s.Versions(env.Ctx, c.Agent, c.Name)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, vs)
	}
	rows := make([][]string, 0, len(vs))
	for _, v := range vs {
		rows = append(rows, []string{v.Label, fmtTime(v.Created, c.UTC), statusCell(v, c.UTC)})
	}
	return table(env.Stdout, []string{"VERSION", "CREATED", "STATUS"}, rows)
}

// statusCell is the STATUS column: the status, with the grace end or an expiry that has
// passed on the current value.
func statusCell(v vault.Version, utc bool) string {
	switch {
	case v.Status == vault.StatusGrace && v.GraceUntil != nil:
		return fmt.Sprintf("grace (until %s)", fmtTime(*v.GraceUntil, utc))
	case v.Expired && (v.Status == vault.StatusActive || v.Status == vault.StatusPending):
		return fmt.Sprintf("%s (expired %s)", v.Status, fmtTime(*v.Expires, utc))
	}
	return v.Status
}

// SecretsRollbackCmd is `secrets rollback AGENT NAME --version vN`.
type SecretsRollbackCmd struct {
	Agent   string `arg:"" help:"Agent name."`
	Name    string `arg:"" help:"Secret name."`
	Version string `required:"" placeholder:"vN" help:"The version whose value becomes current again (see secrets versions)."`
	JSON    bool   `help:"Print the result as JSON."`
}

// Run restores the version's value as a new version.
func (c *SecretsRollbackCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if p, err := externalStore(env, s, c.Agent); p != nil || err != nil {
		return c.onProvider(env, p, err)
	}
	res, err := s.RollbackSecret(env.Ctx, c.Agent, c.Name, c.Version)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, map[string]any{"restored": res.Restored, "version": res.Version, "secret": res.Meta, "commit": res.Commit})
	}
	if !res.ValueChanged {
		fmt.Fprintf(env.Stdout, "%s/%s already has the value of %s; nothing changed\n", c.Agent, c.Name, res.Restored.Label)
	} else {
		fmt.Fprintf(env.Stdout, "rolled back %s/%s to the value of %s as %s, encrypted to today's recipients\n", c.Agent, c.Name, res.Restored.Label, res.Version)
	}
	printCommitted(env, res.WriteResult)
	return nil
}

// runOther serves `secrets get --version vN` and `--previous`.
func (c *SecretsGetCmd) runOther(s *vault.Store, env *Env) error {
	var (
		value []byte
		err   error
		info  map[string]any
	)
	if c.Previous {
		var meta *vault.SecretMeta
		value, meta, err = s.GetPrevious(env.Ctx, c.Agent, c.Name)
		if err == nil {
			info = map[string]any{"previous": true, "grace_until": meta.GraceUntil}
		}
	} else {
		var v *vault.Version
		value, v, err = s.GetVersion(env.Ctx, c.Agent, c.Name, c.Version, vault.GetOptions{AllowExpired: c.AllowExpired})
		if err == nil {
			info = map[string]any{"version": v}
		}
	}
	if err != nil {
		return err
	}
	if c.JSON {
		v, enc := jsonValue(value)
		info["agent"], info["name"], info["value"], info["encoding"] = c.Agent, c.Name, v, enc
		return writeJSON(env.Stdout, info)
	}
	return writeValue(env, value)
}

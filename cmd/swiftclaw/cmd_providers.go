package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/swiftclaw/swiftclaw/deploy"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/connect"
	"github.com/swiftclaw/swiftclaw/vault"
)

// externalStore returns the provider agent.yaml names for agent's secrets, or nil when
// they are in git (the vault commands then run as before).
func externalStore(env *Env, s *vault.Store, agent string) (providers.Provider, error) {
	if err := vault.ValidateName("agent", agent); err != nil {
		return nil, err
	}
	a, err := resolver(env, s, agent)
	if err != nil || a.Settings.Store() == providers.Git {
		return nil, err
	}
	return a.Store(env.Ctx)
}

// resolver returns the reference resolver for run and deploy. It warns about credentials
// written literally in agent.yaml.
func resolver(env *Env, s *vault.Store, agent string) (*connect.Agent, error) {
	if err := vault.ValidateName("agent", agent); err != nil {
		return nil, err
	}
	a, err := connect.Load(s, agent, env.Getenv)
	if err != nil {
		return nil, err
	}
	for _, f := range a.Literals {
		warn(env, "%s", f)
	}
	return a, nil
}

func (c *SecretsSetCmd) onProvider(env *Env, p providers.Provider, err error, value []byte, opts vault.SetOptions) error {
	if err != nil {
		return err
	}
	res, err := p.Set(env.Ctx, c.Name, value, providers.SetOptions{Description: opts.Description, TTL: opts.TTL, NoExpiry: opts.NoExpiry})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, res)
	}
	verb := "updated"
	switch {
	case res.Created:
		verb = "created"
	case !res.Changed:
		verb = "unchanged"
	}
	fmt.Fprintf(env.Stdout, "%s %s/%s in %s\n", verb, c.Agent, c.Name, p.Where())
	return nil
}

func (c *SecretsGetCmd) onProvider(env *Env, p providers.Provider, err error) error {
	if err != nil {
		return err
	}
	s, err := p.Get(env.Ctx, c.Name, c.Version)
	if err != nil {
		return err
	}
	if c.JSON {
		v, enc := jsonValue(s.Value)
		return writeJSON(env.Stdout, map[string]any{"agent": c.Agent, "name": c.Name, "value": v, "encoding": enc, "metadata": s.Meta, "store": p.Kind()})
	}
	if _, err := env.Stdout.Write(s.Value); err != nil {
		return err
	}
	if env.StdoutTTY && !bytes.HasSuffix(s.Value, []byte("\n")) {
		fmt.Fprintln(env.Stdout)
	}
	return nil
}

func (c *SecretsListCmd) onProvider(env *Env, p providers.Provider, err error) error {
	if err != nil {
		return err
	}
	list, err := p.List(env.Ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []providers.Meta{}
		}
		return writeJSON(env.Stdout, list)
	}
	rows := make([][]string, 0, len(list))
	for _, m := range list {
		exp := "Never"
		if m.Expires != nil {
			exp = fmtTime(*m.Expires, c.UTC)
		}
		rows = append(rows, []string{m.Name, fmtTime(m.Created, c.UTC), exp})
	}
	return table(env.Stdout, []string{"NAME", "CREATED", "EXPIRES"}, rows)
}

func (c *SecretsRmCmd) onProvider(env *Env, p providers.Provider, err error) error {
	if err != nil {
		return err
	}
	if err := p.Remove(env.Ctx, c.Name); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed %s/%s from %s\n", c.Agent, c.Name, p.Where())
	return nil
}

// onProvider lists the versions a secret manager keeps, the active one first.
func (c *SecretsVersionsCmd) onProvider(env *Env, p providers.Provider, err error) error {
	if err != nil {
		return err
	}
	vs, err := p.Versions(env.Ctx, c.Name)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, vs)
	}
	rows := make([][]string, 0, len(vs))
	for _, v := range vs {
		rows = append(rows, []string{v.ID, fmtTime(v.Created, c.UTC), v.Status})
	}
	return table(env.Stdout, []string{"VERSION", "CREATED", "STATUS"}, rows)
}

// onProvider makes a secret manager's version current again.
func (c *SecretsRollbackCmd) onProvider(env *Env, p providers.Provider, err error) error {
	if err != nil {
		return err
	}
	res, err := p.Rollback(env.Ctx, c.Name, c.Version)
	if err != nil {
		return err
	}
	if !res.Changed {
		fmt.Fprintf(env.Stdout, "%s/%s: %s is already the current value\n", c.Agent, c.Name, c.Version)
		return nil
	}
	fmt.Fprintf(env.Stdout, "rolled back %s/%s to %s in %s\n", c.Agent, c.Name, c.Version, p.Where())
	return nil
}

// SecretsSyncCmd is `secrets sync AGENT --from STORE --to STORE`.
type SecretsSyncCmd struct {
	Agent  string `arg:"" help:"Agent name."`
	From   string `required:"" placeholder:"STORE" help:"Copy from: git, vault, aws-secrets-manager or azure-keyvault."`
	To     string `required:"" placeholder:"STORE" help:"Copy to: git, vault, aws-secrets-manager or azure-keyvault."`
	DryRun bool   `name:"dry-run" help:"Show what would change; write nothing."`
	Prune  bool   `help:"Also remove secrets the destination has and the source does not."`
	JSON   bool   `help:"Print the changes as JSON."`
}

// Run copies every secret, reading all of them before writing any.
func (c *SecretsSyncCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	a, err := resolver(env, s, c.Agent)
	if err != nil {
		return err
	}
	for _, k := range []string{c.From, c.To} {
		if !slices.Contains(providers.Kinds(), k) {
			return errs.New(errs.Input, "unknown store %q", k).WithHint("use one of: %s", strings.Join(providers.Kinds(), ", "))
		}
	}
	if c.From == c.To {
		return errs.New(errs.Input, "--from and --to are both %s", c.From)
	}
	from, err := a.Open(env.Ctx, c.From)
	if err != nil {
		return err
	}
	to, err := a.Open(env.Ctx, c.To)
	if err != nil {
		return err
	}
	changes, err := providers.Copy(env.Ctx, from, to, providers.CopyOptions{DryRun: c.DryRun, Prune: c.Prune})
	if werr := printChanges(env, changes, c.JSON, c.DryRun); werr != nil && err == nil {
		err = werr
	}
	return err
}

// printChanges writes a copy's changes as a table (ACTION NAME) or JSON, and a summary.
func printChanges(env *Env, changes []providers.Change, asJSON, dryRun bool) error {
	if asJSON {
		if changes == nil {
			changes = []providers.Change{}
		}
		return writeJSON(env.Stdout, map[string]any{"dry_run": dryRun, "changes": changes})
	}
	counts := map[string]int{}
	rows := make([][]string, 0, len(changes))
	for _, ch := range changes {
		counts[ch.Action]++
		rows = append(rows, []string{ch.Action, ch.Name})
	}
	if len(rows) > 0 {
		if err := table(env.Stdout, []string{"ACTION", "NAME"}, rows); err != nil {
			return err
		}
	}
	verb := ""
	if dryRun {
		verb = " (dry run: nothing written)"
	}
	fmt.Fprintf(env.Stderr, "%d created, %d updated, %d unchanged, %d deleted%s\n",
		counts[providers.ActionCreate], counts[providers.ActionUpdate], counts[providers.ActionUnchanged], counts[providers.ActionDelete], verb)
	return nil
}

// providerTargets are the deploy targets that push git-stored secrets into a manager.
var providerTargets = []string{providers.Vault, providers.AWS, providers.Azure}

// pushToProvider deploys the agent's git-stored secrets into the manager c.Target names.
func (c *DeployCmd) pushToProvider(g *Globals, env *Env) error {
	switch {
	case len(c.Command) > 0:
		return errs.New(errs.Input, "the %s target pushes secrets; it runs no command", c.Target)
	case c.Redact || c.Out != "" || len(c.Secret) > 0:
		return errs.New(errs.Input, "the %s target pushes the agent's git-stored secrets as they are; --secret, --out and --redact do not apply", c.Target).
			WithHint("configure where they go in agent.yaml (deploy.targets.%s, or the secrets: block)", c.Target)
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	a, err := resolver(env, s, c.Agent)
	if err != nil {
		return err
	}
	to, err := a.Open(env.Ctx, c.Target)
	if err != nil {
		return err
	}
	changes, err := providers.Copy(env.Ctx, a.Git(), to, providers.CopyOptions{DryRun: c.DryRun, Prune: c.Prune})
	if werr := printChanges(env, changes, false, c.DryRun); werr != nil && err == nil {
		err = werr
	}
	if err == nil && !c.DryRun {
		fmt.Fprintf(env.Stderr, "deployed %s's secrets to %s\n", c.Agent, to.Where())
	}
	return err
}

// withExternal lets deploy's resolver read references to external managers.
func withExternal(env *Env, s *vault.Store, agent string, r *deploy.StoreResolver) error {
	a, err := resolver(env, s, agent)
	if err != nil {
		return err
	}
	r.External = a.Resolve
	return nil
}

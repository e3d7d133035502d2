package main

import (
	"bytes"
	"fmt"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// SecretsCmd groups the secret store commands.
type SecretsCmd struct {
	Set   SecretsSetCmd   `cmd:"" help:"Create or update a secret (value from --value-stdin, --file, a prompt, or --value)."`
	Get   SecretsGetCmd   `cmd:"" help:"Decrypt a secret and write its value to stdout."`
	List  SecretsListCmd  `cmd:"" help:"List an agent's secrets (never decrypts)."`
	Rm    SecretsRmCmd    `cmd:"" help:"Remove a secret (git history keeps old versions)."`
	Apply SecretsApplyCmd `cmd:"" help:"Apply a secret template: descriptions, rotation policies, generated values; report what is missing."`
	Check SecretsCheckCmd `cmd:"" help:"Check an agent against a secret template, writing nothing (exit 1 when required secrets are missing, expired or malformed)."`
	Sync  SecretsSyncCmd  `cmd:"" help:"Copy an agent's secrets between git and a secret manager (--from vault --to git, or the reverse)."`

	// With a provider in agent.yaml, versions and rollback use the provider's versions.
	Versions  SecretsVersionsCmd  `cmd:"" help:"List a secret's versions (VERSION CREATED STATUS): from git history, or the secret manager's."`
	Rollback  SecretsRollbackCmd  `cmd:"" help:"Make an earlier version's value current again, as a new version encrypted to today's recipients."`
	Rotate    SecretsRotateCmd    `cmd:"" help:"Rotate a secret now (--new-value-stdin, webhook or generator) and/or set its rotation policy (--interval, --auto, --webhook)."`
	RotateDue SecretsRotateDueCmd `cmd:"" name:"rotate-due" help:"Rotate every secret whose automatic rotation is due, one commit each (for a scheduled CI job)."`

	Grant  SecretsGrantCmd  `cmd:"" help:"Grant a user or service read and/or write access to secrets (re-encrypts them to its keys)."`
	Revoke SecretsRevokeCmd `cmd:"" help:"Revoke a grant: re-encrypt without the keys, mark rotation required, list what history still exposes."`
	Access SecretsAccessCmd `cmd:"" help:"Show who can read and write an agent's secrets, and whether the files agree."`
}

// SecretsSetCmd is `secrets set AGENT NAME`.
type SecretsSetCmd struct {
	Agent       string  `arg:"" help:"Agent name."`
	Name        string  `arg:"" help:"Secret name."`
	Value       *string `help:"The value. Visible to other users in the process list and kept in shell history: prefer --value-stdin, --file or the prompt." xor:"source"`
	ValueStdin  bool    `name:"value-stdin" help:"Read the value from stdin; one trailing newline is dropped (use --file /dev/stdin for exact bytes)." xor:"source"`
	File        string  `placeholder:"PATH" help:"Read the value from a file, byte for byte (certificates, keys)." xor:"source"`
	Description *string `help:"What the secret is."`
	TTL         string  `name:"ttl" placeholder:"DURATION" help:"Expire after this long: 30m, 24h, 7d, 90d."`
	NoExpiry    bool    `name:"no-expiry" help:"Remove any expiry."`
	JSON        bool    `help:"Print the result as JSON."`
}

// Run stores the secret.
func (c *SecretsSetCmd) Run(g *Globals, env *Env) error {
	var opts vault.SetOptions
	if c.TTL != "" {
		d, err := vault.ParseDuration(c.TTL)
		if err != nil {
			return err
		}
		opts.TTL = d
	}
	opts.Description, opts.NoExpiry = c.Description, c.NoExpiry
	s, value, err := openWithValue(g, env, c.Agent, c.Name, c.value)
	if err != nil {
		return err
	}
	if p, err := externalStore(env, s, c.Agent); p != nil || err != nil {
		return c.onProvider(env, p, err, value, opts)
	}
	res, err := s.SetSecret(env.Ctx, c.Agent, c.Name, value, opts)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, map[string]any{"secret": res.Meta, "created": res.Created, "value_changed": res.ValueChanged, "commit": res.Commit})
	}
	verb := "updated"
	switch {
	case res.Created:
		verb = "created"
	case len(res.Changed) == 0:
		verb = "unchanged"
	}
	fmt.Fprintf(env.Stdout, "%s %s/%s\n", verb, c.Agent, c.Name)
	printCommitted(env, res.WriteResult)
	return nil
}

func (c *SecretsSetCmd) value(env *Env) ([]byte, error) {
	if v, ok, err := valueFrom(env, valueFlags{"--value", "--value-stdin, --file or the prompt"}, c.Value, c.ValueStdin, c.File); ok {
		return v, err
	}
	switch {
	case env.StdinTTY:
		return promptSecret(env, fmt.Sprintf("Value for %s/%s: ", c.Agent, c.Name))
	}
	return nil, errs.New(errs.Input, "no value given for %s/%s", c.Agent, c.Name).
		WithHint("pass --value-stdin (e.g. `printf %%s \"$TOKEN\" | swiftclaw secrets set %s %s --value-stdin`), --file PATH, or run it on a terminal to be prompted", c.Agent, c.Name)
}

// SecretsGetCmd is `secrets get AGENT NAME`.
type SecretsGetCmd struct {
	Agent        string `arg:"" help:"Agent name."`
	Name         string `arg:"" help:"Secret name."`
	AllowExpired bool   `name:"allow-expired" help:"Return the value even if the secret has expired."`
	JSON         bool   `help:"Print the value and metadata as JSON."`
	Version      string `placeholder:"vN" help:"The value as it was at this version (see secrets versions; a secret manager's own version ids work too)." xor:"which"`
	Previous     bool   `help:"The previous value, readable during a rotation's grace period." xor:"which"`
}

// Run prints the value.
func (c *SecretsGetCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if p, err := externalStore(env, s, c.Agent); p != nil || err != nil {
		return c.onProvider(env, p, err)
	}
	if c.Version != "" || c.Previous {
		return c.runOther(s, env)
	}
	value, meta, err := s.GetSecret(env.Ctx, c.Agent, c.Name, vault.GetOptions{AllowExpired: c.AllowExpired})
	if err != nil {
		return err
	}
	if c.JSON {
		v, enc := jsonValue(value)
		return writeJSON(env.Stdout, map[string]any{"agent": meta.Agent, "name": meta.Name, "value": v, "encoding": enc, "metadata": meta})
	}
	return writeValue(env, value)
}

// writeValue writes a value exactly; a newline is added only on a terminal.
func writeValue(env *Env, value []byte) error {
	if _, err := env.Stdout.Write(value); err != nil {
		return err
	}
	// Exactly the value when piped; a newline on a terminal so the prompt stays readable.
	if env.StdoutTTY && !bytes.HasSuffix(value, []byte("\n")) {
		fmt.Fprintln(env.Stdout)
	}
	return nil
}

// SecretsListCmd is `secrets list AGENT`.
type SecretsListCmd struct {
	Agent string `arg:"" help:"Agent name."`
	UTC   bool   `name:"utc" help:"Show times in UTC instead of local time."`
	JSON  bool   `help:"Print JSON."`
}

// Run lists secrets.
func (c *SecretsListCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if p, err := externalStore(env, s, c.Agent); p != nil || err != nil {
		return c.onProvider(env, p, err)
	}
	list, err := s.ListSecrets(c.Agent)
	if err != nil {
		return err
	}
	if c.JSON {
		if list == nil {
			list = []vault.SecretMeta{}
		}
		return writeJSON(env.Stdout, list)
	}
	rows := make([][]string, 0, len(list))
	for _, m := range list {
		rows = append(rows, []string{m.Name, fmtTime(m.Created, c.UTC), expiresCell(m, c.UTC)})
	}
	return table(env.Stdout, []string{"NAME", "CREATED", "EXPIRES"}, rows)
}

func expiresCell(m vault.SecretMeta, utc bool) string {
	if m.Expires == nil {
		return "Never" + rotationMarker(m)
	}
	cell := fmtTime(*m.Expires, utc)
	if m.Expired {
		cell += " (expired)"
	}
	return cell + rotationMarker(m)
}

// rotationMarker flags, in `secrets list`'s EXPIRES cell, a secret whose reader was
// revoked (until a new value is set) and an overdue rotation.
func rotationMarker(m vault.SecretMeta) string {
	mark := ""
	if m.RotationRequired != nil {
		mark += " (rotation required)"
	}
	if m.RotationOverdue {
		mark += " (rotation overdue)"
	}
	return mark
}

// SecretsRmCmd is `secrets rm AGENT NAME`.
type SecretsRmCmd struct {
	Agent string `arg:"" help:"Agent name."`
	Name  string `arg:"" help:"Secret name."`
}

// Run removes the secret.
func (c *SecretsRmCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if p, err := externalStore(env, s, c.Agent); p != nil || err != nil {
		return c.onProvider(env, p, err)
	}
	wr, err := s.RemoveSecret(env.Ctx, c.Agent, c.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed %s/%s (older versions remain in git history)\n", c.Agent, c.Name)
	printCommitted(env, wr)
	return nil
}

package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// KeysCmd groups identity and principal commands.
type KeysCmd struct {
	Generate KeysGenerateCmd `cmd:"" help:"Create a new age identity (mode 0600) and print its public key."`
	Show     KeysShowCmd     `cmd:"" help:"Print the public key of the identity in use."`
	Add      KeysAddCmd      `cmd:"" help:"Add a public key for a user (by email) or a service."`
	Remove   KeysRemoveCmd   `cmd:"" help:"Remove a principal, or one of its keys, re-encrypting affected secrets."`
	List     KeysListCmd     `cmd:"" help:"List principals and their keys."`

	RotateIdentity KeysRotateIdentityCmd `cmd:"" name:"rotate-identity" help:"Replace your (owner) key: new identity, every file re-encrypted to it, old identity kept."`
}

// KeysGenerateCmd is `keys generate`.
type KeysGenerateCmd struct {
	Out string `placeholder:"FILE" help:"Where to write the identity (default ~/.config/swiftclaw/identity.txt)."`
}

// Run generates an identity.
func (c *KeysGenerateCmd) Run(g *Globals, env *Env) error {
	out := c.Out
	if out == "" {
		home, _ := os.UserHomeDir()
		out = vault.DefaultIdentityFile(env.Getenv, home)
	}
	pub, err := vault.GenerateIdentity(out, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote identity to %s (mode 0600); keep it secret and backed up\n", out)
	fmt.Fprintln(env.Stdout, pub)
	return nil
}

// KeysShowCmd is `keys show`.
type KeysShowCmd struct {
	JSON bool `help:"Print JSON."`
}

// Run prints the current identity's public key.
func (c *KeysShowCmd) Run(g *Globals, env *Env) error {
	ids, err := vault.LoadIdentities(g.storeOptions(env).Identity)
	if err != nil {
		return err
	}
	id, _ := ids.Primary()
	if c.JSON {
		return writeJSON(env.Stdout, map[string]string{"public_key": id.Recipient, "source": id.Source})
	}
	if id.Recipient == "" {
		return errs.New(errs.Input, "the identity from %s has no public key to show", id.Source)
	}
	fmt.Fprintln(env.Stdout, id.Recipient)
	return nil
}

// KeysAddCmd is `keys add user|service ID KEY`.
type KeysAddCmd struct {
	Kind  string `arg:"" enum:"user,service" help:"user or service."`
	ID    string `arg:"" help:"User email or service name."`
	Key   string `arg:"" help:"Public key: age1..., ssh-ed25519 AAAA..., or ssh-rsa AAAA...."`
	Owner bool   `help:"Make the user an owner (reads and writes every secret)."`
}

// Run adds a key.
func (c *KeysAddCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	wr, err := s.AddKey(env.Ctx, c.Kind, c.ID, c.Key, vault.AddKeyOptions{Owner: c.Owner})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "added key for %s %s\n", c.Kind, c.ID)
	printCommitted(env, wr)
	return nil
}

// KeysRemoveCmd is `keys remove user|service ID [KEY]`.
type KeysRemoveCmd struct {
	Kind string `arg:"" enum:"user,service" help:"user or service."`
	ID   string `arg:"" help:"User email or service name."`
	Key  string `arg:"" optional:"" help:"Remove only this key (default: the whole principal)."`
}

// Run removes a principal or key.
func (c *KeysRemoveCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	wr, err := s.RemoveKey(env.Ctx, c.Kind, c.ID, c.Key)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed %s %s; files re-encrypted without the key: %d\n", c.Kind, c.ID, max(len(wr.Changed)-1, 0))
	fmt.Fprintln(env.Stderr, "note: the removed key can still decrypt old versions in git history; rotate the secrets it could read")
	printCommitted(env, wr)
	return nil
}

// KeysListCmd is `keys list`.
type KeysListCmd struct {
	JSON bool `help:"Print JSON."`
}

// Run lists principals.
func (c *KeysListCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	rec, err := s.Recipients()
	if err != nil {
		return err
	}
	list := rec.List()
	if c.JSON {
		type row struct {
			Kind string   `json:"kind"`
			ID   string   `json:"id"`
			Role string   `json:"role,omitempty"`
			Keys []string `json:"keys"`
		}
		out := []row{}
		for _, p := range list {
			out = append(out, row{p.Kind, p.ID, p.Role, p.Keys})
		}
		return writeJSON(env.Stdout, out)
	}
	var rows [][]string
	for _, p := range list {
		role := p.Role
		if role == "" {
			role = "-"
		}
		rows = append(rows, []string{p.Kind, p.ID, role, strings.Join(p.Keys, " ")})
	}
	return table(env.Stdout, []string{"KIND", "ID", "ROLE", "KEYS"}, rows)
}

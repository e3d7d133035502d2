package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/swiftclaw/swiftclaw/policy"
	"github.com/swiftclaw/swiftclaw/vault"
)

// principalFlags name one principal: --user EMAIL or --service NAME.
type principalFlags struct {
	User    string `placeholder:"EMAIL" xor:"principal" required:"" help:"The user (by email, as in recipients.yaml)."`
	Service string `placeholder:"NAME" xor:"principal" required:"" help:"The service (by name, as in recipients.yaml)."`
}

func (p principalFlags) ref() string {
	if p.User != "" {
		return "user:" + p.User
	}
	return "service:" + p.Service
}

// SecretsGrantCmd is `secrets grant AGENT NAME --user|--service X --permission P`.
type SecretsGrantCmd struct {
	Agent string `arg:"" help:"Agent name."`
	Name  string `arg:"" help:"Secret name or glob ('*' also covers the agent's env vars; quote globs in the shell)."`
	principalFlags
	Permission string `required:"" placeholder:"PERMS" help:"read, write or read,write."`
	JSON       bool   `help:"Print the result as JSON."`
}

// Run grants access.
func (c *SecretsGrantCmd) Run(g *Globals, env *Env) error {
	perms, err := policy.ParsePermissions(c.Permission)
	if err != nil {
		return err
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	req := vault.GrantRequest{Principal: c.ref(), Agent: c.Agent, Secret: c.Name, Permissions: perms}
	res, err := s.Grant(env.Ctx, req, vault.BulkOptions{Progress: progress(env)})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, map[string]any{"grant": res.Grant, "changed": res.Changed, "matches": nonNil(res.Matches),
			"reencrypted": nonNil(res.Reencrypted), "commit": res.Commit, "warnings": nonNil(res.Warnings)})
	}
	what := fmt.Sprintf("%s on %s/%s", strings.Join(res.Grant.Permissions, ","), c.Agent, c.Name)
	if !res.Changed {
		fmt.Fprintf(env.Stdout, "%s already has %s; nothing changed\n", req.Principal, what)
		return nil
	}
	fmt.Fprintf(env.Stdout, "granted %s to %s\n", what, req.Principal)
	if n := len(res.Reencrypted); n > 0 {
		fmt.Fprintf(env.Stdout, "re-encrypted %s to include its keys: %s\n", files(n), joinFiles(res.Reencrypted, 10))
	}
	printCommitted(env, res.WriteResult)
	return nil
}

// SecretsRevokeCmd is `secrets revoke AGENT NAME --user|--service X`.
type SecretsRevokeCmd struct {
	Agent string `arg:"" help:"Agent name."`
	Name  string `arg:"" help:"The secret name or glob the grant was given with."`
	principalFlags
	Permission string `placeholder:"PERMS" help:"Revoke only these permissions (default: the whole grant)."`
	JSON       bool   `help:"Print the result as JSON."`
}

// Run revokes access and reports what the revoked keys can still read.
func (c *SecretsRevokeCmd) Run(g *Globals, env *Env) error {
	var perms []string
	if c.Permission != "" {
		var err error
		if perms, err = policy.ParsePermissions(c.Permission); err != nil {
			return err
		}
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	req := vault.GrantRequest{Principal: c.ref(), Agent: c.Agent, Secret: c.Name, Permissions: perms}
	res, err := s.Revoke(env.Ctx, req, vault.BulkOptions{Progress: progress(env)})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, map[string]any{"removed": res.Removed, "reencrypted": nonNil(res.Reencrypted),
			"still_readable": nonNil(res.StillReadable), "history_checked": res.HistoryChecked,
			"exposed": nonNil(res.Exposed), "commit": res.Commit})
	}
	w := env.Stdout
	fmt.Fprintf(w, "revoked %s on %s/%s from %s\n", orAll(perms), c.Agent, c.Name, req.Principal)
	var marked []string
	for _, r := range res.Reencrypted {
		if r.Marked {
			marked = append(marked, r.Agent+"/"+orEnvLabel(r.Name))
		}
	}
	if n := len(res.Reencrypted); n > 0 {
		fmt.Fprintf(w, "re-encrypted %s without its keys: %s\n", files(n), joinFiles(res.Reencrypted, 10))
	}
	if len(marked) > 0 {
		fmt.Fprintf(w, "marked rotation required (shown by `secrets list`): %s\n", joinNames(marked, 10))
	}
	if len(res.StillReadable) > 0 {
		fmt.Fprintf(w, "still readable by %s through another grant or as an owner: %s\n", req.Principal, strings.Join(res.StillReadable, ", "))
	}
	switch {
	case !res.HistoryChecked:
		fmt.Fprintf(w, "no git history was checked; any earlier copy of these files stays readable to %s\n", req.Principal)
	case len(res.Exposed) > 0:
		fmt.Fprintf(w, "git history still holds these versions encrypted to %s's keys; re-encrypting cannot take them back:\n", req.Principal)
		var rotate []string
		for _, e := range res.Exposed {
			cmd := fmt.Sprintf("`swiftclaw secrets set %s %s`", e.Agent, e.Name)
			if e.Name == "" {
				cmd = fmt.Sprintf("`swiftclaw env set %s KEY` for each variable", e.Agent)
			}
			rotate = append(rotate, cmd)
			for _, v := range e.Versions {
				label := e.Agent + "/" + orEnvLabel(e.Name)
				if v.Version != "" {
					label += " " + v.Version
				}
				fmt.Fprintf(w, "  %s (%s)\n", label, commitList(v.Commits))
			}
		}
		fmt.Fprintf(w, "rotate them: %s\n", joinNames(rotate, 5))
	default:
		fmt.Fprintf(w, "no version in git history was encrypted to %s's keys\n", req.Principal)
	}
	printCommitted(env, res.WriteResult)
	return nil
}

// SecretsAccessCmd is `secrets access AGENT [NAME]`.
type SecretsAccessCmd struct {
	Agent string `arg:"" help:"Agent name."`
	Name  string `arg:"" optional:"" help:"Only this secret (or glob)."`
	JSON  bool   `help:"Print JSON."`
}

// Run prints who can read and write what.
func (c *SecretsAccessCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	rows, err := s.Access(c.Agent, c.Name)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, nonNil(rows))
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		perms := strings.Join(r.Permissions, ",")
		switch {
		case r.Owner:
			perms += " (owner)"
		case perms == "":
			perms = "none"
		}
		out = append(out, []string{r.Principal, r.Secret, perms, r.Describe()})
	}
	return table(env.Stdout, []string{"PRINCIPAL", "SECRET", "PERMISSIONS", "IN FILE"}, out)
}

// KeysRotateIdentityCmd is `keys rotate-identity [--out FILE]`.
type KeysRotateIdentityCmd struct {
	Out  string `placeholder:"FILE" help:"Where to write the new identity (default ~/.config/swiftclaw/identity.txt; an old identity there is kept as identity.txt.old-TIME)."`
	JSON bool   `help:"Print the result as JSON."`
}

// Run rotates the owner's identity.
func (c *KeysRotateIdentityCmd) Run(g *Globals, env *Env) error {
	out := c.Out
	if out == "" {
		home, _ := os.UserHomeDir()
		out = vault.DefaultIdentityFile(env.Getenv, home)
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	res, err := s.RotateIdentity(env.Ctx, vault.RotateIdentityOptions{Out: out, BulkOptions: vault.BulkOptions{Progress: progress(env)}})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, res)
	}
	fmt.Fprintf(env.Stdout, "new identity for %s: %s (%s)\n", res.Principal, res.Out, res.NewKey)
	fmt.Fprintf(env.Stdout, "re-encrypted %s from the old key to the new one\n", files(len(res.Reencrypted)))
	old := res.OldKept
	if old == "" {
		old = res.OldSource
	}
	fmt.Fprintf(env.Stdout, "old identity kept: %s; it still decrypts old versions in git history, so delete it only when you no longer need those\n", old)
	if res.OldKept == "" && res.OldSource != res.Out {
		fmt.Fprintf(env.Stdout, "use the new identity from now on: pass --identity %s or point SWIFTCLAW_AGE_KEY_FILE at it\n", res.Out)
	}
	printCommitted(env, res.WriteResult)
	return nil
}

// progress returns a progress callback that redraws one line on stderr when stderr is a
// terminal, and nil (no output) otherwise.
func progress(env *Env) func(done, total int) {
	f, ok := env.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(env.Stderr, "\rre-encrypting %d/%d", done, total)
		if done == total {
			fmt.Fprintln(env.Stderr)
		}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orAll(perms []string) string {
	if len(perms) == 0 {
		return "all access"
	}
	return strings.Join(perms, ",")
}

func orEnvLabel(name string) string {
	if name == "" {
		return "env"
	}
	return name
}

func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}

func joinFiles(rs []vault.Resynced, most int) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Agent + "/" + orEnvLabel(r.Name)
	}
	return joinNames(names, most)
}

// joinNames lists up to most names, then how many more.
func joinNames(names []string, most int) string {
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:most], ", "), len(names)-most)
}

func commitList(ids []string) string {
	short := make([]string, len(ids))
	for i, id := range ids {
		short[i] = id[:min(len(id), 12)]
	}
	word := "commit "
	if len(ids) > 1 {
		word = "commits "
	}
	return word + strings.Join(short, ", ")
}

package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/swiftclaw/swiftclaw/dotenv"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/sopsfile"
	"github.com/swiftclaw/swiftclaw/vault"
)

// EnvImportCmd is `env import AGENT FILE [--secrets]`.
type EnvImportCmd struct {
	Agent   string `arg:"" help:"Agent name."`
	File    string `arg:"" help:".env file to read (- for standard input)."`
	Secrets bool   `help:"Import each variable as a secret named after it (OPENAI_API_KEY becomes openai-api-key) instead of an environment variable."`
}

// Run parses the whole file strictly before storing anything.
func (c *EnvImportCmd) Run(g *Globals, env *Env) error {
	if err := vault.ValidateName("agent", c.Agent); err != nil {
		return err
	}
	var r io.Reader = env.Stdin
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return errs.Wrap(errs.Input, err, "cannot read %s", c.File)
		}
		defer f.Close()
		r = f
	}
	entries, err := dotenv.Parse(r, c.File)
	if err != nil {
		return err
	}
	items := make([]imported, len(entries))
	for i, e := range entries {
		items[i] = imported{env: e.Key, secret: secretName([]string{e.Key}), value: e.Value}
	}
	if err := importItems(g, env, c.Agent, c.File, items, c.Secrets); err != nil {
		return err
	}
	if c.File != "-" {
		warn(env, "%s still holds the plaintext values; delete it once the import is checked, and never commit it", c.File)
	}
	return nil
}

// ImportCmd groups imports from other tools.
type ImportCmd struct {
	Sops ImportSopsCmd `cmd:"" help:"Import a sops-encrypted YAML, JSON or dotenv file (age recipients) into an agent."`
}

// ImportSopsCmd is `import sops FILE --agent AGENT`.
type ImportSopsCmd struct {
	File    string `arg:"" help:"sops-encrypted file."`
	Agent   string `required:"" help:"Agent to import into."`
	Secrets bool   `help:"Import values as secrets (key path joined with '-', lower-case) instead of environment variables (joined with '_', upper-case)."`
	Format  string `placeholder:"yaml|json|dotenv" help:"File format (default: from the file name)."`
}

// Run decrypts the file with your age identities, checks its MAC and stores every value.
func (c *ImportSopsCmd) Run(g *Globals, env *Env) error {
	if err := vault.ValidateName("agent", c.Agent); err != nil {
		return err
	}
	format, err := sopsfile.FormatFromPath(c.File)
	if c.Format != "" {
		format, err = sopsfile.ParseFormat(c.Format)
	}
	if err != nil {
		return err
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	ids, err := s.Identities()
	if err != nil {
		return err
	}
	f, err := os.Open(c.File)
	if err != nil {
		return errs.Wrap(errs.Input, err, "cannot read %s", c.File)
	}
	defer f.Close()
	entries, err := sopsfile.Decrypt(f, c.File, format, ids.AgeIdentities())
	if err != nil {
		return err
	}
	items := make([]imported, len(entries))
	for i, e := range entries {
		items[i] = imported{env: envName(e.Path), secret: secretName(e.Path), value: e.Value}
	}
	return importItems(g, env, c.Agent, c.File, items, c.Secrets)
}

// imported is one value to store, with its name as a variable and as a secret.
type imported struct {
	env, secret string
	value       []byte
}

var (
	notEnvChar    = regexp.MustCompile(`[^A-Za-z0-9_]+`)
	notSecretChar = regexp.MustCompile(`[^a-z0-9._-]+`)
)

// envName turns a key path into a variable name: database.password -> DATABASE_PASSWORD.
func envName(path []string) string {
	n := strings.ToUpper(notEnvChar.ReplaceAllString(strings.Join(path, "_"), "_"))
	if n != "" && n[0] >= '0' && n[0] <= '9' {
		n = "_" + n
	}
	return n
}

// secretName turns a key path into a secret name: OPENAI_API_KEY -> openai-api-key.
func secretName(path []string) string {
	n := strings.ToLower(strings.Join(path, "-"))
	n = notSecretChar.ReplaceAllString(strings.ReplaceAll(n, "_", "-"), "-")
	return strings.Trim(n, "-.")
}

// importItems validates every name first, then stores the values: env vars in one write,
// secrets one write each.
func importItems(g *Globals, env *Env, agent, source string, items []imported, asSecrets bool) error {
	if len(items) == 0 {
		return errs.New(errs.Input, "%s has no values to import", source)
	}
	kind := "variable"
	if asSecrets {
		kind = "secret"
	}
	seen := map[string]string{}
	for _, it := range items {
		name, orig := it.env, it.env
		var err error
		if asSecrets {
			name = it.secret
			err = vault.ValidateName("secret", name)
		} else {
			err = vault.ValidateEnvKey(name)
		}
		if err != nil {
			return err
		}
		if prev, dup := seen[name]; dup {
			return errs.New(errs.Input, "%s and %s in %s would both become %s %s", prev, orig, source, kind, name).
				WithHint("rename one of them in %s, then import again", source)
		}
		seen[name] = orig
		if len(it.value) > vault.MaxValueSize {
			return errs.New(errs.Input, "value of %s is larger than %d MiB", orig, vault.MaxValueSize>>20)
		}
	}
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if !asSecrets {
		vars := make(map[string][]byte, len(items))
		for _, it := range items {
			vars[it.env] = it.value
		}
		wr, err := s.SetEnv(env.Ctx, agent, vars)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %d variable(s) into %s from %s\n", len(items), agent, source)
		printCommitted(env, wr)
		return nil
	}
	for _, it := range items {
		res, err := s.SetSecret(env.Ctx, agent, it.secret, it.value, vault.SetOptions{})
		if err != nil {
			return err
		}
		printCommitted(env, res.WriteResult)
	}
	fmt.Fprintf(env.Stdout, "imported %d secret(s) into %s from %s\n", len(items), agent, source)
	return nil
}

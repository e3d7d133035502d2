package main

import (
	"context"
	"fmt"
	"regexp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/templates"
	"github.com/swiftclaw/swiftclaw/vault"
)

// SecretsApplyCmd is `secrets apply AGENT --template FILE|builtin:NAME`.
type SecretsApplyCmd struct {
	Agent       string `arg:"" help:"Agent name."`
	Template    string `required:"" placeholder:"FILE|builtin:NAME" help:"Template file, or a built-in: builtin:openai, builtin:anthropic, builtin:stripe, builtin:postgres, builtin:github-app."`
	Interactive bool   `help:"Prompt (echo off) for each missing secret the template cannot generate."`
}

// Run sets descriptions and rotation policies, generates values the template says to,
// optionally prompts for the rest, then reports what is still missing (exit 1 if required).
func (c *SecretsApplyCmd) Run(g *Globals, env *Env) error {
	if c.Interactive && !env.StdinTTY {
		return errs.New(errs.Input, "--interactive needs a terminal to prompt on").
			WithHint("set missing secrets with `swiftclaw secrets set %s NAME --value-stdin`", c.Agent)
	}
	tpl, s, inv, err := openTemplate(g, env, c.Agent, c.Template)
	if err != nil {
		return err
	}
	acts, _ := templates.Plan(tpl, inv)
	for _, a := range acts {
		if err := applyAction(env, s, c.Agent, a); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s\n", a)
	}
	if c.Interactive {
		for _, sec := range templates.Missing(tpl, inv) {
			if err := promptAndSet(env, s, c.Agent, sec); err != nil {
				return err
			}
		}
	}
	if inv, err = inventory(env.Ctx, s, c.Agent); err != nil {
		return err
	}
	rep := templates.Check(tpl, inv)
	if len(acts) == 0 {
		fmt.Fprintf(env.Stdout, "nothing to change: %s already has the descriptions, rotation policies and generated values of %s\n", c.Agent, tpl.Source)
	}
	return printReport(env, c.Agent, rep, false)
}

// SecretsCheckCmd is `secrets check AGENT --template FILE|builtin:NAME`.
type SecretsCheckCmd struct {
	Agent    string `arg:"" help:"Agent name."`
	Template string `required:"" placeholder:"FILE|builtin:NAME" help:"Template file or builtin:NAME."`
	JSON     bool   `help:"Print the findings as JSON."`
}

// Run reports, writing nothing: the CI gate that required secrets exist, are unexpired and
// match their patterns (exit 1 otherwise).
func (c *SecretsCheckCmd) Run(g *Globals, env *Env) error {
	tpl, _, inv, err := openTemplate(g, env, c.Agent, c.Template)
	if err != nil {
		return err
	}
	rep := templates.Check(tpl, inv)
	if !c.JSON && !rep.Failed() {
		fmt.Fprintf(env.Stdout, "%s meets %s\n", c.Agent, tpl.Source)
	}
	return printReport(env, c.Agent, rep, c.JSON)
}

// openTemplate loads the template, opens the store and takes the agent's inventory.
func openTemplate(g *Globals, env *Env, agent, ref string) (*templates.Template, *vault.Store, templates.Inventory, error) {
	if err := vault.ValidateName("agent", agent); err != nil {
		return nil, nil, nil, err
	}
	tpl, err := templates.Load(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := g.open(env)
	if err != nil {
		return nil, nil, nil, err
	}
	inv, err := inventory(env.Ctx, s, agent)
	return tpl, s, inv, err
}

// inventory describes the agent's secrets for templates without decrypting anything; a
// pattern check decrypts one value inside Match and keeps it there.
func inventory(ctx context.Context, s *vault.Store, agent string) (templates.Inventory, error) {
	list, err := s.ListSecrets(agent)
	if errs.KindOf(err) == errs.NotFound {
		return templates.Inventory{}, nil // a new agent: everything is missing
	}
	if err != nil {
		return nil, err
	}
	inv := templates.Inventory{}
	for _, m := range list {
		rot := "never" // no schedule means the secret is never rotated
		if m.Rotation != nil && m.Rotation.Interval != "" {
			rot = m.Rotation.Interval
		}
		name := m.Name
		inv[name] = templates.State{
			Exists: true, Expired: m.Expired, Description: m.Description, Rotation: rot,
			Match: func(re *regexp.Regexp) (bool, error) {
				v, _, err := s.GetSecret(ctx, agent, name, vault.GetOptions{AllowExpired: true})
				if err != nil {
					return false, err
				}
				return re.Match(v), nil
			},
		}
	}
	return inv, nil
}

// rotationInterval is how the vault stores a template rotation: "" for never.
func rotationInterval(r templates.Rotation) *string {
	v := ""
	if !r.Never {
		v = r.String()
	}
	return &v
}

func applyAction(env *Env, s *vault.Store, agent string, a templates.Action) error {
	var u vault.MetaUpdate
	switch a.Kind {
	case templates.SetDescription:
		u.Description = &a.Description
	case templates.SetRotation:
		u.RotationInterval = rotationInterval(a.Rotation)
	case templates.GenerateValue:
		v, err := a.Value()
		if err != nil {
			return err
		}
		return storeNew(env, s, agent, a.Secret, v, a.Description, a.Rotation)
	}
	wr, err := s.UpdateSecretMeta(env.Ctx, agent, a.Secret, u)
	printCommitted(env, wr)
	return err
}

// storeNew creates a secret with the template's description and rotation policy.
func storeNew(env *Env, s *vault.Store, agent, name string, value []byte, desc string, rot templates.Rotation) error {
	opts := vault.SetOptions{}
	if desc != "" {
		opts.Description = &desc
	}
	res, err := s.SetSecret(env.Ctx, agent, name, value, opts)
	if err != nil {
		return err
	}
	printCommitted(env, res.WriteResult)
	if !rot.IsSet() {
		return nil
	}
	wr, err := s.UpdateSecretMeta(env.Ctx, agent, name, vault.MetaUpdate{RotationInterval: rotationInterval(rot)})
	printCommitted(env, wr)
	return err
}

func promptAndSet(env *Env, s *vault.Store, agent string, sec templates.Secret) error {
	label := sec.Name
	if sec.Description != "" {
		label += " (" + sec.Description + ")"
	}
	if !sec.Required {
		label += ", optional: press Enter to skip"
	}
	v, err := promptSecret(env, fmt.Sprintf("Value for %s/%s: ", agent, label))
	if err != nil {
		return err
	}
	if len(v) == 0 && !sec.Required {
		return nil
	}
	if err := sec.CheckValue(v); err != nil {
		return err
	}
	if err := storeNew(env, s, agent, sec.Name, v, sec.Description, sec.Rotation); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "set %s/%s\n", agent, sec.Name)
	return nil
}

// printReport prints the findings table (or JSON) and returns the findings error, if any.
func printReport(env *Env, agent string, rep templates.Report, asJSON bool) error {
	if asJSON {
		type finding struct {
			Secret   string `json:"secret"`
			Severity string `json:"severity"`
			Code     string `json:"code"`
			Message  string `json:"message"`
		}
		out := []finding{}
		for _, f := range rep.Findings {
			out = append(out, finding{f.Secret, f.Severity.String(), f.Code, f.Message})
		}
		if err := writeJSON(env.Stdout, map[string]any{"template": rep.Template, "ok": !rep.Failed(), "findings": out}); err != nil {
			return err
		}
	} else if len(rep.Findings) > 0 {
		if err := templates.WriteReport(env.Stdout, rep); err != nil {
			return err
		}
	}
	return rep.Err(agent)
}

package main

import (
	"fmt"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/rotation"
	"github.com/swiftclaw/swiftclaw/vault"
)

// SecretsRotateCmd is `secrets rotate AGENT NAME`: a new value now, a rotation policy,
// or both in one commit.
type SecretsRotateCmd struct {
	Agent         string  `arg:"" help:"Agent name."`
	Name          string  `arg:"" help:"Secret name."`
	NewValue      *string `name:"new-value" help:"The new value. Visible in the process list and shell history: prefer --new-value-stdin." xor:"source"`
	NewValueStdin bool    `name:"new-value-stdin" help:"Read the new value from stdin; one trailing newline is dropped." xor:"source"`
	NewValueFile  string  `name:"new-value-file" placeholder:"PATH" help:"Read the new value from a file, byte for byte." xor:"source"`
	GracePeriod   string  `name:"grace-period" placeholder:"DURATION" help:"Keep the previous value readable this long (secrets get --previous, run's NAME_PREVIOUS). With --auto, also the grace period of automatic rotations."`
	Interval      string  `placeholder:"DURATION" help:"Rotation interval, e.g. 90d; 'never' removes the policy's interval."`
	Auto          bool    `help:"Let swiftclaw rotate the secret when due (rotate-due): the webhook supplies the value or the generator makes one." xor:"auto"`
	NoAuto        bool    `name:"no-auto" help:"Turn automatic rotation off." xor:"auto"`
	Webhook       *string `placeholder:"URL" help:"Call this URL (signed POST) on every rotation; it may answer with the new value. '' removes it."`
	WebhookSecret *string `name:"webhook-secret" placeholder:"secret:NAME" help:"The secret of this agent holding the webhook's HMAC-SHA256 key."`
	Length        int     `placeholder:"N" help:"Generator: random bytes (default charset) or characters (default 32)."`
	Charset       string  `placeholder:"SET" help:"Generator: alphanumeric, alpha, lower, upper, digits, hex, base64url or printable (default: random bytes, base64url)."`
	Prefix        *string `placeholder:"TEXT" help:"Generator: text put before each generated value, e.g. sk-."`
	JSON          bool    `help:"Print the result as JSON."`
}

func (c *SecretsRotateCmd) policy() vault.PolicyChange {
	var p vault.PolicyChange
	if c.Interval != "" {
		p.Interval = &c.Interval
	}
	if c.Auto || c.NoAuto {
		auto := c.Auto
		p.Auto = &auto
	}
	p.Webhook, p.WebhookSecret = c.Webhook, c.WebhookSecret
	if c.Auto && c.GracePeriod != "" {
		p.GracePeriod = &c.GracePeriod
	}
	if c.Length != 0 || c.Charset != "" || c.Prefix != nil {
		gen := rotation.Generator{Length: c.Length, Charset: c.Charset}
		if c.Prefix != nil {
			gen.Prefix = *c.Prefix
		}
		p.Generator = &gen
	}
	return p
}

func (c *SecretsRotateCmd) value(env *Env) ([]byte, error) {
	v, _, err := valueFrom(env, valueFlags{"--new-value", "--new-value-stdin or --new-value-file"}, c.NewValue, c.NewValueStdin, c.NewValueFile)
	return v, err
}

// Run rotates now (with a given, webhook-supplied or generated value) or only stores
// the policy when policy flags come without a value.
func (c *SecretsRotateCmd) Run(g *Globals, env *Env) error {
	s, value, err := openWithValue(g, env, c.Agent, c.Name, c.value)
	if err != nil {
		return err
	}
	pol := c.policy()
	// Policy flags without a value only change the policy (--grace-period with --auto is
	// the policy's grace period); a value, or --grace-period alone, rotates now.
	if value == nil && !pol.Empty() && (c.GracePeriod == "" || pol.GracePeriod != nil) {
		meta, wr, err := s.SetRotationPolicy(env.Ctx, c.Agent, c.Name, pol)
		if err != nil {
			return err
		}
		if c.JSON {
			return writeJSON(env.Stdout, map[string]any{"secret": meta, "commit": wr.Commit})
		}
		fmt.Fprintf(env.Stdout, "rotation policy of %s/%s: %s\n", c.Agent, c.Name, describePolicy(meta))
		printCommitted(env, wr)
		return nil
	}
	opts := vault.RotateOptions{Value: value, Policy: pol}
	if c.GracePeriod != "" {
		if opts.Grace, err = vault.ParseDuration(c.GracePeriod); err != nil {
			return err
		}
	}
	res, err := s.RotateSecret(env.Ctx, c.Agent, c.Name, opts)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, map[string]any{"secret": res.Meta, "version": res.Version, "source": res.Source,
			"grace_until": res.GraceUntil, "webhook_status": webhookStatus(res.Webhook), "commit": res.Commit})
	}
	line := fmt.Sprintf("rotated %s/%s", c.Agent, c.Name)
	if res.Version != "" {
		line += " to " + res.Version
	}
	if res.Source != "given" {
		line += " (value from the " + res.Source + ")"
	}
	fmt.Fprintln(env.Stdout, line)
	if res.GraceUntil != nil {
		fmt.Fprintf(env.Stdout, "the previous value stays readable until %s (secrets get --previous)\n", fmtTime(*res.GraceUntil, false))
	}
	printCommitted(env, res.WriteResult)
	return nil
}

func webhookStatus(r *rotation.Reply) any {
	if r == nil {
		return nil
	}
	return r.Status
}

// describePolicy renders a rotation policy in one line.
func describePolicy(m *vault.SecretMeta) string {
	r := m.Rotation
	if r == nil {
		return "none"
	}
	var parts []string
	if r.Interval != "" {
		parts = append(parts, "every "+r.Interval)
	}
	if r.Auto {
		parts = append(parts, "automatic")
	} else if r.Interval != "" {
		parts = append(parts, "manual")
	}
	if r.GracePeriod != "" {
		parts = append(parts, "grace period "+r.GracePeriod)
	}
	if r.Webhook != "" {
		parts = append(parts, "webhook "+r.Webhook+" signed with "+r.WebhookSecret) // as committed in the file
	}
	if r.Generator != nil {
		parts = append(parts, "generator: "+r.Generator.String())
	}
	if m.RotationDue != nil {
		parts = append(parts, "next due "+fmtTime(*m.RotationDue, false))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// SecretsRotateDueCmd is `secrets rotate-due [AGENT]`.
type SecretsRotateDueCmd struct {
	Agent  string `arg:"" optional:"" help:"Only this agent (default: all)."`
	DryRun bool   `name:"dry-run" help:"List what would rotate; change nothing."`
	UTC    bool   `name:"utc" help:"Show times in UTC instead of local time."`
	JSON   bool   `help:"Print JSON."`
}

// Run rotates every due secret with an automatic policy, one commit each. It exits 1
// when a due secret was left unrotated (manual policy or a failure).
func (c *SecretsRotateDueCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	results, err := s.RotateDue(env.Ctx, vault.RotateDueOptions{Agent: c.Agent, DryRun: c.DryRun})
	if err != nil {
		return err
	}
	left := 0
	for _, r := range results {
		if r.Action == "manual" || r.Action == "failed" {
			left++
		}
		if r.Error != nil {
			warn(env, "%s/%s: %v", r.Agent, r.Name, r.Error)
		}
	}
	if c.JSON {
		type row struct {
			vault.DueResult
			Error string `json:"error,omitempty"`
		}
		rows := make([]row, 0, len(results))
		for _, r := range results {
			rr := row{DueResult: r}
			if r.Error != nil {
				rr.Error = r.Error.Error()
			}
			rows = append(rows, rr)
		}
		if err := writeJSON(env.Stdout, rows); err != nil {
			return err
		}
	} else if len(results) == 0 {
		fmt.Fprintln(env.Stdout, "no secret is due for rotation")
	} else {
		rows := make([][]string, 0, len(results))
		for _, r := range results {
			action := r.Action
			if r.Version != "" {
				action += " to " + r.Version
			}
			rows = append(rows, []string{r.Agent, r.Name, fmtTime(r.Due, c.UTC), action})
		}
		if err := table(env.Stdout, []string{"AGENT", "SECRET", "DUE", "ACTION"}, rows); err != nil {
			return err
		}
	}
	if left > 0 && !c.DryRun {
		return errs.New(errs.Findings, "%d due secret(s) were not rotated and keep their current value", left).
			WithHint("rotate manual ones with `swiftclaw secrets rotate AGENT NAME --new-value-stdin`, or enable --auto")
	}
	return nil
}

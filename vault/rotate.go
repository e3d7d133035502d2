package vault

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/rotation"
)

// PolicyChange edits a rotation policy; nil fields stay as they are.
type PolicyChange struct {
	// Interval sets the interval ("90d"); "never" removes it (and Auto with it).
	Interval *string
	// Auto lets rotate-due rotate the secret itself.
	Auto *bool
	// Webhook sets the URL called on every rotation; "" removes it.
	Webhook *string
	// WebhookSecret names the secret holding the webhook's HMAC key ("secret:NAME").
	WebhookSecret *string
	// GracePeriod is the grace period of automatic rotations ("24h"); "" removes it.
	GracePeriod *string
	// Generator replaces the value generator.
	Generator *rotation.Generator
}

// Empty reports whether the change changes nothing.
func (c PolicyChange) Empty() bool {
	return c.Interval == nil && c.Auto == nil && c.Webhook == nil && c.WebhookSecret == nil && c.GracePeriod == nil && c.Generator == nil
}

// apply validates the change and applies it to f's policy.
func (c PolicyChange) apply(f *SecretFile) error {
	r := Rotation{}
	if f.Rotation != nil {
		r = *f.Rotation
	}
	if c.Interval != nil {
		switch *c.Interval {
		case "never", "":
			r.Interval, r.Auto = "", false
		default:
			d, err := ParseDuration(*c.Interval)
			if err != nil {
				return err
			}
			r.Interval = FormatDuration(d)
		}
	}
	if c.Auto != nil {
		r.Auto = *c.Auto
	}
	if c.Webhook != nil {
		if *c.Webhook != "" {
			if err := rotation.ValidateURL(*c.Webhook); err != nil {
				return err
			}
		}
		r.Webhook = *c.Webhook
	}
	if c.WebhookSecret != nil {
		if *c.WebhookSecret != "" {
			if _, err := webhookKeyName(*c.WebhookSecret); err != nil {
				return err
			}
		}
		r.WebhookSecret = *c.WebhookSecret
	}
	if c.GracePeriod != nil {
		r.GracePeriod = ""
		if *c.GracePeriod != "" {
			d, err := ParseDuration(*c.GracePeriod)
			if err != nil {
				return err
			}
			r.GracePeriod = FormatDuration(d)
		}
	}
	if c.Generator != nil {
		if err := c.Generator.Validate(); err != nil {
			return err
		}
		g := *c.Generator
		r.Generator = &g
		if g == (rotation.Generator{}) {
			r.Generator = nil // the default needs no entry
		}
	}
	if r.Auto && r.Interval == "" {
		return errs.New(errs.Input, "automatic rotation of %s/%s needs an interval", f.Agent, f.Name).
			WithHint("add --interval, e.g. --interval 90d --auto")
	}
	if r.Webhook != "" && r.WebhookSecret == "" {
		return errs.New(errs.Input, "the webhook of %s/%s needs a signing key", f.Agent, f.Name).
			WithHint("store a key (`swiftclaw secrets set %s rotation-hmac --value-stdin`) and pass --webhook-secret secret:rotation-hmac", f.Agent)
	}
	f.Rotation = &r
	if r == (Rotation{}) {
		f.Rotation = nil
	}
	return nil
}

func webhookKeyName(ref string) (string, error) {
	name, ok := strings.CutPrefix(ref, "secret:")
	if !ok {
		return "", errs.New(errs.Input, "invalid webhook secret %q", ref).WithHint("name a secret of the same agent: secret:NAME")
	}
	return name, ValidateName("secret", name)
}

// SetRotationPolicy changes agent/name's rotation policy without rotating it. It reads
// no value, so any writer can do it.
func (s *Store) SetRotationPolicy(ctx context.Context, agent, name string, change PolicyChange) (*SecretMeta, *WriteResult, error) {
	var meta SecretMeta
	wr, err := s.write(ctx, fmt.Sprintf("swiftclaw: update %s/%s rotation policy", agent, name), func(t *txn) error {
		f, err := s.readSecretFile(agent, name)
		if err != nil {
			return err
		}
		if err := s.requireWriteAccess(agent, name); err != nil {
			return err
		}
		if err := change.apply(f); err != nil {
			return err
		}
		data, err := marshalSecretFile(f)
		if err != nil {
			return err
		}
		t.put(f.path, data)
		meta = s.meta(f)
		return nil
	})
	if wr, err = s.auditWrite(ctx, wr, err, "update", agent, name); err != nil {
		return nil, nil, err
	}
	return &meta, wr, nil
}

// RotateOptions configure RotateSecret.
type RotateOptions struct {
	// Value is the new value. nil lets swiftclaw obtain one, which the policy must allow
	// (auto, a webhook or a generator): from the webhook when it answers with a value,
	// else from the generator.
	Value []byte
	// Grace keeps the current value readable as the previous one for this long. Zero
	// uses the policy's grace period for obtained values and none for given ones.
	Grace time.Duration
	// Policy changes the rotation policy in the same commit.
	Policy PolicyChange
	// Webhook is the webhook client (default: rotation.Client{}).
	Webhook *rotation.Client
	// Reason is added to the commit message, e.g. "due".
	Reason string
}

// RotateResult reports a rotation.
type RotateResult struct {
	*SetResult
	// Version is the new version's label ("v4"), "" outside git.
	Version string
	// Source says where the value came from: "given", "webhook" or "generator".
	Source string
	// GraceUntil is when the previous value stops being readable (nil: no grace).
	GraceUntil *time.Time
	// Webhook is the webhook's reply, nil when there is no webhook.
	Webhook *rotation.Reply
}

// RotateSecret gives agent/name a new value as a new version. With a webhook in the
// policy, the webhook is called (signed) before anything is written, under the write
// lock; if it fails, nothing changes and the current value stays active. With a grace
// period the current value stays readable (GetPrevious) until it ends.
func (s *Store) RotateSecret(ctx context.Context, agent, name string, opts RotateOptions) (*RotateResult, error) {
	res := &RotateResult{Source: "given"}
	if opts.Value == nil {
		res.Source = "generator"
	}
	// The version number and grace end are fixed first: the webhook is told both.
	if s.InGit {
		if vs, err := s.Versions(ctx, agent, name); err == nil {
			for _, v := range vs {
				if v.Status != StatusPending {
					res.Version = "v" + strconv.Itoa(v.Number+1)
					break
				}
			}
		} else if errs.KindOf(err) != errs.NotFound {
			return nil, err
		}
	}
	now := s.Now()
	w := &secretWrite{mustExist: true, mustChange: true, msg: rotateMessage(agent, name, res.Version, opts.Reason), action: "rotate"}
	w.edit = func(f *SecretFile) error {
		if err := opts.Policy.apply(f); err != nil {
			return err
		}
		grace := opts.Grace
		if grace == 0 && opts.Value == nil && f.Rotation != nil && f.Rotation.GracePeriod != "" {
			d, err := ParseDuration(f.Rotation.GracePeriod)
			if err != nil {
				return err
			}
			grace = d
		}
		if grace > 0 {
			until := now.Add(grace)
			if f.Expires != nil && f.Expires.Before(until) {
				until = *f.Expires
			}
			if until.After(now) {
				res.GraceUntil = &until
			}
		}
		w.graceUntil = res.GraceUntil
		return nil
	}
	w.obtain = func(f *SecretFile) ([]byte, error) { return s.obtainValue(ctx, f, opts, res) }
	set, err := s.setSecret(ctx, agent, name, opts.Value, SetOptions{}, w)
	if err != nil {
		return nil, rotateFailed(agent, name, err)
	}
	res.SetResult = set
	return res, nil
}

// rotateMessage is the commit message of a rotation.
func rotateMessage(agent, name, version, reason string) string {
	msg := fmt.Sprintf("swiftclaw: rotate %s/%s", agent, name)
	if version != "" {
		msg += " to " + version
	}
	if reason != "" {
		msg += " (" + reason + ")"
	}
	return msg
}

func rotateFailed(agent, name string, err error) error {
	if errs.KindOf(err) == errs.NotFound || errs.KindOf(err) == errs.Input {
		return err
	}
	return errs.Wrap(errs.KindOf(err), err, "%s/%s was not rotated; its current value stays active", agent, name).
		WithHint("fix the cause, then run `swiftclaw secrets rotate %s %s` again", agent, name)
}

// obtainValue calls the webhook (if any) and picks the new value: the given one, the
// webhook's, or a generated one. It runs under the write lock, before anything is staged.
func (s *Store) obtainValue(ctx context.Context, f *SecretFile, opts RotateOptions, res *RotateResult) ([]byte, error) {
	pol := Rotation{}
	if f.Rotation != nil {
		pol = *f.Rotation
	}
	if opts.Value == nil && !pol.Auto && pol.Webhook == "" && pol.Generator == nil {
		return nil, errs.New(errs.Input, "no new value for %s/%s, and its rotation policy does not let swiftclaw make one", f.Agent, f.Name).
			WithHint("pass --new-value-stdin, or enable automatic rotation: `swiftclaw secrets rotate %s %s --interval 90d --auto`", f.Agent, f.Name)
	}
	value := opts.Value
	if pol.Webhook != "" {
		reply, err := s.callWebhook(ctx, f, pol, opts.Webhook, res)
		if err != nil {
			return nil, err
		}
		res.Webhook = reply
		if reply.Value != nil {
			if value != nil {
				return nil, errs.New(errs.Conflict, "the webhook supplied a value although one was given; nothing was changed").
					WithHint("rotate without --new-value to use the webhook's value")
			}
			value, res.Source = reply.Value, "webhook"
		}
	}
	if value == nil {
		g := rotation.Generator{}
		if pol.Generator != nil {
			g = *pol.Generator
		}
		return g.Generate()
	}
	return value, nil
}

// callWebhook signs and sends the rotation event with the key the policy names.
func (s *Store) callWebhook(ctx context.Context, f *SecretFile, pol Rotation, client *rotation.Client, res *RotateResult) (*rotation.Reply, error) {
	keyName, err := webhookKeyName(pol.WebhookSecret)
	if err != nil {
		return nil, err
	}
	key, _, err := s.GetSecret(ctx, f.Agent, keyName, GetOptions{})
	if err != nil {
		return nil, errs.Wrap(errs.KindOf(err), err, "cannot read the webhook signing key secret:%s", keyName)
	}
	if client == nil {
		client = &rotation.Client{}
	}
	ev := rotation.Event{Agent: f.Agent, Secret: f.Name, Version: res.Version, RotatedAt: s.Now(), GraceUntil: res.GraceUntil}
	return client.Notify(ctx, pol.Webhook, key, ev)
}

// DueResult is what RotateDue did with one secret.
type DueResult struct {
	Agent string    `json:"agent"`
	Name  string    `json:"secret"`
	Due   time.Time `json:"due"`
	// Action is "rotated", "would rotate" (dry run), "manual" (the policy is not
	// automatic: a person must supply the value) or "failed".
	Action  string `json:"action"`
	Version string `json:"version,omitempty"`
	Commit  string `json:"commit,omitempty"`
	// Error says why a rotation failed; the secret keeps its current value.
	Error error `json:"-"`
}

// RotateDueOptions configure RotateDue.
type RotateDueOptions struct {
	// Agent limits the run to one agent ("" = all).
	Agent string
	// DryRun lists what would rotate without changing anything.
	DryRun bool
	// Webhook is the webhook client (default: rotation.Client{}).
	Webhook *rotation.Client
}

// RotateDue rotates every secret whose rotation interval has run out and whose policy is
// automatic, one commit per secret. A failure leaves that secret's value active and does
// not stop the others. Due secrets without automatic rotation are reported as "manual".
func (s *Store) RotateDue(ctx context.Context, opts RotateDueOptions) ([]DueResult, error) {
	agents := s.agentNames()
	if opts.Agent != "" {
		if err := s.requireAgent(opts.Agent); err != nil {
			return nil, err
		}
		agents = []string{opts.Agent}
	}
	var out []DueResult
	for _, agent := range agents {
		list, err := s.ListSecrets(agent)
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			if !m.RotationOverdue {
				continue
			}
			r := DueResult{Agent: agent, Name: m.Name, Due: *m.RotationDue}
			switch {
			case !m.Rotation.Auto:
				r.Action = "manual"
			case opts.DryRun:
				r.Action = "would rotate"
			default:
				rr, err := s.RotateSecret(ctx, agent, m.Name, RotateOptions{Webhook: opts.Webhook, Reason: "due"})
				if err != nil {
					r.Action, r.Error = "failed", err
				} else {
					r.Action, r.Version, r.Commit = "rotated", rr.Version, rr.Commit
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

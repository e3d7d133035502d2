package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/swiftclaw/swiftclaw/alerts"
	"github.com/swiftclaw/swiftclaw/audit"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
	"github.com/swiftclaw/swiftclaw/vault"
)

// AuditCmd groups the access-log commands.
type AuditCmd struct {
	Secrets AuditSecretsCmd `cmd:"" help:"Who read and changed an agent's secrets: reads recorded by swiftclaw merged with writes from git history, newest first."`
	Verify  AuditVerifyCmd  `cmd:"" help:"Check the access log's hash chain and name the first edited, dropped, reordered or truncated entry."`
}

// AuditSecretsCmd is `audit secrets AGENT`.
type AuditSecretsCmd struct {
	Agent  string `arg:"" help:"Agent name."`
	Since  string `placeholder:"TIME" help:"Only events at or after TIME: a date (2024-03-08), RFC 3339, or a duration ago (24h, 7d)."`
	Secret string `placeholder:"NAME" help:"Only this secret (env:KEY for an environment variable)."`
	User   string `placeholder:"PRINCIPAL" help:"Only this user (email) or service."`
	Source bool   `help:"Add a SOURCE column: swiftclaw (the access log) or the git commit."`
	UTC    bool   `name:"utc" help:"Show times in UTC instead of local time."`
	JSON   bool   `help:"Print JSON; reads carry \"source\": \"recorded by swiftclaw\"."`
}

// Run prints the merged table.
func (c *AuditSecretsCmd) Run(g *Globals, env *Env) error {
	s, err := g.open(env)
	if err != nil {
		return err
	}
	if err := vault.ValidateName("agent", c.Agent); err != nil {
		return err
	}
	loc := time.Local
	if c.UTC {
		loc = time.UTC
	}
	since, err := parseSince(c.Since, g.now(env)(), loc)
	if err != nil {
		return err
	}
	path, err := auditLogPath(s, env)
	if err != nil {
		return err
	}
	if path == "" {
		warn(env, "audit.file is disabled, so no reads are recorded here; showing git history only")
	}
	lf, err := audit.OpenLog(path)
	if err != nil {
		return err
	}
	defer lf.Close()
	var writes []audit.WriteEvent
	if s.InGit {
		if writes, err = audit.GitWrites(env.Ctx, s.Root, c.Agent, since); err != nil {
			return err
		}
	}
	q := &audit.Query{Log: lf, Size: lf.Size(), Writes: writes,
		Filter: audit.Filter{Since: since, Agent: c.Agent, Secret: c.Secret, User: c.User}}
	var st audit.Stats
	if c.JSON {
		st, err = audit.WriteJSON(env.Stdout, q)
	} else {
		st, err = audit.WriteTable(env.Stdout, q, audit.TableOptions{Location: loc, Source: c.Source})
	}
	if err != nil {
		return err
	}
	if st.Skipped > 0 {
		warn(env, "%d line(s) of the audit log are not entries; run `swiftclaw audit verify`", st.Skipped)
	}
	if !c.JSON && env.StdoutTTY {
		fmt.Fprintln(env.Stderr, "note: reads are those recorded by swiftclaw; anyone holding a key can also decrypt with plain age, unrecorded.")
	}
	return nil
}

// parseSince reads --since: a date, a date and time, RFC 3339, or a duration before now.
func parseSince(v string, now time.Time, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if d, err := vault.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, errs.New(errs.Input, "--since %q is neither a date (2024-03-08, RFC 3339) nor a duration (24h, 7d)", v)
}

// AuditVerifyCmd is `audit verify [FILE]`.
type AuditVerifyCmd struct {
	File string `arg:"" optional:"" placeholder:"FILE" help:"A log to check, such as a copy a collector received (default: this repository's log)."`
	JSON bool   `help:"Print the report as JSON."`
}

// Run verifies the chain; a broken chain exits 3 and names the first bad line.
func (c *AuditVerifyCmd) Run(g *Globals, env *Env) error {
	path := c.File
	if path == "" {
		s, err := g.open(env)
		if err != nil {
			return err
		}
		if path, err = auditLogPath(s, env); err != nil {
			return err
		}
		if path == "" {
			return errs.New(errs.Input, "audit.file is disabled in .swiftclaw/config.yaml; there is no local log to verify").
				WithHint("verify a copy with `swiftclaw audit verify FILE`")
		}
	}
	lf, err := audit.OpenLog(path)
	if err != nil {
		return err
	}
	defer lf.Close()
	rep, verr := audit.Verify(lf.Reader())
	if c.JSON {
		if err := writeJSON(env.Stdout, map[string]any{"path": path, "ok": rep.OK(), "report": rep}); err != nil {
			return err
		}
	} else if verr == nil {
		fmt.Fprintf(env.Stdout, "%s: %d entries, chain intact\n", path, rep.Entries)
		if rep.Entries > 0 {
			fmt.Fprintf(env.Stdout, "head: seq %d sha256 %s\n", rep.LastSeq, rep.LastHash)
		}
	}
	return verr
}

// auditLogPath is the file sink's path for the project, or "" when it is disabled.
func auditLogPath(s *vault.Store, env *Env) (string, error) {
	cfg, err := audit.LoadProjectConfig(s.Dir() + "/config.yaml")
	if err != nil {
		return "", err
	}
	if cfg.File.Disabled {
		return "", nil
	}
	return audit.FilePath(cfg.File, audit.RepoID(s.Root), s.Root, env.Getenv)
}

// auditing is the process's vault.Auditor: it opens the audit logger on first use, appends
// one entry per read or write, and evaluates secret-access alerts after each read.
type auditing struct {
	store  *vault.Store
	env    *Env
	now    func() time.Time
	logger *audit.Logger
	opened bool

	alertList []alerts.Alert
	evaluator *alerts.Evaluator
}

var _ vault.Auditor = (*auditing)(nil)

func (g *Globals) now(env *Env) func() time.Time {
	if now := g.storeOptions(env).Now; now != nil {
		return now
	}
	return time.Now
}

// attachAuditor makes every read and write through s go to the audit log.
func (g *Globals) attachAuditor(s *vault.Store, env *Env) {
	if g.audit == nil {
		g.audit = &auditing{store: s, env: env, now: g.now(env)}
	}
	s.Auditor = g.audit
}

// closeAudit flushes the audit sinks at the end of the command.
func (g *Globals) closeAudit(env *Env) {
	if g.audit == nil || g.audit.logger == nil {
		return
	}
	w, err := g.audit.logger.Close()
	if w != nil {
		warn(env, "%s", w)
	}
	if err != nil {
		warn(env, "%v", err)
	}
}

func (a *auditing) open() error {
	if a.opened {
		return nil
	}
	a.opened = true
	cfg, err := audit.LoadProjectConfig(a.store.Dir() + "/config.yaml")
	if err != nil {
		return err
	}
	a.logger, err = audit.Open(cfg, audit.Options{
		RepoID: audit.RepoID(a.store.Root), RepoRoot: a.store.Root, Getenv: a.env.Getenv,
		Stdout: a.env.Stdout, Stderr: a.env.Stderr, Now: a.now,
	})
	if err != nil && (cfg.FailClosed || errs.Is(err, errs.Input)) {
		return err
	}
	if err != nil {
		warn(a.env, "audit log unavailable, continuing because audit.fail_closed is false: %v", err)
		return nil
	}
	a.loadAlerts()
	return nil
}

// Audit appends the event; with fail_closed its error refuses the read.
func (a *auditing) Audit(ctx context.Context, ev vault.AuditEvent) error {
	if err := a.open(); err != nil {
		return err
	}
	if a.logger == nil {
		return nil
	}
	e, w, err := a.logger.Append(ctx, audit.Entry{
		Principal: ev.Principal, Action: audit.Action(ev.Action), Agent: ev.Agent, Secret: ev.Secret,
		Command: append([]string{"swiftclaw"}, os.Args[1:]...),
	})
	if err != nil {
		return err
	}
	if w != nil {
		warn(a.env, "%s", w)
	}
	if !ev.Write && a.evaluator != nil && a.logger.Path() != "" {
		fired, err := a.evaluator.OnEntry(ctx, a.alertList, e, alerts.Inputs{Reads: audit.PathCounter(a.logger.Path())})
		if err != nil {
			warn(a.env, "alerts not evaluated: %v", err)
		}
		for _, f := range fired {
			for _, msg := range f.NotifyErrors {
				warn(a.env, "alert %s: %s", f.Alert.ID, msg)
			}
		}
	}
	return nil
}

// loadAlerts prepares alert evaluation; problems become warnings, never a refused read.
func (a *auditing) loadAlerts() {
	list, err := loadAlerts(a.store)
	if err == nil && len(list.Alerts) > 0 {
		a.alertList = list.Alerts
		a.evaluator, err = newEvaluator(a.store, a.env, a.now)
	}
	if err != nil {
		warn(a.env, "alerts not evaluated: %v", err)
	}
}

func loadAlerts(s *vault.Store) (*alerts.File, error) {
	data, err := s.ReadProjectFile(alertsFile)
	if err != nil {
		return nil, err
	}
	return alerts.Parse(data, ".swiftclaw/"+alertsFile)
}

const alertsFile = "alerts.yaml"

// webhookKeyEnv holds the HMAC key that signs webhooks.
const webhookKeyEnv = "SWIFTCLAW_WEBHOOK_SECRET"

func newEvaluator(s *vault.Store, env *Env, now func() time.Time) (*alerts.Evaluator, error) {
	state, err := alerts.StatePath(env.Getenv, audit.RepoID(s.Root))
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return alerts.NewEvaluator(alerts.Options{
		StatePath: state, Now: now, Stderr: env.Stderr, Host: host, KeyEnv: webhookKeyEnv,
		Poster: &webhook.Poster{Key: []byte(env.Getenv(webhookKeyEnv))},
	}), nil
}

package main

import (
	"fmt"

	"github.com/swiftclaw/swiftclaw/alerts"
	"github.com/swiftclaw/swiftclaw/audit"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// AlertsCmd groups the alert commands.
type AlertsCmd struct {
	Create AlertsCreateCmd `cmd:"" help:"Define an alert, e.g. --agent my-agent --metric secret-access --threshold 100 --window 1h."`
	List   AlertsListCmd   `cmd:"" help:"List alerts."`
	Delete AlertsDeleteCmd `cmd:"" help:"Delete an alert by its ID."`
	Check  AlertsCheckCmd  `cmd:"" help:"Evaluate every alert now, for cron or CI; exit 1 when any fires."`
}

// AlertsCreateCmd is `alerts create`.
type AlertsCreateCmd struct {
	Agent     string   `placeholder:"AGENT" help:"Agent to watch (required except for scan-findings)."`
	Metric    string   `required:"" enum:"secret-access,secret-expiring,rotation-overdue,scan-findings" placeholder:"METRIC" help:"secret-access (reads in the window), secret-expiring (expiring within the window), rotation-overdue, scan-findings."`
	Threshold int      `placeholder:"N" help:"Fire when the value reaches N (required for secret-access; default 1)."`
	Window    string   `placeholder:"DURATION" help:"Window: 30m, 1h, 7d (default 1h for secret-access, 7d for secret-expiring, 1d otherwise); at most one notification per window."`
	Secret    string   `placeholder:"NAME" help:"Only this secret."`
	Notify    []string `placeholder:"webhook:URL|stderr" help:"Where to notify (repeatable, default stderr). Webhooks are signed with HMAC-SHA256 keyed by $SWIFTCLAW_WEBHOOK_SECRET."`
	JSON      bool     `help:"Print the alert as JSON."`
}

// Run adds the alert to .swiftclaw/alerts.yaml and commits it.
func (c *AlertsCreateCmd) Run(g *Globals, env *Env) error {
	a := alerts.Alert{Agent: c.Agent, Metric: alerts.Metric(c.Metric), Threshold: c.Threshold, Secret: c.Secret, Notify: c.Notify}
	for kind, name := range map[string]string{"agent": c.Agent, "secret": c.Secret} {
		if name != "" {
			if err := vault.ValidateName(kind, name); err != nil {
				return err
			}
		}
	}
	if c.Window != "" {
		w, err := alerts.ParseWindow(c.Window)
		if err != nil {
			return err
		}
		a.Window = w
	}
	s, f, err := g.openAlerts(env)
	if err != nil {
		return err
	}
	if a, err = f.Create(a); err != nil {
		return err
	}
	wr, err := saveAlerts(s, env, f, "swiftclaw: alerts create "+a.ID)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(env.Stdout, a)
	}
	fmt.Fprintf(env.Stdout, "created alert %s\n", a.ID)
	printCommitted(env, wr)
	return nil
}

// openAlerts opens the project and its alerts file.
func (g *Globals) openAlerts(env *Env) (*vault.Store, *alerts.File, error) {
	s, err := g.open(env)
	if err != nil {
		return nil, nil, err
	}
	f, err := loadAlerts(s)
	return s, f, err
}

func saveAlerts(s *vault.Store, env *Env, f *alerts.File, msg string) (*vault.WriteResult, error) {
	data, err := f.Marshal()
	if err != nil {
		return nil, err
	}
	return s.WriteProjectFile(env.Ctx, alertsFile, data, msg)
}

// AlertsListCmd is `alerts list`.
type AlertsListCmd struct {
	Agent string `placeholder:"AGENT" help:"Only this agent's alerts."`
	JSON  bool   `help:"Print JSON."`
}

// Run lists alerts.
func (c *AlertsListCmd) Run(g *Globals, env *Env) error {
	_, f, err := g.openAlerts(env)
	if err != nil {
		return err
	}
	list := f.List(c.Agent)
	if c.JSON {
		if list == nil {
			list = []alerts.Alert{}
		}
		return writeJSON(env.Stdout, list)
	}
	return alerts.WriteTable(env.Stdout, list)
}

// AlertsDeleteCmd is `alerts delete ID`.
type AlertsDeleteCmd struct {
	ID string `arg:"" help:"Alert ID (or a unique prefix of at least 4 characters) from swiftclaw alerts list."`
}

// Run removes the alert.
func (c *AlertsDeleteCmd) Run(g *Globals, env *Env) error {
	s, f, err := g.openAlerts(env)
	if err != nil {
		return err
	}
	a, err := f.Delete(c.ID)
	if err != nil {
		return err
	}
	wr, err := saveAlerts(s, env, f, "swiftclaw: alerts delete "+a.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "deleted alert %s\n", a.ID)
	printCommitted(env, wr)
	return nil
}

// AlertsCheckCmd is `alerts check`.
type AlertsCheckCmd struct {
	ScanFindings *int `name:"scan-findings" placeholder:"N" help:"Leak-scan finding count for scan-findings alerts (they are skipped without it)."`
	JSON         bool `help:"Print the firing alerts as JSON."`
}

// Run evaluates every alert; it fails with exit 1 when any fires.
func (c *AlertsCheckCmd) Run(g *Globals, env *Env) error {
	s, f, err := g.openAlerts(env)
	if err != nil {
		return err
	}
	in := alerts.Inputs{ScanFindings: c.ScanFindings}
	path, err := auditLogPath(s, env)
	if err != nil {
		return err
	}
	if path != "" {
		in.Reads = audit.PathCounter(path)
	}
	if in.Expiring, in.Overdue, err = secretDates(s); err != nil {
		return err
	}
	ev, err := newEvaluator(s, env, g.now(env))
	if err != nil {
		return err
	}
	fired, err := ev.Check(env.Ctx, f.Alerts, in)
	if err != nil {
		return err
	}
	for _, fr := range fired {
		for _, msg := range fr.NotifyErrors {
			warn(env, "alert %s: %s", fr.Alert.ID, msg)
		}
	}
	if c.JSON {
		if fired == nil {
			fired = []alerts.Firing{}
		}
		if err := writeJSON(env.Stdout, fired); err != nil {
			return err
		}
	} else {
		for _, fr := range fired {
			fmt.Fprintf(env.Stdout, "FIRING %s\n", fr.Summary())
		}
		if len(fired) == 0 {
			fmt.Fprintf(env.Stdout, "no alerts firing (%d checked)\n", len(f.Alerts))
		}
	}
	if len(fired) > 0 {
		return errs.New(errs.Findings, "%d alert(s) firing", len(fired))
	}
	return nil
}

// secretDates lists every secret's expiry and, for secrets with a rotation interval, the
// date rotation falls due (last update plus the interval).
func secretDates(s *vault.Store) (expiring, overdue []alerts.SecretDate, err error) {
	agents, err := s.Agents()
	if err != nil {
		return nil, nil, err
	}
	for _, agent := range agents {
		list, err := s.ListSecrets(agent)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range list {
			if m.Expires != nil {
				expiring = append(expiring, alerts.SecretDate{Agent: agent, Secret: m.Name, Time: *m.Expires})
			}
			if m.Rotation != nil && m.Rotation.Interval != "" {
				d, err := vault.ParseDuration(m.Rotation.Interval)
				if err == nil {
					overdue = append(overdue, alerts.SecretDate{Agent: agent, Secret: m.Name, Time: m.Updated.Add(d)})
				}
			}
		}
	}
	return expiring, overdue, nil
}

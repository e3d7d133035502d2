package alerts

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/audit"
	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/filelock"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

// ReadCounter counts reads of agent's secrets (one secret when secret is not empty) at or
// after since. [audit.LogFile.CountReads] implements it over the access log.
type ReadCounter interface {
	CountReads(agent, secret string, since time.Time) (int, error)
}

// SecretDate pairs a secret with a date: its expiry, or when its rotation was due.
type SecretDate struct {
	Agent, Secret string
	Time          time.Time
}

// Inputs are the measurements the caller supplies. A nil Reads or ScanFindings means
// "not measured": alerts on that metric are skipped, not cleared.
type Inputs struct {
	Reads        ReadCounter
	Expiring     []SecretDate // every secret with an expiry
	Overdue      []SecretDate // secrets with a rotation policy and the date rotation was due
	ScanFindings *int
}

// Options configure an [Evaluator].
type Options struct {
	// StatePath is the fire-state file; see [StatePath]. It must not be in the repository.
	StatePath string
	Now       func() time.Time // nil means time.Now
	Stderr    io.Writer        // "stderr" notifications; nil means os.Stderr
	// Poster delivers webhooks; its Key signs them. nil means a default Poster with no key,
	// in which case webhook notifications fail with a hint to set the key.
	Poster *webhook.Poster
	// KeyEnv names the key's environment variable in messages (SWIFTCLAW_WEBHOOK_SECRET).
	KeyEnv string
	Host   string // recorded in payloads
}

// Evaluator evaluates alerts and sends notifications.
type Evaluator struct{ o Options }

// NewEvaluator returns an Evaluator.
func NewEvaluator(o Options) *Evaluator {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Poster == nil {
		o.Poster = &webhook.Poster{}
	}
	if o.KeyEnv == "" {
		o.KeyEnv = "SWIFTCLAW_WEBHOOK_SECRET"
	}
	return &Evaluator{o: o}
}

// StatePath returns the default fire-state file for a repository:
// <state dir>/alerts/<repo-id>.json.
func StatePath(getenv func(string) string, repoID string) (string, error) {
	dir, err := audit.StateDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "alerts", repoID+".json"), nil
}

// Firing is an alert whose condition holds.
type Firing struct {
	Alert   Alert     `json:"alert"`
	Value   int       `json:"value"`
	Secrets []string  `json:"secrets,omitempty"` // names involved (expiring, overdue), never values
	At      time.Time `json:"at"`
	// Notified is true when this evaluation sent the notifications; false when they were
	// already sent within the alert's window.
	Notified bool `json:"notified"`
	// NotifyErrors lists notification targets that failed (at most once per window: a
	// failed notification is not retried until the next window).
	NotifyErrors []string `json:"notify_errors,omitempty"`
}

// Summary describes the firing in one line, e.g.
// "alert 3f9c2a1b: secret-access for my-agent is 100 in 1h (threshold 100)".
func (f Firing) Summary() string {
	what := string(f.Alert.Metric)
	if f.Alert.Agent != "" {
		what += " for " + f.Alert.Agent
		if f.Alert.Secret != "" {
			what += "/" + f.Alert.Secret
		}
	}
	s := fmt.Sprintf("alert %s: %s is %d in %s (threshold %d)", f.Alert.ID, what, f.Value, f.Alert.Window, f.Alert.Threshold)
	if len(f.Secrets) > 0 {
		s += ": " + strings.Join(f.Secrets, ", ")
	}
	return s
}

// OnEntry evaluates the secret-access alerts an audited entry can trip: only reads, only
// alerts for the entry's agent (and secret). It returns the alerts that notified now; an
// alert that already notified within its window stays quiet.
func (ev *Evaluator) OnEntry(ctx context.Context, list []Alert, e audit.Entry, in Inputs) ([]Firing, error) {
	if !e.Action.IsRead() || in.Reads == nil {
		return nil, nil
	}
	var relevant []Alert
	for _, a := range list {
		if a.Metric == SecretAccess && a.Agent == e.Agent && (a.Secret == "" || a.Secret == e.Secret) {
			relevant = append(relevant, a)
		}
	}
	fired, err := ev.evaluate(ctx, relevant, in)
	var notified []Firing
	for _, f := range fired {
		if f.Notified {
			notified = append(notified, f)
		}
	}
	return notified, err
}

// Check evaluates every alert, for cron and CI: it returns all alerts whose condition
// holds (the caller exits 1 when there are any), notifying those that have not notified
// within their window.
func (ev *Evaluator) Check(ctx context.Context, list []Alert, in Inputs) ([]Firing, error) {
	return ev.evaluate(ctx, list, in)
}

func (ev *Evaluator) evaluate(ctx context.Context, list []Alert, in Inputs) ([]Firing, error) {
	now := ev.o.Now().UTC()
	var firing []Firing
	for _, a := range list {
		value, names, measured, err := measure(a, in, now)
		if err != nil {
			return nil, err
		}
		if measured && value >= a.Threshold {
			firing = append(firing, Firing{Alert: a, Value: value, Secrets: names, At: now})
		}
	}
	if len(firing) == 0 {
		return nil, nil
	}
	if err := ev.claim(firing, now); err != nil {
		return nil, err
	}
	for i := range firing {
		if firing[i].Notified {
			firing[i].NotifyErrors = ev.notify(ctx, firing[i])
		}
	}
	return firing, nil
}

func measure(a Alert, in Inputs, now time.Time) (value int, names []string, measured bool, err error) {
	w := time.Duration(a.Window)
	match := func(d SecretDate) bool {
		return (a.Agent == "" || d.Agent == a.Agent) && (a.Secret == "" || d.Secret == a.Secret) && !d.Time.IsZero()
	}
	switch a.Metric {
	case SecretAccess:
		if in.Reads == nil {
			return 0, nil, false, nil
		}
		n, err := in.Reads.CountReads(a.Agent, a.Secret, now.Add(-w))
		return n, nil, true, err
	case SecretExpiring:
		for _, d := range in.Expiring {
			if match(d) && !d.Time.After(now.Add(w)) {
				names = append(names, d.Agent+"/"+d.Secret)
			}
		}
		return len(names), names, true, nil
	case RotationOverdue:
		for _, d := range in.Overdue {
			if match(d) && d.Time.Before(now) {
				names = append(names, d.Agent+"/"+d.Secret)
			}
		}
		return len(names), names, true, nil
	case ScanFindings:
		if in.ScanFindings == nil {
			return 0, nil, false, nil
		}
		return *in.ScanFindings, nil, true, nil
	}
	return 0, nil, false, nil
}

// state is the fire-state file: when each alert last notified.
type state struct {
	LastFired map[string]time.Time `json:"last_fired"`
}

// claim marks, under the state lock, which firings notify now: those that have not
// notified within their window. It records them before notifying, so two processes
// never both notify and a crash cannot cause a repeat.
func (ev *Evaluator) claim(firing []Firing, now time.Time) error {
	p := ev.o.StatePath
	if p == "" {
		return errs.New(errs.Internal, "alerts: no state file configured")
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return errs.Wrap(errs.Internal, err, "alerts state")
	}
	lock, err := os.OpenFile(p+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "alerts state")
	}
	defer lock.Close()
	if err := filelock.Lock(lock); err != nil {
		return errs.Wrap(errs.Internal, err, "lock alerts state")
	}
	defer filelock.Unlock(lock)
	st := state{LastFired: map[string]time.Time{}}
	data, err := os.ReadFile(p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errs.Wrap(errs.Internal, err, "read alerts state")
	}
	if len(data) > 0 && json.Unmarshal(data, &st) != nil {
		// A damaged state file only risks one repeated notification; start afresh.
		st = state{LastFired: map[string]time.Time{}}
	}
	changed := false
	for i, f := range firing {
		last, ok := st.LastFired[f.Alert.ID]
		if !ok || now.Sub(last) >= time.Duration(f.Alert.Window) || now.Before(last) {
			st.LastFired[f.Alert.ID] = now
			firing[i].Notified, changed = true, true
		}
	}
	if !changed {
		return nil
	}
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return errs.Wrap(errs.Internal, err, "encode alerts state")
	}
	if err := fsutil.WriteFile(p, append(out, '\n'), 0o600); err != nil {
		return errs.Wrap(errs.Internal, err, "write alerts state")
	}
	return nil
}

// Payload is the JSON body of a webhook notification. It carries names and counts only.
type Payload struct {
	Event     string    `json:"event"` // "alert.fired"
	ID        string    `json:"id"`
	Agent     string    `json:"agent,omitempty"`
	Metric    Metric    `json:"metric"`
	Secret    string    `json:"secret,omitempty"`
	Threshold int       `json:"threshold"`
	Window    Window    `json:"window"`
	Value     int       `json:"value"`
	Secrets   []string  `json:"secrets,omitempty"`
	FiredAt   time.Time `json:"fired_at"`
	Host      string    `json:"host,omitempty"`
}

func (ev *Evaluator) notify(ctx context.Context, f Firing) []string {
	var failed []string
	for _, target := range f.Alert.Notify {
		var err error
		if u, ok := strings.CutPrefix(target, "webhook:"); ok {
			err = ev.post(ctx, u, f)
		} else {
			bw := bufio.NewWriter(ev.o.Stderr)
			fmt.Fprintf(bw, "swiftclaw: %s\n", f.Summary())
			err = bw.Flush()
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", redactNotify(target), err))
		}
	}
	return failed
}

func (ev *Evaluator) post(ctx context.Context, url string, f Firing) error {
	if len(ev.o.Poster.Key) == 0 {
		return fmt.Errorf("not sent: %s is not set, and webhooks are always signed", ev.o.KeyEnv)
	}
	body, err := json.Marshal(Payload{Event: "alert.fired", ID: f.Alert.ID, Agent: f.Alert.Agent, Metric: f.Alert.Metric,
		Secret: f.Alert.Secret, Threshold: f.Alert.Threshold, Window: f.Alert.Window, Value: f.Value,
		Secrets: f.Secrets, FiredAt: f.At, Host: ev.o.Host})
	if err != nil {
		return err
	}
	return ev.o.Poster.Post(ctx, url, "application/json", body)
}

package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/swiftclaw/swiftclaw/audit"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

var t0 = time.Date(2024, 3, 8, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func TestSecretAccessFiresExactlyOncePerWindow(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{now: t0}
	logPath := filepath.Join(dir, "audit.jsonl")
	logger, err := audit.Open(audit.Config{File: audit.FileConfig{Path: logPath, Sync: audit.SyncBatch}},
		audit.Options{Now: clk.Now, Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	defer logger.Close()
	var stderr bytes.Buffer
	ev := NewEvaluator(Options{StatePath: filepath.Join(dir, "state", "alerts.json"), Now: clk.Now, Stderr: &stderr})
	var f File
	a, err := f.Create(Alert{Agent: "my-agent", Metric: SecretAccess, Threshold: 100, Window: Window(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Reads: audit.PathCounter(logPath)}

	// One read every 15 seconds for two hours: 240 reads per hour.
	var firedAt []time.Duration
	for i := range 480 {
		clk.Set(t0.Add(time.Duration(i) * 15 * time.Second))
		e, _, err := logger.Append(context.Background(), audit.Entry{Principal: "svc", Action: audit.ActionRead, Agent: "my-agent", Secret: "api-key"})
		if err != nil {
			t.Fatal(err)
		}
		fired, err := ev.OnEntry(context.Background(), f.Alerts, e, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range fired {
			firedAt = append(firedAt, fr.At.Sub(t0))
		}
	}
	// The 100th read (at 24m45s) crosses the threshold; the next notification is due one
	// window later, when the count is still above it.
	want := []time.Duration{24*time.Minute + 45*time.Second, time.Hour + 24*time.Minute + 45*time.Second}
	if diff := cmp.Diff(want, firedAt); diff != "" {
		t.Fatalf("firing times (-want +got):\n%s", diff)
	}
	if n := strings.Count(stderr.String(), "swiftclaw: alert "+a.ID+": secret-access for my-agent is 100 in 1h (threshold 100)\n"); n != 1 {
		t.Fatalf("stderr notifications:\n%s", stderr.String())
	}
	if strings.Count(stderr.String(), "\n") != 2 {
		t.Fatalf("want 2 notification lines, got:\n%s", stderr.String())
	}
	// Writes never trip a secret-access alert.
	fired, err := ev.OnEntry(context.Background(), f.Alerts, audit.Entry{Action: audit.ActionSet, Agent: "my-agent"}, in)
	if err != nil || len(fired) != 0 {
		t.Fatalf("write fired %v, %v", fired, err)
	}
}

func TestCheckReportsHoldingConditionsButNotifiesOncePerWindow(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{now: t0}
	var stderr bytes.Buffer
	ev := NewEvaluator(Options{StatePath: filepath.Join(dir, "alerts.json"), Now: clk.Now, Stderr: &stderr})
	var f File
	for _, a := range []Alert{
		{Agent: "my-agent", Metric: SecretExpiring, Window: Window(48 * time.Hour)},
		{Agent: "my-agent", Metric: RotationOverdue},
		{Metric: ScanFindings, Threshold: 3},
		{Agent: "my-agent", Metric: SecretAccess, Threshold: 1}, // no read counter: skipped
	} {
		if _, err := f.Create(a); err != nil {
			t.Fatal(err)
		}
	}
	findings := 3
	in := Inputs{
		Expiring: []SecretDate{
			{Agent: "my-agent", Secret: "temp-token", Time: t0.Add(24 * time.Hour)},
			{Agent: "my-agent", Secret: "api-key", Time: t0.Add(30 * 24 * time.Hour)},
			{Agent: "other", Secret: "x", Time: t0.Add(time.Hour)},
		},
		Overdue:      []SecretDate{{Agent: "my-agent", Secret: "db-url", Time: t0.Add(-time.Hour)}, {Agent: "my-agent", Secret: "later", Time: t0.Add(time.Hour)}},
		ScanFindings: &findings,
	}
	summary := func(fs []Firing) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Summary())
			if !f.Notified {
				out[len(out)-1] += " (quiet)"
			}
		}
		return out
	}
	fired, err := ev.Check(context.Background(), f.Alerts, in)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{f.Alerts[0].ID, f.Alerts[1].ID, f.Alerts[2].ID}
	want := []string{
		"alert " + ids[0] + ": secret-expiring for my-agent is 1 in 2d (threshold 1): my-agent/temp-token",
		"alert " + ids[1] + ": rotation-overdue for my-agent is 1 in 1d (threshold 1): my-agent/db-url",
		"alert " + ids[2] + ": scan-findings is 3 in 1d (threshold 3)",
	}
	if diff := cmp.Diff(want, summary(fired)); diff != "" {
		t.Fatalf("first check (-want +got):\n%s", diff)
	}
	// An hour later the conditions still hold (cron exits 1 again) but nobody is re-notified.
	clk.Set(t0.Add(time.Hour))
	fired, err = ev.Check(context.Background(), f.Alerts, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(fired) != 3 || fired[0].Notified || fired[1].Notified || fired[2].Notified {
		t.Fatalf("second check: %v", summary(fired))
	}
	if strings.Count(stderr.String(), "\n") != 3 {
		t.Fatalf("notifications:\n%s", stderr.String())
	}
	// Cleared conditions fire nothing.
	findings = 0
	clk.Set(t0.Add(25 * time.Hour))
	fired, _ = ev.Check(context.Background(), f.Alerts[2:3], in)
	if len(fired) != 0 {
		t.Fatalf("cleared scan-findings still fires: %v", summary(fired))
	}
}

func TestConcurrentEvaluatorsNotifyOnce(t *testing.T) {
	state := filepath.Join(t.TempDir(), "alerts.json")
	clk := &clock{now: t0}
	var f File
	f.Create(Alert{Metric: ScanFindings})
	n := 1
	var notified int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := NewEvaluator(Options{StatePath: state, Now: clk.Now, Stderr: io.Discard})
			fired, err := ev.Check(context.Background(), f.Alerts, Inputs{ScanFindings: &n})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, fr := range fired {
				if fr.Notified {
					notified++
				}
			}
		}()
	}
	wg.Wait()
	if notified != 1 {
		t.Fatalf("%d evaluators notified, want exactly 1", notified)
	}
}

func TestWebhookNotificationIsSignedAndCarriesNoValues(t *testing.T) {
	key := []byte("webhook-key")
	var body []byte
	var sig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		sig = r.Header.Get("X-Swiftclaw-Signature")
	}))
	defer srv.Close()
	clk := &clock{now: t0}
	var f File
	a, err := f.Create(Alert{Agent: "my-agent", Metric: SecretExpiring, Notify: []string{"webhook:" + srv.URL + "/hook"}})
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Expiring: []SecretDate{{Agent: "my-agent", Secret: "temp-token", Time: t0.Add(time.Hour)}}}

	noKey := NewEvaluator(Options{StatePath: filepath.Join(t.TempDir(), "s.json"), Now: clk.Now})
	fired, err := noKey.Check(context.Background(), f.Alerts, in)
	if err != nil || len(fired) != 1 || len(fired[0].NotifyErrors) != 1 || !strings.Contains(fired[0].NotifyErrors[0], "SWIFTCLAW_WEBHOOK_SECRET is not set") {
		t.Fatalf("unsigned webhook: %+v %v", fired, err)
	}
	if body != nil {
		t.Fatal("an unsigned webhook was sent")
	}

	ev := NewEvaluator(Options{StatePath: filepath.Join(t.TempDir(), "s.json"), Now: clk.Now, Host: "ci-1",
		Poster: &webhook.Poster{Key: key}})
	fired, err = ev.Check(context.Background(), f.Alerts, in)
	if err != nil || len(fired) != 1 || len(fired[0].NotifyErrors) != 0 {
		t.Fatalf("Check: %+v %v", fired, err)
	}
	if !webhook.Valid(key, body, sig) || !strings.HasPrefix(sig, "sha256=") {
		t.Fatalf("signature %q does not verify", sig)
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	want := Payload{Event: "alert.fired", ID: a.ID, Agent: "my-agent", Metric: SecretExpiring, Threshold: 1,
		Window: Window(7 * 24 * time.Hour), Value: 1, Secrets: []string{"my-agent/temp-token"}, FiredAt: t0, Host: "ci-1"}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Fatalf("payload (-want +got):\n%s", diff)
	}
}

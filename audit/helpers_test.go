package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 8, 9, 0, 0, 0, time.UTC)

// stepClock returns a clock that starts at start and advances by step on every call.
func stepClock(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := now
		now = now.Add(step)
		return t
	}
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// newTestLogger opens a logger whose default file lives under a temp XDG_STATE_HOME.
func newTestLogger(t *testing.T, cfg Config, o Options) *Logger {
	t.Helper()
	if o.Getenv == nil {
		o.Getenv = envMap(map[string]string{"XDG_STATE_HOME": t.TempDir()})
	}
	if o.RepoID == "" {
		o.RepoID = "repo-0123456789ab"
	}
	if o.Now == nil {
		o.Now = stepClock(t0, time.Second)
	}
	if o.Host == "" {
		o.Host = "test-host"
	}
	l, err := Open(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func mustAppend(t *testing.T, l *Logger, e Entry) Entry {
	t.Helper()
	got, w, err := l.Append(context.Background(), e)
	if err != nil || w != nil {
		t.Fatalf("Append: warning %v, err %v", w, err)
	}
	return got
}

func readEntry(i int) Entry {
	secrets := []string{"api-key", "db-url", "stripe-key"}
	return Entry{Principal: "user@example.com", Action: ActionRead, Agent: "my-agent",
		Secret: secrets[i%len(secrets)], Version: 1 + i%3,
		Command: []string{"swiftclaw", "secrets", "get", "my-agent", secrets[i%len(secrets)]}}
}

// buildLog returns a chained log of n entries, one second apart from t0.
func buildLog(t testing.TB, n int) []byte {
	t.Helper()
	var c Chain
	var buf bytes.Buffer
	for i := range n {
		e := readEntry(i)
		e.Time, e.Host = t0.Add(time.Duration(i)*time.Second), "test-host"
		_, line, err := c.Seal(e)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func verifyFile(t *testing.T, path string) Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Verify(f)
	if err != nil {
		t.Fatalf("Verify %s: %v", filepath.Base(path), err)
	}
	return rep
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func countLines(b []byte) int { return bytes.Count(b, []byte("\n")) }

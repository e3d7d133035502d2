package audit

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

func TestSyslogSinkSendsEntriesToUnixgramSocket(t *testing.T) {
	// Unix socket paths are limited to ~100 bytes; t.TempDir() can be longer.
	dir, err := os.MkdirTemp("", "sclog")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "log.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	cfg := Config{File: FileConfig{Disabled: true},
		Syslog: &SyslogConfig{Network: "unixgram", Address: sock, Facility: "authpriv", Tag: "swiftclaw-test"}}
	l := newTestLogger(t, cfg, Options{})
	e := mustAppend(t, l, readEntry(0))

	buf := make([]byte, 8192)
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, _, err := conn.ReadFromUnix(buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(buf[:n])
	// authpriv (10) * 8 + info (6) = 86.
	if !strings.HasPrefix(msg, "<86>") || !strings.Contains(msg, "swiftclaw-test[") {
		t.Fatalf("syslog header wrong: %q", msg)
	}
	if !strings.Contains(msg, `"hash":"`+e.Hash+`"`) || !strings.Contains(msg, `"secret":"api-key"`) {
		t.Fatalf("syslog message lacks the entry: %q", msg)
	}
}

type hookServer struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	fail   int // answer 503 to this many requests first
}

func (h *hookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail > 0 {
		h.fail--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if r.Header.Get("Content-Type") != "application/x-ndjson" {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	h.bodies = append(h.bodies, b)
	h.sigs = append(h.sigs, r.Header.Get(webhook.SignatureHeader))
}

func TestHTTPSinkBatchesSignsAndRetries(t *testing.T) {
	hook := &hookServer{fail: 1}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	key := "audit-hmac-key"
	var slept []time.Duration
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := Config{File: FileConfig{Path: path}, HTTP: &HTTPConfig{URL: srv.URL + "/ingest", SecretEnv: "AUDIT_KEY", BatchSize: 3}}
	l := newTestLogger(t, cfg, Options{
		Getenv: envMap(map[string]string{"AUDIT_KEY": key}),
		Sleep:  func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
	})
	for i := range 7 {
		mustAppend(t, l, readEntry(i))
	}
	hook.mu.Lock()
	if len(hook.bodies) != 2 {
		t.Fatalf("posted %d batches before Close, want 2 full batches of 3", len(hook.bodies))
	}
	hook.mu.Unlock()
	if w, err := l.Close(); err != nil || w != nil {
		t.Fatalf("Close: %v %v", w, err)
	}
	if len(hook.bodies) != 3 || len(slept) != 1 {
		t.Fatalf("batches %d (want 3), retries %d (want 1)", len(hook.bodies), len(slept))
	}
	for i, b := range hook.bodies {
		if !webhook.Valid([]byte(key), b, hook.sigs[i]) {
			t.Fatalf("batch %d signature %q does not verify", i, hook.sigs[i])
		}
	}
	// The collector received exactly the file's lines, so it can verify the chain.
	file, _ := os.ReadFile(path)
	if got := bytes.Join(hook.bodies, nil); !bytes.Equal(got, file) {
		t.Fatalf("collector got\n%s\nfile has\n%s", got, file)
	}
	if _, err := Verify(bytes.NewReader(bytes.Join(hook.bodies, nil))); err != nil {
		t.Fatalf("collector copy does not verify: %v", err)
	}
}

func TestHTTPSinkFailClosedSendsEachEntryAndRefusesOnFailure(t *testing.T) {
	hook := &hookServer{}
	srv := httptest.NewServer(hook)
	cfg := Config{FailClosed: true, File: FileConfig{Disabled: true},
		HTTP: &HTTPConfig{URL: srv.URL, SecretEnv: "AUDIT_KEY", BatchSize: 100, Retries: 2}}
	o := Options{Getenv: envMap(map[string]string{"AUDIT_KEY": "k"}), Sleep: func(context.Context, time.Duration) error { return nil }}
	l := newTestLogger(t, cfg, o)
	mustAppend(t, l, readEntry(0))
	if len(hook.bodies) != 1 {
		t.Fatalf("fail-closed entry not sent before Append returned (%d batches)", len(hook.bodies))
	}
	srv.Close()
	_, _, err := l.Append(context.Background(), readEntry(1))
	if !errs.Is(err, errs.Permission) || strings.Contains(err.Error(), "/ingest") {
		t.Fatalf("err = %v, want a Permission error naming the host only", err)
	}
}

func TestHTTPSinkWithoutKeyWarns(t *testing.T) {
	srv := httptest.NewServer(&hookServer{})
	defer srv.Close()
	cfg := Config{File: FileConfig{Disabled: true}, HTTP: &HTTPConfig{URL: srv.URL, SecretEnv: "AUDIT_KEY", BatchSize: 1}}
	l := newTestLogger(t, cfg, Options{Getenv: envMap(nil)})
	_, w, err := l.Append(context.Background(), readEntry(0))
	if err != nil || w == nil || !strings.Contains(w.String(), "AUDIT_KEY is not set") {
		t.Fatalf("warning %v err %v", w, err)
	}
}

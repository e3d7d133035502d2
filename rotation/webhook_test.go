package rotation

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

var testKey = []byte("test-hmac-key")

func testEvent() Event {
	grace := time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	return Event{Agent: "my-agent", Secret: "api-key", Version: "v4", RotatedAt: time.Date(2024, 3, 8, 10, 0, 0, 0, time.UTC), GraceUntil: &grace}
}

// endpoint is a webhook receiver that checks the signature and answers from a script.
type endpoint struct {
	t       *testing.T
	calls   atomic.Int32
	answers []func(w http.ResponseWriter) // one per call; the last repeats
	bodies  []string
	ids     []string
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !Verify(testKey, body, r.Header.Get(SignatureHeader)) {
		e.t.Errorf("request signature %q does not verify", r.Header.Get(SignatureHeader))
	}
	e.bodies = append(e.bodies, string(body))
	e.ids = append(e.ids, r.Header.Get(DeliveryHeader))
	n := int(e.calls.Add(1))
	e.answers[min(n, len(e.answers))-1](w)
}

func status(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code) }
}

func signedValue(body string, key []byte) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set(SignatureHeader, Sign(key, []byte(body)))
		io.WriteString(w, body)
	}
}

func serve(t *testing.T, answers ...func(http.ResponseWriter)) (*endpoint, string) {
	e := &endpoint{t: t, answers: answers}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return e, srv.URL + "/rotate"
}

var fast = &Client{Backoff: -1, Timeout: 2 * time.Second}

func TestNotifySendsSignedEventWithoutValue(t *testing.T) {
	e, url := serve(t, status(204))
	reply, err := fast.Notify(context.Background(), url, testKey, testEvent())
	if err != nil {
		t.Fatal(err)
	}
	if reply.Value != nil || reply.Attempts != 1 || reply.Status != 204 {
		t.Fatalf("reply = %+v", reply)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(e.bodies[0]), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"agent": "my-agent", "secret": "api-key", "version": "v4",
		"rotated_at": "2024-03-08T10:00:00Z", "grace_until": "2024-03-09T10:00:00Z"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("body (-want +got):\n%s", d)
	}
}

func TestNotifyRetriesTransientFailuresWithOneDeliveryID(t *testing.T) {
	e, url := serve(t, status(503), status(429), signedValue(`{"value":"new-from-provider"}`, testKey))
	reply, err := fast.Notify(context.Background(), url, testKey, testEvent())
	if err != nil {
		t.Fatal(err)
	}
	if string(reply.Value) != "new-from-provider" || reply.Attempts != 3 {
		t.Fatalf("got %d attempts and a %d-byte value", reply.Attempts, len(reply.Value))
	}
	if e.ids[0] == "" || e.ids[0] != e.ids[1] || e.ids[1] != e.ids[2] {
		t.Fatalf("delivery ids differ across retries: %q", e.ids)
	}
}

func TestNotifyFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		answers []func(http.ResponseWriter)
		calls   int32
		kind    errs.Kind
		msg     string
	}{
		"5xx exhausts retries": {[]func(http.ResponseWriter){status(502)}, 3, errs.Internal, "failed after 3 attempts: the endpoint answered 502"},
		"4xx is final":         {[]func(http.ResponseWriter){status(403)}, 1, errs.Internal, "answered 403 Forbidden"},
		"redirect not followed": {[]func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("Location", "http://example.invalid/")
			w.WriteHeader(302)
		}}, 1, errs.Internal, "answered 302"},
		"unsigned value":  {[]func(http.ResponseWriter){signedValue(`{"value":"x"}`, nil)}, 1, errs.Tampered, "no valid X-Swiftclaw-Signature"},
		"wrong key":       {[]func(http.ResponseWriter){signedValue(`{"value":"x"}`, []byte("other"))}, 1, errs.Tampered, "no valid"},
		"not json":        {[]func(http.ResponseWriter){signedValue(`<html>`, testKey)}, 1, errs.Internal, "not the JSON"},
		"bad base64":      {[]func(http.ResponseWriter){signedValue(`{"value_base64":"!!"}`, testKey)}, 1, errs.Internal, "not valid base64"},
		"both value kind": {[]func(http.ResponseWriter){signedValue(`{"value":"a","value_base64":"YQ=="}`, testKey)}, 1, errs.Internal, "both"},
	} {
		t.Run(name, func(t *testing.T) {
			e, url := serve(t, tc.answers...)
			_, err := fast.Notify(context.Background(), url, testKey, testEvent())
			if err == nil || errs.KindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v (kind %v), want kind %v containing %q", err, errs.KindOf(err), tc.kind, tc.msg)
			}
			if got := e.calls.Load(); got != tc.calls {
				t.Fatalf("%d calls, want %d", got, tc.calls)
			}
		})
	}
}

func TestNotifyTimeoutIsRetriedThenFails(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &Client{Backoff: -1, Timeout: 50 * time.Millisecond, Attempts: 2}
	_, err := c.Notify(context.Background(), srv.URL, testKey, testEvent())
	if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Fatalf("got %v", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d calls, want 2", calls.Load())
	}
}

func TestNotifyBase64ValueAndRedactedErrors(t *testing.T) {
	_, url := serve(t, signedValue(`{"value_base64":"AAEC/w=="}`, testKey))
	reply, err := fast.Notify(context.Background(), url, testKey, testEvent())
	if err != nil || string(reply.Value) != "\x00\x01\x02\xff" {
		t.Fatalf("value_base64 not decoded: %v", err)
	}
	_, err = fast.Notify(context.Background(), "http://user:hunter2@127.0.0.1:1/x?token=abc", testKey, testEvent())
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "abc") {
		t.Fatalf("error leaks URL credentials: %v", err)
	}
	if err := ValidateURL("ftp://example.com/"); errs.KindOf(err) != errs.Input {
		t.Fatalf("ftp URL accepted: %v", err)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"a":1}`)
	sig := Sign(testKey, body)
	if !Verify(testKey, body, sig) {
		t.Fatal("own signature does not verify")
	}
	for _, bad := range []string{"", "sha256=", "sha256=zz", strings.TrimPrefix(sig, "sha256="), Sign([]byte("k2"), body)} {
		if Verify(testKey, body, bad) {
			t.Errorf("%q verified", bad)
		}
	}
}

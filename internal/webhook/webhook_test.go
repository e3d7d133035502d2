package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSignKnownVector(t *testing.T) {
	// RFC 4231 test case 2.
	got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if !Valid([]byte("Jefe"), []byte("what do ya want for nothing?"), want) {
		t.Fatal("Valid rejected a correct signature")
	}
	if Valid([]byte("other"), []byte("what do ya want for nothing?"), want) {
		t.Fatal("Valid accepted a signature under another key")
	}
}

func TestPostSignsAndRetriesServerErrors(t *testing.T) {
	key := []byte("hook-key")
	var calls atomic.Int32
	var gotSig, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		gotSig, gotBody = r.Header.Get(SignatureHeader), string(b)
	}))
	defer srv.Close()
	var slept []time.Duration
	p := &Poster{Key: key, Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	if err := p.Post(context.Background(), srv.URL+"/hook", "application/json", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Fatalf("calls = %d, want 3", calls.Load())
	}
	if diff := cmp.Diff([]time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, slept); diff != "" {
		t.Fatalf("backoff (-want +got):\n%s", diff)
	}
	if gotBody != `{"a":1}` || !Valid(key, []byte(gotBody), gotSig) {
		t.Fatalf("body %q signature %q not valid", gotBody, gotSig)
	}
}

func TestPostDoesNotRetryClientErrorsAndHidesPath(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	p := &Poster{Sleep: func(context.Context, time.Duration) error { t.Fatal("slept on a 401"); return nil }}
	err := p.Post(context.Background(), srv.URL+"/T000/tok3n", "application/json", []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want a 401 error", err)
	}
	if strings.Contains(err.Error(), "tok3n") {
		t.Fatalf("error leaks the URL path: %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("calls = %d, want 1", calls.Load())
	}
}

func TestPostGivesUpAfterRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	n := 0
	p := &Poster{Retries: 4, Sleep: func(context.Context, time.Duration) error { n++; return nil }}
	if err := p.Post(context.Background(), srv.URL, "application/json", nil); err == nil {
		t.Fatal("want an error after retries are exhausted")
	}
	if n != 4 {
		t.Fatalf("slept %d times, want 4", n)
	}
}

func TestCheckURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://hooks.example.com/x": true,
		"http://127.0.0.1:8080/x":     true,
		"http://localhost/x":          true,
		"http://hooks.example.com/x":  false,
		"ftp://hooks.example.com/x":   false,
		"hooks.example.com/x":         false,
	} {
		if err := CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", u, err, ok)
		}
	}
	if got := Redact("https://hooks.slack.com/services/T0/B0/sekret?x=1"); got != "https://hooks.slack.com/[REDACTED]" {
		t.Errorf("Redact = %q", got)
	}
}

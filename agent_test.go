package swiftclaw

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/testrepo"
	"github.com/swiftclaw/swiftclaw/sdk/protocol"
)

func TestMain(m *testing.M) { testrepo.Main(m) }

const (
	apiKey = "sk-go-sdk-test-123"
	dbURL  = "postgresql://go-sdk-pw@db/agent"
	other  = "sk-other-agent-456"
)

var t0 = time.Now().UTC().Truncate(time.Second)

func repo(t *testing.T) *testrepo.Repo {
	t.Helper()
	r, err := testrepo.New(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		r.SetSecret("my-agent", "api-key", apiKey, 0),
		r.SetSecret("my-agent", "temp-token", "tok-1", time.Hour),
		r.SetEnv("my-agent", "DATABASE_URL", dbURL),
		r.SetSecret("other-agent", "api-key", other, 0),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// noEnv is a process environment without SWIFTCLAW_* variables, whatever the test runs in.
func noEnv(string) string { return "" }

// checkAgent runs the reads every transport must answer alike.
func checkAgent(t *testing.T, a *Agent) {
	t.Helper()
	ctx := context.Background()
	if v, err := a.Secrets.Get(ctx, "api-key"); err != nil || v != apiKey {
		t.Fatalf("Get(api-key) = %d bytes, %v", len(v), err)
	}
	if v, err := a.Env.Get("DATABASE_URL"); err != nil || v != dbURL {
		t.Fatalf("Env.Get(DATABASE_URL) = %d bytes, %v", len(v), err)
	}
	list, err := a.Secrets.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	if d := cmp.Diff([]string{"api-key", "temp-token"}, names); d != "" {
		t.Errorf("List (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		err  error
		want error
		msg  string
	}{
		{second(a.Secrets.Get(ctx, "nope")), ErrNotFound, `secret "nope" not found in agent my-agent`},
		{second(a.Env.Get("NOPE")), ErrNotFound, "NOPE is not set for agent my-agent"},
		{second(a.Secrets.Get(ctx, "../x")), &Error{Kind: protocol.KindInput}, "invalid secret name"},
	} {
		var e *Error
		if !errors.Is(tc.err, tc.want) || !errors.As(tc.err, &e) || !strings.Contains(e.Message, tc.msg) || e.Hint == "" && tc.want == ErrNotFound {
			t.Errorf("err = %#v, want %v with %q", tc.err, tc.want, tc.msg)
		}
	}
}

func second(_ string, err error) error { return err }

func TestDirect(t *testing.T) {
	t.Parallel()
	r := repo(t)
	a := NewAgent("my-agent", WithRepo(r.Root), WithIdentity(r.IdentityFile))
	a.cfg.getenv = noEnv
	checkAgent(t, a)
	_, err := NewAgent("other-agent", WithRepo(r.Root), WithIdentity(r.IdentityFile)).Secrets.Get(context.Background(), "api-key")
	if err != nil {
		t.Fatalf("direct mode reads any agent the identity can: %v", err)
	}
	// No identity: access denied, with the CLI's hint.
	b := NewAgent("my-agent", WithRepo(r.Root))
	b.cfg.getenv = noEnv
	_, err = b.Secrets.Get(context.Background(), "api-key")
	var e *Error
	if !errors.Is(err, ErrAccessDenied) || !errors.As(err, &e) || !strings.Contains(e.Message, "no identity found") || !strings.Contains(e.Hint, "swiftclaw keys generate") {
		t.Fatalf("no identity: err = %v", err)
	}
	// Not a project.
	_, err = NewAgent("my-agent", WithRepo(t.TempDir())).Secrets.Get(context.Background(), "api-key")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no .swiftclaw directory") {
		t.Fatalf("outside a project: err = %v", err)
	}
}

// channelAgent serves r on an in-process run channel and returns an agent using it.
func channelAgent(t *testing.T, r *testrepo.Repo, name string) *Agent {
	t.Helper()
	ch, err := protocol.OpenChannel(context.Background(), r.Store, protocol.Options{Agent: "my-agent"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Close() })
	// The SDK takes ownership of the descriptor it is given, as a child does of its fd 3.
	dup, err := syscall.Dup(int(ch.Child().Fd()))
	if err != nil {
		t.Fatal(err)
	}
	fd := strconv.Itoa(dup)
	a := NewAgent(name)
	a.cfg.getenv = func(k string) string {
		if k == protocol.ChannelEnv {
			return fd
		}
		return ""
	}
	return a
}

func TestChannel(t *testing.T) {
	r := repo(t)
	a := channelAgent(t, r, "my-agent")
	checkAgent(t, a)
	// Another Agent of the same process shares the channel; other agents are refused.
	_, err := channelAgent(t, r, "other-agent").Secrets.Get(context.Background(), "api-key")
	if !errors.Is(err, ErrAccessDenied) || strings.Contains(err.Error(), other) {
		t.Fatalf("other agent over the channel: err = %v", err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Secrets.ClearCache()
			if v, err := a.Secrets.Get(context.Background(), "api-key"); err != nil || v != apiKey {
				t.Errorf("concurrent Get: %v", err)
			}
		}()
	}
	wg.Wait()
}

func TestChannelBadDescriptor(t *testing.T) {
	for _, fd := range []string{"x", "1", "999"} {
		a := NewAgent("my-agent")
		a.cfg.getenv = func(k string) string {
			if k == protocol.ChannelEnv {
				return fd
			}
			return ""
		}
		_, err := a.Secrets.Get(context.Background(), "api-key")
		var e *Error
		if !errors.As(err, &e) || e.Kind != protocol.KindInternal || !strings.Contains(e.Message, protocol.ChannelEnv) {
			t.Errorf("fd %s: err = %v", fd, err)
		}
	}
}

// TestCacheRespectsExpiry: a value is served from memory until its expiry, then asked for
// again.
func TestCacheRespectsExpiry(t *testing.T) {
	t.Parallel()
	r := repo(t)
	now := t0
	a := NewAgent("my-agent", WithRepo(r.Root), WithIdentity(r.IdentityFile))
	a.cfg.getenv, a.cfg.now = noEnv, func() time.Time { return now }
	ctx := context.Background()
	get := func(name string) string {
		t.Helper()
		v, err := a.Secrets.Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if get("temp-token") != "tok-1" || get("api-key") != apiKey {
		t.Fatal("first reads")
	}
	if err := r.SetSecret("my-agent", "temp-token", "tok-2", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := r.SetSecret("my-agent", "api-key", "sk-rotated", 0); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(30 * time.Minute)
	if get("temp-token") != "tok-1" || get("api-key") != apiKey {
		t.Fatal("values were not served from the cache before expiry")
	}
	now = t0.Add(2 * time.Hour) // past tok-1's expiry (the store's clock is the real one)
	if get("temp-token") != "tok-2" {
		t.Fatal("an expired cache entry was served")
	}
	if get("api-key") != apiKey {
		t.Fatal("a secret without expiry left the cache")
	}
	a.Secrets.ClearCache()
	if get("api-key") != "sk-rotated" {
		t.Fatal("ClearCache kept the value")
	}
}

package hashivault_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/hashivault"
	"github.com/swiftclaw/swiftclaw/providers/providertest"
)

// rootToken is the dev server's root token; the test server is private to this process.
const rootToken = "swiftclaw-test-root"

var (
	server    providertest.Shared
	vaultBin  = providertest.ServerBinary("vault")
	folderSeq atomic.Int64
)

func TestMain(m *testing.M) {
	for _, k := range []string{"VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_MAX_RETRIES", "VAULT_CACERT"} {
		os.Unsetenv(k)
	}
	code := m.Run()
	server.Stop()
	os.Exit(code)
}

// devServer starts `vault server -dev` on 127.0.0.1 once and returns its address.
func devServer(t *testing.T) string {
	t.Helper()
	v := server.Need(t, vaultBin, "the vault server", "run scripts/build-test-servers.sh", func() (*providertest.Server, any, error) {
		port, err := providertest.FreePort()
		if err != nil {
			return nil, nil, err
		}
		home, err := os.MkdirTemp("", "swiftclaw-vault-home")
		if err != nil {
			return nil, nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		srv, err := providertest.StartServer(vaultBin,
			[]string{"server", "-dev", "-dev-listen-address=" + addr, "-dev-root-token-id=" + rootToken, "-dev-no-store-token", "-log-level=warn"},
			[]string{"HOME=" + home, "PATH=/usr/bin:/bin"}, "Vault server started", "", 60*time.Second)
		return srv, "http://" + addr, err
	})
	return v.(string)
}

// folder returns a fresh KV folder for one test.
func folder() string { return fmt.Sprintf("secret/data/test-%d", folderSeq.Add(1)) }

func newProvider(t *testing.T, opts hashivault.Options) *hashivault.Provider {
	t.Helper()
	p, err := hashivault.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConformance(t *testing.T) {
	addr := devServer(t)
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		path := folder()
		return providertest.Harness{
			P:            newProvider(t, hashivault.Options{Address: addr, Token: rootToken, Path: path}),
			Unauthorized: newProvider(t, hashivault.Options{Address: addr, Token: "not-a-token", Path: path, MaxRetries: 1, MinRetryWait: time.Millisecond}),
		}
	})
}

// TestThrottlingRetried puts a proxy in front of the server that answers the first two
// requests with 429 Too Many Requests: the client backs off and retries.
func TestThrottlingRetried(t *testing.T) {
	addr := devServer(t)
	target, _ := url.Parse(addr)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var throttled atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if throttled.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"errors":["rate limit quota exceeded"]}`, http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	p := newProvider(t, hashivault.Options{Address: front.URL, Token: rootToken, Path: folder(), MaxRetries: 3, MinRetryWait: time.Millisecond})
	if _, err := p.Set(context.Background(), "api-key", []byte("v"), providers.SetOptions{}); err != nil {
		t.Fatalf("set through a throttling proxy: %v", err)
	}
	if n := throttled.Load(); n <= 2 {
		t.Fatalf("proxy saw %d requests, want the 2 throttled ones and more", n)
	}

	always := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"errors":["rate limit quota exceeded"]}`, http.StatusTooManyRequests)
	}))
	defer always.Close()
	p = newProvider(t, hashivault.Options{Address: always.URL, Token: rootToken, Path: folder(), MaxRetries: 2, MinRetryWait: time.Millisecond})
	_, err := p.Get(context.Background(), "api-key", "")
	if errs.KindOf(err) != errs.Busy || !strings.Contains(err.Error(), "throttling") {
		t.Fatalf("always throttled: %v, want a busy error", err)
	}
}

func TestNetworkDown(t *testing.T) {
	port, err := providertest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := newProvider(t, hashivault.Options{Address: fmt.Sprintf("http://127.0.0.1:%d", port), Token: rootToken, Path: "secret/data/x", MaxRetries: 1, MinRetryWait: time.Millisecond})
	_, err = p.Get(context.Background(), "api-key", "")
	if errs.KindOf(err) != errs.Internal || !strings.Contains(err.Error(), "cannot reach vault") || errs.HintOf(err) == "" {
		t.Fatalf("server down: %v (hint %q)", err, errs.HintOf(err))
	}
}

func TestNoToken(t *testing.T) {
	_, err := hashivault.New(hashivault.Options{Address: "http://127.0.0.1:1", Path: "secret/data/x"})
	if errs.KindOf(err) != errs.Permission || !strings.Contains(errs.HintOf(err), "VAULT_TOKEN") {
		t.Fatalf("no token: %v", err)
	}
}

func TestSplitPath(t *testing.T) {
	for in, want := range map[string][2]string{
		"secret/data/my-agent":    {"secret", "my-agent"},
		"secret/my-agent":         {"secret", "my-agent"},
		"/kv/data/team/my-agent/": {"kv", "team/my-agent"},
		"secret":                  {"secret", ""},
		"secret/data":             {"secret", ""},
	} {
		m, f, err := hashivault.SplitPath(in)
		if err != nil || m != want[0] || f != want[1] {
			t.Errorf("SplitPath(%q) = %q, %q, %v; want %q", in, m, f, err, want)
		}
	}
	for _, bad := range []string{"", "/", "secret/data/../x"} {
		if _, _, err := hashivault.SplitPath(bad); errs.KindOf(err) != errs.Input {
			t.Errorf("SplitPath(%q): %v, want an input error", bad, err)
		}
	}
}

// TestEscapedText: text whose JSON escapes would pass Vault's 1 MiB string limit
// (every '<' becomes \u003c) is stored base64-encoded and still reads back exactly.
func TestEscapedText(t *testing.T) {
	addr := devServer(t)
	p := newProvider(t, hashivault.Options{Address: addr, Token: rootToken, Path: folder()})
	v := []byte(strings.Repeat("<", hashivault.MaxValueSize))
	if _, err := p.Set(context.Background(), "html", v, providers.SetOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := p.Get(context.Background(), "html", "")
	if err != nil || string(s.Value) != string(v) {
		t.Fatalf("read back %d bytes (%v), want %d", len(s.Value), err, len(v))
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swiftclaw/swiftclaw/rotation"
)

// cli runs swiftclaw in-process in dir with extra environment variables.
type cli struct {
	t   *testing.T
	dir string
	env map[string]string
}

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = Main(append([]string{"-C", c.dir}, args...), &Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if v, ok := c.env[k]; ok {
				return v
			}
			return os.Getenv(k)
		},
		Ctx: context.Background(),
	})
	return code, out.String(), errb.String()
}

func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("swiftclaw %v: exit %d\n%s", args, code, errOut)
	}
	return out
}

func (c *cli) head() string {
	c.t.Helper()
	out, err := exec.Command("git", "-C", c.dir, "rev-parse", "HEAD").Output()
	if err != nil {
		c.t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestRotateDueWithWebhook drives automatic rotation through a local webhook: the
// request is signed with the named secret, carries no value, and the signed answer's
// value is stored; a failing endpoint leaves the old value active and nothing written.
func TestRotateDueWithWebhook(t *testing.T) {
	home := t.TempDir()
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": "", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com", "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com",
		"SWIFTCLAW_AGE_KEY": "", "SWIFTCLAW_FAKE_NOW": "",
	} {
		t.Setenv(k, v)
	}
	dir := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	c := &cli{t: t, dir: dir, env: map[string]string{"SWIFTCLAW_FAKE_NOW": "2024-03-01T10:00:00Z"}}
	c.ok("", "keys", "generate")
	c.ok("", "init")
	key := "webhook-hmac-key"
	c.ok(key, "secrets", "set", "my-agent", "rotation-hmac", "--value-stdin")
	c.ok("old-value", "secrets", "set", "my-agent", "api-key", "--value-stdin")

	var bodies []string
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !rotation.Verify([]byte(key), body, r.Header.Get(rotation.SignatureHeader)) {
			t.Errorf("webhook call is not signed with the named secret")
		}
		bodies = append(bodies, string(body))
		if fail {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		reply := `{"value":"value-from-provider"}`
		w.Header().Set(rotation.SignatureHeader, rotation.Sign([]byte(key), []byte(reply)))
		io.WriteString(w, reply)
	}))
	defer srv.Close()

	out := c.ok("", "secrets", "rotate", "my-agent", "api-key", "--interval", "30d", "--auto", "--grace-period", "1h",
		"--webhook", srv.URL+"/rotate", "--webhook-secret", "secret:rotation-hmac")
	if !strings.Contains(out, "every 30d, automatic, grace period 1h, webhook "+srv.URL+"/rotate signed with secret:rotation-hmac") {
		t.Fatalf("policy: %s", out)
	}
	c.env["SWIFTCLAW_FAKE_NOW"] = "2024-04-01T10:00:00Z"
	out = c.ok("", "secrets", "rotate-due")
	if !strings.Contains(out, "rotated to v2") {
		t.Fatalf("rotate-due: %s", out)
	}
	if got := c.ok("", "secrets", "get", "my-agent", "api-key"); got != "value-from-provider" {
		t.Fatalf("stored value is not the webhook's (%d bytes)", len(got))
	}
	if got := c.ok("", "secrets", "get", "my-agent", "api-key", "--previous"); got != "old-value" {
		t.Fatal("the old value is not readable during the grace period")
	}
	var ev map[string]any
	if len(bodies) != 1 || json.Unmarshal([]byte(bodies[0]), &ev) != nil {
		t.Fatalf("webhook calls: %q", bodies)
	}
	if ev["version"] != "v2" || ev["grace_until"] != "2024-04-01T11:00:00Z" || strings.Contains(bodies[0], "value") {
		t.Fatalf("event: %s", bodies[0])
	}

	// The endpoint refuses: exit 1 from rotate-due, 4 from rotate; nothing written.
	fail = true
	before, file := c.head(), filepath.Join(dir, ".swiftclaw/agents/my-agent/secrets/api-key.yaml")
	content, _ := os.ReadFile(file)
	c.env["SWIFTCLAW_FAKE_NOW"] = "2024-06-01T10:00:00Z"
	code, out, errOut := c.run("", "secrets", "rotate-due")
	if code != 1 || !strings.Contains(out, "failed") || !strings.Contains(errOut, "its current value stays active") || !strings.Contains(errOut, "answered 403 Forbidden") {
		t.Fatalf("failing webhook: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = c.run("", "secrets", "rotate", "my-agent", "api-key"); code != 4 {
		t.Fatalf("rotate with a failing webhook: exit %d, %s", code, errOut)
	}
	if after, _ := os.ReadFile(file); c.head() != before || !bytes.Equal(after, content) {
		t.Fatal("a failed webhook changed the repository")
	}
	if got := c.ok("", "secrets", "get", "my-agent", "api-key"); got != "value-from-provider" {
		t.Fatal("the old value is no longer active")
	}
}

package connect_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/testrepo"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/awssm/awsfake"
	"github.com/swiftclaw/swiftclaw/providers/connect"
)

func TestMain(m *testing.M) {
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	testrepo.Main(m)
}

// TestAgentOnAWS: an agent whose secrets live in Secrets Manager (the fake), with its
// access key id read from a git-stored swiftclaw secret and its secret key from the
// environment, as agent.yaml says.
func TestAgentOnAWS(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(awsfake.New("AKIDFROMGIT", "us-east-1"))
	defer srv.Close()
	r, err := testrepo.New(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SetSecret("my-agent", "aws-key-id", "AKIDFROMGIT", 0); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf(`secrets:
  provider: aws-secrets-manager
  region: us-east-1
  endpoint: %s
  accessKeyId: secret:aws-key-id
  secretAccessKey: env:TEST_AWS_SECRET
`, srv.URL)
	if err := os.WriteFile(filepath.Join(r.Root, ".swiftclaw", "agents", "my-agent", "agent.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEST_AWS_SECRET": "s3cr3t"}
	a, err := connect.Load(r.Store, "my-agent", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind() != providers.AWS || p.Where() != "aws secrets manager us-east-1 (names my-agent/*)" {
		t.Fatalf("store %s %q", p.Kind(), p.Where())
	}
	if _, err := p.Set(ctx, "api-key", []byte("sk-1"), providers.SetOptions{}); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{"secret:api-key": "sk-1", "aws-sm:my-agent/api-key": "sk-1"} {
		v, ok, err := a.Resolve(ctx, ref)
		if err != nil || !ok || string(v) != want {
			t.Errorf("%s: ok=%v err=%v, value matches: %v", ref, ok, err, string(v) == want)
		}
	}
	for ref, kind := range map[string]errs.Kind{"gcp:x": errs.Input, "vault:": errs.Input, "azure-kv:api-key": errs.Input, "secret:missing": errs.NotFound} {
		if _, ok, err := a.Resolve(ctx, ref); !ok || errs.KindOf(err) != kind {
			t.Errorf("%s: ok=%v %v, want kind %v", ref, ok, err, kind)
		}
	}
	env["TEST_AWS_SECRET"] = ""
	b, err := connect.Load(r.Store, "my-agent", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store(ctx); errs.KindOf(err) != errs.Input {
		t.Errorf("unset env: reference: %v", err)
	}
}

// TestGitAgent: secret:NAME of a git-stored agent is left to the git store.
func TestGitAgent(t *testing.T) {
	r, err := testrepo.New(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := connect.Load(r.Store, "my-agent", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Resolve(context.Background(), "secret:api-key"); ok || err != nil {
		t.Fatalf("ok=%v err=%v, want the git store to resolve it", ok, err)
	}
	if a.Settings.Store() != providers.Git {
		t.Fatalf("store %q", a.Settings.Store())
	}
}

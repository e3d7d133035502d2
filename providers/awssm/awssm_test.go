package awssm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/awssm"
	"github.com/swiftclaw/swiftclaw/providers/awssm/awsfake"
	"github.com/swiftclaw/swiftclaw/providers/providertest"
)

const (
	keyID  = "AKIDSWIFTCLAWTEST"
	region = "us-east-1"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	// Nothing from the developer's AWS setup may leak in: no profile, no shared files.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	kumo.Stop()
	os.Exit(code)
}

// fake starts a fake Secrets Manager on 127.0.0.1 for one test.
func fake(t *testing.T) (*awsfake.Server, string) {
	t.Helper()
	f := awsfake.New(keyID, region)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func opts(endpoint, key string) awssm.Options {
	return awssm.Options{Region: region, Endpoint: endpoint, AccessKeyID: key, SecretAccessKey: "test-secret-key", NamePrefix: "my-agent/", MaxAttempts: 3, MaxBackoff: time.Millisecond}
}

func newProvider(t *testing.T, o awssm.Options) providers.Provider {
	t.Helper()
	p, err := awssm.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConformanceFake runs the suite against the fake (see package awsfake for why).
func TestConformanceFake(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		_, url := fake(t)
		return providertest.Harness{
			P:            newProvider(t, opts(url, keyID)),
			Unauthorized: newProvider(t, opts(url, "AKIDSOMEONEELSE")),
		}
	})
}

// TestStages checks the staging labels: a put moves AWSCURRENT and AWSPREVIOUS, a
// rollback moves AWSCURRENT back and AWSPREVIOUS to the version it left.
func TestStages(t *testing.T) {
	_, url := fake(t)
	p := newProvider(t, opts(url, keyID))
	for _, v := range []string{"one", "two", "three"} {
		if _, err := p.Set(ctx, "api-key", []byte(v), providers.SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := p.Versions(ctx, "api-key")
	if err != nil {
		t.Fatal(err)
	}
	labels := func(vs []providers.Version) [][]string {
		var out [][]string
		for _, v := range vs {
			out = append(out, v.Labels)
		}
		return out
	}
	if diff := cmp.Diff([][]string{{awssm.Current}, {awssm.Previous}, {}}, labels(vs), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("labels after three puts (-want +got):\n%s", diff)
	}
	first, third := vs[2].ID, vs[0].ID
	if _, err := p.Rollback(ctx, "api-key", first); err != nil {
		t.Fatal(err)
	}
	vs, err = p.Versions(ctx, "api-key")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, v := range vs {
		got[v.ID] = v.Labels
	}
	if diff := cmp.Diff([]string{awssm.Current}, got[first]); diff != "" {
		t.Errorf("rolled-back version labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{awssm.Previous}, got[third]); diff != "" {
		t.Errorf("version AWSCURRENT left (-want +got):\n%s", diff)
	}
}

func TestThrottlingRetried(t *testing.T) {
	f, url := fake(t)
	p := newProvider(t, opts(url, keyID))
	f.Throttle(2)
	if _, err := p.Set(ctx, "api-key", []byte("v"), providers.SetOptions{}); err != nil {
		t.Fatalf("set after two throttled requests: %v", err)
	}
	f.Throttle(100)
	_, err := p.Get(ctx, "api-key", "")
	if errs.KindOf(err) != errs.Busy {
		t.Fatalf("always throttled: %v, want a busy error", err)
	}
}

func TestNetworkDown(t *testing.T) {
	port, err := providertest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := newProvider(t, opts(fmt.Sprintf("http://127.0.0.1:%d", port), keyID))
	_, err = p.Get(ctx, "api-key", "")
	if errs.KindOf(err) != errs.Internal || !strings.Contains(err.Error(), "cannot reach") {
		t.Fatalf("endpoint down: %v", err)
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	f, url := fake(t)
	t.Setenv("AWS_ENDPOINT_URL", url)
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_ACCESS_KEY_ID", keyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "from-env")
	p := newProvider(t, awssm.Options{NamePrefix: "x/"})
	if _, err := p.Set(ctx, "api-key", []byte("v"), providers.SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.Requests() == 0 {
		t.Fatal("the fake at AWS_ENDPOINT_URL saw no request")
	}
}

// TestJSONSecret covers the product page's secretArn layout: one JSON secret, one member
// per swiftclaw secret.
func TestJSONSecret(t *testing.T) {
	_, url := fake(t)
	o := opts(url, keyID)
	o.NamePrefix, o.SecretID = "", "my-secret"
	p := newProvider(t, o)
	for _, kv := range [][2]string{{"api-key", "one"}, {"db-url", "postgresql://db"}, {"api-key", "two"}} {
		if _, err := p.Set(ctx, kv[0], []byte(kv[1]), providers.SetOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := p.Set(ctx, "db-url", []byte("postgresql://db"), providers.SetOptions{})
	if err != nil || res.Changed {
		t.Fatalf("unchanged member: %+v %v", res, err)
	}
	list, err := p.List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "api-key" || list[1].Name != "db-url" {
		t.Fatalf("list %+v %v", list, err)
	}
	vs, err := p.Versions(ctx, "api-key")
	if err != nil || len(vs) != 3 {
		t.Fatalf("versions %+v %v, want the 3 versions holding api-key", vs, err)
	}
	first := vs[len(vs)-1].ID
	if _, err := p.Rollback(ctx, "api-key", first); err != nil {
		t.Fatal(err)
	}
	s, err := p.Get(ctx, "api-key", "")
	if err != nil || string(s.Value) != "one" {
		t.Fatalf("after rollback: %v", err)
	}
	if s, err := p.Get(ctx, "db-url", ""); err != nil || string(s.Value) != "postgresql://db" {
		t.Fatalf("rollback of api-key changed db-url: %v", err)
	}
	if err := p.Remove(ctx, "api-key"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Get(ctx, "api-key", ""); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("get after rm: %v", err)
	}
	_, err = p.Set(ctx, "cert", []byte{0xff, 0xfe}, providers.SetOptions{})
	if errs.KindOf(err) != errs.Input || !strings.Contains(errs.HintOf(err), "namePrefix") {
		t.Fatalf("binary member: %v", err)
	}
	// The whole secret is a plain JSON object, as a runtime reading it expects.
	o.SecretID = ""
	whole, err := newProvider(t, o).Get(ctx, "my-secret", "")
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]string
	if err := json.Unmarshal(whole.Value, &obj); err != nil || obj["db-url"] != "postgresql://db" || len(obj) != 1 {
		t.Fatalf("the JSON secret holds %d members (%v), want only db-url", len(obj), err)
	}
}

func TestCredentials(t *testing.T) {
	_, err := awssm.New(ctx, awssm.Options{Region: region, SecretAccessKey: "only-half"})
	if errs.KindOf(err) != errs.Input || !strings.Contains(err.Error(), "both accessKeyId and secretAccessKey") {
		t.Fatalf("half a static key: %v", err)
	}
	_, url := fake(t)
	p := newProvider(t, awssm.Options{Region: region, Endpoint: url, NamePrefix: "x/", MaxAttempts: 1})
	_, err = p.Get(ctx, "api-key", "")
	if errs.KindOf(err) != errs.Permission || !strings.Contains(errs.HintOf(err), "AWS_PROFILE") {
		t.Fatalf("no credentials anywhere: %v", err)
	}
}

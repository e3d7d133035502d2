package azurekv_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/providers"
	"github.com/swiftclaw/swiftclaw/providers/azurekv"
	"github.com/swiftclaw/swiftclaw/providers/azurekv/azkvfake"
	"github.com/swiftclaw/swiftclaw/providers/providertest"
)

const vaultURL = "https://swiftclaw-test.vault.azure.net"

var ctx = context.Background()

func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AZURE_") {
			os.Unsetenv(k)
		}
	}
	os.Exit(m.Run())
}

var fastRetry = policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Millisecond}

func newProvider(t *testing.T, v *azkvfake.Vault, forbidden bool) *azurekv.Provider {
	t.Helper()
	p, err := azurekv.New(azurekv.Options{VaultURL: vaultURL, Credential: azkvfake.Credential(), Transport: v.Transport(forbidden), Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConformanceFake runs the suite against the fake vault through the real azsecrets
// client (no Azure Key Vault emulator runs on these machines).
func TestConformanceFake(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		v := azkvfake.New(vaultURL)
		return providertest.Harness{P: newProvider(t, v, false), Unauthorized: newProvider(t, v, true)}
	})
}

func TestNames(t *testing.T) {
	p := newProvider(t, azkvfake.New(vaultURL), false)
	_, err := p.Set(ctx, "db_url", []byte("x"), providers.SetOptions{})
	if errs.KindOf(err) != errs.Input || !strings.Contains(errs.HintOf(err), "db-url") {
		t.Fatalf("underscore name: %v (hint %q)", err, errs.HintOf(err))
	}
}

func TestExpiryAndDescription(t *testing.T) {
	p := newProvider(t, azkvfake.New(vaultURL), false)
	desc := "OpenAI API Key"
	if _, err := p.Set(ctx, "temp-token", []byte("token123"), providers.SetOptions{TTL: 24 * time.Hour, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	s, err := p.Get(ctx, "temp-token", "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Expires == nil || s.Expires.Before(time.Now().Add(23*time.Hour)) || s.Description != desc {
		t.Fatalf("meta %+v", s.Meta)
	}
	res, err := p.Set(ctx, "temp-token", []byte("token123"), providers.SetOptions{NoExpiry: true})
	if err != nil || res.Changed {
		t.Fatalf("clearing the expiry: %+v %v", res, err)
	}
	s, err = p.Get(ctx, "temp-token", "")
	if err != nil || s.Expires != nil || s.Description != desc {
		t.Fatalf("after clearing the expiry: %+v %v", s, err)
	}
	vs, err := p.Versions(ctx, "temp-token")
	if err != nil || len(vs) != 1 {
		t.Fatalf("metadata changes made versions: %+v %v", vs, err)
	}
}

func TestThrottlingRetried(t *testing.T) {
	v := azkvfake.New(vaultURL)
	p := newProvider(t, v, false)
	v.Throttle(2)
	if _, err := p.Set(ctx, "api-key", []byte("v"), providers.SetOptions{}); err != nil {
		t.Fatalf("set after two throttled requests: %v", err)
	}
	v.Throttle(100)
	if _, err := p.Get(ctx, "api-key", ""); errs.KindOf(err) != errs.Busy {
		t.Fatalf("always throttled: %v", err)
	}
}

func TestCredentialFailure(t *testing.T) {
	v := azkvfake.New(vaultURL)
	cred := azkvfake.Credential()
	cred.SetError(errors.New("AADSTS7000215: invalid client secret provided"))
	p, err := azurekv.New(azurekv.Options{VaultURL: vaultURL, Credential: cred, Transport: v.Transport(false), Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Get(ctx, "api-key", "")
	if errs.KindOf(err) != errs.Permission || strings.Contains(err.Error(), "AADSTS") && errs.HintOf(err) == "" {
		t.Fatalf("a failing credential: %v (kind %v), want a permission error with a hint", err, errs.KindOf(err))
	}
}

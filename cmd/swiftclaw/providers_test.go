package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/swiftclaw/swiftclaw/providers/awssm/awsfake"
	"github.com/swiftclaw/swiftclaw/providers/providertest"
)

// providerCmds are the testscript commands that start secret-manager servers for a script.
var providerCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"awsfake":     cmdAWSFake,
	"vaultserver": cmdVaultServer,
}

// awsfake starts the AWS Secrets Manager fake (package awsfake) on 127.0.0.1 for this
// script and points the AWS environment at it.
func cmdAWSFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: awsfake")
	}
	srv := httptest.NewServer(awsfake.New("AKIDSWIFTCLAWTEST", "us-east-1"))
	ts.Defer(srv.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDSWIFTCLAWTEST",
		"AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		ts.Setenv(k, v)
	}
}

var vaultDev providertest.Shared

const vaultRootToken = "swiftclaw-test-root"

// vaultserver starts (once per test binary) a real Vault dev server on 127.0.0.1 and sets
// VAULT_ADDR and VAULT_TOKEN. Scripts guard it with the [vault] condition.
func cmdVaultServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: vaultserver")
	}
	bin := providertest.ServerBinary("vault")
	if bin == "" {
		ts.Fatalf("the vault server is missing: run scripts/build-test-servers.sh (guard the script with [vault])")
	}
	addr, err := vaultDev.Get(func() (*providertest.Server, any, error) {
		port, err := providertest.FreePort()
		if err != nil {
			return nil, nil, err
		}
		home, err := os.MkdirTemp("", "swiftclaw-vault-home")
		if err != nil {
			return nil, nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		srv, err := providertest.StartServer(bin,
			[]string{"server", "-dev", "-dev-listen-address=" + addr, "-dev-root-token-id=" + vaultRootToken, "-dev-no-store-token", "-log-level=warn"},
			[]string{"HOME=" + home, "PATH=/usr/bin:/bin"}, "Vault server started", "", 60*time.Second)
		return srv, "http://" + addr, err
	})
	ts.Check(err)
	ts.Setenv("VAULT_ADDR", addr.(string))
	ts.Setenv("VAULT_TOKEN", vaultRootToken)
}

// providerCondition answers [vault]: whether the Vault server binary is built. With
// SWIFTCLAW_REQUIRE_SERVERS=1 (CI) a missing binary is an error, so a script guarded by
// [!vault] skip fails instead of skipping.
func providerCondition(cond string) (bool, error) {
	if cond != "vault" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if providertest.ServerBinary("vault") != "" {
		return true, nil
	}
	if os.Getenv("SWIFTCLAW_REQUIRE_SERVERS") == "1" {
		return false, fmt.Errorf("the vault server is missing and SWIFTCLAW_REQUIRE_SERVERS=1: run scripts/build-test-servers.sh")
	}
	return false, nil
}

package awssm_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swiftclaw/swiftclaw/providers/providertest"
)

// kumo is the AWS emulator github.com/sivchari/kumo, built by
// scripts/build-test-servers.sh and started once for this test binary.
var (
	kumo      providertest.Shared
	kumoBin   = providertest.ServerBinary("kumo")
	prefixSeq atomic.Int64
)

func kumoEndpoint(t *testing.T) string {
	t.Helper()
	v := kumo.Need(t, kumoBin, "the kumo AWS emulator", "run scripts/build-test-servers.sh", func() (*providertest.Server, any, error) {
		port, err := providertest.FreePort()
		if err != nil {
			return nil, nil, err
		}
		home, err := os.MkdirTemp("", "swiftclaw-kumo-home")
		if err != nil {
			return nil, nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		srv, err := providertest.StartServer(kumoBin, nil,
			[]string{"HOME=" + home, "KUMO_HOST=127.0.0.1", fmt.Sprintf("KUMO_PORT=%d", port), "KUMO_LOG_LEVEL=info"},
			"starting kumo server", addr, 60*time.Second)
		return srv, "http://" + addr, err
	})
	return v.(string)
}

// kumoLacks lists what kumo v0.33.1's Secrets Manager does not implement; the fake
// (TestConformanceFake) runs those subtests.
var kumoLacks = map[string]string{
	"Versions":    "kumo v0.33.1 has no ListSecretVersionIds; TestConformanceFake covers it",
	"Rollback":    "kumo v0.33.1 has no ListSecretVersionIds or UpdateSecretVersionStage; TestConformanceFake and TestStages cover it",
	"Remove":      "kumo v0.33.1 has no RestoreSecret, which setting a removed secret again needs; TestConformanceFake covers it",
	"AuthFailure": "kumo accepts any credentials; TestConformanceFake checks a refused key",
}

// TestConformanceKumo runs the suite against the kumo emulator.
func TestConformanceKumo(t *testing.T) {
	endpoint := kumoEndpoint(t)
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		o := opts(endpoint, keyID)
		o.NamePrefix = fmt.Sprintf("swiftclaw-test-%d/", prefixSeq.Add(1))
		return providertest.Harness{P: newProvider(t, o), Unauthorized: newProvider(t, o), Unsupported: kumoLacks}
	})
}

package providertest

import (
	"fmt"
	"testing"
)

// recorder notes how RequireServer reported a missing server.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.fatal == "" && r.skip == "" {
		r.fatal = fmt.Sprintf(format, args...)
	}
}
func (r *recorder) Skipf(format string, args ...any) {
	if r.fatal == "" && r.skip == "" {
		r.skip = fmt.Sprintf(format, args...)
	}
}

// TestRequireServer: with SWIFTCLAW_REQUIRE_SERVERS=1 a missing server is a failure, never
// a skip; without it, a skip that says how to get the server.
func TestRequireServer(t *testing.T) {
	t.Setenv("SWIFTCLAW_REQUIRE_SERVERS", "1")
	r := &recorder{}
	RequireServer(r, "the vault server", "run scripts/build-test-servers.sh")
	if r.fatal == "" || r.skip != "" {
		t.Fatalf("required: fatal %q, skip %q", r.fatal, r.skip)
	}
	t.Setenv("SWIFTCLAW_REQUIRE_SERVERS", "")
	r = &recorder{}
	RequireServer(r, "the vault server", "run scripts/build-test-servers.sh")
	if r.skip == "" || r.fatal != "" {
		t.Fatalf("not required: fatal %q, skip %q", r.fatal, r.skip)
	}
}

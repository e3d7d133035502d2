package vault

import (
	"os"
	"testing"
)

// TestProjectExampleAgent checks swiftclaw's own .swiftclaw/: the example agent's
// secrets decrypt with the test key in testdata/, and the files are well formed.
func TestProjectExampleAgent(t *testing.T) {
	key, err := os.ReadFile("../testdata/example-identity.txt")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Dir: "..", Identity: IdentityOptions{
		Getenv: func(k string) string {
			if k == "SWIFTCLAW_AGE_KEY" {
				return string(key)
			}
			return ""
		},
		Home: t.TempDir(),
	}})
	if err != nil {
		t.Fatal(err)
	}
	vars, err := s.ResolveEnv(ctx, "example-agent", nil, ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, v := range vars {
		got[v.Name] = len(v.Value)
	}
	if got["EXAMPLE_API_KEY"] != len("sk-example-not-a-real-key") || got["MODEL"] == 0 || got["LOG_LEVEL"] == 0 {
		t.Fatalf("example agent resolved to %v", got)
	}
}

package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/ghenv"
)

// parseGitHubEnv reads a $GITHUB_ENV file exactly as the runner does.
func parseGitHubEnv(t *testing.T, text string) map[string]string {
	t.Helper()
	m, err := ghenv.Parse(text)
	if err != nil {
		t.Fatalf("the runner would fail: %v\n%s", err, text)
	}
	return m
}

const testPEM = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDZ8E7k2oNnPDnWwCqCCKcDe41zUqZKLXSqKBYYCQIUTwAAAJgn4ZeuJ+GX
-----END OPENSSH PRIVATE KEY-----
`

func TestGitHubActionsAppendsHeredocsTheRunnerReadsBack(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "set_env_123")
	if err := os.WriteFile(envFile, []byte("EARLIER=kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := []Var{
		{Name: "DEPLOY_KEY", Value: []byte(testPEM), Source: "secret:deploy-key"},
		{Name: "OPENAI_API_KEY", Value: []byte("sk-abc=123"), Source: "secret:api-key"},
		{Name: "EMPTY", Value: []byte{}, Source: "env:EMPTY"},
		{Name: "TRICKY", Value: []byte("a<<b=c\n\nEOF\n%0A 100%\n"), Source: "secret:tricky"},
	}
	var stdout bytes.Buffer
	res, err := Write(vars, Options{Target: GitHubActions, GitHubEnv: envFile, Stdout: &stdout})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != envFile || len(res.Names) != 4 {
		t.Fatalf("result = %+v", res)
	}
	text, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	got := parseGitHubEnv(t, string(text))
	want := map[string]string{"EARLIER": "kept"}
	for _, v := range vars {
		want[v.Name] = string(v.Value)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("runner view (-want +got):\n%s", diff)
	}

	masks := stdout.String()
	for _, line := range strings.Split(strings.TrimSpace(testPEM), "\n") {
		if !strings.Contains(masks, "::add-mask::"+line+"\n") {
			t.Errorf("no mask for PEM line %q", line)
		}
	}
	for _, want := range []string{
		"::add-mask::sk-abc=123\n",
		"::add-mask::" + strings.ReplaceAll(testPEM, "\n", "%0A") + "\n",
		"::add-mask::%250A 100%25\n", // a line of TRICKY, escaped so the runner unescapes it exactly
	} {
		if !strings.Contains(masks, want) {
			t.Errorf("masks lack %q:\n%s", want, masks)
		}
	}
	if strings.Contains(masks, "::add-mask::\n") {
		t.Error("an empty mask would mask nothing useful")
	}
	// Masks are all the step prints: no other line carries a value.
	for _, l := range strings.Split(strings.TrimSpace(masks), "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			t.Errorf("unexpected output line %q", l)
		}
	}
}

func TestGitHubActionsDelimiterAvoidsValue(t *testing.T) {
	// A fixed "random" source makes the first delimiter occur in the value; the writer must
	// draw another.
	first := bytes.Repeat([]byte{0xaa}, 16)
	second := bytes.Repeat([]byte{0xbb}, 16)
	value := fmt.Sprintf("x\nSWIFTCLAW_EOF_%x\ny", first)
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	var stdout bytes.Buffer
	_, err := Write([]Var{{Name: "V", Value: []byte(value)}}, Options{
		Target: GitHubActions, GitHubEnv: envFile, Stdout: &stdout,
		Rand: bytes.NewReader(append(first, second...)),
	})
	if err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(envFile)
	if got := parseGitHubEnv(t, string(text))["V"]; got != value {
		t.Fatalf("value did not survive: %q", got)
	}
	if !strings.Contains(string(text), fmt.Sprintf("V<<SWIFTCLAW_EOF_%x\n", second)) {
		t.Fatalf("second delimiter not used:\n%s", text)
	}
}

func TestGitHubActionsNeedsGITHUBENVAndRefusesBinary(t *testing.T) {
	var stdout bytes.Buffer
	_, err := Write([]Var{{Name: "A", Value: []byte("x")}}, Options{Target: GitHubActions, Stdout: &stdout})
	if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), "GITHUB_ENV") {
		t.Fatalf("err = %v", err)
	}
	envFile := filepath.Join(t.TempDir(), "env")
	_, err = Write([]Var{{Name: "BIN", Value: []byte{0xff, 0x00, 0x01}, Source: "secret:cert"}},
		Options{Target: GitHubActions, GitHubEnv: envFile, Stdout: &stdout})
	if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), "BIN (from secret:cert)") {
		t.Fatalf("err = %v", err)
	}
	if _, statErr := os.Stat(envFile); !os.IsNotExist(statErr) {
		t.Fatal("GITHUB_ENV written despite the error")
	}
	if stdout.Len() != 0 {
		t.Fatalf("masks printed despite the error: %q", stdout.String())
	}
}

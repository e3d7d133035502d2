package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/sariftest"
)

func sampleResult(mode Mode) *Result {
	commit := ""
	if mode == ModeHistory {
		commit = "0123456789abcdef0123456789abcdef01234567"
	}
	fp := func(s string) string {
		if commit != "" {
			return commit + ":" + s
		}
		return s
	}
	return &Result{
		Mode: mode, Files: 3, Bytes: 1234,
		Findings: []Finding{
			{File: "config.json", Line: 2, EndLine: 2, Column: 24, EndColumn: 43, RuleID: "aws-access-token",
				Description: "AWS access key", Commit: commit, Redacted: "AKIA*****", Fingerprint: fp("config.json:aws-access-token:2")},
			{File: "deploy/app env.sh", Line: 7, EndLine: 7, Column: 13, EndColumn: 24, RuleID: ManagedRuleID,
				Description: "Plaintext of managed secret my-agent/db-password", Commit: commit, Redacted: "pg-*****",
				Fingerprint: fp("deploy/app env.sh:" + ManagedRuleID + ":7"), Managed: "my-agent/db-password"},
		},
		Rules: []Rule{{"aws-access-token", "AWS access key"}, {ManagedRuleID, "Plaintext of a secret managed by swiftclaw"}},
	}
}

func TestReportsGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mode  Mode
		write func(*bytes.Buffer, *Result) error
	}{
		{"table_staged.txt", ModeStaged, func(b *bytes.Buffer, r *Result) error { return WriteTable(b, r) }},
		{"table_history.txt", ModeHistory, func(b *bytes.Buffer, r *Result) error { return WriteTable(b, r) }},
		{"blocked_staged.txt", ModeStaged, func(b *bytes.Buffer, r *Result) error { return WriteBlocked(b, r) }},
		{"report_staged.json", ModeStaged, func(b *bytes.Buffer, r *Result) error { return WriteJSON(b, r) }},
		{"report_history.sarif", ModeHistory, func(b *bytes.Buffer, r *Result) error { return WriteSARIF(b, r) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf, sampleResult(tc.mode)); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestBlockedAndEmptyOutputs(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBlocked(&buf, &Result{Mode: ModeStaged}); err != nil || buf.Len() != 0 {
		t.Fatalf("WriteBlocked on no findings wrote %q, %v", buf.String(), err)
	}
	if err := WriteJSON(&buf, &Result{Mode: ModeStaged}); err != nil || !strings.Contains(buf.String(), `"findings": []`) {
		t.Fatalf("WriteJSON on no findings = %q, %v", buf.String(), err)
	}
}

// TestSARIFRequiredFields checks a real scan's SARIF against the properties the SARIF
// 2.1.0 schema (sarif-schema-2.1.0.json) marks required, and the value constraints code
// scanning services enforce.
func TestSARIFRequiredFields(t *testing.T) {
	r := newRepo(t)
	r.write("a.cfg", "key="+awsKey+"\n")
	r.commitAll("leak")
	res := r.scan(Target{Mode: ModeHistory}, func(o *Options) {
		o.Managed = []Managed{{Name: "agent/pw", Value: []byte("key=" + awsKey[:6])}}
	})
	if len(res.Findings) != 2 {
		t.Fatalf("findings = %v", briefs(res))
	}
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), awsKey) {
		t.Fatal("SARIF output contains the secret")
	}
	n, err := sariftest.Check(buf.Bytes())
	if err != nil {
		t.Fatalf("SARIF: %v\n%s", err, buf.String())
	}
	if n != 2 {
		t.Fatalf("SARIF results = %d, want 2", n)
	}
	if !strings.Contains(buf.String(), `"uri": "a.cfg"`) || !strings.Contains(buf.String(), `"startLine": 1`) {
		t.Errorf("SARIF location is not a.cfg:1:\n%s", buf.String())
	}
	// The checker itself rejects logs missing required fields.
	for _, bad := range []string{`{"runs": []}`, `{"version": "2.1.0", "runs": [{}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": [{"ruleId": "a"}]}]}`} {
		if _, err := sariftest.Check([]byte(bad)); err == nil {
			t.Errorf("Check(%s) passed", bad)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		awsKey:                          "AKIA*****",
		"pg-Pa55w0rd!":                  "pg-*****",
		"abc":                           "*****",
		"  héllo-wörld-1 \n":            "hél*****",
		"line1-xxxxxxxx\nline2-yyyyyyy": "lin*****",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

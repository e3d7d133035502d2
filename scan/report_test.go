package scan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	var log map[string]any
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	obj := func(v any, path string) map[string]any {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object: %v", path, v)
		}
		return m
	}
	arr := func(v any, path string) []any {
		t.Helper()
		a, ok := v.([]any)
		if !ok {
			t.Fatalf("%s: not an array: %v", path, v)
		}
		return a
	}
	require := func(m map[string]any, path string, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: required property %q missing", path, k)
			}
		}
	}
	require(log, "sarifLog", "version", "runs")
	if log["version"] != "2.1.0" {
		t.Errorf("version = %v", log["version"])
	}
	runs := arr(log["runs"], "runs")
	if len(runs) != 1 {
		t.Fatalf("runs = %d", len(runs))
	}
	run := obj(runs[0], "run")
	require(run, "run", "tool")
	driver := obj(obj(run["tool"], "tool")["driver"], "driver")
	require(driver, "toolComponent", "name")
	rules := arr(driver["rules"], "rules")
	var ruleIDs []string
	for _, rv := range rules {
		rule := obj(rv, "reportingDescriptor")
		require(rule, "reportingDescriptor", "id")
		ruleIDs = append(ruleIDs, rule["id"].(string))
	}
	results := arr(run["results"], "results")
	if len(results) != 2 {
		t.Fatalf("results = %d", len(results))
	}
	for _, rv := range results {
		res := obj(rv, "result")
		require(res, "result", "message", "ruleId", "locations")
		msg := obj(res["message"], "message")
		if _, ok := msg["text"].(string); !ok {
			t.Errorf("message needs text or id: %v", msg)
		}
		idx := int(res["ruleIndex"].(float64))
		if idx < 0 || idx >= len(ruleIDs) || ruleIDs[idx] != res["ruleId"] {
			t.Errorf("ruleIndex %d does not point at rule %v", idx, res["ruleId"])
		}
		if lvl := res["level"]; lvl != "error" && lvl != "warning" && lvl != "note" && lvl != "none" {
			t.Errorf("level = %v", lvl)
		}
		for _, lv := range arr(res["locations"], "locations") {
			phys := obj(obj(lv, "location")["physicalLocation"], "physicalLocation")
			if uri := obj(phys["artifactLocation"], "artifactLocation")["uri"]; uri != "a.cfg" {
				t.Errorf("uri = %v", uri)
			}
			region := obj(phys["region"], "region")
			for _, k := range []string{"startLine", "startColumn", "endLine", "endColumn"} {
				if v, ok := region[k].(float64); ok && v < 1 {
					t.Errorf("region.%s = %v, must be >= 1", k, v)
				}
			}
			if region["startLine"] != float64(1) {
				t.Errorf("startLine = %v", region["startLine"])
			}
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

package policy_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
	"gopkg.in/yaml.v3"

	"github.com/swiftclaw/swiftclaw/policy"
	"github.com/swiftclaw/swiftclaw/vault"
)

var update = flag.Bool("update", false, "rewrite the want.txt sections of policy/testdata cases")

// checkNow is the clock every case is checked at.
var checkNow = time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)

// TestCheckCases runs one case per file: policy/testdata/valid/*.txtar must produce no
// finding, invalid/*.txtar at least one, and each report must equal the case's want.txt.
// Each case holds policy.yaml, state.yaml (a policy.State) and want.txt.
func TestCheckCases(t *testing.T) {
	seen := map[string]bool{}
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
		if len(files) == 0 {
			t.Fatalf("no cases in testdata/%s", dir)
		}
		for _, file := range files {
			t.Run(dir+"/"+strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
				ar, err := txtar.ParseFile(file)
				if err != nil {
					t.Fatal(err)
				}
				sections := map[string][]byte{}
				for _, f := range ar.Files {
					sections[f.Name] = f.Data
				}
				pol, err := policy.Parse(sections["policy.yaml"], "policy.yaml")
				if err != nil {
					t.Fatal(err)
				}
				var st policy.State
				dec := yaml.NewDecoder(bytes.NewReader(sections["state.yaml"]))
				dec.KnownFields(true)
				if err := dec.Decode(&st); err != nil {
					t.Fatalf("state.yaml: %v", err)
				}
				deadline, err := vault.RotationDeadline(pol)
				if err != nil {
					t.Fatal(err)
				}
				findings := policy.Check(pol, st, policy.CheckOptions{Now: checkNow, RotationDeadline: deadline})
				if (dir == "valid") != (len(findings) == 0) {
					t.Errorf("%d findings in a %s case", len(findings), dir)
				}
				for _, f := range findings {
					seen[f.Rule] = true
				}
				var got bytes.Buffer
				if err := policy.WriteReport(&got, findings, len(st.Files)); err != nil {
					t.Fatal(err)
				}
				if *update {
					for i, f := range ar.Files {
						if f.Name == "want.txt" {
							ar.Files[i].Data = got.Bytes()
						}
					}
					if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				if diff := cmp.Diff(string(sections["want.txt"]), got.String()); diff != "" {
					t.Errorf("report (-want +got):\n%s", diff)
				}
			})
		}
	}
	// Every rule carries at least one failing example.
	for _, r := range policy.Rules {
		if !seen[r.Name] {
			t.Errorf("rule %s has no case under testdata/invalid", r.Name)
		}
	}
}

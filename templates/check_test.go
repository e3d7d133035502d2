package templates

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// fakeVault holds values and metadata and answers like the real vault: Match tests a value
// without returning it.
type fakeVault struct {
	values  map[string][]byte
	desc    map[string]string
	rot     map[string]string
	expired map[string]bool
	locked  bool // no identity: values cannot be read
}

func newFakeVault() *fakeVault {
	return &fakeVault{values: map[string][]byte{}, desc: map[string]string{}, rot: map[string]string{}, expired: map[string]bool{}}
}

func (v *fakeVault) inventory() Inventory {
	inv := Inventory{}
	for name := range v.values {
		st := State{Exists: true, Expired: v.expired[name], Description: v.desc[name], Rotation: v.rot[name]}
		if v.locked {
			st.Match = func(*regexp.Regexp) (bool, error) { return false, errors.New("no identity") }
		} else {
			val := v.values[name]
			st.Match = func(re *regexp.Regexp) (bool, error) { return re.Match(val), nil }
		}
		inv[name] = st
	}
	return inv
}

func (v *fakeVault) apply(t *testing.T, acts []Action) {
	t.Helper()
	for _, a := range acts {
		switch a.Kind {
		case SetDescription:
			v.desc[a.Secret] = a.Description
		case SetRotation:
			v.rot[a.Secret] = a.Rotation.String()
		case GenerateValue:
			val, err := a.Value()
			if err != nil {
				t.Fatal(err)
			}
			v.values[a.Secret] = val
			v.desc[a.Secret] = a.Description
			v.rot[a.Secret] = a.Rotation.String()
		}
	}
}

func codes(r Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Secret+":"+f.Severity.String()+":"+f.Code)
	}
	return out
}

const appTemplate = `secrets:
  - name: openai-api-key
    description: OpenAI API Key
    required: true
    rotation: 90d
    pattern: 'sk-[a-z0-9]{8,}'
  - name: database-url
    description: Database Connection String
    required: true
    rotation: never
  - name: stripe-secret-key
    description: Stripe Secret Key
    required: false
    rotation: 180d
  - name: session-key
    description: Session signing key
    required: true
    rotation: 30d
    pattern: '[0-9a-f]{64}'
    generate: {bytes: 32, encoding: hex}
  - name: webhook-token
    required: false
    generate: {length: 24}
`

func mustParse(t *testing.T, src string) *Template {
	t.Helper()
	tpl, err := Parse(strings.NewReader(src), "app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestApplyTwiceIsIdempotent(t *testing.T) {
	tpl := mustParse(t, appTemplate)
	v := newFakeVault()
	v.values["openai-api-key"] = []byte("sk-abcdefgh12")
	v.desc["openai-api-key"] = "old description"
	v.rot["database-url"] = "never"
	v.values["database-url"] = []byte("postgresql://x")
	v.desc["database-url"] = "Database Connection String"

	acts, rep := Plan(tpl, v.inventory())
	var got []string
	for _, a := range acts {
		got = append(got, a.String())
	}
	want := []string{
		`set description of openai-api-key to "OpenAI API Key"`,
		"set rotation of openai-api-key to 90d",
		"generate session-key (32 random bytes, hex)",
		"generate webhook-token (24 alphanumeric characters)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("first plan (-want +got):\n%s", diff)
	}
	wantCodes := []string{
		"stripe-secret-key:info:missing-optional",
		"session-key:info:will-generate",
		"webhook-token:info:will-generate",
	}
	if diff := cmp.Diff(wantCodes, codes(rep)); diff != "" || rep.Failed() {
		t.Fatalf("first report (-want +got):\n%s", diff)
	}
	v.apply(t, acts)
	session := string(v.values["session-key"])

	acts, rep = Plan(tpl, v.inventory())
	if len(acts) != 0 {
		t.Fatalf("second apply would change %v", acts)
	}
	if diff := cmp.Diff([]string{"stripe-secret-key:info:missing-optional"}, codes(rep)); diff != "" {
		t.Fatal(diff)
	}
	if string(v.values["session-key"]) != session {
		t.Fatal("second apply regenerated a value")
	}
	if r := Check(tpl, v.inventory()); r.Failed() || r.Err("my-agent") != nil {
		t.Fatalf("check after apply: %v", codes(r))
	}
}

func TestCheckFindings(t *testing.T) {
	tpl := mustParse(t, appTemplate)
	v := newFakeVault()
	v.values["openai-api-key"] = []byte("not-a-key-s3cr3t")
	v.values["database-url"] = []byte("postgresql://x")
	v.expired["database-url"] = true
	v.desc["database-url"] = "stale"
	v.rot["database-url"] = "30d"
	rep := Check(tpl, v.inventory())
	want := []string{
		"openai-api-key:error:pattern-mismatch",
		"openai-api-key:info:description-differs",
		"openai-api-key:info:rotation-differs",
		"database-url:error:expired",
		"database-url:info:description-differs",
		"database-url:info:rotation-differs",
		"stripe-secret-key:info:missing-optional",
		"session-key:error:missing-required",
		"webhook-token:info:missing-optional",
	}
	if diff := cmp.Diff(want, codes(rep)); diff != "" {
		t.Fatal(diff)
	}
	err := rep.Err("my-agent")
	if !errs.Is(err, errs.Findings) || err.Error() != "3 secrets of my-agent do not meet template app.yaml" {
		t.Fatalf("err = %v", err)
	}
	if errs.HintOf(err) != "swiftclaw secrets apply my-agent --template app.yaml --interactive" {
		t.Fatalf("hint = %q", errs.HintOf(err))
	}
	var b bytes.Buffer
	if err := WriteReport(&b, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "s3cr3t") || !strings.Contains(b.String(), "error     openai-api-key     value does not match the pattern sk-[a-z0-9]{8,}") {
		t.Fatalf("report:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "required secret is missing; secrets apply can generate it") {
		t.Fatalf("report:\n%s", b.String())
	}

	// Without an identity the pattern cannot be verified: the gate fails rather than passes.
	v.locked = true
	v.expired = map[string]bool{}
	rep = Check(tpl, v.inventory())
	if codes(rep)[0] != "openai-api-key:error:pattern-unverified" {
		t.Fatalf("locked: %v", codes(rep))
	}
	inv := v.inventory()
	st := inv["openai-api-key"]
	st.Match = nil
	inv["openai-api-key"] = st
	if codes(Check(tpl, inv))[0] != "openai-api-key:error:pattern-unverified" {
		t.Fatal("nil Match not reported")
	}
}

func TestMissingAndCheckValue(t *testing.T) {
	tpl := mustParse(t, appTemplate)
	var names []string
	for _, s := range Missing(tpl, Inventory{"database-url": {Exists: true}}) {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{"openai-api-key", "stripe-secret-key"}, names); diff != "" {
		t.Fatal(diff)
	}
	s := tpl.Secrets[0]
	if s.CheckValue([]byte("sk-abcdefgh")) != nil {
		t.Fatal("valid value refused")
	}
	// Anchored: a matching substring is not enough.
	err := s.CheckValue([]byte("xx sk-abcdefgh s3cr3t"))
	if !errs.Is(err, errs.Input) || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v", err)
	}
}

func TestGeneratorContradictingPatternFailsAtApply(t *testing.T) {
	tpl := mustParse(t, "secrets:\n  - name: k\n    pattern: '[0-9]+'\n    generate: {length: 8, charset: lower}\n")
	acts, _ := Plan(tpl, Inventory{})
	if len(acts) != 1 {
		t.Fatalf("acts = %v", acts)
	}
	if _, err := acts[0].Value(); !errs.Is(err, errs.Input) || errs.HintOf(err) == "" {
		t.Fatalf("err = %v", err)
	}
	if _, err := (Action{Kind: SetRotation}).Value(); err == nil {
		t.Fatal("value of a non-generate action")
	}
}

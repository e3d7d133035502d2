package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// memVault is an in-memory Resolver: the vault's contract as deploy sees it.
type memVault struct {
	noIdentity bool
	values     map[Ref]string
	expired    map[Ref]bool
	unreadable map[Ref]bool // not encrypted to the deploy key
	readFails  map[Ref]bool // metadata fine, decryption fails (tampered)
	reads      []Ref
}

func (m *memVault) Identity() error {
	if m.noIdentity {
		return errs.New(errs.Decrypt, "no identity found").WithHint("set SWIFTCLAW_AGE_KEY to the deploy key")
	}
	return nil
}

func (m *memVault) Check(r Ref) error {
	if _, ok := m.values[r]; !ok {
		return errs.New(errs.NotFound, "%s does not exist", r)
	}
	if m.expired[r] {
		return errs.New(errs.Expired, "%s expired", r).WithHint("swiftclaw secrets rotate my-agent %s", r.Name)
	}
	if m.unreadable[r] {
		return errs.New(errs.Permission, "%s is not encrypted to the deploy key", r)
	}
	return nil
}

func (m *memVault) Read(r Ref) ([]byte, error) {
	m.reads = append(m.reads, r)
	if m.readFails[r] {
		return nil, errs.New(errs.Tampered, "%s failed its integrity check", r)
	}
	return []byte(m.values[r]), nil
}

func sec(name string) Ref { return Ref{Kind: RefSecret, Name: name} }
func env(name string) Ref { return Ref{Kind: RefEnv, Name: name} }

func fiveSecrets() *memVault {
	return &memVault{values: map[Ref]string{
		sec("api-key"): "sk-1", sec("db-url"): "pg://x", sec("stripe"): "sk_test_1",
		sec("token"): "t0k3n", sec("cert"): "CERT", env("DEBUG"): "1", env("OPENAI_API_KEY"): "from-env",
	}}
}

var fiveFlags = []string{
	"OPENAI_API_KEY=secret:api-key", "DATABASE_URL=secret:db-url", "STRIPE_SECRET_KEY=secret:stripe",
	"TOKEN=secret:token", "CERT=secret:cert",
}

func TestResolveMergesLayers(t *testing.T) {
	v := fiveSecrets()
	vars, err := Resolve(Request{
		Flags:  fiveFlags[:2],
		Deploy: []string{"DATABASE_URL=secret:stripe", "TOKEN=secret:token"},
		Env:    []string{"DEBUG", "OPENAI_API_KEY"},
	}, v)
	if err != nil {
		t.Fatal(err)
	}
	want := []Var{
		{Name: "DATABASE_URL", Value: []byte("pg://x"), Source: "secret:db-url"}, // flag beats agent.yaml
		{Name: "DEBUG", Value: []byte("1"), Source: "env:DEBUG"},
		{Name: "OPENAI_API_KEY", Value: []byte("sk-1"), Source: "secret:api-key"}, // flag beats env
		{Name: "TOKEN", Value: []byte("t0k3n"), Source: "secret:token"},
	}
	if diff := cmp.Diff(want, vars); diff != "" {
		t.Fatal(diff)
	}
}

// One expired secret among five: the deploy fails before any value is read or written.
func TestOneExpiredOfFiveFailsBeforeWriting(t *testing.T) {
	v := fiveSecrets()
	v.expired = map[Ref]bool{sec("stripe"): true}
	out := filepath.Join(t.TempDir(), "app.env")
	err := deployToFile(Request{Flags: fiveFlags}, v, out)
	if !errs.Is(err, errs.Expired) {
		t.Fatalf("err = %v, want expired", err)
	}
	if !strings.Contains(err.Error(), "STRIPE_SECRET_KEY <- secret:stripe: secret:stripe expired") {
		t.Fatalf("err = %v", err)
	}
	if errs.HintOf(err) != "swiftclaw secrets rotate my-agent stripe" {
		t.Fatalf("hint = %q", errs.HintOf(err))
	}
	if len(v.reads) != 0 {
		t.Fatalf("decrypted %v before failing", v.reads)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Fatal("file written")
	}
}

// deployToFile is what the CLI does: resolve, then write.
func deployToFile(req Request, r Resolver, out string) error {
	vars, err := Resolve(req, r)
	if err != nil {
		return err
	}
	_, err = Write(vars, Options{Target: Dotenv, Out: out})
	return err
}

var kindName = map[errs.Kind]string{
	errs.Input: "input", errs.Conflict: "conflict", errs.Decrypt: "decrypt", errs.Permission: "permission",
	errs.NotFound: "not-found", errs.Expired: "expired",
}

func TestCheckListsEveryProblemAtOnce(t *testing.T) {
	v := fiveSecrets()
	v.noIdentity = true
	v.expired = map[Ref]bool{sec("stripe"): true}
	v.unreadable = map[Ref]bool{sec("cert"): true}
	flags := append([]string{"MISSING=secret:nope", "BROKEN", "X=env:DEBUG", "TOKEN=secret:api-key"}, fiveFlags...)
	_, err := Check(Request{Flags: flags}, v)
	ps, ok := err.(*errs.Error).Err.(Problems)
	if !ok {
		t.Fatalf("err = %#v", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Env+"|"+p.Source+"|"+kindName[errs.KindOf(p.Err)])
	}
	want := []string{
		"|--secret|input",
		"|--secret X|input",
		"TOKEN||conflict",
		"||decrypt", // the identity, once
		"CERT|secret:cert|permission",
		"MISSING|secret:nope|not-found",
		"STRIPE_SECRET_KEY|secret:stripe|expired",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("problems (-want +got):\n%s\n%v", diff, err)
	}
	if errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("kind = %v, want the most serious (decrypt)", errs.KindOf(err))
	}
	if !strings.HasPrefix(err.Error(), "deploy stopped before writing anything: 7 problems\n  - ") {
		t.Fatalf("message = %q", err.Error())
	}
}

func TestResolveReportsEveryReadFailure(t *testing.T) {
	v := fiveSecrets()
	v.readFails = map[Ref]bool{sec("api-key"): true, sec("cert"): true}
	_, err := Resolve(Request{Flags: fiveFlags}, v)
	if !errs.Is(err, errs.Tampered) || strings.Count(err.Error(), "integrity") != 2 {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "sk-1") {
		t.Fatal("error contains a value")
	}
}

func TestDryRunShowsNamesAndDestinationsNeverValues(t *testing.T) {
	v := fiveSecrets()
	plan, err := Check(Request{Flags: fiveFlags[:2], Env: []string{"DEBUG"}}, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.reads) != 0 {
		t.Fatal("dry run decrypted")
	}
	var b bytes.Buffer
	opts := Options{Target: Kubernetes, Out: Stdout, Namespace: "prod", Name: "agent"}
	if err := WriteDryRun(&b, DryRun(plan, opts)); err != nil {
		t.Fatal(err)
	}
	want := `NAME            SOURCE          DESTINATION
DATABASE_URL    secret:db-url   Secret prod/agent data.DATABASE_URL in standard output
DEBUG           env:DEBUG       Secret prod/agent data.DEBUG in standard output
OPENAI_API_KEY  secret:api-key  Secret prod/agent data.OPENAI_API_KEY in standard output
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Fatal(diff)
	}
	for _, o := range []Options{
		{Target: Exec}, {Target: Dotenv, Out: "a.env"}, {Target: GitHubActions, GitHubEnv: "/gh/env"},
		{Target: DockerEnv, Out: "d.env"}, {Target: JSON, Out: "s.json"},
	} {
		for _, p := range DryRun(plan, o) {
			if p.Destination == "" || strings.Contains(p.Destination, "pg://") {
				t.Fatalf("%s: destination %q", o.Target, p.Destination)
			}
		}
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping("OPENAI_API_KEY=secret:api-key")
	if err != nil || m.Env != "OPENAI_API_KEY" || m.From != sec("api-key") {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"", "=secret:x", "A=secret:", "A=api-key", "A-B=secret:x", "A=gcp:x", "A=vault:"} {
		if _, err := ParseMapping(bad); !errs.Is(err, errs.Input) || errs.HintOf(err) == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestParseMappingExternal(t *testing.T) {
	for spec, want := range map[string]Ref{
		"A=vault:secret/data/my-agent#api_key":                                {Kind: "vault", Name: "secret/data/my-agent#api_key"},
		"A=aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:s#key": {Kind: "aws-sm", Name: "arn:aws:secretsmanager:us-east-1:123456789012:secret:s#key"},
		"A=azure-kv:api-key/0123456789abcdef0123456789abcdef":                 {Kind: "azure-kv", Name: "api-key/0123456789abcdef0123456789abcdef"},
	} {
		m, err := ParseMapping(spec)
		if err != nil || m.From != want {
			t.Errorf("%s: %+v %v", spec, m.From, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tg := range Targets() {
		if got, err := ParseTarget(string(tg)); err != nil || got != tg {
			t.Fatalf("%s: %v", tg, err)
		}
	}
	if _, err := ParseTarget("ftp"); errs.HintOf(err) == "" {
		t.Fatal("no hint listing the targets")
	}
}

package templates

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

func TestParseProductPageTemplate(t *testing.T) {
	tpl, err := Load("testdata/secrets-template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name, Description, Rotation string
		Required                    bool
		Line                        int
	}
	var got []row
	for _, s := range tpl.Secrets {
		got = append(got, row{s.Name, s.Description, s.Rotation.String(), s.Required, s.Line})
	}
	want := []row{
		{"openai-api-key", "OpenAI API Key", "90d", true, 3},
		{"database-url", "Database Connection String", "never", true, 7},
		{"stripe-secret-key", "Stripe Secret Key", "180d", false, 11},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestBuiltins(t *testing.T) {
	want := []string{"anthropic", "github-app", "openai", "postgres", "stripe"}
	if diff := cmp.Diff(want, Builtins()); diff != "" {
		t.Fatal(diff)
	}
	for _, name := range want {
		tpl, err := Load("builtin:" + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tpl.Source != "builtin:"+name || tpl.Description == "" || len(tpl.Secrets) == 0 {
			t.Fatalf("%s: %+v", name, tpl)
		}
		for _, s := range tpl.Secrets {
			if s.Env == "" || s.Description == "" || !s.Rotation.IsSet() || s.Pattern == nil {
				t.Errorf("%s/%s lacks env, description, rotation or pattern", name, s.Name)
			}
			if s.Generate != nil {
				v, err := Action{Kind: GenerateValue, Secret: s.Name, spec: s}.Value()
				if err != nil || !s.Pattern.Match(v) {
					t.Errorf("%s/%s generator and pattern disagree: %v", name, s.Name, err)
				}
			}
		}
	}
	_, err := Load("builtin:vault")
	if !errs.Is(err, errs.NotFound) || !strings.Contains(errs.HintOf(err), "builtin:openai") {
		t.Fatalf("unknown builtin: %v (hint %q)", err, errs.HintOf(err))
	}
	if _, err := Load("builtin:../template.go"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("path in builtin name: %v", err)
	}
	if _, err := Load("testdata/nope.yaml"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestBuiltinPatterns(t *testing.T) {
	cases := map[string]map[string]bool{
		"openai-api-key":         {"sk-proj-abcdefghijklmnopqrstuvwxyz": true, "sk-short": false, "xsk-abcdefghijklmnopqrstuvwxyz": false},
		"anthropic-api-key":      {"sk-ant-api03-abcdefghijklmnopqrstuvwxyz": true, "sk-abcdefghijklmnopqrstuvwxyz": false},
		"stripe-secret-key":      {"sk_test_abcdefghij12": true, "rk_live_abcdefghij12": true, "pk_test_abcdefghij12": false},
		"database-url":           {"postgresql://u:p@h:5432/db": true, "postgres://h/db": true, "mysql://h/db": false, "postgres://h/db x": false},
		"github-app-private-key": {"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n": true, "MIIE": false},
	}
	found := map[string]bool{}
	for _, name := range Builtins() {
		tpl, _ := Load("builtin:" + name)
		for _, s := range tpl.Secrets {
			for value, want := range cases[s.Name] {
				found[s.Name] = true
				if got := s.CheckValue([]byte(value)) == nil; got != want {
					t.Errorf("%s: %q matches = %v, want %v", s.Name, value, got, want)
				}
			}
		}
	}
	if len(found) != len(cases) {
		t.Fatalf("pattern cases for unknown secrets: %v", found)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := map[string]struct{ src, want string }{
		"unknown field":      {"secrets:\n  - name: a\n    rotaton: 90d\n", `t.yaml:3: unknown field "rotaton" in secret`},
		"bad duration":       {"secrets:\n  - name: a\n    rotation: 90\n", `t.yaml:3: rotation "90" is not a duration`},
		"bad unit":           {"secrets:\n  - name: a\n    rotation: 3m\n", `t.yaml:3: rotation "3m"`},
		"zero duration":      {"secrets:\n  - name: a\n    rotation: 0d\n", "t.yaml:3: rotation \"0d\" must be more than zero"},
		"huge duration":      {"secrets:\n  - name: a\n    rotation: 99999w\n", "at most ten years"},
		"bad pattern":        {"secrets:\n  - name: a\n    pattern: '(['\n", "t.yaml:3: pattern is not a valid regular expression"},
		"unknown top":        {"secret:\n  - name: a\n", `t.yaml:1: unknown field "secret" in template`},
		"no secrets":         {"description: x\n", "t.yaml:1: missing secrets: list"},
		"secrets not list":   {"secrets: {}\n", "t.yaml:1: secrets must be a list"},
		"entry not mapping":  {"secrets:\n  - a\n", "t.yaml:2: each entry of secrets must be a mapping"},
		"no name":            {"secrets:\n  - description: x\n", "t.yaml:2: secret has no name"},
		"bad name":           {"secrets:\n  - name: ../etc\n", `t.yaml:2: secret name "../etc"`},
		"duplicate":          {"secrets:\n  - name: a\n  - name: b\n  - name: a\n", `t.yaml:4: secret "a" is listed twice (first on line 2)`},
		"required string":    {"secrets:\n  - name: a\n    required: yes please\n", "t.yaml:3: required must be true or false"},
		"repeated field":     {"secrets:\n  - name: a\n    name: b\n", `t.yaml:3: field "name" repeated`},
		"bad env":            {"secrets:\n  - name: a\n    env: MY-VAR\n", `env "MY-VAR" of a`},
		"gen unknown field":  {"secrets:\n  - name: a\n    generate:\n      size: 3\n", `t.yaml:4: unknown field "size" in generate`},
		"gen both":           {"secrets:\n  - name: a\n    generate: {length: 3, bytes: 3}\n", "t.yaml:3: generate takes length"},
		"gen neither":        {"secrets:\n  - name: a\n    generate: {charset: hex}\n", "needs a positive length or bytes"},
		"gen bad charset":    {"secrets:\n  - name: a\n    generate: {length: 3, charset: emoji}\n", `unknown charset "emoji" (known: alpha, alphanumeric`},
		"gen bad encoding":   {"secrets:\n  - name: a\n    generate: {bytes: 3, encoding: rot13}\n", `unknown encoding "rot13"`},
		"gen negative":       {"secrets:\n  - name: a\n    generate: {length: -3}\n", "t.yaml:3: length must be a positive whole number"},
		"gen too long":       {"secrets:\n  - name: a\n    generate: {length: 5000}\n", "at most 4096"},
		"gen mixed":          {"secrets:\n  - name: a\n    generate: {bytes: 3, charset: hex}\n", "charset goes with length"},
		"gen not mapping":    {"secrets:\n  - name: a\n    generate: 32\n", "t.yaml:3: generate must be a mapping"},
		"empty":              {"", "t.yaml is empty"},
		"not yaml":           {"secrets: [\n", "not valid YAML"},
		"description object": {"secrets:\n  - name: a\n    description: {x: 1}\n", "t.yaml:3: description must be a string"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.src), "t.yaml")
			if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	for in, want := range map[string]Rotation{
		"never": {Never: true}, "90d": {Every: 90 * 24 * time.Hour}, "24h": {Every: 24 * time.Hour},
		"2w": {Every: 14 * 24 * time.Hour}, "36h": {Every: 36 * time.Hour},
	} {
		got, err := ParseRotation(in)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for r, want := range map[Rotation]string{{Never: true}: "never", {}: "", {Every: 90 * 24 * time.Hour}: "90d", {Every: 14 * 24 * time.Hour}: "14d", {Every: 36 * time.Hour}: "36h"} {
		if r.String() != want {
			t.Errorf("%v -> %q, want %q", r, r.String(), want)
		}
	}
	for _, bad := range []string{"", "90", "d", "-1d", "1.5d", "90D", "1y", " 90d", "Never"} {
		if _, err := ParseRotation(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestGenerate(t *testing.T) {
	cases := []struct {
		g     Generate
		check func(string) bool
	}{
		{Generate{Length: 40, Charset: "alphanumeric"}, func(s string) bool { return len(s) == 40 && strings.Trim(s, charsets["alphanumeric"]) == "" }},
		{Generate{Length: 12, Charset: "digits"}, func(s string) bool { return len(s) == 12 && strings.Trim(s, "0123456789") == "" }},
		{Generate{Length: 64, Charset: "printable"}, func(s string) bool { return len(s) == 64 && strings.Trim(s, charsets["printable"]) == "" }},
		{Generate{Bytes: 32, Encoding: "hex"}, func(s string) bool { return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == "" }},
		{Generate{Bytes: 32, Encoding: "base64"}, func(s string) bool { return len(s) == 44 && strings.HasSuffix(s, "=") }},
		{Generate{Bytes: 32, Encoding: "base64url"}, func(s string) bool { return len(s) == 43 && strings.Trim(s, charsets["base64url"]) == "" }},
	}
	for _, c := range cases {
		if err := c.g.validate(); err != nil {
			t.Fatal(err)
		}
		a, _ := c.g.Value()
		b, _ := c.g.Value()
		if !c.check(string(a)) || !c.check(string(b)) || string(a) == string(b) {
			t.Errorf("%+v: bad or repeated values", c.g)
		}
	}
	// Every symbol of a small charset shows up: the draw covers the whole set.
	g := Generate{Length: 2000, Charset: "hex"}
	v, _ := g.Value()
	for _, c := range charsets["hex"] {
		if !strings.ContainsRune(string(v), c) {
			t.Fatalf("%q never drawn in 2000 characters", c)
		}
	}
}

package deploy

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/joho/godotenv"

	"github.com/swiftclaw/swiftclaw/dotenv"
	"github.com/swiftclaw/swiftclaw/internal/errs"
)

var awkwardVars = []Var{
	{Name: "OPENAI_API_KEY", Value: []byte("sk-abc123"), Source: "secret:api-key"},
	{Name: "DATABASE_URL", Value: []byte("postgresql://u:p@ss#w0rd$HOME@h/db?x=1"), Source: "secret:db-url"},
	{Name: "PEM", Value: []byte(testPEM), Source: "secret:deploy-key"},
	{Name: "QUOTES", Value: []byte(` it's "quoted" \ and = spaced `), Source: "env:QUOTES"},
	{Name: "EMPTY", Value: []byte{}, Source: "env:EMPTY"},
}

func wantMap(vars []Var) map[string]string {
	m := map[string]string{}
	for _, v := range vars {
		m[v.Name] = string(v.Value)
	}
	return m
}

func assertPrivateFile(t *testing.T, path string) []byte {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s mode = %v, want 0600", path, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDotenvTargetReadsBackEverywhere(t *testing.T) {
	out := filepath.Join(t.TempDir(), ".env.deploy")
	if err := os.WriteFile(out, []byte("OLD=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Write(awkwardVars, Options{Target: Dotenv, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"DATABASE_URL", "EMPTY", "OPENAI_API_KEY", "PEM", "QUOTES"}, res.Names); diff != "" {
		t.Fatal(diff)
	}
	data := assertPrivateFile(t, out)
	ours, err := dotenv.Parse(bytes.NewReader(data), out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range ours {
		got[e.Key] = string(e.Value)
	}
	if diff := cmp.Diff(wantMap(awkwardVars), got); diff != "" {
		t.Fatalf("dotenv.Parse (-want +got):\n%s", diff)
	}
	theirs, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMap(awkwardVars), theirs); diff != "" {
		t.Fatalf("godotenv (-want +got):\n%s", diff)
	}
}

func TestFailedWriteLeavesOldFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "app.env")
	if err := os.WriteFile(out, []byte("OLD=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := append([]Var{}, awkwardVars...)
	vars = append(vars, Var{Name: "BAD", Value: []byte("it's a trailing backslash \\"), Source: "secret:bad"})
	_, err := Write(vars, Options{Target: Dotenv, Out: out})
	if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), "BAD (from secret:bad)") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "trailing") {
		t.Fatalf("error repeats the value: %v", err)
	}
	if data, _ := os.ReadFile(out); string(data) != "OLD=1\n" {
		t.Fatalf("file changed: %q", data)
	}
}

// parseDockerEnvFile reads an env file as `docker run --env-file` does (docker/cli
// pkg/kvfile): UTF-8 lines, leading whitespace and comment lines dropped, split at the first
// '=', a value wrapped in matching quotes unwrapped, everything else literal.
func parseDockerEnvFile(t *testing.T, data []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimLeftFunc(sc.Text(), unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(k, " \t") {
			t.Fatalf("docker would reject %q", line)
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDockerEnvTarget(t *testing.T) {
	vars := []Var{
		{Name: "A", Value: []byte(" spaced value # not a comment ")},
		{Name: "B", Value: []byte(`it's "x`)},
		{Name: "C", Value: []byte("x=y=z")},
		{Name: "D", Value: []byte{}},
	}
	out := filepath.Join(t.TempDir(), "docker.env")
	if _, err := Write(vars, Options{Target: DockerEnv, Out: out}); err != nil {
		t.Fatal(err)
	}
	got := parseDockerEnvFile(t, assertPrivateFile(t, out))
	if diff := cmp.Diff(wantMap(vars), got); diff != "" {
		t.Fatalf("docker view (-want +got):\n%s", diff)
	}
}

func TestDockerEnvRefusesWhatItCannotCarry(t *testing.T) {
	cases := map[string]struct {
		value []byte
		want  string
	}{
		"newline":    {[]byte(testPEM), "PEM (from secret:deploy-key) spans several lines"},
		"cr":         {[]byte("a\rb"), "spans several lines"},
		"quoted":     {[]byte(`"quoted"`), "starts and ends with the same quote"},
		"not utf8":   {[]byte{0xff}, "not valid UTF-8"},
		"nul":        {[]byte("a\x00"), "NUL"},
		"too long":   {bytes.Repeat([]byte("x"), bufio.MaxScanTokenSize), "line limit"},
		"single quo": {[]byte(`'q'`), "same quote"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "docker.env")
			_, err := Write([]Var{{Name: "PEM", Value: c.value, Source: "secret:deploy-key"}}, Options{Target: DockerEnv, Out: out})
			if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if len(c.value) > 3 && strings.Contains(err.Error(), string(c.value[1:len(c.value)-1])) {
				t.Fatalf("error repeats the value: %v", err)
			}
			if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
				t.Fatal("file written despite the error")
			}
		})
	}
}

func TestJSONTarget(t *testing.T) {
	var stdout bytes.Buffer
	if _, err := Write(awkwardVars, Options{Target: JSON, Out: Stdout, Stdout: &stdout}); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMap(awkwardVars), got); diff != "" {
		t.Fatal(diff)
	}

	bin := []Var{{Name: "CERT", Value: []byte{0x30, 0x82, 0xff, 0x00}, Source: "secret:cert"}, {Name: "T", Value: []byte("text")}}
	out := filepath.Join(t.TempDir(), "s.json")
	_, err := Write(bin, Options{Target: JSON, Out: out})
	if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), "CERT (from secret:cert) is not valid UTF-8") || errs.HintOf(err) == "" {
		t.Fatalf("err = %v", err)
	}
	if _, err := Write(bin, Options{Target: JSON, Out: out, Encoding: EncodingBase64}); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(assertPrivateFile(t, out), &got); err != nil {
		t.Fatal(err)
	}
	for _, v := range bin {
		dec, err := base64.StdEncoding.DecodeString(got[v.Name])
		if err != nil || !bytes.Equal(dec, v.Value) {
			t.Fatalf("%s: %q %v", v.Name, got[v.Name], err)
		}
	}
	if _, err := Write(bin, Options{Target: JSON, Out: out, Encoding: "hex"}); !errs.Is(err, errs.Input) {
		t.Fatalf("unknown encoding: %v", err)
	}
}

func TestWriteValidatesOptionsAndNames(t *testing.T) {
	cases := map[string]struct {
		vars []Var
		opts Options
		want string
	}{
		"no out":       {nil, Options{Target: Dotenv}, "needs --out"},
		"bad target":   {nil, Options{Target: "ftp"}, `unknown deploy target "ftp"`},
		"no k8s name":  {nil, Options{Target: Kubernetes, Out: "x"}, "needs --name"},
		"bad k8s name": {nil, Options{Target: Kubernetes, Out: "x", Name: "My_Secret"}, "not a valid Kubernetes Secret name"},
		"bad ns":       {nil, Options{Target: Kubernetes, Out: "x", Name: "s", Namespace: "a.b"}, "not a valid Kubernetes namespace"},
		"bad name":     {[]Var{{Name: "A-B"}}, Options{Target: JSON, Out: "x"}, `"A-B" is not a valid`},
		"dup name":     {[]Var{{Name: "A"}, {Name: "A"}}, Options{Target: JSON, Out: "x"}, "A is set twice"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Write(c.vars, c.opts)
			if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

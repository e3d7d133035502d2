package sopsfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// The fixtures in testdata were encrypted, and their *.dec.* files decrypted, by the real
// sops binary; see testdata/README.md.

func testIdentities(t testing.TB) []age.Identity {
	t.Helper()
	f, err := os.Open("testdata/test-age-key.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func decryptFile(t *testing.T, path string, ids []age.Identity) ([]Entry, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decryptBytes(t, path, data, ids)
}

func decryptBytes(t *testing.T, path string, data []byte, ids []age.Identity) ([]Entry, error) {
	t.Helper()
	format, err := FormatFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	return Decrypt(bytes.NewReader(data), path, format, ids)
}

func asMap(entries []Entry) map[string]string {
	m := map[string]string{}
	for _, e := range entries {
		m[strings.Join(e.Path, ".")] = string(e.Value)
	}
	return m
}

// flattenJSON flattens sops' own JSON decryption into path -> value, nulls left out.
func flattenJSON(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		join := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(join(k), c)
			}
		case []any:
			for i, c := range v {
				walk(join(fmt.Sprint(i)), c)
			}
		case nil:
		default:
			out[prefix] = fmt.Sprint(v)
		}
	}
	walk("", v)
	return out
}

func TestDecryptMatchesRealSops(t *testing.T) {
	ids := testIdentities(t)
	for enc, dec := range map[string]string{
		"secrets.enc.yaml": "secrets.yaml.dec.json",
		"secrets.enc.json": "secrets.json.dec.json",
		"regex.enc.yaml":   "regex.yaml.dec.json",
	} {
		t.Run(enc, func(t *testing.T) {
			got, err := decryptFile(t, filepath.Join("testdata", enc), ids)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(flattenJSON(t, filepath.Join("testdata", dec)), asMap(got)); diff != "" {
				t.Fatalf("differs from sops decrypt (-sops +ours):\n%s", diff)
			}
		})
	}
}

func TestDecryptYAMLDetails(t *testing.T) {
	got, err := decryptFile(t, "testdata/secrets.enc.yaml", testIdentities(t))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range got {
		order = append(order, strings.Join(e.Path, ".")+":"+e.Type+fmt.Sprintf(":%v", e.Encrypted))
	}
	want := []string{
		"database.password:str:true", "database.port:int:true", "database.ratio:float:true",
		"database.enabled:bool:true", "api_key:str:true", "empty:str:true", "pem:str:true",
		"hosts.0:str:true", "hosts.1:str:true", "public_unencrypted:str:false",
	}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Fatal(diff)
	}
}

func TestDecryptDotenvMatchesRealSops(t *testing.T) {
	got, err := decryptFile(t, "testdata/secrets.enc.env", testIdentities(t))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/secrets.env.dec.env")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var wantOrder []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		want[k] = strings.ReplaceAll(v, `\n`, "\n")
		wantOrder = append(wantOrder, k)
	}
	if diff := cmp.Diff(want, asMap(got)); diff != "" {
		t.Fatalf("(-sops +ours):\n%s", diff)
	}
	if want["MULTI"] != "a\nb" || len(got) != len(wantOrder) || strings.Join(got[0].Path, "") != wantOrder[0] {
		t.Fatalf("order or multi-line value wrong: %+v", got)
	}
}

func TestDecryptRefusesTampering(t *testing.T) {
	ids := testIdentities(t)
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	yamlSrc := read("secrets.enc.yaml")
	lineOf := func(src, prefix string) string {
		for _, l := range strings.Split(src, "\n") {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no line %q", prefix)
		return ""
	}
	apiLine := lineOf(yamlSrc, "api_key: ")
	cases := map[string]struct {
		file, src string
	}{
		// An encrypted value moved to another key fails its additional data.
		"value moved": {"x.yaml", strings.Replace(yamlSrc, "    password: ENC", "    password: "+strings.TrimPrefix(apiLine, "api_key: ")+" #", 1)},
		// A plaintext value edited is caught by the MAC.
		"plaintext edited": {"x.yaml", strings.Replace(yamlSrc, "public_unencrypted: visible", "public_unencrypted: changed", 1)},
		// A value deleted is caught by the MAC.
		"value removed": {"x.yaml", strings.Replace(yamlSrc, apiLine+"\n", "", 1)},
		// The MAC is bound to lastmodified.
		"lastmodified edited": {"x.yaml", strings.Replace(yamlSrc, `lastmodified: "20`, `lastmodified: "19`, 1)},
		// In dotenv too.
		"dotenv plaintext added": {"x.env", read("secrets.enc.env") + "EXTRA=1\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.src == yamlSrc {
				t.Fatal("fixture edit did not apply")
			}
			_, err := decryptBytes(t, c.file, []byte(c.src), ids)
			if !errs.Is(err, errs.Tampered) {
				t.Fatalf("err = %v, want tampered", err)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "sk-abc") {
				t.Fatalf("error leaks a value: %v", err)
			}
		})
	}
}

// With mac_only_encrypted, sops deliberately leaves plaintext values out of the MAC; an edit
// to one is accepted, as sops accepts it.
func TestMACOnlyEncryptedIgnoresPlaintextEdits(t *testing.T) {
	data, err := os.ReadFile("testdata/regex.enc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "port: 5432", "port: 6543", 1)
	got, err := decryptBytes(t, "r.yaml", []byte(edited), testIdentities(t))
	if err != nil {
		t.Fatal(err)
	}
	if asMap(got)["database.port"] != "6543" || asMap(got)["database.password"] != "s3cr3t-p@ss" {
		t.Fatalf("got %v", asMap(got))
	}
	// An encrypted value still cannot be touched.
	edited = strings.Replace(string(data), "api_key: ENC[AES256_GCM,data:", "api_key: ENC[AES256_GCM,data:AAAA", 1)
	if _, err := decryptBytes(t, "r.yaml", []byte(edited), testIdentities(t)); !errs.Is(err, errs.Tampered) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecryptWrongIdentityNamesRecipients(t *testing.T) {
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	_, err = decryptFile(t, "testdata/secrets.enc.json", []age.Identity{other})
	if !errs.Is(err, errs.Decrypt) || !strings.Contains(err.Error(), "age1pny9cnxp5c8p8n6pekvgx3n7hrh63r5kxz8vz2ca9uhs4pzflq0sp9p9yn") {
		t.Fatalf("err = %v", err)
	}
	if errs.HintOf(err) == "" {
		t.Fatal("no hint")
	}
	if _, err := decryptFile(t, "testdata/secrets.enc.json", nil); !errs.Is(err, errs.Decrypt) {
		t.Fatalf("no identities: %v", err)
	}
}

func TestDecryptRefusesUnsupportedAndPlainFiles(t *testing.T) {
	ids := testIdentities(t)
	cases := map[string]struct{ file, src, want string }{
		"plain yaml":   {"p.yaml", "a: 1\n", "not encrypted by sops"},
		"plain env":    {"p.env", "A=1\n", "not encrypted by sops"},
		"plain json":   {"p.json", `{"a":1}`, "not encrypted by sops"},
		"json array":   {"p.json", `[1]`, "is an object"},
		"pgp only":     {"p.yaml", "a: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\nsops:\n  pgp:\n  - fp: X\n  lastmodified: \"2024-01-01T00:00:00Z\"\n  mac: x\n", "no age recipients"},
		"comment rule": {"p.yaml", "a: b\nsops:\n  encrypted_comment_regex: x\n  age: []\n", "comment-based"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := decryptBytes(t, c.file, []byte(c.src), ids)
			if !errs.Is(err, errs.Input) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want input error with %q", err, c.want)
			}
		})
	}
}

func TestFormatFromPath(t *testing.T) {
	for path, want := range map[string]Format{"a.yaml": YAML, "b.yml": YAML, "c.json": JSON, "d.enc.env": Dotenv, ".env": Dotenv} {
		if got, err := FormatFromPath(path); err != nil || got != want {
			t.Errorf("%s: %v %v", path, got, err)
		}
	}
	if _, err := FormatFromPath("secrets.ini"); !errs.Is(err, errs.Input) {
		t.Fatal(err)
	}
}

func FuzzDecrypt(f *testing.F) {
	for _, name := range []string{"secrets.enc.yaml", "secrets.enc.json", "secrets.enc.env", "regex.enc.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, string(mustFormat(f, name)))
	}
	ids := testIdentities(f)
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		fm, err := ParseFormat(format)
		if err != nil {
			return
		}
		entries, err := Decrypt(bytes.NewReader(data), "fuzz", fm, ids)
		if err != nil && entries != nil {
			t.Fatal("entries returned with an error")
		}
	})
}

func mustFormat(f *testing.F, name string) Format {
	fm, err := FormatFromPath(name)
	if err != nil {
		f.Fatal(err)
	}
	return fm
}

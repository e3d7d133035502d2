package vault

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

var generateVectors = flag.Bool("generate-vectors", false, "rewrite testdata/vectors and the fuzz seed corpora")

// Each vector is a txtar archive with the identity to decrypt with, a secret file, and
// the expected outcome: "value <quoted>" or "error <kind>".
func TestVectors(t *testing.T) {
	if *generateVectors {
		writeVectors(t)
	}
	paths, _ := filepath.Glob("testdata/vectors/*.txtar")
	if len(paths) < 6 {
		t.Fatalf("only %d vectors in testdata/vectors; run go test -run TestVectors -generate-vectors", len(paths))
	}
	kinds := map[string]errs.Kind{"input": errs.Input, "tampered": errs.Tampered, "decrypt": errs.Decrypt}
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range a.Files {
			files[f.Name] = f.Data
		}
		t.Run(filepath.Base(p), func(t *testing.T) {
			got := vectorOutcome(t, files["identity"], files["secret.yaml"])
			want := strings.TrimSpace(string(files["expect"]))
			if strings.HasPrefix(want, "error ") {
				if _, ok := kinds[strings.TrimPrefix(want, "error ")]; !ok {
					t.Fatalf("unknown expected kind %q", want)
				}
			}
			if got != want {
				t.Fatalf("outcome = %q, want %q", got, want)
			}
		})
	}
}

func vectorOutcome(t *testing.T, identity, secret []byte) string {
	ids, err := ParseIdentities(identity, "vector")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseSecretFile(secret, "secret.yaml")
	if err == nil {
		var value []byte
		var sealed Binding
		sealed, value, err = open(f.Value, &Identities{List: ids}, "vector", "")
		if err == nil {
			if d := f.binding().diff(sealed); d != "" {
				err = errs.New(errs.Tampered, "%s", d)
			} else {
				return fmt.Sprintf("value %q", value)
			}
		}
	}
	names := map[errs.Kind]string{errs.Input: "input", errs.Tampered: "tampered", errs.Decrypt: "decrypt"}
	return "error " + names[errs.KindOf(err)]
}

// writeVectors regenerates the vectors (encryption is randomized, so they are made once
// and checked in) and seeds the fuzz corpora from them.
func writeVectors(t *testing.T) {
	f := newProject(t)
	exp := 24 * time.Hour
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("sk-vector-value"), SetOptions{TTL: exp}); err != nil {
		t.Fatal(err)
	}
	good := f.read(t, ".swiftclaw/agents/my-agent/secrets/api-key.yaml")
	id, _ := os.ReadFile(f.idFile)
	other, _ := os.ReadFile(mustKey(t))
	vectors := map[string][3]string{
		"valid":               {string(id), good, `value "sk-vector-value"`},
		"unknown-recipient":   {string(other), good, "error decrypt"},
		"truncated":           {string(id), good[:len(good)-60], "error input"},
		"tampered-expiry":     {string(id), regexpReplace(good, `expires: .*`, "expires: 2099-01-01T00:00:00Z"), "error tampered"},
		"tampered-name":       {string(id), strings.Replace(good, "name: api-key", "name: other", 1), "error tampered"},
		"tampered-recipients": {string(id), strings.Replace(good, "recipients:\n", "recipients:\n  - "+testKeyPub+"\n", 1), "error tampered"},
		"plaintext-value":     {string(id), regexpReplace(good, `(?s)value: \|.*`, "value: plaintext\n"), "error input"},
		"corrupt-ciphertext":  {string(id), strings.Replace(good, "-----BEGIN AGE ENCRYPTED FILE-----\n  ", "-----BEGIN AGE ENCRYPTED FILE-----\n  AAAA", 1), "error tampered"},
		"future-version":      {string(id), strings.Replace(good, "version: 1", "version: 9", 1), "error input"},
	}
	if err := os.MkdirAll("testdata/vectors", 0o755); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(vectors))
	for n := range vectors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := vectors[n]
		a := &txtar.Archive{
			Comment: []byte("swiftclaw secret-file test vector: " + n + " (keys are test keys)\n"),
			Files:   []txtar.File{{Name: "identity", Data: []byte(v[0])}, {Name: "secret.yaml", Data: []byte(v[1])}, {Name: "expect", Data: []byte(v[2] + "\n")}},
		}
		if err := os.WriteFile(filepath.Join("testdata/vectors", n+".txtar"), txtar.Format(a), 0o644); err != nil {
			t.Fatal(err)
		}
		writeSeed(t, "FuzzParseSecretFile", n, v[1])
	}
	writeSeed(t, "FuzzParseIdentities", "age", string(id))
	writeSeed(t, "FuzzParseIdentities", "crlf", testKey+"\r\n")
	writeSeed(t, "FuzzParseIdentities", "comment-only", "# nothing\n")
	writeSeed(t, "FuzzParseIdentities", "plugin", "AGE-PLUGIN-YUBIKEY-1QQQQQQ\n")
	writeSeed(t, "FuzzParseIdentities", "pq", "AGE-SECRET-KEY-PQ-1QQQ\n")
}

func mustKey(t *testing.T) string {
	p, _ := newKey(t, t.TempDir(), "other")
	return p
}

func writeSeed(t *testing.T, target, name, data string) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

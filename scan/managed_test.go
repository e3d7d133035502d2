package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/fsutil"
)

// dbPassword is short and matched by no gitleaks rule.
const dbPassword = "pg-Pa55w0rd!"

func TestManagedPlaintextCaughtByName(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	r.write("config.json", "{\n  \"db\": {\n    \"password\": \""+dbPassword+"\"\n  }\n}\n")
	r.git("add", "-A")

	plain := r.scan(Target{Mode: ModeStaged})
	if len(plain.Findings) != 0 {
		t.Fatalf("gitleaks rules alone found %v; the test value must need managed matching", briefs(plain))
	}
	managed := []Managed{{Name: "my-agent/db-password", Value: []byte(dbPassword + "\n")}, {Name: "my-agent/other", Value: []byte("never-appears-1")}}
	res := r.scan(Target{Mode: ModeStaged}, func(o *Options) { o.Managed = managed })
	want := []brief{{"config.json", ManagedRuleID, 3, "my-agent/db-password"}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	f := res.Findings[0]
	if f.Redacted != "pg-*****" || f.Column != 18 || !strings.Contains(f.Description, "my-agent/db-password") {
		t.Errorf("finding = %+v", f)
	}
}

func TestManagedFingerprintsCaughtWithoutPlaintext(t *testing.T) {
	r := newRepo(t)
	key, err := NewFingerprintKey()
	if err != nil {
		t.Fatal(err)
	}
	fp, err := NewFingerprints(key)
	if err != nil {
		t.Fatal(err)
	}
	dbURL := "postgres://app:" + dbPassword + "@db.internal:5432/app?sslmode=require"
	passphrase := "correct horse battery staple"
	// A key file (armor split so this file trips no scanner).
	cert := "-----BEGIN PRIVATE " + "KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu\n-----END PRIVATE " + "KEY-----\n"
	for name, v := range map[string]string{
		"my-agent/db-password": dbPassword, "my-agent/env/DATABASE_URL": dbURL,
		"my-agent/passphrase": passphrase, "my-agent/tls-key": cert, "my-agent/deploy-id": "Zx81Qw93Lm27Kp45",
	} {
		if n := fp.Put(name, []byte(v)); n == 0 {
			t.Fatalf("Put(%s) stored nothing", name)
		}
	}
	if n := fp.Put("my-agent/port", []byte("8080")); n != 0 {
		t.Fatalf("Put of a 4-byte value stored %d fingerprints", n)
	}
	data, err := fp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{dbPassword, passphrase, "VJTUt9Us8cKjMzEfYyjiWA4R4"} {
		if strings.Contains(string(data), v) {
			t.Fatal("fingerprint file contains a plaintext value")
		}
	}
	if err := os.MkdirAll(filepath.Dir(FingerprintPath(r.dir, "my-agent")), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fsutil.WriteFile(FingerprintPath(r.dir, "my-agent"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r.write("README.md", "hello\n")
	r.commitAll("init with fingerprints")

	shapes := map[string]string{}
	for _, e := range fp.Entries {
		shapes[e.Name] = e.Shape
	}
	wantShapes := map[string]string{"my-agent/deploy-id": ShapeToken, "my-agent/db-password": ShapeWord,
		"my-agent/env/DATABASE_URL": ShapeWord, "my-agent/passphrase": ShapeText, "my-agent/tls-key": ShapeWord}
	if diff := cmp.Diff(wantShapes, shapes); diff != "" {
		t.Errorf("shapes (-want +got):\n%s", diff)
	}
	r.write("config.json", `{"password": "`+dbPassword+`"}`+"\n")
	r.write("run.sh", "deploy --with=(Zx81Qw93Lm27Kp45) now\nid=Zx81Qw93Lm27Kp45x\n")
	r.write("deploy/app.env", "export DATABASE_URL="+dbURL+"\nX='"+passphrase+"'\n")
	r.write("notes.txt", "pg-Pa55w0rd!x is not it, nor xpg-Pa55w0rd!\ncert line:\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu\n")
	r.git("add", "-A")

	fps, err := LoadFingerprints(r.dir)
	if err != nil || len(fps) != 1 {
		t.Fatalf("LoadFingerprints = %d files, %v", len(fps), err)
	}
	res := r.scan(Target{Mode: ModeStaged}) // New loads the repository's fingerprint files
	want := []brief{
		{"config.json", ManagedRuleID, 1, "my-agent/db-password"},
		{"deploy/app.env", ManagedRuleID, 1, "my-agent/env/DATABASE_URL"},
		{"deploy/app.env", ManagedRuleID, 1, "my-agent/db-password"}, // inside the URL
		{"deploy/app.env", ManagedRuleID, 2, "my-agent/passphrase"},
		{"notes.txt", ManagedRuleID, 3, "my-agent/tls-key"},
		{"run.sh", ManagedRuleID, 1, "my-agent/deploy-id"},
	}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	// The committed fingerprint file itself is clean in a full scan.
	for _, f := range r.scan(Target{Mode: ModeWorkTree}).Findings {
		if strings.HasPrefix(f.File, ".swiftclaw/") {
			t.Errorf("finding in the fingerprint file: %+v", f)
		}
	}
}

func TestFingerprintsRoundTrip(t *testing.T) {
	key, _ := NewFingerprintKey()
	fp, _ := NewFingerprints(key)
	fp.Put("b/x", []byte("value-number-one"))
	fp.Put("a/y", []byte("value-number-two"))
	fp.Put("b/x", []byte("value-number-three")) // replaces
	data, err := fp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseFingerprints(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a/y", "b/x"}, got.Names()); diff != "" {
		t.Fatal(diff)
	}
	if !got.Remove("a/y") || got.Remove("a/y") || len(got.Entries) != 1 {
		t.Fatalf("Remove: entries = %v", got.Entries)
	}
	if got.Entries[0].MAC != FingerprintValue(key, []byte("value-number-three")) {
		t.Fatal("replaced fingerprint is not the new value's")
	}
	if _, err := NewFingerprints(key[:16]); err == nil {
		t.Fatal("short key accepted")
	}
	for _, bad := range []string{"version: 2\n", "version: 1\nsalt: nope\n", "version: 1\nsalt: " + strings.Repeat("A", 43) + "=\nvalues:\n  - {name: x, length: 9, hmac: zz}\n"} {
		if _, err := ParseFingerprints([]byte(bad)); err == nil {
			t.Errorf("ParseFingerprints(%q) succeeded", bad)
		}
	}
}

func TestNeedles(t *testing.T) {
	for v, want := range map[string][]string{
		"  s3cr3t-value \n": {"s3cr3t-value"},
		"short":             nil,
		"abcdefghij":        nil, // one character class, short
		"abcdefghijklmnop":  {"abcdefghijklmnop"},
		"12345678":          nil,
		"ab12cd34":          {"ab12cd34"},
		"-----BEGIN X-----\nline-one-is-long-enough\nshort\n-----END X-----\n": {"line-one-is-long-enough"},
	} {
		if diff := cmp.Diff(want, needles([]byte(v))); diff != "" {
			t.Errorf("needles(%q) (-want +got):\n%s", v, diff)
		}
	}
}

// BenchmarkFingerprintMatch measures the keyed-fingerprint matcher on code-like text with
// ten fingerprinted values of different lengths and all three shapes (the cost a scan adds
// per byte).
func BenchmarkFingerprintMatch(b *testing.B) {
	key, _ := NewFingerprintKey()
	fp, _ := NewFingerprints(key)
	for i, pattern := range []string{"x9Zq", "x9Zq", "x9Zq", "x9Zq", "x9Z!", "x9Z!", "x9Z!", "x9Z!", "x9 Z", "x9 Z"} {
		fp.Put(fmt.Sprintf("agent/secret-%d", i), []byte(strings.Repeat(pattern, 10)[:8+3*i]))
	}
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		fmt.Fprintf(&sb, "\tif err := handler.Process(ctx, req%d, \"value-%d\"); err != nil { return fmt.Errorf(\"process: %%w\", err) }\n", i, i)
	}
	text := sb.String()
	m := newMatcher(nil, []*Fingerprints{fp})
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if hits := m.find(text); len(hits) != 0 {
			b.Fatal("unexpected hit")
		}
	}
}

func TestMalformedFingerprintFileDoesNotStopTheScan(t *testing.T) {
	r := newRepo(t)
	r.write(".swiftclaw/agents/a/fingerprints.yaml", "version: 1\n<<<<<<< HEAD\nsalt: x\n=======\n>>>>>>> b\n")
	r.write("k.cfg", "key="+awsKey+"\n")
	if _, err := LoadFingerprints(r.dir); err == nil {
		t.Fatal("LoadFingerprints accepted a malformed file")
	}
	got := briefs(r.scan(Target{Mode: ModeWorkTree}))
	want := []brief{{".swiftclaw/agents/a/fingerprints.yaml", MalformedRuleID, 2, ""}, {"k.cfg", "aws-access-token", 1, ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

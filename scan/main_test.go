package scan

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/swiftclaw/swiftclaw/internal/gittest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestMain isolates git from the developer's configuration and from any hook environment
// the tests might be started in.
func TestMain(m *testing.M) {
	cleanup, err := gittest.Isolate()
	if err != nil {
		panic(err)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// Fake credentials, assembled at run time so this file does not trip secret scanners.
var (
	awsKey    = "AKIA" + "QWERTYUIOPASDFGH"
	githubPAT = "ghp_" + "0123456789abcdefghijABCDEFGHIJklmnop"
)

type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	return gitIn(r.t, r.dir, args...)
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) write(path, content string) {
	r.t.Helper()
	writeFile(r.t, filepath.Join(r.dir, path), content)
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r *repo) commitAll(msg string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--no-verify", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *repo) scan(t Target, opts ...func(*Options)) *Result {
	r.t.Helper()
	return scanDir(r.t, r.dir, t, opts...)
}

func scanDir(t *testing.T, dir string, target Target, opts ...func(*Options)) *Result {
	t.Helper()
	o := Options{Dir: dir}
	for _, f := range opts {
		f(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Scan(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// brief is a finding reduced to what most tests compare.
type brief struct {
	File, Rule string
	Line       int
	Managed    string
}

func briefs(res *Result) []brief {
	var out []brief
	for _, f := range res.Findings {
		out = append(out, brief{f.File, f.RuleID, f.Line, f.Managed})
	}
	return out
}

// ageArmor encrypts plaintext to a fresh X25519 recipient and returns the armored text.
func ageArmor(t *testing.T, plaintext string) string {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(plaintext)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// indent prefixes every line of s with pre.
func indent(s, pre string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString(pre + line)
	}
	return b.String()
}

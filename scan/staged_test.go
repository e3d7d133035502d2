package scan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStagedFindsAWSKeyInNewFile(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	r.write("config.json", "{\n  \"aws_access_key_id\": \""+awsKey+"\"\n}\n")
	r.git("add", "config.json")

	res := r.scan(Target{Mode: ModeStaged})
	want := []brief{{"config.json", "aws-access-token", 2, ""}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	f := res.Findings[0]
	if f.Redacted != "AKIA*****" || f.Fingerprint != "config.json:aws-access-token:2" || f.Commit != "" {
		t.Errorf("finding = %+v", f)
	}
}

func TestStagedInitialCommitAndUnstagedIgnored(t *testing.T) {
	r := newRepo(t)
	r.write("a.py", "TOKEN = \""+githubPAT+"\"\n")
	r.git("add", "a.py")
	r.write("b.py", "TOKEN = \""+githubPAT+"\"\n") // not staged
	got := briefs(r.scan(Target{Mode: ModeStaged}))
	want := []brief{{"a.py", "github-pat", 1, ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

func TestStagedFromSubdirectoryWithSpaces(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	r.write("my dir/sub dir/conf ig.env", "x=1\naws="+awsKey+"\n")
	r.git("add", "-A")
	res := scanDir(t, filepath.Join(r.dir, "my dir", "sub dir"), Target{Mode: ModeStaged})
	want := []brief{{"my dir/sub dir/conf ig.env", "aws-access-token", 2, ""}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

func TestStagedInLinkedWorktree(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	wt := filepath.Join(t.TempDir(), "linked wt")
	r.git("worktree", "add", "-q", "-b", "feature", wt)
	writeFile(t, filepath.Join(wt, "deploy", "creds.txt"), "key "+awsKey+"\n")
	gitIn(t, wt, "add", "-A")
	// The main worktree's index is untouched.
	if got := r.scan(Target{Mode: ModeStaged}).Findings; len(got) != 0 {
		t.Fatalf("main worktree findings = %v", got)
	}
	res := scanDir(t, filepath.Join(wt, "deploy"), Target{Mode: ModeStaged})
	want := []brief{{"deploy/creds.txt", "aws-access-token", 1, ""}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

func TestStagedRenameIsFound(t *testing.T) {
	r := newRepo(t)
	r.write("old.cfg", "a=1\nkey="+awsKey+"\n")
	r.commitAll("add with secret")
	r.git("mv", "old.cfg", "new.cfg")
	want := []brief{{"new.cfg", "aws-access-token", 2, ""}}
	if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged}))); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

func TestStagedDeletedLinesAreNotFindings(t *testing.T) {
	r := newRepo(t)
	r.write("app.cfg", "a=1\nkey="+awsKey+"\nb=2\n")
	r.write("gone.cfg", "key="+awsKey+"\n")
	r.commitAll("add with secret")
	r.write("app.cfg", "a=1\nb=2\nc=3\n")
	r.git("rm", "-q", "gone.cfg")
	r.git("add", "-A")
	if got := r.scan(Target{Mode: ModeStaged}); len(got.Findings) != 0 || got.Files != 1 {
		t.Fatalf("findings = %v, files = %d; want none in 1 file", got.Findings, got.Files)
	}
}

func TestStagedCRLFBinaryAndPathLimit(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	r.write("win/conf.ini", "[a]\r\nx=1\r\naws="+awsKey+"\r\n")
	r.write("blob.bin", "\x00\x01\x02aws="+awsKey+"\n\x00")
	r.write("other/t.py", "T = \""+githubPAT+"\"\n")
	r.git("add", "-A")
	want := []brief{
		{"other/t.py", "github-pat", 1, ""},
		{"win/conf.ini", "aws-access-token", 3, ""},
	}
	if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged}))); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	want = want[1:]
	if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged, Paths: []string{"win"}}))); diff != "" {
		t.Fatalf("path-limited findings (-want +got):\n%s", diff)
	}
}

func TestGitleaksAllowAndIgnore(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	r.write("a.cfg", "key="+awsKey+" # gitleaks:allow\n")
	r.write("b.cfg", "x\nkey="+awsKey+"\n")
	r.write("c.cfg", "key="+awsKey+"\n")
	r.git("add", "-A")
	want := []brief{{"b.cfg", "aws-access-token", 2, ""}, {"c.cfg", "aws-access-token", 1, ""}}
	if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged}))); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	r.write(".gitleaksignore", "# reviewed: test fixture\nb.cfg:aws-access-token:2\n")
	want = want[1:]
	if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged}))); diff != "" {
		t.Fatalf("findings with .gitleaksignore (-want +got):\n%s", diff)
	}
}

func TestGitleaksTomlExtendsOrReplacesDefaults(t *testing.T) {
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commitAll("init")
	r.write("a.txt", "key="+awsKey+"\ninternal=ACME-0123456789\n")
	r.git("add", "-A")
	custom := "[[rules]]\nid = \"acme-token\"\ndescription = \"ACME token\"\nregex = '''ACME-[0-9]{10}'''\nkeywords = [\"acme\"]\n"

	// Loaded several times in one process on purpose: gitleaks' extend depth must not leak.
	for i := range 3 {
		r.write(".gitleaks.toml", "[extend]\nuseDefault = true\n\n"+custom)
		want := []brief{{"a.txt", "aws-access-token", 1, ""}, {"a.txt", "acme-token", 2, ""}}
		if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged}))); diff != "" {
			t.Fatalf("round %d: extended config findings (-want +got):\n%s", i, diff)
		}
	}
	r.write(".gitleaks.toml", custom)
	want := []brief{{"a.txt", "acme-token", 2, ""}}
	if diff := cmp.Diff(want, briefs(r.scan(Target{Mode: ModeStaged}))); diff != "" {
		t.Fatalf("replacing config findings (-want +got):\n%s", diff)
	}
	// A rule disabled in the extension and an allowlist are honoured.
	r.write(".gitleaks.toml", "[extend]\nuseDefault = true\ndisabledRules = [\"aws-access-token\"]\n")
	if got := r.scan(Target{Mode: ModeStaged}).Findings; len(got) != 0 {
		t.Fatalf("disabled rule still reported: %v", got)
	}
	r.write(".gitleaks.toml", "[[rules]]\nid = \"bad\"\nregex = '''(['''\n")
	if _, err := New(Options{Dir: r.dir}); err == nil {
		t.Fatal("invalid regex accepted")
	}
}

func TestNotAGitRepository(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x", "k.txt"), "key="+awsKey+"\n")
	s, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Scan(t.Context(), Target{Mode: ModeStaged}); err == nil {
		t.Fatal("staged scan outside git succeeded")
	}
	res, err := s.Scan(t.Context(), Target{Mode: ModeWorkTree})
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{"x/k.txt", "aws-access-token", 1, ""}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	if _, err := s.Scan(t.Context(), Target{Mode: ModeWorkTree, Paths: []string{"../etc"}}); err == nil {
		t.Fatal("path outside the repository accepted")
	}
	if err := os.Remove(filepath.Join(dir, "x", "k.txt")); err != nil {
		t.Fatal(err)
	}
}

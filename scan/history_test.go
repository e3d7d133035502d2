package scan

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHistoryFindsSecretRemovedThreeCommitsAgo(t *testing.T) {
	r := newRepo(t)
	r.write("app/main.py", "print('hi')\n")
	r.commitAll("init")
	r.write("app/settings.py", "DEBUG = True\nAWS_KEY = \""+awsKey+"\"\n")
	leak := r.commitAll("add settings")
	r.write("app/settings.py", "DEBUG = True\nAWS_KEY = os.environ['AWS_KEY']\n")
	r.commitAll("remove leaked credential")
	r.write("app/main.py", "print('hello')\n")
	r.commitAll("two")
	r.write("app/main.py", "print('hello world')\n")
	r.commitAll("three")

	if got := r.scan(Target{Mode: ModeWorkTree}).Findings; len(got) != 0 {
		t.Fatalf("working tree findings = %v, want none", got)
	}
	res := r.scan(Target{Mode: ModeHistory})
	want := []brief{{"app/settings.py", "aws-access-token", 2, ""}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	f := res.Findings[0]
	if f.Commit != leak || f.Author != "Test" || f.Fingerprint != leak+":app/settings.py:aws-access-token:2" {
		t.Errorf("finding = %+v, want commit %s", f, leak)
	}
	if res.Commits != 5 {
		t.Errorf("commits scanned = %d, want 5", res.Commits)
	}

	// A range that excludes the leaking commit does not find it; one that includes it does.
	if got := r.scan(Target{Mode: ModeHistory, Range: "HEAD~3..HEAD"}).Findings; len(got) != 0 {
		t.Errorf("HEAD~3..HEAD findings = %v", got)
	}
	if got := briefs(r.scan(Target{Mode: ModeHistory, Range: "HEAD~4..HEAD"})); !cmp.Equal(want, got) {
		t.Errorf("HEAD~4..HEAD findings = %v", got)
	}
	if got := r.scan(Target{Mode: ModeHistory, Paths: []string{"app/main.py"}}).Findings; len(got) != 0 {
		t.Errorf("path-limited findings = %v", got)
	}
	// The commit fingerprint in .gitleaksignore silences exactly that finding.
	r.write(".gitleaksignore", f.Fingerprint+"\n")
	if got := r.scan(Target{Mode: ModeHistory}).Findings; len(got) != 0 {
		t.Errorf("ignored finding still reported: %v", got)
	}
}

func TestHistoryMergeCommits(t *testing.T) {
	r := newRepo(t)
	r.write("f.txt", "a\nb\nc\n")
	r.commitAll("base")
	r.git("checkout", "-q", "-b", "side")
	r.write("f.txt", "a\nSIDE\nc\n")
	r.write("side.txt", "token "+githubPAT+"\n")
	side := r.commitAll("side")
	r.git("checkout", "-q", "main")
	r.write("f.txt", "a\nMAIN\nc\n")
	r.commitAll("main")
	// A conflicting merge whose resolution introduces a secret (an "evil merge").
	cmdErr := func() error { _, err := gitOutput(t.Context(), r.dir, "merge", "-q", "side"); return err }()
	if cmdErr == nil {
		t.Fatal("merge unexpectedly succeeded without conflict")
	}
	r.write("f.txt", "a\nresolved key="+awsKey+"\nc\n")
	merge := r.commitAll("merge side")

	res := r.scan(Target{Mode: ModeHistory})
	type fc struct{ File, Rule, Commit string }
	var got []fc
	for _, f := range res.Findings {
		got = append(got, fc{f.File, f.RuleID, f.Commit})
	}
	// The side branch's secret is reported once, at its own commit, not again at the merge.
	want := []fc{{"f.txt", "aws-access-token", merge}, {"side.txt", "github-pat", side}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

func TestHistorySplitAcrossGitProcesses(t *testing.T) {
	r := newRepo(t)
	var want []string
	for i := range 9 {
		r.write(fmt.Sprintf("f%d.cfg", i), fmt.Sprintf("n=%d\nkey=%s\n", i, awsKey))
		want = append(want, r.commitAll(fmt.Sprintf("c%d", i))+fmt.Sprintf(":f%d.cfg", i))
	}
	single := r.scan(Target{Mode: ModeHistory})
	defer func(n int) { minCommitsPerLog = n }(minCommitsPerLog)
	minCommitsPerLog = 2
	split := r.scan(Target{Mode: ModeHistory}, func(o *Options) { o.Workers = 3 })
	var got []string
	for _, f := range split.Findings {
		got = append(got, f.Commit+":"+f.File)
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("split history findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(single.Findings, split.Findings); diff != "" || split.Commits != 9 {
		t.Fatalf("split scan differs from one git log (commits %d):\n%s", split.Commits, diff)
	}
}

func TestRemergeFilter(t *testing.T) {
	in := "commit 1\n    remerge in a message stays\nremerge CONFLICT (content): x\n+remerge stays\n" + strings.Repeat("y", 300<<10) + "remerge not at line start\nend"
	f := newRemergeFilter(strings.NewReader(in))
	got, err := io.ReadAll(f)
	if err != nil || !f.complete() {
		t.Fatalf("ReadAll: %v, complete %v", err, f.complete())
	}
	want := strings.Replace(in, "remerge CONFLICT (content): x\n", "", 1)
	if string(got) != want {
		t.Fatalf("filtered output differs (len %d, want %d)", len(got), len(want))
	}
}

package scan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWorkTreeTrackedUntrackedNotIgnored(t *testing.T) {
	r := newRepo(t)
	r.write(".gitignore", "ignored/\n")
	r.write("tracked/a.cfg", "key="+awsKey+"\n")
	r.commitAll("init")
	r.write("untracked/b.cfg", "x\nkey="+awsKey+"\n")
	r.write("ignored/c.cfg", "key="+awsKey+"\n")
	r.write("node_modules/d.js", "key="+awsKey+"\n") // gitleaks' default path allowlist
	if err := os.Symlink(filepath.Join(r.dir, "tracked", "a.cfg"), filepath.Join(r.dir, "link.cfg")); err != nil {
		t.Fatal(err)
	}
	r.write("big/e.cfg", "key="+awsKey+"\n"+string(make([]byte, 100)))

	res := r.scan(Target{Mode: ModeWorkTree}, func(o *Options) { o.MaxFileSize = 90 })
	want := []brief{{"tracked/a.cfg", "aws-access-token", 1, ""}, {"untracked/b.cfg", "aws-access-token", 2, ""}}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Skipped{{"big/e.cfg", "larger than the size limit"}}, res.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	res = r.scan(Target{Mode: ModeWorkTree, Paths: []string{"untracked"}})
	if diff := cmp.Diff(want[1:], briefs(res)); diff != "" {
		t.Fatalf("path-limited findings (-want +got):\n%s", diff)
	}
}

func TestWorkTreeLargeFileSpansFragments(t *testing.T) {
	r := newRepo(t)
	big := []byte("first=" + githubPAT + "\n")
	for i := 0; i < 30000; i++ {
		big = append(big, "log line with nothing of note in it at all\n"...)
	}
	big = append(big, "key="+awsKey+"\n"...)
	r.write("data.log", string(big))
	r.write("other.log", string(big))
	// Two workers, two large files: fragments are handed between workers.
	res := r.scan(Target{Mode: ModeWorkTree}, func(o *Options) { o.Workers = 2 })
	want := []brief{
		{"data.log", "github-pat", 1, ""}, {"data.log", "aws-access-token", 30002, ""},
		{"other.log", "github-pat", 1, ""}, {"other.log", "aws-access-token", 30002, ""},
	}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Fatalf("findings (-want +got):\n%s", diff)
	}
}

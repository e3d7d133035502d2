package hooks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/internal/gittest"
	"github.com/swiftclaw/swiftclaw/scan"
)

// hookBin is the real staged scanner (scan/internal/testhookbin), built once, in a
// directory whose name has a space.
var hookBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "hooks-test")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	// Built before HOME changes below, so the go command keeps its build cache.
	hookBin = filepath.Join(tmp, "bin dir", "testhookbin")
	build := exec.Command("go", "build", "-o", hookBin, "github.com/swiftclaw/swiftclaw/scan/internal/testhookbin")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build testhookbin: %v\n%s", err, out)
		return 1
	}
	cleanup, err := gittest.Isolate()
	if err != nil {
		panic(err)
	}
	defer cleanup()
	return m.Run()
}

var awsKey = "AKIA" + "QWERTYUIOPASDFGH" // assembled so this file does not trip scanners

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newRepo returns a repository with one commit, in a path containing spaces.
func newRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "my repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	write(t, filepath.Join(dir, "README.md"), "hello\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	return dir
}

func install(t *testing.T, dir string) *Result {
	t.Helper()
	res, err := Install(context.Background(), Options{Dir: dir, Command: []string{hookBin}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func commitCount(t *testing.T, dir string) string { return git(t, dir, "rev-list", "--count", "HEAD") }

// commitBlocked stages everything under dir, tries to commit from dir, and checks that the
// hook blocked it naming file.
func commitBlocked(t *testing.T, dir, file string) string {
	t.Helper()
	before := commitCount(t, dir)
	git(t, dir, "add", "-A")
	out, err := gitErr(dir, "commit", "-m", "add config")
	if err == nil {
		t.Fatalf("commit with a secret succeeded:\n%s", out)
	}
	if want := "Error: Potential secret detected in " + file + " "; !strings.Contains(out, want) {
		t.Fatalf("hook output lacks %q:\n%s", want, out)
	}
	if !strings.Contains(out, "gitleaks:allow") || !strings.Contains(out, ".gitleaksignore") {
		t.Errorf("hook output does not say how to allow a false positive:\n%s", out)
	}
	if after := commitCount(t, dir); after != before {
		t.Fatalf("commit count %s -> %s: commit was not blocked", before, after)
	}
	return out
}

func commitOK(t *testing.T, dir, msg string) string {
	t.Helper()
	git(t, dir, "add", "-A")
	out, err := gitErr(dir, "commit", "-q", "-m", msg)
	if err != nil {
		t.Fatalf("commit %q blocked: %v\n%s", msg, err, out)
	}
	return out
}

func TestHookBlocksFromSubdirectory(t *testing.T) {
	repo := newRepo(t)
	sub := filepath.Join(repo, "svc", "api dir")
	write(t, filepath.Join(sub, "keep"), "x\n")
	res := install(t, sub)
	if want := filepath.Join(repo, ".git", "hooks", "pre-commit"); res.Hook != want || res.Chained != "" || res.Updated {
		t.Fatalf("Install = %+v, want hook at %s", res, want)
	}
	write(t, filepath.Join(sub, "config.json"), "{\n  \"aws\": \""+awsKey+"\"\n}\n")
	out := commitBlocked(t, sub, "svc/api dir/config.json")
	if !strings.Contains(out, "line 2, rule aws-access-token") || strings.Contains(out, awsKey) {
		t.Errorf("hook output:\n%s", out)
	}
	// Removing the secret lets the commit through.
	write(t, filepath.Join(sub, "config.json"), "{\n  \"aws\": \"from-env\"\n}\n")
	commitOK(t, sub, "clean config")
}

func TestHookInLinkedWorktree(t *testing.T) {
	repo := newRepo(t)
	wt := filepath.Join(t.TempDir(), "linked tree")
	git(t, repo, "worktree", "add", "-q", "-b", "feature", wt)
	res := install(t, filepath.Join(wt))
	if want := filepath.Join(repo, ".git", "hooks", "pre-commit"); res.Hook != want {
		t.Fatalf("hook at %s, want the shared %s", res.Hook, want)
	}
	write(t, filepath.Join(wt, "deploy", "config.json"), "key="+awsKey+"\n")
	commitBlocked(t, filepath.Join(wt, "deploy"), "deploy/config.json")
	// The main worktree is guarded by the same hook.
	write(t, filepath.Join(repo, "main.cfg"), "key="+awsKey+"\n")
	commitBlocked(t, repo, "main.cfg")
}

func TestHookWithCoreHooksPath(t *testing.T) {
	repo := newRepo(t)
	git(t, repo, "config", "core.hooksPath", "tools/git hooks")
	res := install(t, filepath.Join(repo, "README.md", ".."))
	if want := filepath.Join(repo, "tools", "git hooks", "pre-commit"); res.Hook != want {
		t.Fatalf("hook at %s, want %s", res.Hook, want)
	}
	if _, err := os.Stat(filepath.Join(repo, ".git", "hooks", "pre-commit")); err == nil {
		t.Fatal("hook also written to .git/hooks")
	}
	write(t, filepath.Join(repo, "a", "config.json"), "key="+awsKey+"\n")
	commitBlocked(t, filepath.Join(repo, "a"), "a/config.json")
}

func TestHookChainsAndRestoresExistingHook(t *testing.T) {
	repo := newRepo(t)
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	ran := filepath.Join(t.TempDir(), "ran marker")
	orig := "#!/bin/sh\n# the team's own hook\necho ran >> '" + ran + "'\n[ -f \"$(git rev-parse --show-toplevel)/BLOCK\" ] && { echo 'own hook says no' >&2; exit 3; }\nexit 0\n"
	write(t, hook, orig)
	if err := os.Chmod(hook, 0o751); err != nil {
		t.Fatal(err)
	}
	res := install(t, repo)
	if res.Chained != hook+ChainedSuffix {
		t.Fatalf("Install = %+v", res)
	}
	// Installing twice keeps the chained hook and does not chain ourselves.
	if res := install(t, repo); !res.Updated || res.Chained != hook+ChainedSuffix {
		t.Fatalf("second Install = %+v", res)
	}

	write(t, filepath.Join(repo, "ok.txt"), "fine\n")
	commitOK(t, repo, "clean")
	if data, _ := os.ReadFile(ran); string(data) != "ran\n" {
		t.Fatalf("existing hook ran %q times, want once", data)
	}
	// The existing hook can still block a commit on its own.
	write(t, filepath.Join(repo, "BLOCK"), "x\n")
	git(t, repo, "add", "-A")
	if out, err := gitErr(repo, "commit", "-m", "blocked by own hook"); err == nil || !strings.Contains(out, "own hook says no") {
		t.Fatalf("commit = %v\n%s", err, out)
	}
	os.Remove(filepath.Join(repo, "BLOCK"))
	git(t, repo, "add", "-A")
	// And ours still blocks secrets.
	write(t, filepath.Join(repo, "config.json"), "key="+awsKey+"\n")
	commitBlocked(t, repo, "config.json")

	ures, err := Uninstall(context.Background(), Options{Dir: repo})
	if err != nil || !ures.Restored {
		t.Fatalf("Uninstall = %+v, %v", ures, err)
	}
	got, _ := os.ReadFile(hook)
	fi, _ := os.Stat(hook)
	if string(got) != orig || fi.Mode().Perm() != 0o751 {
		t.Fatalf("restored hook differs: mode %v\n%s", fi.Mode(), got)
	}
	if _, err := os.Lstat(hook + ChainedSuffix); err == nil {
		t.Fatal("chained copy left behind")
	}
}

func TestUninstallRestoresSymlinkAndRefusesForeignHooks(t *testing.T) {
	repo := newRepo(t)
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	target := filepath.Join(repo, "scripts", "pre-commit.sh")
	write(t, target, "#!/bin/sh\nexit 0\n")
	if err := os.Symlink(target, hook); err != nil {
		t.Fatal(err)
	}
	install(t, repo)
	if _, err := Uninstall(context.Background(), Options{Dir: repo}); err != nil {
		t.Fatal(err)
	}
	if link, err := os.Readlink(hook); err != nil || link != target {
		t.Fatalf("symlink not restored: %q, %v", link, err)
	}
	// The restored hook is not ours: uninstalling again refuses to touch it.
	_, err := Uninstall(context.Background(), Options{Dir: repo})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("Uninstall of a foreign hook = %v, want Conflict", err)
	}
	os.Remove(hook)
	if _, err := Uninstall(context.Background(), Options{Dir: repo}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Uninstall with no hook = %v, want NotFound", err)
	}
	// A foreign hook plus an existing chained file is a conflict, not an overwrite.
	write(t, hook, "#!/bin/sh\nexit 0\n")
	write(t, hook+ChainedSuffix, "#!/bin/sh\nexit 0\n")
	if _, err := Install(context.Background(), Options{Dir: repo}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("Install over foreign hook and chained file = %v, want Conflict", err)
	}
	if _, err := Install(context.Background(), Options{Dir: t.TempDir()}); !errs.Is(err, errs.Input) {
		t.Fatalf("Install outside a repository = %v, want Input", err)
	}
}

func TestHookAllowCommentIgnoreFileAndManagedSecret(t *testing.T) {
	repo := newRepo(t)
	install(t, repo)
	write(t, filepath.Join(repo, "a.cfg"), "key="+awsKey+" # gitleaks:allow\n")
	commitOK(t, repo, "allowed line")

	write(t, filepath.Join(repo, "b.cfg"), "x\nkey="+awsKey+"\n")
	commitBlocked(t, repo, "b.cfg")
	write(t, filepath.Join(repo, ".gitleaksignore"), "b.cfg:aws-access-token:2\n")
	commitOK(t, repo, "ignored fingerprint")

	// A managed secret known only by its fingerprint is blocked by name.
	key, err := scan.NewFingerprintKey()
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := scan.NewFingerprints(key)
	fp.Put("my-agent/db-password", []byte("pg-Pa55w0rd!"))
	data, _ := fp.Marshal()
	p := scan.FingerprintPath(repo, "my-agent")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := fsutil.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	commitOK(t, repo, "fingerprints")
	write(t, filepath.Join(repo, "config.json"), `{"db": {"password": "pg-Pa55w0rd!"}}`+"\n")
	git(t, repo, "add", "-A")
	out, err := gitErr(repo, "commit", "-m", "leak")
	if err == nil || !strings.Contains(out, "Error: Managed secret my-agent/db-password detected in config.json (line 1") {
		t.Fatalf("commit = %v\n%s", err, out)
	}
}

func TestHookMissingBinaryBlocks(t *testing.T) {
	repo := newRepo(t)
	if _, err := Install(context.Background(), Options{Dir: repo, Command: []string{"swiftclaw-not-installed-xyz", "security"}}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(repo, "x.txt"), "x\n")
	git(t, repo, "add", "-A")
	out, err := gitErr(repo, "commit", "-m", "x")
	if err == nil || !strings.Contains(out, "swiftclaw-not-installed-xyz not found") {
		t.Fatalf("commit = %v\n%s", err, out)
	}
}

func TestScriptQuoting(t *testing.T) {
	s := Script([]string{"/opt/my tools/swift'claw", "security", "scan", "--staged", "--check"})
	for _, want := range []string{
		`exec '/opt/my tools/swift'\''claw' security scan --staged --check`,
		`if ! [ -x '/opt/my tools/swift'\''claw' ]; then`,
		"\n" + marker + "\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	if diff := cmp.Diff(DefaultCommand, []string{"swiftclaw", "security", "scan", "--staged", "--check"}); diff != "" {
		t.Error(diff)
	}
	if !strings.Contains(Script(DefaultCommand), "command -v swiftclaw >/dev/null") {
		t.Error("default command is not looked up on PATH")
	}
}

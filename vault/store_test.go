package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

var ctx = context.Background()

func awkwardValues(t *testing.T) map[string][]byte {
	big := make([]byte, 1<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"pem":        []byte("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nZm9vYmFy\n-----END CERTIFICATE-----\n"),
		"crlf":       []byte("line1\r\nline2\r\n"),
		"nul":        {0, 1, 2, 0, 'x', 0},
		"unicode":    []byte("pässwörd-🔑-密码"),
		"spaces":     []byte("  padded value \t "),
		"hash":       []byte("#not-a-comment # really"),
		"equals":     []byte("a=b=c=="),
		"quotes":     []byte(`"double" 'single' ` + "`back`"),
		"yes":        []byte("yes"),
		"null":       []byte("null"),
		"hex":        []byte("0x10"),
		"dash":       []byte("- a"),
		"empty":      {},
		"newline":    []byte("\n"),
		"one-mib":    big,
		"yaml-doc":   []byte("---\nkey: value\n...\n"),
		"armor-like": []byte(armorBegin + "\nZm9v\n" + armorEnd + "\n"),
	}
}

func TestSecretsRoundTripAwkwardValues(t *testing.T) {
	f := newProject(t)
	for name, v := range awkwardValues(t) {
		if _, err := f.store.SetSecret(ctx, "my-agent", name, v, SetOptions{}); err != nil {
			t.Fatalf("set %s: %v", name, err)
		}
	}
	for name, want := range awkwardValues(t) {
		if name == "one-mib" {
			continue // random each call; checked below
		}
		got, _, err := f.store.GetSecret(ctx, "my-agent", name, GetOptions{})
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: round trip changed the value (got %d bytes, want %d)", name, len(got), len(want))
		}
	}
	big := make([]byte, 1<<20)
	rand.Read(big)
	if _, err := f.store.SetSecret(ctx, "my-agent", "big", big, SetOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _, err := f.store.GetSecret(ctx, "my-agent", "big", GetOptions{})
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("1 MiB random value did not round-trip: %v", err)
	}
}

func TestEnvRoundTripAwkwardValues(t *testing.T) {
	f := newProject(t)
	vars := map[string][]byte{}
	i := 0
	for name, v := range awkwardValues(t) {
		if bytes.IndexByte(v, 0) >= 0 {
			continue
		}
		vars[strings.ToUpper(strings.ReplaceAll(name, "-", "_"))] = v
		i++
	}
	if _, err := f.store.SetEnv(ctx, "my-agent", vars); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.RevealEnv("my-agent")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(vars) {
		t.Fatalf("got %d vars, want %d", len(got), len(vars))
	}
	for _, v := range got {
		if !bytes.Equal(v.Value, vars[v.Name]) {
			t.Errorf("%s did not round-trip", v.Name)
		}
	}
	_, err = f.store.SetEnv(ctx, "my-agent", map[string][]byte{"BAD": {'a', 0}})
	if errs.KindOf(err) != errs.Input || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("NUL in env value: err = %v", err)
	}
}

func TestValueLimits(t *testing.T) {
	f := newProject(t)
	max := bytes.Repeat([]byte{'x'}, MaxValueSize)
	if _, err := f.store.SetSecret(ctx, "a", "max", max, SetOptions{}); err != nil {
		t.Fatalf("10 MiB value refused: %v", err)
	}
	got, _, err := f.store.GetSecret(ctx, "a", "max", GetOptions{})
	if err != nil || len(got) != MaxValueSize {
		t.Fatalf("10 MiB value: %d bytes, %v", len(got), err)
	}
	_, err = f.store.SetSecret(ctx, "a", "over", append(max, 'x'), SetOptions{})
	if errs.KindOf(err) != errs.Input {
		t.Fatalf("over-limit value: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.root, ".swiftclaw/agents/a/secrets/over.yaml")); !os.IsNotExist(err) {
		t.Fatal("over-limit value left a file behind")
	}
}

func TestStableCiphertext(t *testing.T) {
	f := newProject(t)
	desc := "OpenAI API Key"
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("sk-1"), SetOptions{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	path := ".swiftclaw/agents/my-agent/secrets/api-key.yaml"
	before := f.read(t, path)
	head := git(t, f.root, "rev-parse", "HEAD")

	// Same command again: nothing changes, nothing is committed.
	res, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("sk-1"), SetOptions{Description: &desc})
	if err != nil {
		t.Fatal(err)
	}
	if res.ValueChanged || len(res.Changed) != 0 || res.Commit != "" {
		t.Fatalf("re-run changed something: %+v", res.WriteResult)
	}
	if f.read(t, path) != before || git(t, f.root, "rev-parse", "HEAD") != head {
		t.Fatal("re-run rewrote the file or committed")
	}

	// A metadata edit keeps the ciphertext byte for byte.
	desc2 := "OpenAI key for prod"
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("sk-1"), SetOptions{Description: &desc2}); err != nil {
		t.Fatal(err)
	}
	after := f.read(t, path)
	if valueBlock(before) != valueBlock(after) {
		t.Fatal("description change re-encrypted the value")
	}
	diff := git(t, f.root, "diff", "HEAD~1", "--", path)
	if !strings.Contains(diff, "+description: OpenAI key for prod") || strings.Contains(diff, "BEGIN AGE") || strings.Count(diff, "\n+") != 2 { // "+++ b/..." and the one line
		t.Fatalf("git diff of a description change should show one line:\n%s", diff)
	}

	// Setting another env var keeps the other values' ciphertext.
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"A": []byte("1"), "B": []byte("2")}); err != nil {
		t.Fatal(err)
	}
	envBefore, _, err := f.store.readEnvFile("my-agent")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"B": []byte("3"), "A": []byte("1")}); err != nil {
		t.Fatal(err)
	}
	envAfter, _, err := f.store.readEnvFile("my-agent")
	if err != nil {
		t.Fatal(err)
	}
	if envBefore.Vars["A"] != envAfter.Vars["A"] {
		t.Fatal("unchanged env value A was re-encrypted")
	}
	if envBefore.Vars["B"] == envAfter.Vars["B"] {
		t.Fatal("changed env value B kept its old ciphertext")
	}
}

func valueBlock(doc string) string {
	_, v, _ := strings.Cut(doc, "value: |")
	return v
}

func TestCommitContainsOnlySwiftclawFiles(t *testing.T) {
	f := newProject(t)
	f.write(t, "app.py", "print('hi')\n")
	git(t, f.root, "add", "app.py")
	res, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("v"), SetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := strings.Fields(git(t, f.root, "show", "--name-only", "--format=", res.Commit))
	want := []string{".swiftclaw/agents/my-agent/agent.yaml", ".swiftclaw/agents/my-agent/secrets/api-key.yaml"}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Fatalf("commit files (-want +got):\n%s", diff)
	}
	if msg := git(t, f.root, "log", "-1", "--format=%s"); msg != "swiftclaw: set my-agent/api-key" {
		t.Fatalf("commit message = %q", msg)
	}
	if staged := git(t, f.root, "diff", "--cached", "--name-only"); staged != "app.py" {
		t.Fatalf("user's staged change was disturbed: staged = %q", staged)
	}
	// rm commits the deletion, and only it.
	rm, err := f.store.RemoveSecret(ctx, "my-agent", "api-key")
	if err != nil {
		t.Fatal(err)
	}
	if files := git(t, f.root, "show", "--name-status", "--format=", rm.Commit); files != "D\t.swiftclaw/agents/my-agent/secrets/api-key.yaml" {
		t.Fatalf("rm commit = %q", files)
	}
	if _, _, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("get after rm: %v", err)
	}
}

func TestOutsideGitRefusesUnlessNoCommit(t *testing.T) {
	home := testEnv(t)
	dir := t.TempDir()
	idFile, _ := newKey(t, home, "alice")
	_, _, err := Init(ctx, fixtureOptions(dir, idFile), InitOptions{Owner: "alice@example.com"})
	if errs.KindOf(err) != errs.Input || !strings.Contains(err.Error(), "not in a git repository") {
		t.Fatalf("init outside git: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DirName)); !os.IsNotExist(err) {
		t.Fatal("refused init still wrote .swiftclaw")
	}
	opts := fixtureOptions(dir, idFile)
	opts.NoCommit = true
	s, _, err := Init(ctx, opts, InitOptions{Owner: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSecret(ctx, "a", "b", []byte("v"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	// Without --no-commit, a write is refused and nothing changes.
	s2, err := Open(fixtureOptions(dir, idFile))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s2.SetSecret(ctx, "a", "b", []byte("other"), SetOptions{})
	if errs.KindOf(err) != errs.Input {
		t.Fatalf("write outside git: %v", err)
	}
	v, _, err := s.GetSecret(ctx, "a", "b", GetOptions{})
	if err != nil || string(v) != "v" {
		t.Fatalf("value changed by a refused write: %q %v", v, err)
	}
}

func TestInvalidNames(t *testing.T) {
	f := newProject(t)
	for _, name := range []string{"../x", "a/b", "", ".hidden", strings.Repeat("n", 129), "a\\b", "..", "a b"} {
		_, err := f.store.SetSecret(ctx, "my-agent", name, []byte("v"), SetOptions{})
		if errs.KindOf(err) != errs.Input {
			t.Errorf("secret name %q: err = %v, want input error", name, err)
		}
		_, err = f.store.SetSecret(ctx, name, "ok", []byte("v"), SetOptions{})
		if errs.KindOf(err) != errs.Input {
			t.Errorf("agent name %q: err = %v, want input error", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(f.root, ".swiftclaw/agents")); !os.IsNotExist(err) {
		t.Fatal("invalid names wrote something")
	}
	if err := ValidateName("secret", strings.Repeat("n", 128)); err != nil {
		t.Fatalf("128-char name refused: %v", err)
	}
}

func TestSymlinkedAgentDirRefused(t *testing.T) {
	f := newProject(t)
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(f.root, ".swiftclaw/agents"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(f.root, ".swiftclaw/agents/evil")); err != nil {
		t.Fatal(err)
	}
	_, err := f.store.SetSecret(ctx, "evil", "x", []byte("v"), SetOptions{})
	if errs.KindOf(err) != errs.Permission {
		t.Fatalf("write through symlink: %v", err)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Fatal("wrote through a symlink out of .swiftclaw")
	}
}

func TestTamperedMetadataDetected(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "token", []byte("v"), SetOptions{TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	path := ".swiftclaw/agents/my-agent/secrets/token.yaml"
	orig := f.read(t, path)
	_, otherPub := newKey(t, t.TempDir(), "mallory")
	cases := map[string]func(string) string{
		"extended expiry": func(s string) string {
			return regexpReplace(s, `expires: .*`, "expires: 2099-01-01T00:00:00Z")
		},
		"removed expiry": func(s string) string { return regexpReplace(s, `expires: .*\n`, "") },
		"added recipient": func(s string) string {
			return strings.Replace(s, "recipients:\n", "recipients:\n  - "+otherPub+"\n", 1)
		},
	}
	for name, edit := range cases {
		f.write(t, path, edit(orig))
		_, _, err := f.store.GetSecret(ctx, "my-agent", "token", GetOptions{})
		if errs.KindOf(err) != errs.Tampered {
			t.Errorf("%s: err = %v, want tampered", name, err)
		}
	}
	// A file copied to another secret's name is detected too.
	f.write(t, path, orig)
	f.write(t, ".swiftclaw/agents/my-agent/secrets/copy.yaml", strings.Replace(orig, "name: token", "name: copy", 1))
	if _, _, err := f.store.GetSecret(ctx, "my-agent", "copy", GetOptions{}); errs.KindOf(err) != errs.Tampered {
		t.Errorf("renamed copy: err = %v, want tampered", err)
	}
}

func TestMalformedFilesNameFileAndLine(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("v"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	path := ".swiftclaw/agents/my-agent/secrets/api-key.yaml"
	orig := f.read(t, path)
	truncated := orig[:strings.Index(orig, armorEnd)]
	for name, content := range map[string]string{
		"truncated":     truncated,
		"bad yaml":      "version: 1\nagent: [\n",
		"plaintext":     regexpReplace(orig, `(?s)value: \|.*`, "value: sk-live-plaintext\n"),
		"unknown field": strings.Replace(orig, "version: 1\n", "version: 1\nowner: me\n", 1),
		"empty":         "",
	} {
		f.write(t, path, content)
		_, _, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{})
		if errs.KindOf(err) != errs.Input {
			t.Errorf("%s: err = %v, want input error", name, err)
			continue
		}
		if !strings.Contains(err.Error(), path) || (name != "empty" && !strings.Contains(err.Error(), "line ")) {
			t.Errorf("%s: error does not name file and line: %v", name, err)
		}
		if strings.Contains(err.Error(), "sk-live-plaintext") {
			t.Errorf("%s: error echoes the file's value", name)
		}
	}
}

func TestDecryptFailureNamesRecipientsAndIdentities(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("v"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	carolFile, _ := newKey(t, t.TempDir(), "carol")
	_, _, err := f.as(t, carolFile, fixedNow).GetSecret(ctx, "my-agent", "api-key", GetOptions{})
	if errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("err = %v, want decrypt error", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "alice@example.com") || !strings.Contains(msg, carolFile) {
		t.Fatalf("error should list recipients (alice) and identity tried (%s): %s", carolFile, msg)
	}
}

func TestExpiry(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "temp-token", []byte("token123"), SetOptions{TTL: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	list, err := f.store.ListSecrets("my-agent")
	if err != nil {
		t.Fatal(err)
	}
	if list[0].Expires == nil || !list[0].Expires.Equal(fixedNow.Add(24*time.Hour)) || list[0].Expired {
		t.Fatalf("expires = %v expired = %v", list[0].Expires, list[0].Expired)
	}
	later := f.as(t, f.idFile, fixedNow.Add(25*time.Hour))
	_, _, err = later.GetSecret(ctx, "my-agent", "temp-token", GetOptions{})
	if errs.KindOf(err) != errs.Expired || !strings.Contains(err.Error(), "2024-03-02 10:00 UTC") {
		t.Fatalf("expired get: %v", err)
	}
	v, _, err := later.GetSecret(ctx, "my-agent", "temp-token", GetOptions{AllowExpired: true})
	if err != nil || string(v) != "token123" {
		t.Fatalf("allow-expired: %q %v", v, err)
	}
	// A new value renews the TTL the secret was created with.
	if _, err := later.SetSecret(ctx, "my-agent", "temp-token", []byte("token456"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := later.GetSecret(ctx, "my-agent", "temp-token", GetOptions{}); err != nil {
		t.Fatalf("renewed secret still refused: %v", err)
	}
}

func TestKeysAddAndRemoveReencrypt(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("v1"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"K": []byte("env")}); err != nil {
		t.Fatal(err)
	}
	bobFile, bobPub := newKey(t, t.TempDir(), "bob")
	bob := f.as(t, bobFile, fixedNow)
	if _, _, err := bob.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("bob read before being added: %v", err)
	}
	if _, err := f.store.AddKey(ctx, "user", "bob@example.com", bobPub, AddKeyOptions{Owner: true}); err != nil {
		t.Fatal(err)
	}
	if v, _, err := bob.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil || string(v) != "v1" {
		t.Fatalf("owner bob cannot read: %v", err)
	}
	if env, err := bob.RevealEnv("my-agent"); err != nil || string(env[0].Value) != "env" {
		t.Fatalf("owner bob cannot read env: %v", err)
	}
	if _, err := f.store.RemoveKey(ctx, "user", "bob@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bob.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("bob still reads after removal: %v", err)
	}
	if _, err := f.store.RemoveKey(ctx, "user", "alice@example.com", ""); errs.KindOf(err) != errs.Input {
		t.Fatalf("removing the last owner: %v", err)
	}
}

func TestResolveEnvReportsEveryProblem(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"PLAIN": []byte("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("sk"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetSecret(ctx, "my-agent", "old", []byte("o"), SetOptions{TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	later := f.as(t, f.idFile, fixedNow.Add(time.Hour))
	maps := []Mapping{{"API", "secret:api-key"}, {"OLD", "secret:old"}, {"GONE", "secret:missing"}}
	_, err := later.ResolveEnv(ctx, "my-agent", maps, ResolveOptions{})
	if err == nil || !strings.Contains(err.Error(), "OLD=secret:old") || !strings.Contains(err.Error(), "GONE=secret:missing") {
		t.Fatalf("want both problems listed, got %v", err)
	}
	vars, err := later.ResolveEnv(ctx, "my-agent", maps[:1], ResolveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name] = string(v.Value)
	}
	if diff := cmp.Diff(map[string]string{"API": "sk", "PLAIN": "p"}, got); diff != "" {
		t.Fatalf("resolved env (-want +got):\n%s", diff)
	}
}

// TestConcurrentSetFromTwoProcesses runs two real processes writing at once: each must
// end with a valid file and its own commit, or a clear lock error, never a torn file.
func TestConcurrentSetFromTwoProcesses(t *testing.T) {
	f := newProject(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 4
	var wg sync.WaitGroup
	outs := make([][]byte, 2*rounds)
	codes := make([]error, 2*rounds)
	for i := 0; i < 2*rounds; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), "VAULT_TEST_HELPER=set", "HELPER_ROOT="+f.root, "HELPER_ID="+f.idFile,
				"HELPER_NAME=shared", "HELPER_VALUE="+strings.Repeat(string(rune('a'+i)), 1000))
			outs[i], codes[i] = cmd.CombinedOutput()
		}(i)
	}
	wg.Wait()
	commits := 0
	for i := range outs {
		switch {
		case codes[i] == nil:
			commits++
		case strings.Contains(string(outs[i]), "waiting for the lock"):
		default:
			t.Fatalf("process %d failed without a lock error: %v\n%s", i, codes[i], outs[i])
		}
	}
	v, _, err := f.store.GetSecret(ctx, "my-agent", "shared", GetOptions{})
	if err != nil || len(v) != 1000 {
		t.Fatalf("file after concurrent writes is not a valid secret: %v", err)
	}
	if strings.Trim(string(v), string(v[:1])) != "" {
		t.Fatal("value is a mix of two writers")
	}
	log := git(t, f.root, "log", "--format=%s", "--", ".swiftclaw/agents/my-agent/secrets/shared.yaml")
	if n := strings.Count(log, "swiftclaw: set my-agent/shared"); n < 1 || n > commits {
		t.Fatalf("%d commits for %d successful writers", n, commits)
	}
	if st := git(t, f.root, "status", "--porcelain"); st != "" {
		t.Fatalf("working tree left dirty:\n%s", st)
	}
}

func runHelper(mode string) int {
	switch mode {
	case "set":
		s, err := Open(Options{Dir: os.Getenv("HELPER_ROOT"), Identity: IdentityOptions{File: os.Getenv("HELPER_ID")}, LockTimeout: 30 * time.Second})
		if err == nil {
			_, err = s.SetSecret(context.Background(), "my-agent", os.Getenv("HELPER_NAME"), []byte(os.Getenv("HELPER_VALUE")), SetOptions{})
		}
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 1
		}
		return 0
	}
	return 2
}

// TestHandReorderedFileRewritesCleanly: a file whose value is not the last key (a hand
// reorder) takes the full YAML path on read, and is rewritten with value last, once.
func TestHandReorderedFileRewritesCleanly(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "a", "k", []byte("v1"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	path := ".swiftclaw/agents/a/secrets/k.yaml"
	orig := f.read(t, path)
	head, block, _ := strings.Cut(orig, "value: |\n")
	reordered := "# my note\n" + strings.Replace(head, "version: 1\n", "value: |\n"+block+"version: 1\n", 1)
	f.write(t, path, reordered)
	if v, _, err := f.store.GetSecret(ctx, "a", "k", GetOptions{}); err != nil || string(v) != "v1" {
		t.Fatalf("reordered file: %q %v", v, err)
	}
	desc := "d"
	if _, err := f.store.SetSecret(ctx, "a", "k", []byte("v1"), SetOptions{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	out := f.read(t, path)
	if strings.Count(out, "value:") != 1 || !strings.HasSuffix(out, armorEnd+"\n") || !strings.Contains(out, "# my note") {
		t.Fatalf("rewrite of a reordered file:\n%s", out)
	}
	if valueBlock(out) != valueBlock(orig) {
		t.Fatal("ciphertext changed")
	}
}

// TestWritesNeedWritePermission: only owners and principals granted write may write;
// only owners may change principals.
func TestWritesNeedWritePermission(t *testing.T) {
	f := newProject(t)
	if _, err := f.store.SetSecret(ctx, "my-agent", "api-key", []byte("v"), SetOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bobFile, bobPub := newKey(t, dir, "bob")
	carolFile, carolPub := newKey(t, dir, "carol")
	strangerFile, _ := newKey(t, dir, "stranger")
	for _, p := range []struct{ id, key string }{{"bob@example.com", bobPub}, {"carol@example.com", carolPub}} {
		if _, err := f.store.AddKey(ctx, "user", p.id, p.key, AddKeyOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	f.write(t, ".swiftclaw/policy.yaml", `grants:
  - {user: bob@example.com, agent: my-agent, secret: "db-*", permissions: [read, write]}
  - {user: carol@example.com, agent: my-agent, secret: "*", permissions: [read]}
`)
	git(t, f.root, "commit", "-qam", "grants")
	bob, carol, stranger := f.as(t, bobFile, fixedNow), f.as(t, carolFile, fixedNow), f.as(t, strangerFile, fixedNow)

	if _, err := bob.SetSecret(ctx, "my-agent", "db-url", []byte("postgres://"), SetOptions{}); err != nil {
		t.Fatalf("writer bob: %v", err)
	}
	for name, try := range map[string]func() error{
		"bob outside his glob": func() error {
			_, err := bob.SetSecret(ctx, "my-agent", "api-key", []byte("x"), SetOptions{})
			return err
		},
		"reader carol": func() error {
			_, err := carol.SetSecret(ctx, "my-agent", "db-url", []byte("x"), SetOptions{})
			return err
		},
		"carol env": func() error { _, err := carol.SetEnv(ctx, "my-agent", map[string][]byte{"A": []byte("x")}); return err },
		"carol rm":  func() error { _, err := carol.RemoveSecret(ctx, "my-agent", "api-key"); return err },
		"stranger": func() error {
			_, err := stranger.SetSecret(ctx, "my-agent", "new", []byte("x"), SetOptions{})
			return err
		},
		"bob adds a key": func() error {
			_, err := bob.AddKey(ctx, "user", "eve@example.com", testKeyPub, AddKeyOptions{})
			return err
		},
	} {
		err := try()
		if errs.KindOf(err) != errs.Permission {
			t.Errorf("%s: err = %v, want permission error", name, err)
		}
	}
	// The refused writes changed nothing.
	if v, _, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{}); err != nil || string(v) != "v" {
		t.Fatalf("api-key after refused writes: %q %v", v, err)
	}
}

package vault

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// snapshot returns a file's content and restores it afterwards with restore.
func (f *fixture) snapshot(t *testing.T, rel string) []byte {
	t.Helper()
	return []byte(f.read(t, rel))
}

func (f *fixture) restore(t *testing.T, rel string, data []byte) {
	t.Helper()
	f.write(t, rel, string(data))
}

func noCommit(t *testing.T, f *fixture) *Store {
	t.Helper()
	s, err := Open(Options{Dir: f.root, NoCommit: true, Identity: IdentityOptions{File: f.idFile}, Now: func() time.Time { return fixedNow.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sides builds ours and theirs from base by running each change on a fresh copy of base.
func sides(t *testing.T, f *fixture, rel string, ours, theirs func(*Store)) (b, o, th []byte) {
	t.Helper()
	s := noCommit(t, f)
	b = f.snapshot(t, rel)
	ours(s)
	o = f.snapshot(t, rel)
	f.restore(t, rel, b)
	theirs(s)
	th = f.snapshot(t, rel)
	f.restore(t, rel, b)
	return b, o, th
}

// armorLine returns one line from the middle of an armored value, as it appears in the file.
func armorLine(armored string) string {
	lines := strings.Split(strings.TrimSpace(armored), "\n")
	return lines[len(lines)/2]
}

func armoredValue(t *testing.T, data []byte) string {
	t.Helper()
	f, err := ParseSecretFile(data, "x")
	if err != nil {
		t.Fatal(err)
	}
	return f.Value
}

func TestMergeSecretFieldsCleanly(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "base-value")
	desc := "described on our side"
	b, o, th := sides(t, f, apiKeyFile, func(s *Store) {
		if _, err := s.SetSecret(ctx, "my-agent", "api-key", []byte("base-value"), SetOptions{Description: &desc}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{Interval: ptr("90d")}); err != nil {
			t.Fatal(err)
		}
	}, func(s *Store) {
		if _, err := s.SetSecret(ctx, "my-agent", "api-key", []byte("their-value"), SetOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SetRotationPolicy(ctx, "my-agent", "api-key", PolicyChange{GracePeriod: ptr("1h")}); err != nil {
			t.Fatal(err)
		}
	})
	res, err := MergeFiles(MergeInput{Base: b, Ours: o, Theirs: th, Path: apiKeyFile})
	if err != nil || len(res.Conflicts) > 0 {
		t.Fatalf("conflicts %v: %v", res.Conflicts, err)
	}
	if armoredValue(t, res.Data) != armoredValue(t, th) {
		t.Fatal("theirs' ciphertext was not kept byte for byte")
	}
	f.restore(t, apiKeyFile, res.Data)
	v, meta, err := f.store.GetSecret(ctx, "my-agent", "api-key", GetOptions{})
	if err != nil || string(v) != "their-value" {
		t.Fatalf("merged file does not decrypt to theirs' value: %v", err)
	}
	if meta.Description != desc || meta.Rotation.Interval != "90d" || meta.Rotation.GracePeriod != "1h" {
		t.Fatalf("metadata not merged: %q %+v", meta.Description, meta.Rotation)
	}
}

func TestMergeSecretValueConflict(t *testing.T) {
	f := newProject(t)
	f.set(t, f.store, "api-key", "base-value")
	b, o, th := sides(t, f, apiKeyFile, func(s *Store) {
		s.SetSecret(ctx, "my-agent", "api-key", []byte("our-secret-value"), SetOptions{})
	}, func(s *Store) {
		s.SetSecret(ctx, "my-agent", "api-key", []byte("their-secret-value"), SetOptions{})
	})
	res, err := MergeFiles(MergeInput{Base: b, Ours: o, Theirs: th, Path: apiKeyFile, OursCommit: "1111111", TheirsCommit: "2222222"})
	if err != nil {
		t.Fatal(err)
	}
	want := []MergeConflict{{Field: "value", Reason: "the value was changed on both sides"}}
	if d := cmp.Diff(want, res.Conflicts); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	text := string(res.Data)
	if !strings.HasPrefix(text, "<<<<<<< ours (commit 1111111)\n") || !strings.HasSuffix(text, ">>>>>>> theirs (commit 2222222)\n") {
		t.Fatalf("markers:\n%s", text)
	}
	if strings.Contains(text, "secret-value") || !strings.Contains(text, armorLine(armoredValue(t, o))) || !strings.Contains(text, armorLine(armoredValue(t, th))) {
		t.Fatal("conflict file must hold both ciphertexts and no plaintext")
	}
}

func TestMergeEnvKeys(t *testing.T) {
	f := newProject(t)
	const envFile = ".swiftclaw/agents/my-agent/env.yaml"
	if _, err := f.store.SetEnv(ctx, "my-agent", map[string][]byte{"BASE": []byte("b")}); err != nil {
		t.Fatal(err)
	}
	setEnv := func(k, v string) func(*Store) {
		return func(s *Store) {
			if _, err := s.SetEnv(ctx, "my-agent", map[string][]byte{k: []byte(v)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, o, th := sides(t, f, envFile, setEnv("OURS", "o"), setEnv("THEIRS", "t"))
	res, err := MergeFiles(MergeInput{Base: b, Ours: o, Theirs: th, Path: envFile})
	if err != nil || len(res.Conflicts) > 0 {
		t.Fatalf("conflicts %v: %v", res.Conflicts, err)
	}
	merged, err := ParseEnvFile(res.Data, "merged")
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range [][]byte{b, o, th} {
		ef, _ := ParseEnvFile(side, "x")
		for k, c := range ef.Vars {
			if merged.Vars[k] != c {
				t.Errorf("ciphertext of %s not kept byte for byte", k)
			}
		}
	}
	f.restore(t, envFile, res.Data)
	vars, err := f.store.RevealEnv("my-agent")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name] = string(v.Value)
	}
	if d := cmp.Diff(map[string]string{"BASE": "b", "OURS": "o", "THEIRS": "t"}, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}

	// Re-encrypted on one side (a key was added), a variable added on the other: the new
	// variable's ciphertext does not fit the merged recipients.
	f.restore(t, envFile, b)
	_, bobPub := newKey(t, t.TempDir(), "bob")
	b, o, th = sides(t, f, envFile, func(s *Store) {
		rec, _ := s.Recipients()
		rec.entries("user")["bob@example.com"] = &PrincipalEntry{Role: RoleOwner, Keys: []string{bobPub}}
		pol, _ := s.Policy()
		tx := &txn{s: s, writes: map[string][]byte{}, removes: map[string]bool{}}
		if err := s.resync(tx, rec, pol); err != nil {
			t.Fatal(err)
		}
		for p, data := range tx.writes {
			f.write(t, s.rel(p), string(data))
		}
	}, setEnv("THEIRS", "t"))
	res, err = MergeFiles(MergeInput{Base: b, Ours: o, Theirs: th, Path: envFile})
	if err != nil || len(res.Conflicts) != 1 || res.Conflicts[0].Field != "vars.THEIRS" {
		t.Fatalf("want a conflict on vars.THEIRS, got %v (%v)", res.Conflicts, err)
	}
}

func TestMergeOtherYAMLAndShortcuts(t *testing.T) {
	base := []byte("# settings\nversion: 1\ngit:\n  autocommit: true\n")
	ours := []byte("# settings\nversion: 1\ngit:\n  autocommit: false\n")
	theirs := []byte("# settings\nversion: 1\ngit:\n  autocommit: true\nscan:\n  enabled: true\n")
	res, err := MergeFiles(MergeInput{Base: base, Ours: ours, Theirs: theirs, Path: ".swiftclaw/config.yaml"})
	if err != nil || len(res.Conflicts) > 0 {
		t.Fatal(res.Conflicts, err)
	}
	if want := "# settings\nversion: 1\ngit:\n  autocommit: false\nscan:\n  enabled: true\n"; string(res.Data) != want {
		t.Fatalf("got:\n%s", res.Data)
	}
	// One side unchanged: the other side's bytes exactly.
	if res, _ := MergeFiles(MergeInput{Base: base, Ours: base, Theirs: theirs, Path: "x.yaml"}); !bytes.Equal(res.Data, theirs) {
		t.Fatal("theirs not taken verbatim")
	}
	res, _ = MergeFiles(MergeInput{Base: base, Ours: []byte("git: [\n"), Theirs: theirs, Path: "x.yaml"})
	if len(res.Conflicts) != 1 || !bytes.HasPrefix(res.Data, []byte("<<<<<<< ours\n")) {
		t.Fatalf("unparsable side: %v", res.Conflicts)
	}
	for p, want := range map[string]string{
		".swiftclaw/agents/a/secrets/k.yaml": "secret", ".swiftclaw/agents/a/env.yaml": "env",
		".swiftclaw/policy.yaml": "other", ".swiftclaw/agents/a/agent.yaml": "other",
	} {
		if got := kindOfPath(p); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}

func TestInitRegistersMergeDriverIdempotently(t *testing.T) {
	f := newProject(t)
	attrs := f.read(t, ".gitattributes")
	if !strings.Contains(attrs, ".swiftclaw/**/*.yaml merge=swiftclaw\n") {
		t.Fatalf(".gitattributes:\n%s", attrs)
	}
	if got := git(t, f.root, "config", "merge.swiftclaw.driver"); got != "swiftclaw merge-driver %O %A %B %P" {
		t.Fatalf("driver %q", got)
	}
	if !strings.Contains(git(t, f.root, "show", "--name-only", "--format=", "HEAD"), ".gitattributes") {
		t.Fatal(".gitattributes not committed by init")
	}
	_, res, err := Init(ctx, fixtureOptions(f.root, f.idFile), InitOptions{})
	if err != nil || !res.Already || f.read(t, ".gitattributes") != attrs {
		t.Fatalf("second init changed something: %+v %v", res, err)
	}
	// An existing project without the driver (or a fresh clone) gets it from init.
	git(t, f.root, "config", "--unset", "merge.swiftclaw.driver")
	f.write(t, ".gitattributes", "*.png binary")
	_, res, err = Init(ctx, fixtureOptions(f.root, f.idFile), InitOptions{})
	if err != nil || res.Already || !res.MergeDriver {
		t.Fatalf("init did not register again: %+v %v", res, err)
	}
	if got := f.read(t, ".gitattributes"); !strings.HasPrefix(got, "*.png binary\n# swiftclaw") {
		t.Fatalf("user attributes not kept:\n%s", got)
	}
}

package scan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func secretYAML(t *testing.T, value string) string {
	return "# Managed by swiftclaw. Edit with `swiftclaw secrets set`; the value is age-encrypted.\n" +
		"version: 1\nagent: my-agent\nname: api-key\ndescription: OpenAI API Key\n" +
		"recipients:\n    - age1example\nvalue: |\n" + indent(value, "    ")
}

func envYAML(t *testing.T, vars map[string]string, order []string) string {
	s := "version: 1\nagent: my-agent\nrecipients:\n    - age1example\nvars:\n"
	for _, k := range order {
		s += "    " + k + ": |\n" + indent(vars[k], "        ")
	}
	return s
}

func TestVaultFilesVerifiedNotExcluded(t *testing.T) {
	openAI := "sk-proj-" + strings.Repeat("AbCdEfGhIj", 7) + "AbCd" + "T3BlbkFJ" + strings.Repeat("KlMnOpQrSt", 7) + "KlMn"
	r := newRepo(t)
	r.write(".swiftclaw/agents/my-agent/secrets/api-key.yaml", secretYAML(t, ageArmor(t, openAI)))
	r.write(".swiftclaw/agents/my-agent/env.yaml", envYAML(t, map[string]string{
		"A": ageArmor(t, "one"), "B": ageArmor(t, "two"),
	}, []string{"A", "B"}))
	r.commitAll("encrypted secrets")
	if got := r.scan(Target{Mode: ModeWorkTree}).Findings; len(got) != 0 {
		t.Fatalf("real ciphertext reported: %v", briefs(&Result{Findings: got}))
	}
	if got := r.scan(Target{Mode: ModeHistory}).Findings; len(got) != 0 {
		t.Fatalf("real ciphertext reported in history: %v", got)
	}

	// A hand edit puts a plaintext value in the secret file and in one env var.
	r.write(".swiftclaw/agents/my-agent/secrets/api-key.yaml", secretYAML(t, openAI+"\n"))
	r.write(".swiftclaw/agents/my-agent/env.yaml", envYAML(t, map[string]string{
		"A": ageArmor(t, "one"), "B": "hunter2-plaintext\n",
	}, []string{"A", "B"}))
	r.git("add", "-A")
	envLine := 7 + strings.Count(ageArmor(t, "one"), "\n") + 1 // B's value line
	want := []brief{
		{".swiftclaw/agents/my-agent/env.yaml", UnencryptedRuleID, envLine, ""},
		{".swiftclaw/agents/my-agent/secrets/api-key.yaml", UnencryptedRuleID, 9, ""},
		{".swiftclaw/agents/my-agent/secrets/api-key.yaml", "openai-api-key", 9, ""},
	}
	for _, mode := range []Mode{ModeStaged, ModeWorkTree} {
		res := r.scan(Target{Mode: mode})
		if diff := cmp.Diff(want, briefs(res)); diff != "" {
			t.Errorf("%s findings (-want +got):\n%s", mode, diff)
		}
		for _, f := range res.Findings {
			if strings.Contains(f.Redacted, "hunter2") || strings.Contains(f.Redacted, "proj") {
				t.Errorf("%s: secret not redacted: %q", mode, f.Redacted)
			}
		}
	}
}

func TestVaultFileMergeConflictIsFinding(t *testing.T) {
	r := newRepo(t)
	p := ".swiftclaw/agents/a/secrets/db.yaml"
	r.write(p, secretYAML(t, ageArmor(t, "old")))
	r.commitAll("init")
	r.write(p, "version: 1\n<<<<<<< HEAD\nvalue: |\n"+indent(ageArmor(t, "x"), "    ")+"=======\nvalue: plain-db-password\n>>>>>>> other\n")
	r.git("add", "-A")
	got := briefs(r.scan(Target{Mode: ModeStaged}))
	if len(got) == 0 || got[0].Rule != MalformedRuleID || got[0].File != p {
		t.Fatalf("findings = %v, want a %s finding", got, MalformedRuleID)
	}
}

func TestClassify(t *testing.T) {
	for p, want := range map[string]vaultKind{
		".swiftclaw/agents/a/secrets/k.yaml":    secretFile,
		".swiftclaw/agents/a/env.yaml":          envFile,
		".swiftclaw/agents/a/fingerprints.yaml": fingerprintFile,
		".swiftclaw/agents/a/agent.yaml":        notVault,
		".swiftclaw/agents/a/secrets/.yaml":     notVault,
		".swiftclaw/agents/a/secrets/d/k.yaml":  notVault,
		"x/.swiftclaw/agents/a/secrets/k.yaml":  notVault,
		".swiftclaw/agents//secrets/k.yaml":     notVault,
		".swiftclaw/config.yaml":                notVault,
	} {
		if got := classify(p); got != want {
			t.Errorf("classify(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestIsAgeArmor(t *testing.T) {
	good := ageArmor(t, "secret")
	if !isAgeArmor(good) || !isAgeArmor(strings.ReplaceAll(good, "\n", "\r\n")) {
		t.Fatal("valid armor rejected")
	}
	lines := strings.Split(strings.TrimSpace(good), "\n")
	for name, bad := range map[string]string{
		"plaintext":      "sk-live-123456789012345678901234",
		"no footer":      strings.Join(lines[:len(lines)-1], "\n"),
		"bad base64":     strings.Replace(good, lines[1], "!!!!"+lines[1][4:], 1),
		"truncated body": lines[0] + "\n" + lines[1] + "\n" + lines[len(lines)-1] + "\n",
		"not age inside": "-----BEGIN AGE ENCRYPTED FILE-----\naGVsbG8gd29ybGQ=\n-----END AGE ENCRYPTED FILE-----\n",
	} {
		if isAgeArmor(bad) {
			t.Errorf("%s accepted", name)
		}
	}
}

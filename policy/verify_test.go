package policy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

const unsignedCommit = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
	"author Bob <bob@example.com> 1709287200 +0000\n" +
	"committer Bob <bob@example.com> 1709287200 +0000\n" +
	"\n" +
	"swiftclaw: set my-agent/api-key\n"

// signedCommit returns unsignedCommit with a gpgsig header as git writes it, signed by e.
func signedCommit(t *testing.T, e *openpgp.Entity, payload string) string {
	t.Helper()
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, e, strings.NewReader(payload), nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(sig.String(), "\n"), "\n")
	header, body, _ := strings.Cut(payload, "\n\n")
	return header + "\ngpgsig " + strings.Join(lines, "\n ") + "\n\n" + body
}

func armoredPublic(t *testing.T, e *openpgp.Entity) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.String()
}

func TestOpenPGPCommitSignature(t *testing.T) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA}
	bob, err := openpgp.NewEntity("Bob", "", "bob@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	mallory, err := openpgp.NewEntity("Mallory", "", "bob@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	principals := []Principal{
		{Ref: "user:alice@example.com", SigningKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEzA0FcGPWJSMMW/qpqX0Y5rFPRF4oWFVFb6x7PEYCG9"}},
		{Ref: "user:bob@example.com", SigningKeys: []string{armoredPublic(t, bob)}},
	}
	raw := signedCommit(t, bob, unsignedCommit)
	payload, sig := splitSignature([]byte(raw))
	if string(payload) != unsignedCommit {
		t.Fatalf("payload without the signature header:\n%q\nwant\n%q", payload, unsignedCommit)
	}
	if signatureKind(sig) != SigOpenPGP {
		t.Fatalf("kind = %s", signatureKind(sig))
	}
	who, err := pgpSigner(payload, sig, principals)
	if err != nil || who.Ref != "user:bob@example.com" {
		t.Fatalf("signer = %v, %v", who, err)
	}

	// A key nobody registered, and a payload changed after signing, do not verify.
	_, forged := splitSignature([]byte(signedCommit(t, mallory, unsignedCommit)))
	if who, err := pgpSigner(payload, forged, principals); err == nil {
		t.Errorf("an unregistered key verified as %s", who.Ref)
	}
	tampered := bytes.Replace(payload, []byte("api-key"), []byte("db-url"), 1)
	if who, err := pgpSigner(tampered, sig, principals); err == nil {
		t.Errorf("a changed commit verified as %s", who.Ref)
	}

	if p, s := splitSignature([]byte(unsignedCommit)); string(p) != unsignedCommit || signatureKind(s) != SigNone {
		t.Errorf("unsigned commit: kind %s", signatureKind(s))
	}
}

func TestMayChange(t *testing.T) {
	pol, err := Parse([]byte(`
grants:
  - {user: bob@example.com, agent: my-agent, secret: "db-*", permissions: [read, write]}
  - {user: carol@example.com, agent: my-agent, secret: "*", permissions: [read]}
  - {service: ci, agent: my-agent, secret: "*", permissions: [write]}
`), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bob := Principal{Ref: "user:bob@example.com"}
	carol := Principal{Ref: "user:carol@example.com"}
	ci := Principal{Ref: "service:ci"}
	owner := Principal{Ref: "user:alice@example.com", Owner: true}
	for _, c := range []struct {
		who  Principal
		path string
		ok   bool
	}{
		{bob, ".swiftclaw/agents/my-agent/secrets/db-url.yaml", true},
		{bob, ".swiftclaw/agents/my-agent/secrets/api-key.yaml", false},
		{bob, ".swiftclaw/agents/my-agent/env.yaml", false},
		{bob, ".swiftclaw/agents/other/secrets/db-url.yaml", false},
		{carol, ".swiftclaw/agents/my-agent/secrets/db-url.yaml", false},
		{ci, ".swiftclaw/agents/my-agent/env.yaml", true},
		{ci, ".swiftclaw/agents/my-agent/agent.yaml", true},
		{ci, ".swiftclaw/policy.yaml", false},
		{ci, ".swiftclaw/recipients.yaml", false},
		{bob, ".swiftclaw/config.yaml", false},
		{owner, ".swiftclaw/recipients.yaml", true},
		{owner, ".swiftclaw/agents/x/secrets/y.yaml", true},
	} {
		if got := mayChange(pol, c.who, ".swiftclaw", c.path) == ""; got != c.ok {
			t.Errorf("%s changing %s: allowed=%v, want %v", c.who.Ref, c.path, got, c.ok)
		}
	}
}

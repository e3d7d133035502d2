package vault

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// testKey is a fixed test identity; it protects nothing.
const (
	testKey    = "AGE-SECRET-KEY-1YWHV0L6LTZZFC0EN8A7PE58NZ9KY7K2ADF8RDCJQSVM5G55X6VKSX32QVN"
	testKeyPub = "age1ndlyj7wg43qr5hr9allnrwreq90nhr4x2ztm9s0hxd66ezkq2yhq4mwuzs"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestIdentityLookupOrder(t *testing.T) {
	home := t.TempDir()
	cfgFile, cfgPub := newKey(t, filepath.Join(home, ".config", "swiftclaw"), "identity")
	sopsFile, sopsPub := newKey(t, filepath.Join(home, ".config", "sops", "age"), "keys")
	envFile, envFilePub := newKey(t, home, "from-env-file")
	explicit, explicitPub := newKey(t, home, "explicit")
	_ = cfgFile
	_ = sopsFile

	cases := []struct {
		name string
		opts IdentityOptions
		want []string
	}{
		{"explicit file wins alone", IdentityOptions{File: explicit, Getenv: envFrom(map[string]string{"SWIFTCLAW_AGE_KEY": testKey})}, []string{explicitPub}},
		{"env key, then env file, config, sops", IdentityOptions{Getenv: envFrom(map[string]string{
			"SWIFTCLAW_AGE_KEY": testKey, "SWIFTCLAW_AGE_KEY_FILE": envFile,
		})}, []string{testKeyPub, envFilePub, cfgPub, sopsPub}},
		{"CRLF and whitespace around the env key", IdentityOptions{Getenv: envFrom(map[string]string{
			"SWIFTCLAW_AGE_KEY": "  " + testKey + "\r\n",
		})}, []string{testKeyPub, cfgPub, sopsPub}},
		{"defaults only", IdentityOptions{Getenv: envFrom(nil)}, []string{cfgPub, sopsPub}},
	}
	for _, c := range cases {
		c.opts.Home = home
		ids, err := LoadIdentities(c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, id := range ids.List {
			got = append(got, id.Recipient)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: identities (-want +got):\n%s", c.name, diff)
		}
	}
}

func TestIdentityRefusals(t *testing.T) {
	home := t.TempDir()
	_, err := LoadIdentities(IdentityOptions{Home: home, Getenv: envFrom(nil)})
	if errs.KindOf(err) != errs.Decrypt {
		t.Fatalf("no identity: %v", err)
	}
	for _, where := range []string{"$SWIFTCLAW_AGE_KEY", "identity.txt", "keys.txt", "id_ed25519", "id_rsa"} {
		if !strings.Contains(err.Error(), where) {
			t.Errorf("error does not say it looked in %s: %v", where, err)
		}
	}

	loose := filepath.Join(home, "loose.txt")
	if err := os.WriteFile(loose, []byte(testKey+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = LoadIdentities(IdentityOptions{File: loose, Home: home, Getenv: envFrom(nil)})
	if errs.KindOf(err) != errs.Permission || !strings.Contains(errs.HintOf(err), "chmod 600") {
		t.Fatalf("group-readable identity: %v", err)
	}

	_, err = LoadIdentities(IdentityOptions{Home: home, Getenv: envFrom(map[string]string{"SWIFTCLAW_AGE_KEY": "AGE-SECRET-KEY-1NOTVALID"})})
	if errs.KindOf(err) != errs.Input || strings.Contains(err.Error(), "NOTVALID") {
		t.Fatalf("bad env key: %v", err)
	}

	_, err = LoadIdentities(IdentityOptions{File: filepath.Join(home, "missing.txt"), Home: home, Getenv: envFrom(nil)})
	if errs.KindOf(err) != errs.Input {
		t.Fatalf("missing explicit file: %v", err)
	}
}

func TestGenerateIdentityIsExclusiveAnd0600(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "id.txt")
	pub, err := GenerateIdentity(p, "now")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", fi.Mode().Perm(), err)
	}
	ids, err := LoadIdentities(IdentityOptions{File: p})
	if err != nil || ids.List[0].Recipient != pub {
		t.Fatalf("generated identity does not load back: %v", err)
	}
	if _, err := GenerateIdentity(p, "now"); errs.KindOf(err) != errs.Conflict {
		t.Fatalf("overwrite: %v", err)
	}
}

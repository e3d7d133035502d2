package vault

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedCount fails the fuzz target when its checked-in corpus is missing, so the seeds
// (regression inputs) cannot silently vanish.
func seedCount(f *testing.F, name string) {
	entries, err := os.ReadDir(filepath.Join("testdata", "fuzz", name))
	if err != nil || len(entries) == 0 {
		f.Fatalf("no seed corpus in testdata/fuzz/%s", name)
	}
}

// FuzzParseSecretFile: the parser never panics, and whatever it accepts renders back to a
// file that parses to the same metadata and value.
func FuzzParseSecretFile(f *testing.F) {
	seedCount(f, "FuzzParseSecretFile")
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := ParseSecretFile(data, "fuzz.yaml")
		if err != nil {
			if sf != nil {
				t.Fatal("failed parse returned a file")
			}
			return
		}
		out, err := marshalSecretFile(sf)
		if err != nil {
			t.Fatalf("accepted file does not render: %v", err)
		}
		again, err := ParseSecretFile(out, "fuzz.yaml")
		if err != nil {
			t.Fatalf("rendered file does not parse: %v", err)
		}
		if again.Value != sf.Value || again.Agent != sf.Agent || again.Name != sf.Name || again.binding().diff(sf.binding()) != "" {
			t.Fatal("round trip changed the file")
		}
	})
}

// FuzzParseIdentities: never panics, never echoes input in errors, and accepted
// identities have a public key.
func FuzzParseIdentities(f *testing.F) {
	seedCount(f, "FuzzParseIdentities")
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, err := ParseIdentities(data, "fuzz")
		if err != nil {
			if len(data) > 20 && containsLine(err.Error(), string(data)) {
				t.Fatal("error echoes the identity text")
			}
			return
		}
		for _, id := range ids {
			if id.Recipient == "" && id.Identity == nil {
				t.Fatal("accepted an empty identity")
			}
		}
	})
}

func containsLine(msg, data string) bool {
	for _, line := range strings.Split(data, "\n") {
		if len(line) > 20 && strings.Contains(msg, line) {
			return true
		}
	}
	return false
}

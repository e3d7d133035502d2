package scan

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzParseFingerprints(f *testing.F) {
	fp, _ := NewFingerprints(bytes.Repeat([]byte{7}, FingerprintKeySize))
	fp.Put("a/b", []byte("value-number-one"))
	fp.Put("a/c", []byte("p@ss word x1"))
	fp.Put("a/d", []byte("line-one-is-long-enough\nline-two-is-long-enough\n"))
	data, _ := fp.Marshal()
	f.Add(data)
	f.Add([]byte("version: 1\nsalt: " + strings.Repeat("A", 43) + "=\n"))
	f.Add([]byte("version: 1\nvalues: [{}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fp, err := ParseFingerprints(data)
		if err != nil {
			if fp != nil {
				t.Fatal("failed parse returned a value")
			}
			return
		}
		out, err := fp.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseFingerprints(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		byName := func(a, b FingerprintEntry) int { return strings.Compare(a.Name, b.Name) }
		slices.SortStableFunc(fp.Entries, byName)
		if diff := cmp.Diff(fp, again); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

func FuzzCheckVaultFile(f *testing.F) {
	armored := "-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n"
	f.Add([]byte("version: 1\nvalue: |\n    " + strings.ReplaceAll(armored, "\n", "\n    ")))
	f.Add([]byte("vars:\n    A: plain\n"))
	f.Add([]byte("<<<<<<< HEAD\nvalue: x\n=======\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, kind := range []vaultKind{secretFile, envFile, fingerprintFile} {
			vc := checkVaultFile(kind, data)
			for l := range vc.protected {
				if l < 1 || l > lines {
					t.Fatalf("protected line %d outside 1..%d", l, lines)
				}
			}
			blanked := blankLines(string(data), 1, vc.protected)
			if strings.Count(blanked, "\n") != strings.Count(string(data), "\n") {
				t.Fatal("blanking changed the line count")
			}
		}
	})
}

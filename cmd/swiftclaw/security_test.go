package main

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/swiftclaw/swiftclaw/internal/fsutil"
	"github.com/swiftclaw/swiftclaw/internal/sariftest"
	"github.com/swiftclaw/swiftclaw/scan"
)

// sarifcheck FILE [N] fails unless FILE is a SARIF 2.1.0 log with the schema's required
// fields (and N results).
func cmdSarifcheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: sarifcheck file [results]")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	n, err := sariftest.Check(data)
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if len(args) == 2 && args[1] != strconv.Itoa(n) {
		ts.Fatalf("%s has %d results, want %s", args[0], n, args[1])
	}
}

// mkfingerprint AGENT NAME VALUE writes (or extends) AGENT's fingerprint file in the
// repository in the current directory, as the vault does when it stores a value.
func cmdMkfingerprint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mkfingerprint agent name value")
	}
	p := scan.FingerprintPath(ts.MkAbs("."), args[0])
	var fp *scan.Fingerprints
	if data, err := os.ReadFile(p); err == nil {
		fp, err = scan.ParseFingerprints(data)
		ts.Check(err)
	} else {
		key, err := scan.NewFingerprintKey()
		ts.Check(err)
		fp, err = scan.NewFingerprints(key)
		ts.Check(err)
	}
	if fp.Put(args[1], []byte(args[2])) == 0 {
		ts.Fatalf("value too short or simple to fingerprint")
	}
	data, err := fp.Marshal()
	ts.Check(err)
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(fsutil.WriteFile(p, data, 0o644))
}

// Command testhookbin is the pre-commit hook command used by the hooks tests until the
// swiftclaw CLI exists: it runs the real staged scan of the repository it is started in
// (with the repository's fingerprint files), prints findings as a blocked commit shows them and
// exits 1 when there are any, 2 when the scan fails.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/swiftclaw/swiftclaw/scan"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx := context.Background()
	s, err := scan.New(scan.Options{}) // loads the repository's fingerprint files
	if err != nil {
		fmt.Fprintln(os.Stderr, "testhookbin:", err)
		return 2
	}
	res, err := s.Scan(ctx, scan.Target{Mode: scan.ModeStaged})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testhookbin:", err)
		return 2
	}
	if len(res.Findings) == 0 {
		return 0
	}
	if err := scan.WriteBlocked(os.Stderr, res); err != nil {
		return 2
	}
	return 1
}

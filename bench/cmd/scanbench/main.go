// Command scanbench runs the scan library the way `swiftclaw security scan` will, so that
// bench/scan.sh can time it against the gitleaks CLI before (and independently of) the
// swiftclaw CLI: build the scanner (rules, .gitleaksignore, the repository's fingerprint
// files), scan, write a report, exit 1 on findings.
//
//	scanbench [-C DIR] [-staged | -history [-range R]] [-path P]... [-format table|json|sarif|none] [-workers N]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/swiftclaw/swiftclaw/scan"
)

type paths []string

func (p *paths) String() string     { return fmt.Sprint(*p) }
func (p *paths) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	dir := flag.String("C", ".", "directory to scan (inside a repository for -staged/-history)")
	staged := flag.Bool("staged", false, "scan the staged changes")
	history := flag.Bool("history", false, "scan git history")
	rng := flag.String("range", "", "revision range for -history")
	format := flag.String("format", "none", "report format: table, json, sarif, blocked or none")
	workers := flag.Int("workers", 0, "files scanned at once (default: the library's)")
	var limit paths
	flag.Var(&limit, "path", "limit to this repository-relative path (repeatable)")
	flag.Parse()
	os.Exit(run(*dir, *staged, *history, *rng, *format, *workers, limit))
}

func run(dir string, staged, history bool, rng, format string, workers int, limit []string) int {
	ctx := context.Background()
	target := scan.Target{Mode: scan.ModeWorkTree, Range: rng, Paths: limit}
	switch {
	case staged:
		target.Mode = scan.ModeStaged
	case history:
		target.Mode = scan.ModeHistory
	}
	s, err := scan.New(scan.Options{Dir: dir, Workers: workers}) // loads the repository's fingerprint files
	if err != nil {
		fmt.Fprintln(os.Stderr, "scanbench:", err)
		return 2
	}
	res, err := s.Scan(ctx, target)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scanbench:", err)
		return 2
	}
	write := map[string]func(io.Writer, *scan.Result) error{
		"table": scan.WriteTable, "json": scan.WriteJSON, "sarif": scan.WriteSARIF, "blocked": scan.WriteBlocked,
		"none": func(io.Writer, *scan.Result) error { return nil },
	}[format]
	if write == nil {
		fmt.Fprintf(os.Stderr, "scanbench: unknown format %q\n", format)
		return 2
	}
	if err := write(os.Stdout, res); err != nil {
		fmt.Fprintln(os.Stderr, "scanbench:", err)
		return 2
	}
	fmt.Fprintf(os.Stderr, "scanbench: %d findings, %d files, %d commits, %d bytes\n", len(res.Findings), res.Files, res.Commits, res.Bytes)
	if len(res.Findings) > 0 {
		return 1
	}
	return 0
}

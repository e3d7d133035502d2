// Command gen writes the benchmark inputs of bench/gen-*.sh. It is a port of the shared
// baseline generators (same code, same seeds, same output), with the fake credentials
// split in the source so that secret scanners do not flag this directory.
//
//	gen precommit base DIR SEED | gen precommit modify DIR SEED
//	gen dirscan DIR SEED
//	gen history SEED > fast-import stream
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gen precommit|dirscan|history ARGS...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "precommit":
		precommitMain(os.Args[2:])
	case "dirscan":
		dirscanMain(os.Args[2:])
	case "history":
		historyMain(os.Args[2:])
	default:
		check(fmt.Errorf("unknown generator %q", os.Args[1]))
	}
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		return must(strconv.Atoi(v))
	}
	return def
}

func must[T any](v T, err error) T { check(err); return v }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

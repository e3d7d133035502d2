package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/term"
)

func TestMain(m *testing.M) {
	cmds := map[string]func(){
		"swiftclaw": func() {
			os.Exit(Main(os.Args[1:], &Env{
				Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
				StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
				StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
				Ctx:       contextBackground(),
			}))
		},
		"age-plugin-swifttest": agePluginSwifttest,
		// envhash is the child that `swiftclaw run` starts in scripts: it prints, for each
		// variable named, its length and SHA-256 — proof of what it received without ever
		// printing a value — and then its own argv.
		"envhash": func() {
			names := os.Args[1:]
			sort.Strings(names)
			for _, n := range names {
				v, ok := os.LookupEnv(n)
				if !ok {
					fmt.Printf("%s unset\n", n)
					continue
				}
				fmt.Printf("%s len=%d sha256=%x\n", n, len(v), sha256.Sum256([]byte(v)))
			}
			fmt.Printf("argv=%q\n", os.Args[1:])
			if c := os.Getenv("ENVHASH_EXIT"); c != "" {
				n, _ := strconv.Atoi(c)
				os.Exit(n)
			}
		},
	}
	for name, f := range deployHelpers {
		cmds[name] = f
	}
	for name, f := range sdkHelpers {
		cmds[name] = f
	}
	testscript.Main(m, cmds) // a Vault server the scripts started dies with this process
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		Condition:           providerCondition,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			e.Setenv("HOME", home)
			e.Setenv("XDG_CONFIG_HOME", "")
			e.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			e.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
			e.Setenv("GIT_AUTHOR_NAME", "Alice")
			e.Setenv("GIT_AUTHOR_EMAIL", "alice@example.com")
			e.Setenv("GIT_COMMITTER_NAME", "Alice")
			e.Setenv("GIT_COMMITTER_EMAIL", "alice@example.com")
			e.Setenv("TZ", "UTC")
			e.Defer(func() { stopGPGAgent(filepath.Join(e.WorkDir, "gnupg")) })
			return os.MkdirAll(home, 0o755)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"mode":     cmdMode,
			"mkbytes":  cmdMkbytes,
			"awsfake":  providerCmds["awsfake"], "vaultserver": providerCmds["vaultserver"],
			// security_*.txtar
			"sarifcheck":    cmdSarifcheck,
			"mkfingerprint": cmdMkfingerprint,
		},
	})
}

// exitcode N CMD ARGS... runs CMD and fails unless it exits with N. Output is kept for
// the stdout/stderr commands that follow.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// mode FILE PERM fails unless FILE has exactly permission bits PERM (octal).
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode file perm")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	if (fi.Mode().Perm() == os.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %04o", args[0], fi.Mode().Perm())
	}
}

// mkbytes FILE N [BYTE] writes N bytes (default 'x') to FILE.
func cmdMkbytes(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: mkbytes file n [byte]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	b := byte('x')
	if len(args) == 3 {
		v, err := strconv.ParseUint(args[2], 0, 8)
		ts.Check(err)
		b = byte(v)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Repeat(string([]byte{b}), n)), 0o644))
}

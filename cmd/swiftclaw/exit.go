package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Exit codes, documented in `swiftclaw --help`.
const (
	exitOK       = 0
	exitFindings = 1 // a check ran and failed: leaks found, policy violated, secrets missing
	exitUsage    = 2 // bad flags, names, files or values
	exitDecrypt  = 3 // cannot decrypt, not permitted, expired, tampered
	exitTool     = 4 // git, I/O, lock busy: the tool or its environment failed
)

// codeFor is the one place that maps an error kind to an exit code.
func codeFor(k errs.Kind) int {
	switch k {
	case errs.Findings:
		return exitFindings
	case errs.Input, errs.NotFound, errs.Conflict:
		return exitUsage
	case errs.Decrypt, errs.Permission, errs.Expired, errs.Tampered:
		return exitDecrypt
	default:
		return exitTool
	}
}

// report prints err as `swiftclaw: <what>: <why>` plus a hint line and returns its code.
func report(env *Env, err error) int {
	var ce childExit
	if errors.As(err, &ce) {
		return ce.code
	}
	msg := err.Error()
	if msg != "" {
		fmt.Fprintf(env.Stderr, "swiftclaw: %s\n", msg)
	}
	if hint := errs.HintOf(err); hint != "" {
		fmt.Fprintf(env.Stderr, "hint: %s\n", hint)
	}
	return codeFor(errs.KindOf(err))
}

// reportUsage prints a parse error; kong has already printed usage where it helps.
func reportUsage(env *Env, err error) int {
	fmt.Fprintf(env.Stderr, "swiftclaw: %s\n", strings.TrimSpace(err.Error()))
	fmt.Fprintf(env.Stderr, "hint: run `swiftclaw --help` or `swiftclaw COMMAND --help`\n")
	return exitUsage
}

// warn prints a warning line on stderr.
func warn(env *Env, format string, args ...any) {
	fmt.Fprintf(env.Stderr, "swiftclaw: warning: "+format+"\n", args...)
}

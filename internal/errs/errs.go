// Package errs gives swiftclaw's library packages one typed error that carries a kind
// (which decides the CLI exit code), a message, and an optional hint naming the next step.
// Library code never prints or exits; cmd/swiftclaw/exit.go maps these to text and codes.
// Messages must never contain a secret value.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the exit-code mapping.
type Kind int

const (
	// Internal is a failure of the tool or its environment (I/O, git, bugs).
	Internal Kind = iota
	// Input is bad user input: invalid names, flags, files, values.
	Input
	// NotFound is an unknown agent, secret, key or principal.
	NotFound
	// Decrypt is a failure to decrypt: no matching identity, wrong recipients.
	Decrypt
	// Permission is a refusal by policy or file permissions.
	Permission
	// Expired is a secret past its expiry.
	Expired
	// Tampered is an integrity failure: metadata edited without re-encrypting, a broken chain.
	Tampered
	// Busy is a lock held by another swiftclaw process.
	Busy
	// Findings means a check ran and found problems (leaks, policy violations, missing secrets).
	Findings
	// Conflict is a state that needs the user to decide (merge conflicts, existing files).
	Conflict
)

// Error is swiftclaw's typed error.
type Error struct {
	Kind Kind
	Msg  string // what went wrong, lower-case, no trailing period
	Hint string // optional next step, usually a command
	Err  error  // optional cause
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error of kind with a formatted message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error of kind whose cause is err.
func Wrap(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: err}
}

// WithHint sets the hint and returns e for chaining.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// HintOf returns the first non-empty hint in err's chain.
func HintOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}

// Is reports whether err has an *Error of kind k anywhere in its chain.
func Is(err error, k Kind) bool {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return false
		}
		if e.Kind == k {
			return true
		}
		err = e.Err
	}
	return false
}

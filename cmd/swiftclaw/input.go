package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

func b64(v []byte) string { return base64.StdEncoding.EncodeToString(v) }

// readAllCapped reads r refusing more than the value size limit.
func readAllCapped(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, vault.MaxValueSize+1))
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "cannot read %s", what)
	}
	if len(data) > vault.MaxValueSize {
		return nil, errs.New(errs.Input, "%s is larger than %d MiB", what, vault.MaxValueSize>>20)
	}
	return data, nil
}

// readValueFile reads a value from a file exactly, byte for byte.
func readValueFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errs.New(errs.Input, "file %s does not exist", path).WithHint("check the path given to --file")
		}
		return nil, errs.Wrap(errs.Input, err, "cannot read %s", path)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, errs.New(errs.Input, "%s is a directory", path)
	}
	return readAllCapped(f, path)
}

// promptSecret reads a value from the controlling terminal with echo off.
func promptSecret(env *Env, prompt string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errs.New(errs.Input, "no value given and no terminal to prompt on").
			WithHint("pass the value with --value-stdin or --file")
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	v, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, errs.Wrap(errs.Input, err, "cannot read the value from the terminal")
	}
	return v, nil
}

// sshPassphrase prompts on the terminal for a passphrase-protected SSH identity.
func sshPassphrase(env *Env) func(path string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		return promptSecret(env, fmt.Sprintf("Passphrase for %s: ", path))
	}
}

// trimOneNewline drops one trailing "\n" or "\r\n": what `echo` and here-docs add, and
// almost never part of a token. --file keeps bytes exactly.
func trimOneNewline(v []byte) []byte {
	if n := len(v); n > 0 && v[n-1] == '\n' {
		v = v[:n-1]
		if n := len(v); n > 0 && v[n-1] == '\r' {
			v = v[:n-1]
		}
	}
	return v
}

// valueFlags names a command's value flag and its safer alternatives, for the warning.
type valueFlags struct{ flag, instead string }

// valueFrom reads a value from the first source given: the flag's text (with a warning:
// argv is visible to other users), stdin (one trailing newline dropped) or a file (bytes
// exactly). ok is false when none was given.
func valueFrom(env *Env, names valueFlags, text *string, stdin bool, file string) (v []byte, ok bool, err error) {
	switch {
	case text != nil:
		warn(env, "%s puts the secret in the process list and shell history; prefer %s", names.flag, names.instead)
		return []byte(*text), true, nil
	case stdin:
		v, err := readAllCapped(env.Stdin, "stdin")
		return trimOneNewline(v), true, err
	case file != "":
		v, err := readValueFile(file)
		return v, true, err
	}
	return nil, false, nil
}

// openWithValue opens the store and validates the names before reading a value the user
// might have to type.
func openWithValue(g *Globals, env *Env, agent, name string, read func(*Env) ([]byte, error)) (*vault.Store, []byte, error) {
	s, err := g.open(env)
	if err != nil {
		return nil, nil, err
	}
	if err := vault.ValidateName("agent", agent); err != nil {
		return nil, nil, err
	}
	if err := vault.ValidateName("secret", name); err != nil {
		return nil, nil, err
	}
	value, err := read(env)
	return s, value, err
}

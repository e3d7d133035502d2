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

package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// stopGPGAgent stops the gpg-agent that gpg started for a script's $WORK/gnupg, if any,
// so a failed script does not leave it running.
func stopGPGAgent(home string) {
	if _, err := os.Stat(home); err != nil {
		return
	}
	cmd := exec.Command("gpgconf", "--kill", "gpg-agent")
	cmd.Env = append(os.Environ(), "GNUPGHOME="+home)
	_ = cmd.Run()
}

// Bulk re-encryption shows progress on a terminal only: never into a pipe or a buffer.
func TestProgressOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	if progress(&Env{Stderr: &buf}) != nil {
		t.Error("progress for a buffer")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if progress(&Env{Stderr: w}) != nil {
		t.Error("progress for a pipe")
	}
}

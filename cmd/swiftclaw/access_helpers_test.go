package main

import (
	"os"
	"os/exec"
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

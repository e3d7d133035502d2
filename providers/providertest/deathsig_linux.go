package providertest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the server when the test process exits, even when
// it exits without stopping it (os.Exit from testscript.Main, a panic, a kill).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

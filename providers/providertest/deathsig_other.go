//go:build !linux

package providertest

import "os/exec"

// dieWithParent does nothing where the kernel has no parent-death signal; Stop ends the
// server.
func dieWithParent(*exec.Cmd) {}

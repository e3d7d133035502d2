// Package filelock takes exclusive advisory locks on open files so several swiftclaw
// processes can share one file (the audit log, the alert fire state) without tearing it.
// On Unix it uses flock(2): the lock is tied to the open file description, so it is
// released when the file is closed or the process exits, even on a crash.
package filelock

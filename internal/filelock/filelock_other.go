//go:build !unix

package filelock

import (
	"errors"
	"os"
)

// ErrUnsupported is returned where the platform has no flock(2).
var ErrUnsupported = errors.New("file locking is not supported on this platform")

// Lock reports ErrUnsupported on this platform.
func Lock(f *os.File) error { return ErrUnsupported }

// Unlock reports ErrUnsupported on this platform.
func Unlock(f *os.File) error { return ErrUnsupported }

//go:build unix

package vault

import (
	"context"
	"os"
	"syscall"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// lock takes an exclusive flock on .swiftclaw/.lock, waiting up to the lock timeout.
// flock is released by the kernel if the process dies, so a crash never leaves it held.
func (s *Store) lock(ctx context.Context) (func(), error) {
	p, err := s.path(".lock")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.Dir(), 0o755); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot create %s", DirName)
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "cannot open lock file %s", s.rel(p))
	}
	deadline := time.Now().Add(s.opts.LockTimeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, errs.Wrap(errs.Internal, err, "cannot lock %s", s.rel(p))
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, errs.Wrap(errs.Busy, ErrLocked, "timed out after %s waiting for the lock on %s", s.opts.LockTimeout, s.rel(p)).
				WithHint("wait for the other swiftclaw command to finish and try again")
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond): // poll: flock has no timed wait
		}
	}
}

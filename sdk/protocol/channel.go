//go:build unix

package protocol

import (
	"context"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// ChannelEnv names the environment variable that tells a child which inherited file
// descriptor is its run channel.
const ChannelEnv = "SWIFTCLAW_CHANNEL_FD"

// Channel is a one-time run channel: a connected Unix socket pair, one end served by a
// goroutine in this process, the other handed to exactly one child.
type Channel struct {
	conn  net.Conn
	child *os.File
	done  chan struct{}
	once  sync.Once
}

// OpenChannel creates a socket pair and starts serving store on this process's end with
// opts (set opts.Agent to bind it to one agent). Pass Child to the child (exec.Cmd's
// ExtraFiles) and set ChannelEnv to ChildEnv in its environment, then Close once the child
// has exited. Both ends are close-on-exec here: only the child that is given Child gets it.
func OpenChannel(ctx context.Context, store Store, opts Options) (*Channel, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	parent := os.NewFile(uintptr(fds[0]), "swiftclaw-channel")
	child := os.NewFile(uintptr(fds[1]), "swiftclaw-channel-child")
	conn, err := net.FileConn(parent) // duplicates the descriptor
	parent.Close()
	if err != nil {
		child.Close()
		return nil, err
	}
	c := &Channel{conn: conn, child: child, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		_ = Serve(ctx, conn, conn, store, opts) // ends when the child hangs up or Close is called
	}()
	return c, nil
}

// Child is the child's end, to pass as the child's first extra file (descriptor 3).
func (c *Channel) Child() *os.File { return c.child }

// ChildEnv is the value of ChannelEnv for a child that received Child as its first extra
// file.
func (c *Channel) ChildEnv() string { return strconv.Itoa(3) }

// Close closes both ends held here and waits for the serving goroutine to finish. A request
// in flight is abandoned; nothing more is served.
func (c *Channel) Close() error {
	c.once.Do(func() {
		c.child.Close()
		c.conn.Close()
		<-c.done
	})
	return nil
}

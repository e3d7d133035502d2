package providertest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CacheDir is where scripts/build-test-servers.sh puts the test servers:
// $SWIFTCLAW_TEST_CACHE, else ~/.cache/swiftclaw-test.
func CacheDir() string {
	if d := os.Getenv("SWIFTCLAW_TEST_CACHE"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "swiftclaw-test")
}

// ServerBinary returns the path of a server built by scripts/build-test-servers.sh, or
// "" when it is not there.
func ServerBinary(name string) string {
	p := filepath.Join(CacheDir(), "bin", name)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return p
	}
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Server is a test server process the harness started; Stop ends it.
type Server struct {
	cmd  *exec.Cmd
	done chan error
	out  *strings.Builder
	mu   sync.Mutex
}

// StartServer runs bin with args and waits until a line of its output contains ready (the
// server's own "started" message) and, when addr is set, a TCP connection to addr
// succeeds. It gives up when the process exits first or after timeout.
func StartServer(bin string, args, env []string, ready, addr string, timeout time.Duration) (*Server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	dieWithParent(cmd)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	s := &Server{cmd: cmd, done: make(chan error, 1), out: &strings.Builder{}}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			s.mu.Lock()
			if s.out.Len() < 64<<10 {
				s.out.WriteString(sc.Text() + "\n")
			}
			s.mu.Unlock()
			if !signalled && strings.Contains(sc.Text(), ready) {
				close(started)
				signalled = true
			}
		}
		io.Copy(io.Discard, pr) //nolint:errcheck // keep draining so the server never blocks
	}()
	deadline := time.After(timeout)
	select {
	case <-started:
		if addr == "" {
			return s, nil
		}
		// Some servers log before they listen: connect until it works, or give up.
		for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				return s, nil
			}
			select {
			case err := <-s.done:
				return nil, fmt.Errorf("%s exited before it listened (%v):\n%s", filepath.Base(bin), err, s.Output())
			case <-deadline:
				s.Stop()
				return nil, fmt.Errorf("%s did not listen on %s after %s:\n%s", filepath.Base(bin), addr, timeout, s.Output())
			case <-time.After(wait):
			}
		}
	case err := <-s.done:
		return nil, fmt.Errorf("%s exited before it was ready (%v):\n%s", filepath.Base(bin), err, s.Output())
	case <-deadline:
		s.Stop()
		return nil, fmt.Errorf("%s was not ready after %s:\n%s", filepath.Base(bin), timeout, s.Output())
	}
}

// Output is what the server printed so far (capped).
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// Stop kills the server and waits for it.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Shared starts one server for a whole test binary on first use and remembers a failure,
// so every test that needs it reports it.
type Shared struct {
	once  sync.Once
	srv   *Server
	err   error
	value any
}

// Get starts the server with start on first call and returns what start returned.
func (sh *Shared) Get(start func() (*Server, any, error)) (any, error) {
	sh.once.Do(func() { sh.srv, sh.value, sh.err = start() })
	return sh.value, sh.err
}

// Stop stops the server if it was started. Call it from TestMain after m.Run.
func (sh *Shared) Stop() { sh.srv.Stop() }

// Need is Get for a test: a missing binary is reported with RequireServer, a server that
// fails to start fails the test.
func (sh *Shared) Need(t testing.TB, bin, what, how string, start func() (*Server, any, error)) any {
	t.Helper()
	if bin == "" {
		RequireServer(t, what, how)
	}
	v, err := sh.Get(start)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

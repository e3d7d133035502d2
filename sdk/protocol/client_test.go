package protocol

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swiftclaw/swiftclaw/vault"
)

// serveConn serves store on one end of an in-memory connection and returns a client on
// the other.
func serveConn(t *testing.T, store Store, opts Options) *Client {
	t.Helper()
	server, client := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- Serve(context.Background(), server, server, store, opts) }()
	t.Cleanup(func() {
		client.Close()
		server.Close()
		<-done
	})
	c, err := NewClient(client)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientConcurrentRequests(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	c := serveConn(t, r.Store, Options{Agent: "my-agent", Server: "test"})
	if c.Hello.Agent == nil || *c.Hello.Agent != "my-agent" || c.Hello.Server != "test" {
		t.Fatalf("hello = %+v", c.Hello)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			res, err := c.Do(context.Background(), Request{Op: OpGet, Name: "api-key"})
			if err != nil {
				errc <- err
				return
			}
			if v := res.(*Value); v.Value != apiKey || v.Expires != nil {
				errc <- errors.New("get returned another value")
			}
		}()
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), Request{Op: OpGet, Agent: "other-agent", Name: "api-key"})
			if !errors.Is(err, ErrAccessDenied) {
				errc <- errors.New("other agent not refused: " + err.Error())
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	res, err := c.Do(context.Background(), Request{Op: OpList})
	if err != nil || len(res.(*List).Secrets) != 3 {
		t.Fatalf("list: %v", err)
	}
	res, err = c.Do(context.Background(), Request{Op: OpGet, Name: "db-cert"})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := res.(*Value).Bytes(); err != nil || string(b) != string(binaryValue) {
		t.Fatalf("binary value: %v", err)
	}
	var pe *Error
	_, err = c.Do(context.Background(), Request{Op: OpGet, Name: "nope"})
	if !errors.As(err, &pe) || pe.Kind != KindNotFound || pe.Hint == "" {
		t.Fatalf("missing secret: %v", err)
	}
}

func TestClientRefusesOtherProtocols(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ hello, want string }{
		{`{"protocol":2,"server":"future"}`, "protocol 2"},
		{`hello`, "did not send a swiftclaw handshake"},
		{``, "reading the swiftclaw handshake"},
	} {
		server, client := net.Pipe()
		go func() {
			if tc.hello != "" {
				io.WriteString(server, tc.hello+"\n")
			}
			server.Close()
		}()
		_, err := NewClient(client)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hello %q: err = %v, want %q", tc.hello, err, tc.want)
		}
		client.Close()
	}
}

func TestClientServerGone(t *testing.T) {
	t.Parallel()
	server, client := net.Pipe()
	go func() {
		io.WriteString(server, `{"protocol":1,"server":"x","agent":null,"ops":[]}`+"\n")
		buf := make([]byte, 100)
		server.Read(buf)
		server.Close()
	}()
	c, err := NewClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Do(context.Background(), Request{Op: OpPing}); err == nil || !strings.Contains(err.Error(), "reading from swiftclaw") {
		t.Fatalf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Do(ctx, Request{Op: OpPing}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: err = %v", err)
	}
}

// TestIdentitiesLoadedOnce: a long-lived server reads the identity once; later requests
// do not need the key file (serve --stdio answers many gets without re-reading keys).
func TestIdentitiesLoadedOnce(t *testing.T) {
	t.Parallel()
	var now time.Time
	r := project(t, &now)
	store, err := vault.Open(r.Options())
	if err != nil {
		t.Fatal(err)
	}
	c := serveConn(t, store, Options{})
	get := func() error {
		_, err := c.Do(context.Background(), Request{Op: OpGet, Agent: "my-agent", Name: "api-key"})
		return err
	}
	if err := get(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(r.IdentityFile); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := get(); err != nil {
			t.Fatalf("get %d after the key file was removed: %v", i+2, err)
		}
	}
	// A fresh server cannot decrypt any more: the first one really had loaded the key.
	fresh, err := vault.Open(r.Options())
	if err != nil {
		t.Fatal(err)
	}
	_, err = serveConn(t, fresh, Options{}).Do(context.Background(), Request{Op: OpGet, Agent: "my-agent", Name: "api-key"})
	if err == nil || !strings.Contains(err.Error(), "cannot read identity file") {
		t.Fatalf("fresh server without the key file: err = %v", err)
	}
}

package swiftclaw

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/swiftclaw/swiftclaw/sdk/protocol"
	"github.com/swiftclaw/swiftclaw/vault"
)

// Error is a failed read, with the CLI's message and hint (see sdk/PROTOCOL.md for kinds).
type Error = protocol.Error

// SecretInfo is a secret's metadata, as Secrets.List returns it.
type SecretInfo = protocol.SecretInfo

// Sentinels for errors.Is: each matches every *Error of its kind.
var (
	ErrNotFound     = protocol.ErrNotFound
	ErrExpired      = protocol.ErrExpired
	ErrAccessDenied = protocol.ErrAccessDenied
	ErrTampered     = protocol.ErrTampered
)

// Agent is agent code's handle on its secrets and environment variables. It is safe for
// concurrent use.
type Agent struct {
	// Name is the agent's name, as in `swiftclaw secrets set NAME ...`.
	Name string
	// Secrets reads the agent's secrets.
	Secrets *Secrets
	// Env reads the agent's environment variables (`swiftclaw env set`).
	Env *Env

	cfg  config
	mu   sync.Mutex
	conn backend
}

type config struct {
	repo, identity string
	getenv         func(string) string
	now            func() time.Time
}

// Option configures NewAgent.
type Option func(*config)

// WithRepo reads the project containing dir instead of the current directory's. Ignored
// inside `swiftclaw run`, whose channel already serves the right project.
func WithRepo(dir string) Option { return func(c *config) { c.repo = dir } }

// WithIdentity decrypts with the identity file path only, like the CLI's --identity.
// Ignored inside `swiftclaw run`, where the agent needs no identity.
func WithIdentity(path string) Option { return func(c *config) { c.identity = path } }

// NewAgent returns a handle for the agent name. Nothing is opened until the first read, so
// errors (an unknown agent, no identity) come from that read.
func NewAgent(name string, opts ...Option) *Agent {
	a := &Agent{Name: name, cfg: config{getenv: os.Getenv, now: time.Now}}
	for _, o := range opts {
		o(&a.cfg)
	}
	a.Secrets = &Secrets{a: a, cache: map[cacheKey]cached{}}
	a.Env = &Env{a: a, cache: map[string]string{}}
	return a
}

// Close releases what the agent opened. The run channel stays open for other Agents.
func (a *Agent) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.conn = nil
	return nil
}

// do sends one request over the channel or to the vault directly.
func (a *Agent) do(ctx context.Context, req protocol.Request) (any, error) {
	a.mu.Lock()
	if a.conn == nil {
		if fd := a.cfg.getenv(protocol.ChannelEnv); fd != "" {
			a.conn = sharedChannel(fd)
		} else {
			a.conn = openDirect(a.cfg)
		}
	}
	b := a.conn
	a.mu.Unlock()
	req.Agent = a.Name
	res, err := b.do(ctx, req)
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			err = &Error{Kind: protocol.KindInternal, Message: err.Error()}
		}
		return nil, err
	}
	return res, nil
}

// backend answers protocol requests.
type backend interface {
	do(ctx context.Context, req protocol.Request) (any, error)
}

// direct reads the repository with the vault library in this process.
type direct struct {
	mu sync.Mutex
	h  *protocol.Handler
}

func openDirect(c config) *direct {
	var store protocol.Store
	s, err := vault.Open(vault.Options{Dir: c.repo, Identity: vault.IdentityOptions{File: c.identity, Getenv: c.getenv}})
	if err != nil {
		store = protocol.Unavailable(err)
	} else {
		store = s
	}
	return &direct{h: protocol.NewHandler(store, protocol.Options{Server: "swiftclaw Go SDK"})}
}

func (d *direct) do(ctx context.Context, req protocol.Request) (any, error) {
	d.mu.Lock() // the vault store is not safe for concurrent use
	defer d.mu.Unlock()
	res := d.h.Handle(ctx, req)
	if res.Error != nil {
		return nil, res.Error
	}
	return res.Result, nil
}

// channel is the run channel, shared by every Agent of the process: the inherited
// descriptor is taken (and made close-on-exec) once.
type channel struct {
	c   *protocol.Client
	err error
}

func (ch *channel) do(ctx context.Context, req protocol.Request) (any, error) {
	if ch.err != nil {
		return nil, ch.err
	}
	return ch.c.Do(ctx, req)
}

var shared struct {
	sync.Mutex
	fd string
	ch *channel
}

func sharedChannel(fd string) *channel {
	shared.Lock()
	defer shared.Unlock()
	if shared.ch == nil || shared.fd != fd {
		shared.fd, shared.ch = fd, dialChannel(fd)
	}
	return shared.ch
}

func dialChannel(fd string) *channel {
	n, err := strconv.Atoi(fd)
	if err != nil || n < 3 {
		return &channel{err: &Error{Kind: protocol.KindInternal, Message: fmt.Sprintf("%s=%q is not a file descriptor", protocol.ChannelEnv, fd)}}
	}
	f := os.NewFile(uintptr(n), "swiftclaw-channel")
	conn, err := net.FileConn(f) // a close-on-exec duplicate
	if err != nil {
		// Not ours to close: the descriptor may be something else entirely.
		return &channel{err: &Error{Kind: protocol.KindInternal,
			Message: fmt.Sprintf("%s=%s is not an open socket: %v", protocol.ChannelEnv, fd, err),
			Hint:    "the channel belongs to the process `swiftclaw run` started; its children must not rely on it: unset " + protocol.ChannelEnv}}
	}
	f.Close() // the inherited descriptor; conn is close-on-exec, so no grandchild inherits it
	c, err := protocol.NewClient(conn)
	if err != nil {
		conn.Close()
		return &channel{err: &Error{Kind: protocol.KindInternal, Message: err.Error()}}
	}
	return &channel{c: c}
}

// Secrets reads an agent's secrets.
type Secrets struct {
	a     *Agent
	mu    sync.Mutex
	cache map[cacheKey]cached
}

type cacheKey struct{ name, version string }

type cached struct {
	value   string
	expires *time.Time
}

// GetOption modifies Secrets.Get.
type GetOption func(*protocol.Request)

// AtVersion asks for an earlier version of the secret ("v2"), where the serving swiftclaw
// can read history.
func AtVersion(label string) GetOption { return func(r *protocol.Request) { r.Version = &label } }

// Get returns the secret's value (binary values byte for byte). A value is cached in
// memory until the secret's expiry.
func (s *Secrets) Get(ctx context.Context, name string, opts ...GetOption) (string, error) {
	req := protocol.Request{Op: protocol.OpGet, Name: name}
	for _, o := range opts {
		o(&req)
	}
	key := cacheKey{name: name}
	if req.Version != nil {
		key.version = *req.Version
	}
	s.mu.Lock()
	c, ok := s.cache[key]
	if ok && c.expires != nil && !s.a.cfg.now().Before(*c.expires) {
		delete(s.cache, key)
		ok = false
	}
	s.mu.Unlock()
	if ok {
		return c.value, nil
	}
	res, err := s.a.do(ctx, req)
	if err != nil {
		return "", err
	}
	v := res.(*protocol.Value)
	b, err := v.Bytes()
	if err != nil {
		return "", &Error{Kind: protocol.KindInternal, Message: "swiftclaw sent a value in an unknown encoding"}
	}
	s.mu.Lock()
	s.cache[key] = cached{value: string(b), expires: v.Expires}
	s.mu.Unlock()
	return string(b), nil
}

// List returns the metadata of every secret of the agent, sorted by name. It never
// decrypts.
func (s *Secrets) List(ctx context.Context) ([]SecretInfo, error) {
	res, err := s.a.do(ctx, protocol.Request{Op: protocol.OpList})
	if err != nil {
		return nil, err
	}
	return res.(*protocol.List).Secrets, nil
}

// ClearCache forgets every cached value, so the next Get reads the store again.
func (s *Secrets) ClearCache() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.cache)
}

// Env reads an agent's environment variables (`swiftclaw env set`).
type Env struct {
	a     *Agent
	mu    sync.Mutex
	cache map[string]string
}

// Get returns the variable's value; one the agent does not have is ErrNotFound.
func (e *Env) Get(key string) (string, error) {
	e.mu.Lock()
	v, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return v, nil
	}
	res, err := e.a.do(context.Background(), protocol.Request{Op: protocol.OpEnv, Name: key})
	if err != nil {
		return "", err
	}
	b, err := res.(*protocol.Value).Bytes()
	if err != nil {
		return "", &Error{Kind: protocol.KindInternal, Message: "swiftclaw sent a value in an unknown encoding"}
	}
	e.mu.Lock()
	e.cache[key] = string(b)
	e.mu.Unlock()
	return string(b), nil
}

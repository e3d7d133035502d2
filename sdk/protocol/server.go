package protocol

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/vault"
)

// MaxRequestLine bounds one request line. Requests carry only names, so a longer line is
// refused (and skipped) rather than buffered.
const MaxRequestLine = 64 << 10

// Store is what the server reads. *vault.Store implements it.
type Store interface {
	GetSecret(ctx context.Context, agent, name string, opts vault.GetOptions) ([]byte, *vault.SecretMeta, error)
	ListSecrets(agent string) ([]vault.SecretMeta, error)
	GetEnv(agent, key string) ([]byte, error)
}

// Unavailable returns a Store whose every read fails with err: a server that could not open
// its project still speaks the protocol, so clients get a typed error (for example
// not_found with the hint to run `swiftclaw init`) instead of a dead pipe.
func Unavailable(err error) Store { return unavailable{err} }

type unavailable struct{ err error }

func (u unavailable) GetSecret(context.Context, string, string, vault.GetOptions) ([]byte, *vault.SecretMeta, error) {
	return nil, nil, u.err
}
func (u unavailable) ListSecrets(string) ([]vault.SecretMeta, error) { return nil, u.err }
func (u unavailable) GetEnv(string, string) ([]byte, error)          { return nil, u.err }

// Options configure a Handler.
type Options struct {
	// Agent, when set, binds the server to that agent: requests without an agent mean it,
	// requests naming any other agent are refused with access_denied.
	Agent string
	// Server names the implementation in the handshake.
	Server string
	// GetVersion serves requests for an earlier version of a secret ("v2"), returning the
	// value and its expiry. When nil such requests fail with an input error.
	GetVersion func(ctx context.Context, agent, name, label string) (value []byte, expires *time.Time, err error)
	// OnValue, when set, is called with every value just before it is sent (`run --redact`
	// adds it to its output redactors).
	OnValue func(name string, value []byte)
}

// Handler answers requests from a Store. It is not safe for concurrent use: the vault
// store it reads is not, and Serve handles one request at a time.
type Handler struct {
	store Store
	opts  Options
}

// NewHandler returns a Handler reading from store.
func NewHandler(store Store, opts Options) *Handler {
	return &Handler{store: store, opts: opts}
}

// Hello is the handshake this handler's server sends.
func (h *Handler) Hello() Hello {
	hello := Hello{Protocol: Version, Server: h.opts.Server, Ops: Ops}
	if h.opts.Agent != "" {
		a := h.opts.Agent
		hello.Agent = &a
	}
	return hello
}

// Handle answers one request.
func (h *Handler) Handle(ctx context.Context, req Request) *Response {
	res, err := h.handle(ctx, req)
	if err != nil {
		return &Response{ID: req.ID, Error: ErrorFrom(err)}
	}
	return &Response{ID: req.ID, Result: res}
}

func (h *Handler) handle(ctx context.Context, req Request) (any, error) {
	if req.Op == OpPing {
		return &Pong{Protocol: Version}, nil
	}
	agent, err := h.agent(req)
	if err != nil {
		return nil, err
	}
	switch req.Op {
	case OpGet:
		if req.Name == "" {
			return nil, errs.New(errs.Input, "get needs the secret's name").WithHint(`send {"op":"get","name":"api-key"}`)
		}
		if req.Version != nil {
			return h.getVersion(ctx, agent, req.Name, *req.Version)
		}
		value, meta, err := h.store.GetSecret(ctx, agent, req.Name, vault.GetOptions{})
		if err != nil {
			return nil, err
		}
		h.sent(req.Name, value)
		v := NewValue(value)
		v.Expires, v.Updated = meta.Expires, &meta.Updated
		return v, nil
	case OpEnv:
		if req.Name == "" {
			return nil, errs.New(errs.Input, "env needs the variable's name").WithHint(`send {"op":"env","name":"DATABASE_URL"}`)
		}
		value, err := h.store.GetEnv(agent, req.Name)
		if err != nil {
			return nil, err
		}
		h.sent(req.Name, value)
		return NewValue(value), nil
	case OpList:
		metas, err := h.store.ListSecrets(agent)
		if err != nil {
			return nil, err
		}
		list := &List{Secrets: make([]SecretInfo, len(metas))}
		for i, m := range metas {
			list.Secrets[i] = SecretInfo{Name: m.Name, Description: m.Description, Created: m.Created, Updated: m.Updated, Expires: m.Expires, Expired: m.Expired}
		}
		return list, nil
	}
	return nil, errs.New(errs.Input, "unknown op %q", truncate(req.Op)).WithHint("protocol %d ops: get, list, env, ping", Version)
}

func (h *Handler) getVersion(ctx context.Context, agent, name, label string) (any, error) {
	if h.opts.GetVersion == nil {
		return nil, errs.New(errs.Input, "this swiftclaw cannot read earlier versions of %s/%s", agent, name).
			WithHint("ask for the current value (version null)")
	}
	value, expires, err := h.opts.GetVersion(ctx, agent, name, label)
	if err != nil {
		return nil, err
	}
	h.sent(name, value)
	v := NewValue(value)
	v.Expires, v.Version = expires, label
	return v, nil
}

// agent decides which agent a request is for, refusing other agents on a bound server.
func (h *Handler) agent(req Request) (string, error) {
	bound := h.opts.Agent
	switch {
	case req.Agent == "" && bound == "":
		return "", errs.New(errs.Input, "the request names no agent").WithHint(`add "agent":"my-agent" to the request`)
	case req.Agent == "":
		return bound, nil
	case bound != "" && req.Agent != bound:
		return "", errs.New(errs.Permission, "this channel serves agent %s only, not %s", bound, truncate(req.Agent)).
			WithHint("start the process with `swiftclaw run %s -- ...` to read that agent's secrets", truncate(req.Agent))
	}
	if err := vault.ValidateName("agent", req.Agent); err != nil {
		return "", err
	}
	return req.Agent, nil
}

func (h *Handler) sent(name string, value []byte) {
	if h.opts.OnValue != nil {
		h.opts.OnValue(name, value)
	}
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Serve writes the handshake to w, then answers each request line read from r with one
// response line, in order, until r ends (nil) or a write fails. ctx is checked between
// requests; to stop a Serve blocked in a read, close r.
func Serve(ctx context.Context, r io.Reader, w io.Writer, store Store, opts Options) error {
	h := NewHandler(store, opts)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	send := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := send(h.Hello()); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r, MaxRequestLine)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := readLine(br)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		var res *Response
		switch {
		case errors.Is(err, errLineTooLong):
			res = &Response{Error: &Error{Kind: KindInput, Message: fmt.Sprintf("request line longer than %d bytes", MaxRequestLine)}}
		case err != nil && !errors.Is(err, io.EOF):
			return err
		case len(bytes.TrimSpace(line)) == 0:
			continue
		default:
			res = handleLine(ctx, h, line)
		}
		if err := send(res); err != nil {
			return err
		}
	}
}

func handleLine(ctx context.Context, h *Handler, line []byte) *Response {
	var req Request
	if err := json.Unmarshal(line, &req); err != nil {
		// Try to keep the id so the client can match the error to its request.
		var idOnly struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.Unmarshal(line, &idOnly)
		return &Response{ID: idOnly.ID, Error: &Error{Kind: KindInput, Message: "malformed request: not a JSON object with string fields",
			Hint: `send one JSON object per line, e.g. {"id":1,"op":"get","agent":"my-agent","name":"api-key"}`}}
	}
	return h.Handle(ctx, req)
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its newline. A line longer than the reader's
// buffer is skipped through its newline and reported as errLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, errLineTooLong
	}
	return line, err
}

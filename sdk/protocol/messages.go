package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/swiftclaw/swiftclaw/internal/errs"
)

// Version is the protocol version this package speaks, sent in the handshake. It changes
// only for incompatible changes; new fields, ops and error kinds keep it.
const Version = 1

// Operations.
const (
	OpGet  = "get"  // decrypt a secret
	OpList = "list" // list an agent's secrets (metadata only)
	OpEnv  = "env"  // decrypt one of an agent's environment variables
	OpPing = "ping" // check the server is alive
)

// Ops lists the operations in the order the handshake announces them.
var Ops = []string{OpGet, OpList, OpEnv, OpPing}

// Value encodings.
const (
	EncodingUTF8   = "utf-8"
	EncodingBase64 = "base64"
)

// Hello is the handshake line the server writes before reading anything.
type Hello struct {
	// Protocol is Version; a client that does not speak it must hang up.
	Protocol int `json:"protocol"`
	// Server names the implementation, e.g. "swiftclaw v1.2.0".
	Server string `json:"server"`
	// Agent is the one agent this server answers for (the run channel), or "" (null on the
	// wire) when requests may name any agent.
	Agent *string `json:"agent"`
	// Ops are the operations the server understands.
	Ops []string `json:"ops"`
}

// Request is one line from the client.
type Request struct {
	// ID is chosen by the client and echoed in the response; any JSON value, usually an
	// increasing integer.
	ID json.RawMessage `json:"id,omitempty"`
	// Op is one of OpGet, OpList, OpEnv, OpPing.
	Op string `json:"op"`
	// Agent names the agent; it may be omitted when the handshake named one.
	Agent string `json:"agent,omitempty"`
	// Name is the secret (get) or the environment variable (env).
	Name string `json:"name,omitempty"`
	// Version asks for an earlier version of a secret ("v2"); nil means the current one.
	Version *string `json:"version,omitempty"`
}

// Response is one line from the server. Exactly one of Result and Error is set. On the
// wire the result's fields sit next to "id" and "ok":
//
//	{"id":1,"ok":true,"value":"sk-...","encoding":"utf-8","expires":null}
//	{"id":2,"ok":false,"error":{"kind":"not_found","message":"...","hint":"..."}}
type Response struct {
	ID     json.RawMessage
	Error  *Error
	Result any // *Value (get, env), *List (list) or *Pong (ping)
}

// Value is the result of get and env.
type Value struct {
	// Value is the value itself when Encoding is utf-8, else its standard base64.
	Value    string `json:"value"`
	Encoding string `json:"encoding"`
	// Expires is when the secret expires; nil (null) when never.
	Expires *time.Time `json:"expires"`
	// Updated is when the value was set (get of the current version only).
	Updated *time.Time `json:"updated,omitempty"`
	// Version echoes the version asked for.
	Version string `json:"version,omitempty"`
}

// NewValue encodes v: as a string when it is valid UTF-8, else as base64.
func NewValue(v []byte) *Value {
	if utf8.Valid(v) {
		return &Value{Value: string(v), Encoding: EncodingUTF8}
	}
	return &Value{Value: base64.StdEncoding.EncodeToString(v), Encoding: EncodingBase64}
}

// Bytes decodes the value.
func (v *Value) Bytes() ([]byte, error) {
	switch v.Encoding {
	case EncodingUTF8, "":
		return []byte(v.Value), nil
	case EncodingBase64:
		return base64.StdEncoding.DecodeString(v.Value)
	}
	return nil, errors.New("unknown value encoding " + v.Encoding)
}

// List is the result of list.
type List struct {
	Secrets []SecretInfo `json:"secrets"`
}

// SecretInfo is one secret's metadata, as list returns it. It never holds a value.
type SecretInfo struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
	Expires     *time.Time `json:"expires"`
	Expired     bool       `json:"expired"`
}

// Pong is the result of ping.
type Pong struct {
	Protocol int `json:"protocol"`
}

// MarshalJSON writes the flat wire form.
func (r *Response) MarshalJSON() ([]byte, error) {
	id := r.ID
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	head, err := json.Marshal(struct {
		ID    json.RawMessage `json:"id"`
		OK    bool            `json:"ok"`
		Error *Error          `json:"error,omitempty"`
	}{id, r.Error == nil, r.Error})
	if err != nil || r.Error != nil || r.Result == nil {
		return head, err
	}
	body, err := json.Marshal(r.Result)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(body, []byte("{")) || len(body) < 2 {
		return nil, errors.New("protocol: result is not a JSON object")
	}
	if string(body) == "{}" {
		return head, nil
	}
	out := append(head[:len(head)-1:len(head)-1], ',')
	return append(out, body[1:]...), nil
}

// wireResponse is every field a response may carry, for decoding.
type wireResponse struct {
	ID    json.RawMessage `json:"id"`
	OK    bool            `json:"ok"`
	Error *Error          `json:"error"`
	Value
	List
	Pong
}

// Error kinds on the wire.
const (
	KindNotFound     = "not_found"     // unknown agent, secret, variable or version
	KindExpired      = "expired"       // the secret is past its expiry
	KindAccessDenied = "access_denied" // no identity can decrypt it, or this server may not serve it
	KindTampered     = "tampered"      // the file was edited by hand without re-encrypting
	KindInput        = "input"         // a malformed request, invalid name or unsupported version
	KindInternal     = "internal"      // the tool or its environment failed
)

// Error is a failed request. Kinds a client does not know must be treated as a generic
// failure.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrNotFound) (and the other sentinels) match any Error of that
// kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is: each matches every Error of its kind.
var (
	ErrNotFound     = &Error{Kind: KindNotFound}
	ErrExpired      = &Error{Kind: KindExpired}
	ErrAccessDenied = &Error{Kind: KindAccessDenied}
	ErrTampered     = &Error{Kind: KindTampered}
)

// ErrorFrom converts a library error: its errs kind decides the wire kind, its message and
// hint are kept. A nil error gives nil.
func ErrorFrom(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{Kind: kindFor(errs.KindOf(err)), Message: err.Error(), Hint: errs.HintOf(err)}
}

// kindFor is the one place that maps a library error kind to a wire kind.
func kindFor(k errs.Kind) string {
	switch k {
	case errs.NotFound:
		return KindNotFound
	case errs.Expired:
		return KindExpired
	case errs.Decrypt, errs.Permission:
		return KindAccessDenied
	case errs.Tampered:
		return KindTampered
	case errs.Input, errs.Conflict:
		return KindInput
	default:
		return KindInternal
	}
}

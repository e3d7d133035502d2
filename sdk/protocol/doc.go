// Package protocol implements both ends of the swiftclaw SDK protocol: versioned JSON lines
// over a byte stream, through which agent code asks for its secrets without holding the age
// identity that decrypts them. sdk/PROTOCOL.md is the specification; this package is its
// reference implementation.
//
// # Server
//
// Serve answers requests read from an io.Reader with responses written to an io.Writer,
// reading secrets from a Store (a *vault.Store). `swiftclaw serve --stdio` runs it on the
// process's standard streams for SDKs that start it as a long-lived child; `swiftclaw run`
// runs it on one end of a socket pair whose other end the child inherits (the run channel),
// bound to one agent with Options.Agent so requests for any other agent are refused.
// Handler is the same logic without the framing, for in-process use.
//
// # Client
//
// Client speaks the protocol over an io.ReadWriteCloser: it reads the handshake, checks the
// protocol version, and pairs each request with its response. The Go SDK (package
// github.com/swiftclaw/swiftclaw) uses it for the run channel.
//
// # Errors
//
// A failed request is answered with an Error whose Kind (not_found, expired,
// access_denied, tampered, input, internal) is derived from the internal/errs kind of the
// library error, with its message and hint. Messages never contain a secret value: the
// vault never puts one in an error, and the server adds nothing but names.
package protocol

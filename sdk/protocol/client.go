package protocol

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// maxResponseLine bounds one response line: a 10 MiB value is under 14 MiB in base64.
const maxResponseLine = 32 << 20

// Client is the client end of the protocol. It is safe for concurrent use; requests are
// sent one at a time.
type Client struct {
	mu   sync.Mutex
	conn io.ReadWriteCloser
	br   *bufio.Reader
	next int64
	// Hello is the server's handshake.
	Hello Hello
}

// NewClient reads the server's handshake from conn and checks it speaks Version.
func NewClient(conn io.ReadWriteCloser) (*Client, error) {
	c := &Client{conn: conn, br: bufio.NewReaderSize(conn, 64<<10)}
	line, err := c.readLine()
	if err != nil {
		return nil, fmt.Errorf("reading the swiftclaw handshake: %w", err)
	}
	if err := json.Unmarshal(line, &c.Hello); err != nil || c.Hello.Protocol == 0 {
		return nil, errors.New("the peer did not send a swiftclaw handshake")
	}
	if c.Hello.Protocol != Version {
		return nil, fmt.Errorf("the server speaks swiftclaw protocol %d, this client %d; use matching versions of the SDK and the swiftclaw binary", c.Hello.Protocol, Version)
	}
	return c, nil
}

// Do sends req (its ID is assigned here) and returns the response's result: *Value for get
// and env, *List for list, *Pong for ping. A failed request returns its *Error. When conn
// has deadlines (a net.Conn), ctx's deadline applies to the exchange.
func (c *Client) Do(ctx context.Context, req Request) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if dc, ok := c.conn.(interface{ SetDeadline(time.Time) error }); ok {
		dl, _ := ctx.Deadline()
		_ = dc.SetDeadline(dl)
	}
	c.next++
	id := strconv.FormatInt(c.next, 10)
	req.ID = json.RawMessage(id)
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if _, err := c.conn.Write(append(data, '\n')); err != nil {
		return nil, fmt.Errorf("sending to swiftclaw: %w", err)
	}
	line, err := c.readLine()
	if err != nil {
		return nil, fmt.Errorf("reading from swiftclaw: %w", err)
	}
	var w wireResponse
	if err := json.Unmarshal(line, &w); err != nil {
		return nil, errors.New("swiftclaw sent a malformed response")
	}
	if string(bytes.TrimSpace(w.ID)) != id {
		return nil, fmt.Errorf("swiftclaw answered request %s, expected %s", w.ID, id)
	}
	if !w.OK {
		if w.Error == nil {
			return nil, errors.New("swiftclaw sent a failure without an error")
		}
		return nil, w.Error
	}
	switch req.Op {
	case OpGet, OpEnv:
		v := w.Value
		return &v, nil
	case OpList:
		l := w.List
		return &l, nil
	case OpPing:
		p := w.Pong
		return &p, nil
	}
	return nil, fmt.Errorf("unknown op %q", req.Op)
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

func (c *Client) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := c.br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxResponseLine {
			return nil, errors.New("response line too long")
		}
		switch {
		case err == nil:
			return buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

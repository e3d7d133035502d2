package audit

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

// httpSink batches lines and POSTs them as NDJSON: the body is the exact lines the file
// holds, so a collector can verify the chain on its side. With fail_closed every entry is
// sent before Append returns.
type httpSink struct {
	cfg    HTTPConfig
	poster *webhook.Poster
	key    func() string
	mu     sync.Mutex
	buf    bytes.Buffer
	n      int
}

func newHTTPSink(cfg HTTPConfig, o Options) *httpSink {
	client := o.HTTPClient
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	retries := cfg.Retries
	if retries == 0 {
		retries = 3
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 50
	}
	getenv := o.getenv()
	return &httpSink{
		cfg:    cfg,
		poster: &webhook.Poster{Client: client, Retries: retries, Sleep: o.Sleep},
		key:    func() string { return getenv(cfg.SecretEnv) },
	}
}

func (s *httpSink) name() string { return "http " + webhook.Redact(s.cfg.URL) }

func (s *httpSink) emit(ctx context.Context, line []byte, failClosed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(line)
	s.buf.WriteByte('\n')
	s.n++
	if failClosed || s.n >= s.cfg.BatchSize {
		return s.sendLocked(ctx)
	}
	return nil
}

func (s *httpSink) flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendLocked(ctx)
}

// sendLocked posts the pending batch. On failure the batch is dropped (and reported):
// keeping it would resend entries the caller was already told were lost.
func (s *httpSink) sendLocked(ctx context.Context) error {
	if s.n == 0 {
		return nil
	}
	n := s.n
	body := bytes.Clone(s.buf.Bytes())
	s.buf.Reset()
	s.n = 0
	key := s.key()
	if key == "" {
		return fmt.Errorf("%d entries not sent: %s is not set (audit.http.secret_env)", n, s.cfg.SecretEnv)
	}
	p := *s.poster
	p.Key = []byte(key)
	if err := p.Post(ctx, s.cfg.URL, "application/x-ndjson", body); err != nil {
		return fmt.Errorf("%d entries not sent: %w", n, err)
	}
	return nil
}

func (s *httpSink) close() error { return s.flush(context.Background()) }

// Package webhook sends signed JSON payloads to user-configured endpoints: audit batches,
// alert notifications and (for the lead's rotation hooks) rotation events all use the
// same scheme, so a receiver verifies every swiftclaw webhook the same way.
//
// The body is signed with HMAC-SHA256 under a key the user configures out of band (an
// environment variable, never a committed file) and the signature travels in the
// X-Swiftclaw-Signature header as "sha256=<hex>". Payloads never carry secret values.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SignatureHeader is the header that carries the body's HMAC-SHA256 signature.
const SignatureHeader = "X-Swiftclaw-Signature"

// Sign returns the signature header value for body under key: "sha256=<hex>".
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Valid reports whether header is a correct signature of body under key. It compares in
// constant time.
func Valid(key, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(key, body)))
}

// Poster delivers payloads with retries. The zero value is usable: one attempt plus two
// retries, backoff starting at 250ms, http.DefaultClient with a 10s timeout per attempt.
type Poster struct {
	Client  *http.Client
	Key     []byte // HMAC key; empty means the request is sent unsigned
	Retries int    // extra attempts after the first; negative means none
	Backoff time.Duration
	// Sleep waits between attempts; tests inject a recorder so nothing really sleeps.
	Sleep func(ctx context.Context, d time.Duration) error
	// Header holds extra headers set on every request.
	Header http.Header
}

// Post sends body to rawURL, retrying transport errors, 429 and 5xx responses with
// exponential backoff. Other 4xx responses are not retried. The error names the URL
// without its path or query, which may carry a token.
func (p *Poster) Post(ctx context.Context, rawURL, contentType string, body []byte) error {
	client := p.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	retries := p.Retries
	if retries == 0 {
		retries = 2
	} else if retries < 0 {
		retries = 0
	}
	backoff := p.Backoff
	if backoff <= 0 {
		backoff = 250 * time.Millisecond
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var last error
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoff<<(attempt-1)); err != nil {
				return err
			}
		}
		retry, err := p.once(ctx, client, rawURL, contentType, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			break
		}
	}
	return fmt.Errorf("post to %s: %w", Redact(rawURL), last)
}

func (p *Poster) once(ctx context.Context, client *http.Client, rawURL, contentType string, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("bad url")
	}
	for k, vs := range p.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "swiftclaw")
	if len(p.Key) > 0 {
		req.Header.Set(SignatureHeader, Sign(p.Key, body))
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// The transport error text includes the full URL; keep only its kind.
		var ue *url.Error
		if errors.As(err, &ue) {
			return true, fmt.Errorf("%s failed: %v", strings.ToLower(ue.Op), ue.Err)
		}
		return true, fmt.Errorf("request failed")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("server answered %s", resp.Status)
	default:
		return false, fmt.Errorf("server answered %s", resp.Status)
	}
}

// Redact returns scheme://host of rawURL: webhook paths and queries often hold tokens
// (Slack-style hook URLs), so messages and audit entries show only the host.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "[REDACTED]"
	}
	if u.Path == "" && u.RawQuery == "" && u.User == nil {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/[REDACTED]"
}

// CheckURL accepts https URLs, and http only for loopback hosts (local collectors, tests).
func CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", Redact(rawURL))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if h == "localhost" || h == "127.0.0.1" || h == "::1" {
			return nil
		}
		return fmt.Errorf("%s uses plain http; use https (http is allowed only for localhost)", Redact(rawURL))
	default:
		return fmt.Errorf("%s: scheme must be https", Redact(rawURL))
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

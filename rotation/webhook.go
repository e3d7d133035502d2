package rotation

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/swiftclaw/swiftclaw/internal/errs"
	"github.com/swiftclaw/swiftclaw/internal/webhook"
)

// SignatureHeader carries the HMAC-SHA256 of a request or response body; the scheme is
// internal/webhook's, shared by every swiftclaw webhook.
const SignatureHeader = webhook.SignatureHeader

// DeliveryHeader carries an id that stays the same across retries of one notification,
// so an endpoint can ignore a delivery it already handled.
const DeliveryHeader = "X-Swiftclaw-Delivery"

// maxResponse bounds a webhook response: a 10 MiB value base64-encoded, plus JSON.
const maxResponse = 16 << 20

// Event is the JSON body of a rotation webhook call. It never contains a value.
type Event struct {
	Agent      string     `json:"agent"`
	Secret     string     `json:"secret"`
	Version    string     `json:"version"`
	RotatedAt  time.Time  `json:"rotated_at"`
	GraceUntil *time.Time `json:"grace_until"`
}

// Response is the JSON an endpoint may answer with to supply the new value itself.
type Response struct {
	// Value is a UTF-8 value.
	Value *string `json:"value,omitempty"`
	// ValueBase64 is any value, standard base64.
	ValueBase64 *string `json:"value_base64,omitempty"`
}

// Reply is what a successful Notify learned.
type Reply struct {
	// Status is the final HTTP status.
	Status int
	// Attempts is how many requests were made.
	Attempts int
	// Value is the new value the endpoint supplied, or nil.
	Value []byte
}

// Sign returns the signature header value for body: "sha256=" + hex HMAC-SHA256.
func Sign(key, body []byte) string { return webhook.Sign(key, body) }

// Verify reports whether header is a valid signature of body under key, in constant time.
func Verify(key, body []byte, header string) bool {
	return webhook.Valid(key, body, strings.TrimSpace(header))
}

// Client calls rotation webhooks. The zero value is ready to use.
type Client struct {
	// HTTP is the client to use; default: one that never follows redirects.
	HTTP *http.Client
	// Timeout bounds each attempt (default 10s).
	Timeout time.Duration
	// Attempts is the most requests made for one notification (default 3).
	Attempts int
	// Backoff is the wait before the second attempt, doubled for each later one
	// (default 1s; negative means no wait).
	Backoff time.Duration
}

func (c *Client) settings() (hc *http.Client, timeout time.Duration, attempts int, backoff time.Duration) {
	hc, timeout, attempts, backoff = c.HTTP, c.Timeout, c.Attempts, c.Backoff
	if hc == nil {
		hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if attempts <= 0 {
		attempts = 3
	}
	if backoff == 0 {
		backoff = time.Second
	}
	return hc, timeout, attempts, max(backoff, 0)
}

// ValidateURL checks a webhook URL: https, or http for a loopback host only.
func ValidateURL(raw string) error {
	if err := webhook.CheckURL(raw); err != nil {
		return errs.Wrap(errs.Input, err, "invalid webhook URL").WithHint("give an https URL, e.g. https://yourapp.com/rotate")
	}
	return nil
}

// Redact renders a URL for messages: scheme and host only (paths and queries may hold
// tokens).
func Redact(raw string) string { return webhook.Redact(raw) }

// Notify POSTs ev to endpoint signed with key and returns the endpoint's reply. Errors
// are *errs.Error: Internal when the endpoint could not be reached or refused (non-2xx,
// after bounded retries for transient failures), Tampered when it sent a value without
// a valid signature.
func (c *Client) Notify(ctx context.Context, endpoint string, key []byte, ev Event) (*Reply, error) {
	if err := ValidateURL(endpoint); err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, errs.New(errs.Input, "the webhook signing key is empty")
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	hc, timeout, attempts, backoff := c.settings()
	delivery := newDeliveryID()
	where := Redact(endpoint)
	var last error
	for i := 1; i <= attempts; i++ {
		if i > 1 && backoff > 0 {
			t := time.NewTimer(backoff << (i - 2))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, errs.Wrap(errs.Internal, ctx.Err(), "webhook %s: gave up after %d attempts", where, i-1)
			case <-t.C:
			}
		}
		reply, retry, err := c.attempt(ctx, hc, timeout, endpoint, key, body, delivery)
		if err == nil {
			reply.Attempts = i
			return reply, nil
		}
		last = err
		if !retry {
			return nil, errs.Wrap(errs.KindOf(err), err, "webhook %s (attempt %d of %d)", where, i, attempts)
		}
	}
	return nil, errs.Wrap(errs.KindOf(last), last, "webhook %s failed after %d attempts", where, attempts)
}

// attempt makes one request. retry reports whether the failure is worth retrying.
func (c *Client) attempt(ctx context.Context, hc *http.Client, timeout time.Duration, endpoint string, key, body []byte, delivery string) (_ *Reply, retry bool, _ error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, false, errs.Wrap(errs.Input, err, "cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "swiftclaw")
	req.Header.Set(SignatureHeader, Sign(key, body))
	req.Header.Set(DeliveryHeader, delivery)
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry credentials; the message names it redacted
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, true, errs.New(errs.Internal, "no answer within %s", timeout)
		}
		return nil, true, errs.Wrap(errs.Internal, err, "request failed")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, true, errs.Wrap(errs.Internal, err, "reading the response failed")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The body is not quoted: an endpoint's error page could echo anything.
		e := errs.New(errs.Internal, "the endpoint answered %s", resp.Status)
		transient := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
		return nil, transient, e
	}
	if len(data) > maxResponse {
		return nil, false, errs.New(errs.Internal, "the response is larger than %d MiB", maxResponse>>20)
	}
	value, err := parseResponse(key, data, resp.Header.Get(SignatureHeader))
	if err != nil {
		return nil, false, err
	}
	return &Reply{Status: resp.StatusCode, Value: value}, false, nil
}

// parseResponse extracts a value from a 2xx body; nil when the endpoint supplied none.
func parseResponse(key, data []byte, sig string) ([]byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var r Response
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, errs.New(errs.Internal, "the response is not the JSON swiftclaw expects (an empty body, {}, {\"value\": ...} or {\"value_base64\": ...})")
	}
	if r.Value == nil && r.ValueBase64 == nil {
		return nil, nil
	}
	if r.Value != nil && r.ValueBase64 != nil {
		return nil, errs.New(errs.Internal, "the response has both value and value_base64")
	}
	if !Verify(key, data, sig) {
		return nil, errs.New(errs.Tampered, "the response carries a value but no valid %s header; the value was not accepted", SignatureHeader).
			WithHint("the endpoint must sign its response body with the same key (HMAC-SHA256, header %s: sha256=HEX)", SignatureHeader)
	}
	if r.Value != nil {
		return []byte(*r.Value), nil
	}
	v, err := base64.StdEncoding.DecodeString(*r.ValueBase64)
	if err != nil {
		return nil, errs.New(errs.Internal, "value_base64 in the response is not valid base64")
	}
	return v, nil
}

func newDeliveryID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprintf("t%d", time.Now().UnixNano())
	}
	return hex.EncodeToString(b)
}

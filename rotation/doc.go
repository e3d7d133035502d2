// Package rotation holds the pieces of secret rotation that do not depend on the store:
// value generators and the rotation webhook client.
//
// # Generators
//
// A Generator describes how swiftclaw makes a new value for a secret it rotates itself:
// random bytes encoded as base64url (the default: 32 bytes, 43 characters), or characters
// drawn uniformly from a named character set, with an optional prefix. It uses the
// generator of secret templates (package templates); randomness comes from crypto/rand.
//
// # Webhook
//
// When a secret with a webhook (https, or http to localhost) rotates, swiftclaw POSTs a
// JSON Event
//
//	{"agent": "my-agent", "secret": "api-key", "version": "v4",
//	 "rotated_at": "2024-03-08T10:00:00Z", "grace_until": "2024-03-09T10:00:00Z"}
//
// (grace_until is null without a grace period) with the header
//
//	X-Swiftclaw-Signature: sha256=<hex HMAC-SHA256 of the exact body>
//
// keyed by a secret the user names (the signing scheme of internal/webhook, shared by
// every swiftclaw webhook). The body never contains a secret value. The endpoint
// answers 2xx to accept the rotation. Its body may be empty or {} (swiftclaw then generates
// the new value itself), or carry the new value for provider-side rotation:
//
//	{"value": "sk-new..."}          a UTF-8 value
//	{"value_base64": "AAEC..."}     any bytes, standard base64
//
// A response that carries a value must itself be signed: X-Swiftclaw-Signature over the
// exact response body with the same key, so a value is only ever accepted from a party
// holding the key. Timeouts, network errors, 408, 429 and 5xx are retried a bounded number
// of times; any other status, a redirect or a bad response fails at once. On failure the
// caller keeps the old value active: Notify never stores anything itself.
package rotation

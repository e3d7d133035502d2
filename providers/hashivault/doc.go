// Package hashivault keeps an agent's secrets in HashiCorp Vault's KV version 2 engine
// with the official client (github.com/hashicorp/vault/api).
//
// # Layout
//
// The configured path (e.g. secret/data/my-agent, as the product page writes it; the
// data/ segment is optional) names a KV v2 mount ("secret") and a folder ("my-agent").
// Each swiftclaw secret NAME is the KV secret at that folder/NAME, with one field, value.
// A value that is not UTF-8 is stored base64-encoded with a second field
// encoding: base64. The description lives in the secret's custom metadata.
//
// # Versions
//
// Vault's own versions are used: `secrets versions` lists KV versions (v1, v2, ...) and
// their deletion state, `secrets rollback --version v2` writes version 2's value as a new
// version, as `vault kv rollback` does. Writing the value a secret already has creates no
// version. Writes use check-and-set so a concurrent writer is detected, not overwritten.
//
// # Connection
//
// The address, token and namespace default to VAULT_ADDR, VAULT_TOKEN and
// VAULT_NAMESPACE (the client's usual environment, including VAULT_CACERT and
// VAULT_MAX_RETRIES). Throttled (429) and failed (5xx) requests are retried with backoff
// by the client.
package hashivault

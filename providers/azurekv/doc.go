// Package azurekv keeps an agent's secrets in Azure Key Vault with the official client
// (azsecrets).
//
// # Layout
//
// Each swiftclaw secret NAME is the Key Vault secret NAME. Key Vault names allow only
// letters, digits and '-', so other names are refused with a hint. UTF-8 values are stored
// as they are; other values base64-encoded with the content type ContentTypeBase64, so
// binary certificates round-trip. The description is the tag "description"; a TTL sets the
// secret's expiry attribute.
//
// # Versions
//
// Key Vault's own secret versions are used: the newest enabled version is "active", older
// enabled ones "deprecated", disabled ones "deleted". Writing the value a secret already
// has creates no version. Rollback writes the chosen version's value as a new version.
// rm soft-deletes (the vault's recovery settings apply); setting the name again recovers
// it first.
//
// # Connection
//
// With tenantId, clientId and clientSecret in agent.yaml the client authenticates as that
// service principal; otherwise Azure's environment credential is used (AZURE_TENANT_ID,
// AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, ...).
// Throttled (429) and failed (5xx) requests are retried with exponential backoff by the
// client's retry policy.
package azurekv

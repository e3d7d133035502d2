// Package azkvfake is a fake Azure Key Vault for tests: handlers for the official SDK's
// azsecrets/fake server transport, keeping secrets in memory and following the published
// REST semantics of the operations swiftclaw uses: every Set Secret creates a new version
// with a 32-character id; Get Secret without a version returns the newest; Update Secret
// Properties changes one version's tags and attributes; Delete Secret soft-deletes, after
// which the name answers 404 for reads and 409 Conflict for writes until Recover Deleted
// Secret or Purge Deleted Secret; a disabled version answers 403 for reads.
//
// It is a fake: no emulator of Azure Key Vault runs on these machines. Nothing goes over
// the network; the transport hands each request to these handlers.
package azkvfake

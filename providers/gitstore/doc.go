// Package gitstore adapts swiftclaw's own store, age-encrypted files in the repository
// (vault.Store), to the providers.Provider interface, so the conformance suite, secrets
// sync and deploy treat git like any other store.
package gitstore

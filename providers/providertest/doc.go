// Package providertest is the one conformance suite every secret store passes: the git
// store, a real Vault server, AWS Secrets Manager and Azure Key Vault (see each store's
// tests for what it runs against). It also decides when a store's server is missing:
// with SWIFTCLAW_REQUIRE_SERVERS=1 (set by CI) that fails the test instead of skipping.
package providertest

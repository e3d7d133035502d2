// Package providers lets swiftclaw keep an agent's secrets in an external secret manager
// as well as in git: one small interface (Provider) with an implementation per store.
//
// # Stores
//
//	providers/gitstore    the default: age-encrypted files in the repository (vault.Store)
//	providers/hashivault  HashiCorp Vault, KV version 2 (native versions and metadata)
//	providers/awssm       AWS Secrets Manager (version stages AWSCURRENT and AWSPREVIOUS)
//	providers/azurekv     Azure Key Vault secrets (native secret versions)
//	providers/connect     opens the store agent.yaml names and resolves references such
//	                      as vault:secret/data/my-agent#api_key for run and deploy
//
// Every store passes the same conformance suite (package providers/providertest): set,
// get, list, versions, rollback, rm, not-found, auth failure, large and binary values.
//
// # Configuration
//
// agent.yaml's secrets: block chooses the store (Config), in YAML or in the product
// page's JSON form. Credential fields may be secret:NAME (a swiftclaw secret of the same
// agent), env:VAR, or a literal; literals work but LiteralCredentials reports them so
// policy checks and scans can flag them. Each store also honours its ecosystem's standard
// environment (VAULT_ADDR and VAULT_TOKEN; the AWS default credential chain and
// AWS_ENDPOINT_URL; Azure's environment credentials).
//
// # Errors
//
// Store errors are internal/errs errors of the same kinds as local ones: authentication
// and authorization failures are errs.Permission, unknown secrets errs.NotFound, values a
// store cannot hold errs.Input, network and server failures errs.Internal. Throttled
// requests are retried with backoff by each official client before an error is returned.
// Errors never carry a secret value.
package providers

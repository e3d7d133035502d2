// Package connect opens the secret store an agent uses and resolves references to
// external secret managers for run and deploy:
//
//	secret:NAME                            the agent's own store (git, or its provider)
//	vault:secret/data/my-agent#api_key     a field of a Vault secret
//	aws-sm:NAME-or-ARN[#json-key]          an AWS Secrets Manager secret, or a key of its JSON
//	azure-kv:NAME[/version]                an Azure Key Vault secret
//
// Connection settings come from agent.yaml (the secrets: block, or deploy.targets for a
// store that is not the agent's own), else from each ecosystem's environment.
package connect

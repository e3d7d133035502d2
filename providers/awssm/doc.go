// Package awssm keeps an agent's secrets in AWS Secrets Manager with the official client
// (aws-sdk-go-v2/service/secretsmanager).
//
// # Layout
//
// Two layouts, chosen in agent.yaml:
//
//   - namePrefix (the default, "AGENT/"): one AWS secret per swiftclaw secret, named
//     PREFIX+NAME. UTF-8 values are stored as SecretString, others as SecretBinary, so
//     binary certificates round-trip. The description is the secret's Description.
//   - secretArn (the product page's form): one AWS secret whose SecretString is a JSON
//     object with one string member per swiftclaw secret. Values must be UTF-8 there.
//
// # Versions
//
// Secrets Manager's own versions and staging labels are used: the version labelled
// AWSCURRENT is "active", the others "deprecated" (AWSPREVIOUS is shown as a label).
// Writing the value a secret already has creates no version. In the namePrefix layout
// rollback moves AWSCURRENT back to the chosen version with UpdateSecretVersionStage, which
// moves AWSPREVIOUS to the version it left, exactly as the console does. In the secretArn
// layout every version is a version of the whole JSON object, and rollback of one name
// writes that name's old value into a new version, leaving the other names as they are.
//
// rm schedules the secret for deletion with Secrets Manager's default recovery window;
// setting it again restores it first.
//
// # Connection
//
// Credentials and region come from the AWS default chain (environment, shared config
// and credentials files, SSO, web identity, container and instance roles) unless
// agent.yaml gives a profile or static keys. AWS_ENDPOINT_URL (or endpoint in agent.yaml)
// points the client at another endpoint. Throttled requests are retried by the client's
// standard retryer with exponential backoff and jitter.
package awssm

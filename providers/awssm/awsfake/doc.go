// Package awsfake is a fake of AWS Secrets Manager: an http.Handler that answers the
// operations swiftclaw uses, in the service's published JSON protocol (awsJson1_1:
// POST / with X-Amz-Target: secretsmanager.OPERATION), following the API reference's
// semantics for each: version ids from ClientRequestToken, the AWSCURRENT and
// AWSPREVIOUS staging labels and how PutSecretValue and UpdateSecretVersionStage move
// them, deprecated versions, scheduled deletion and restore, name-prefix filters, error
// codes and messages.
//
// It is a fake, not an emulator: it keeps everything in memory, checks only that a
// request is signed with the expected access key id (not the signature itself), and
// implements only CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret,
// UpdateSecret, ListSecrets, ListSecretVersionIds, UpdateSecretVersionStage, DeleteSecret
// and RestoreSecret. It exists because the AWS emulator the issue names cannot be built
// here (see scripts/build-test-servers.sh).
package awsfake

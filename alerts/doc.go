// Package alerts defines threshold alerts over audited activity and secret health, stores
// them in a YAML file the caller names (swiftclaw uses .swiftclaw/alerts.yaml), and
// evaluates them: on every audited read ([Evaluator.OnEntry]) and on demand for cron or
// CI ([Evaluator.Check]).
//
// Metrics:
//   - secret-access: reads of the agent's secrets (or one secret) in the last window,
//     counted from the audit log;
//   - secret-expiring: secrets that expire within the window (the caller lists expiries);
//   - rotation-overdue: secrets whose rotation was due before now (the caller lists them);
//   - scan-findings: the number of leak-scan findings (the caller counts them).
//
// An alert fires when the value reaches its threshold, and notifies at most once per
// window: the time it last notified is kept in a state file under the user's state
// directory, never in the repository, and updated under a lock so concurrent processes
// do not both notify. Notifications go to stderr or to a webhook as JSON signed with
// HMAC-SHA256 (X-Swiftclaw-Signature: sha256=<hex>, as rotation webhooks are); payloads
// carry names and counts, never values.
package alerts

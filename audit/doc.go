// Package audit records who read and changed which secret, in a log that is hard to
// falsify quietly, and answers "who touched this secret" by merging that log with the
// writes found in git history.
//
// # Entries and the hash chain
//
// Every audited action becomes one [Entry]: a JSON object on its own line holding the
// time (UTC), the principal, the action, agent, secret, version, host and the sanitized
// command line — never a value. Each entry carries seq (1, 2, 3, …), prev (the hash of the
// previous entry) and hash (SHA-256 of its own canonical bytes: the JSON encoding of the
// entry without the hash field). [Verify] walks a log and names the first line that was
// edited, dropped, reordered or truncated. A chain without a key cannot stop someone who
// rewrites the whole tail and recomputes every hash; it makes such edits visible when the
// log is compared with a copy shipped elsewhere (syslog, HTTP) or with a recorded head
// ([Report.LastSeq], [Report.LastHash]).
//
// # Sinks
//
// A [Logger] writes each entry to the sinks its [Config] names: a file under the user's
// state directory (never inside the repository), stdout or stderr, syslog and an HTTP
// endpoint that receives signed NDJSON batches. The file sink owns the chain: it takes an
// flock on the log, reads the last entry's hash, appends and fsyncs, so several processes
// can append at once. With fail_closed the caller refuses the read when the entry cannot
// be written; otherwise Append returns a [Warning] to print.
//
// # Queries
//
// [Query] streams the log backwards by blocks ([BackwardScanner]) so the newest entries
// come first without loading the file, merges them with the caller's git-history
// [WriteEvent]s, and renders the product's `TIME  USER  ACTION  SECRET` table or JSON.
//
// # Honesty
//
// In an offline, git-native model anyone holding an identity can decrypt a secret with
// plain age, without swiftclaw. The log therefore records swiftclaw's own reads, and query
// output labels them "recorded by swiftclaw".
package audit

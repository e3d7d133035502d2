// Package swiftclaw is the Go SDK for agent code: it reads an agent's secrets and
// environment variables from the swiftclaw project the agent lives in.
//
//	agent := swiftclaw.NewAgent("my-agent")
//	defer agent.Close()
//	apiKey, err := agent.Secrets.Get(ctx, "api-key")
//
// # Where values come from
//
// Inside `swiftclaw run my-agent -- ./agent` (and `swiftclaw deploy --target exec`), the
// process inherits a run channel: a socket named by SWIFTCLAW_CHANNEL_FD on which the parent
// swiftclaw answers for that agent's secrets. The agent process then needs no age identity at
// all, and asking for another agent's secrets is refused with ErrAccessDenied. Elsewhere the
// SDK opens the repository itself with the vault library, finding the identity the way the
// CLI does (WithIdentity, SWIFTCLAW_AGE_KEY, SWIFTCLAW_AGE_KEY_FILE,
// ~/.config/swiftclaw/identity.txt, ...). Both paths speak the protocol in sdk/PROTOCOL.md
// and give the same results and errors.
//
// # Caching
//
// Values are cached in memory, per Agent, until the secret's expiry (forever when it has
// none); an expired secret is asked for again, which fails with ErrExpired. ClearCache drops
// everything, for example after a rotation.
//
// # Errors
//
// Failures are *Error values carrying the CLI's message and hint; match them with
// errors.Is(err, swiftclaw.ErrNotFound), ErrExpired, ErrAccessDenied or ErrTampered. No error
// ever contains a secret value.
package swiftclaw

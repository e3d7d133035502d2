// Package sopsfile reads files encrypted by sops (github.com/getsops/sops) with an age
// identity, for `swiftclaw import sops`, without importing sops itself.
//
// It implements exactly the part of sops a migration needs: the YAML, JSON and dotenv
// stores' layouts, the data key age-encrypted in the metadata's `age` entries (top-level or
// in one key group), values of the form ENC[AES256_GCM,data:,iv:,tag:,type:] decrypted with
// the key path joined by ':' plus a trailing ':' as additional data, the per-key encryption
// rules (unencrypted/encrypted suffix and regex), and the MAC: SHA-512 over every value in
// tree order (only encrypted ones with mac_only_encrypted), hex-encoded upper-case, stored
// encrypted with the RFC 3339 lastmodified time as additional data and compared in constant
// time. A file whose MAC does not match is refused as tampered.
//
// Not supported, each with a clear error: PGP/KMS-only files, Shamir key groups with a
// threshold above one, comment-based encryption rules, INI and binary files.
package sopsfile

#!/usr/bin/env bash
# Builds the servers the provider conformance suite runs against, once, into a cache
# outside the repository, and reuses them: running it again with the binaries present
# does nothing. .ci/run calls it before `make test`.
#
#   vault  HashiCorp Vault v1.21.4 built from the github.com/hashicorp/vault module.
#          The module's zip leaves out its nested api/ and sdk/ modules, which its go.mod
#          points at with replace directives (./api, ./sdk). The build drops those replace
#          lines so the published api and sdk releases it requires are used instead, and
#          patches the few call sites whose signatures differ between the in-tree and the
#          published versions (see patch_vault below). Built with the upstream "minimal"
#          tag (core plus the builtin KV engine; no third-party database/auth plugins).
#   kumo   the AWS emulator github.com/sivchari/kumo v0.33.1 (go install). Its Secrets Manager
#          lacks ListSecretVersionIds, UpdateSecretVersionStage and RestoreSecret; those paths
#          are tested against providers/awssm/awsfake.
#
# Output: ${SWIFTCLAW_TEST_CACHE:-$HOME/.cache/swiftclaw-test}/bin/{vault,kumo}
set -euo pipefail

CACHE="${SWIFTCLAW_TEST_CACHE:-$HOME/.cache/swiftclaw-test}"
BIN="$CACHE/bin"
VAULT_VERSION=v1.21.4
KUMO_VERSION=v0.33.1
mkdir -p "$BIN" "$CACHE/src"

log() { printf 'build-test-servers: %s\n' "$*" >&2; }

# replace FILE OLD NEW replaces the one line of FILE holding OLD (a literal string) by
# NEW; it fails when OLD is not there exactly once, so an upstream change is noticed.
replace() {
  local file=$1 old=$2 new=$3
  if [ "$(grep -cF -- "$old" "$file")" != 1 ]; then
    log "patch: $file no longer matches: $old"
    return 1
  fi
  OLD="$old" NEW="$new" perl -pi -e 's/\Q$ENV{OLD}\E/$ENV{NEW}/' "$file"
}

patch_vault() {
  # Signature differences between the in-tree api/ and sdk/ of the v1.21.4 tag and the
  # published sdk v0.21.0 its go.mod requires.
  # keysutil.LockManager.RestorePolicy returns only an error in the published sdk; the
  # restored key's name is the requested one (it only labels an observation).
  replace builtin/logical/transit/path_restore.go \
    'restoredKeyName, err := b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)' \
    'restoredKeyName, err := keyName, b.lm.RestorePolicy(ctx, req.Storage, keyName, backupB64, force)'
  # framework.Backend.ActivationFunc takes the flag name as a third argument in the
  # published sdk; identity deduplication is the only flag and ignores it.
  replace vault/identity_store.go \
    'ActivationFunc: iStore.activateDeduplication,' \
    'ActivationFunc: func(ctx context.Context, req *logical.Request, _ string) error { return iStore.activateDeduplication(ctx, req) },'
  replace vault/logical_system_activation_flags.go \
    'if err := b.idStoreBackend.ActivationFunc(ctx, nil); err != nil {' \
    'if err := b.idStoreBackend.ActivationFunc(ctx, nil, ""); err != nil {'
}

build_vault() {
  local want="Vault ${VAULT_VERSION}"
  if [ -x "$BIN/vault" ] && "$BIN/vault" version 2>/dev/null | grep -q "^${want}"; then
    log "vault ${VAULT_VERSION} present"
    return 0
  fi
  local start=$SECONDS dir src
  dir=$(go mod download -json "github.com/hashicorp/vault@${VAULT_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { log "cannot download github.com/hashicorp/vault@${VAULT_VERSION}"; return 1; }
  src="$CACHE/src/vault-${VAULT_VERSION}"
  rm -rf "$src"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  (
    cd "$src"
    go mod edit \
      -dropreplace=github.com/hashicorp/vault/api \
      -dropreplace=github.com/hashicorp/vault/api/auth/approle \
      -dropreplace=github.com/hashicorp/vault/api/auth/kubernetes \
      -dropreplace=github.com/hashicorp/vault/api/auth/userpass \
      -dropreplace=github.com/hashicorp/vault/sdk
    patch_vault
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -tags minimal -trimpath \
      -o "$BIN/vault.tmp" .
  )
  mv "$BIN/vault.tmp" "$BIN/vault"
  log "built vault ${VAULT_VERSION} in $((SECONDS - start))s"
}

build_kumo() {
  if [ -x "$BIN/kumo" ]; then
    log "kumo present"
    return 0
  fi
  local start=$SECONDS
  GOBIN="$BIN" CGO_ENABLED=0 go install -trimpath "github.com/sivchari/kumo/cmd/kumo@${KUMO_VERSION}"
  log "built kumo ${KUMO_VERSION} in $((SECONDS - start))s"
}

build_vault
build_kumo

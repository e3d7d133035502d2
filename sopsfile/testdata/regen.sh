#!/bin/sh
# Regenerates the sops fixtures with the real sops binary. TEST-ONLY key: test-age-key.txt.
#   GOBIN=/root/.cache/swiftclaw-peers go install github.com/getsops/sops/v3/cmd/sops@v3.13.3
#   cd sopsfile/testdata && SOPS=/root/.cache/swiftclaw-peers/sops sh regen.sh
set -eu
SOPS=${SOPS:-sops}
export SOPS_DISABLE_VERSION_CHECK=1 SOPS_CONFIG=/dev/null SOPS_AGE_KEY_FILE=test-age-key.txt
R=$(sed -n 's/^# public key: //p' test-age-key.txt)
$SOPS encrypt --age "$R" --unencrypted-suffix _unencrypted plain.yaml > secrets.enc.yaml
$SOPS encrypt --age "$R" plain.json > secrets.enc.json
$SOPS encrypt --age "$R" plain.env > secrets.enc.env
# mac_only_encrypted exists only as a creation rule, so this one goes through a config file.
printf 'creation_rules:\n  - age: %s\n    encrypted_regex: "^(password|api_key)$"\n    mac_only_encrypted: true\n' "$R" > regex.sops.yaml
$SOPS --config regex.sops.yaml encrypt --filename-override plain.yaml plain.yaml > regex.enc.yaml
rm regex.sops.yaml
for f in secrets.enc.yaml secrets.enc.json regex.enc.yaml; do
	$SOPS decrypt --output-type json "$f" > "${f%.*.*}.${f##*.}.dec.json"
done
$SOPS decrypt secrets.enc.env > secrets.env.dec.env

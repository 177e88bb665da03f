#!/usr/bin/env bash
# How validation/release/ was made, once: three TEST keys (an administrator and two signers),
# the trust file and the two enrolments, each through Signet's own terminal ceremony (driven by
# tests/e2e/pty_drive.py). Run from an empty copy of this folder to make a new example registry.
# Usage: validation/release/make-registry.sh SIGNET
set -euo pipefail
signet="$(realpath "${1:?usage: make-registry.sh SIGNET}")"
here="$(cd "$(dirname "$0")" && pwd)"
drive="$here/../../tests/e2e/pty_drive.py"
password="signet self-release TEST key, not for real signatures"
cd "$here"
at_terminal() { # DIALOGUE-JSON ARGS...
  local d; d="$(mktemp)"; printf '%s' "$1" >"$d"; shift
  python3 "$drive" "$d" -- "$signet" "$@"; rm -f "$d"
}
keygen() {
  at_terminal "[[\"key password: \", \"$password\"], [\"Repeat the password: \", \"$password\"]]" \
    keygen --signer "$1" --name "$2" --email "$1@signet.invalid" --out "keys/$1.key"
}
keygen signet-admin "Signet registry administrator (TEST KEY, not a person)"
"$signet" trust init --organisation "Signet project (TEST keys: example registry)" \
  --admin-pubkey signet-admin=keys/signet-admin.key.pub
while read -r id role name; do
  keygen "$id" "$name"
  at_terminal "[[\"type the signer id\", \"$id\"], [\"Password: \", \"$password\"]]" \
    enroll --signer "$id" --name "$name" --email "$id@signet.invalid" --role "$role" \
    --title "$role (test key)" --department "Signet project" \
    --pubkey "keys/$id.key.pub" --admin-key keys/signet-admin.key
done <<'LIST'
signet-qa QA Signet QA (TEST KEY, not a person)
signet-release RELEASE Signet Release (TEST KEY, not a person)
LIST

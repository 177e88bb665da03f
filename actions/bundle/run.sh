#!/usr/bin/env bash
# Stage 2, the canonical evidence bundle. Env: EVIDENCE, OUT, SUMS, GZIP, CHECK_SUMS.
# The binary sets bundle-sha256 and bundle-path. With CHECK_SUMS (the sums stage's SHA256SUMS), the
# bundle's own file list, computed from the very bytes in the tar, must equal it.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ -n "${EVIDENCE:-}" ] || die "the evidence input is required: the folder whose files become the bundle"
out="$(abs "${OUT:-release-evidence.tar}")"
args=(bundle --evidence "$(abs "$EVIDENCE")" --out "$out")
[ "$(flag GZIP)" = true ] && args+=(--gzip)
sums=""
if [ -n "${SUMS:-}" ] && [ "$(abs "$SUMS")" != "$(abs "${CHECK_SUMS:-}")" ]; then
  sums="$(abs "$SUMS")"
elif [ -n "${CHECK_SUMS:-}" ]; then
  sums="$(mktemp)" # never overwrite the list being checked
fi
[ -z "$sums" ] || args+=(--sums "$sums")
signet "${args[@]}"

digest="$(cut -d' ' -f1 "$out.sha256")"
size="$(wc -c <"$out" | tr -d ' ')"
output bundle-sha256-file "$out.sha256"
[ -z "${SUMS:-}" ] || output sums-path "$(abs "$SUMS")"
files=""
[ -z "$sums" ] || files="$(grep -c '' "$sums" || true)"

checked=""
if [ -n "${CHECK_SUMS:-}" ]; then
  if ! cmp -s "$sums" "$(abs "$CHECK_SUMS")"; then
    echo "::error title=signet bundle::$(escape "the bundle's files differ from $CHECK_SUMS: the evidence changed after the sums stage")"
    diff "$(abs "$CHECK_SUMS")" "$sums" || true
    exit 1
  fi
  checked="the bundle holds exactly the files listed in \`$(cell "$CHECK_SUMS")\`"
fi

{
  echo "### Evidence bundle"
  echo
  echo "| file | bytes | files | sha256 (the digest signers sign) |"
  echo "|---|---:|---:|---|"
  echo "| \`$(cell "${OUT:-release-evidence.tar}")\` | $size | ${files:-—} | \`$digest\` |"
  [ -z "$checked" ] || printf '\n%s\n' "$checked"
} | summary

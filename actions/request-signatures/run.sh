#!/usr/bin/env bash
# Stage 3, the pending-signature request. Env: ROOT, RELEASE, BUNDLE, SUMS, INDEX, COMMITS.
# The binary writes signatures/<RELEASE>/request.json + request.md under ROOT, the job-summary
# section (what each signer runs) and the missing-signatures output.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ -n "${RELEASE:-}" ] || die "the release input is required (e.g. the tag, v1.4.0)"
[ -n "${BUNDLE:-}" ] || die "the bundle input is required: the tar the bundle stage wrote"
root="$(abs "${ROOT:-.}")"
args=(--root "$root" request --release "$RELEASE" --bundle "$(abs "$BUNDLE")")
[ -z "${SUMS:-}" ] || args+=(--sums "$(abs "$SUMS")")
[ -z "${INDEX:-}" ] || args+=(--index "$(abs "$INDEX")")
read -r -a commits <<<"${COMMITS:-}"
for c in "${commits[@]}"; do args+=(--commit "$c"); done

log="$(mktemp)"
status=0
signet "${args[@]}" >"$log" || status=$?
cat "$log"
[ "$status" -eq 0 ] || exit "$status"
request="$(sed -n 's/^wrote \(.*request\.json\)$/\1/p' "$log" | head -n 1)"
[ -n "$request" ] || die "request did not report where it wrote request.json"
request="$(abs "$request")"
output request-path "$request"
output request-dir "$(dirname "$request")"

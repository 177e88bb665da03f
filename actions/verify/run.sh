#!/usr/bin/env bash
# Stage 6, the final gate. Env: ROOT, BUNDLE, MANIFEST, RELEASE, TRUST, TRUST_SHA256, ALLOW_PENDING,
# FAIL_ON_BLOCK.
# The binary sets verify-result (pass/fail) and missing-signatures; this adds verify-status
# (pass / pending: nothing wrong, signatures still awaited / fail), annotations for every
# problem, and the job-summary section. Needs jq (present on GitHub-hosted runners).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

command -v jq >/dev/null 2>&1 || die "the verify action needs jq on PATH"
[ -n "${BUNDLE:-}" ] || die "the bundle input is required: the tar whose digest was signed"
root="$(abs "${ROOT:-.}")"
if [ -n "${MANIFEST:-}" ]; then
  manifest="$(abs "$MANIFEST")"
else
  [ -n "${RELEASE:-}" ] || die "give the manifest input, or the release input to verify signatures/<release>/"
  manifest="$root/signatures/$RELEASE"
fi
allow_pending="$(flag ALLOW_PENDING)"
fail_on_block="$(flag FAIL_ON_BLOCK)"

# The anchor: the organisation's trust file (default: root's signatures/trust.json for a release
# folder), pinned by its digest so that a pull request cannot swap it.
trust_args=()
[ -z "${TRUST:-}" ] || trust_args+=(--trust "$(abs "$TRUST")")
[ -z "${TRUST_SHA256:-}" ] || trust_args+=(--trust-sha256 "$TRUST_SHA256")

report="$(mktemp)"
status=0
signet --root "$root" --format json verify --bundle "$(abs "$BUNDLE")" --manifest "$manifest" "${trust_args[@]}" \
  >"$report" || status=$?
if [ "$status" -ge 2 ]; then
  cat "$report"
  exit "$status"
fi

release="$(jq -r '.release' "$report")"
problems="$(jq '.problems | length' "$report")"
awaiting="$(jq '.awaiting | length' "$report")"
if [ "$status" -eq 0 ]; then
  verdict=pass
elif [ "$problems" -eq 0 ] && [ "$awaiting" -gt 0 ]; then
  verdict=pending
else
  verdict=fail
fi

jq -r '(.signatures[] | .record | "signed   \(.role) (\(.meaning)) by \(.printed_name) <\(.email)> at \(.signed_at)"),
       (.awaiting[] | "awaiting \(.)"), (.problems[] | "problem  \(.)")' "$report"
echo "verify: $verdict — release $release, bundle sha256 $(jq -r '.bundle_sha256' "$report")"
jq -r '.problems[] | gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A") | "::error title=Signet final gate::\(.)"' "$report"
jq -r '.awaiting[] | gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A") | "::notice title=Signet final gate::awaiting \(.)"' "$report"

output verify-status "$verdict"
output problems "$problems"
archival="$root/signatures/release-$release.json"
if [ "$verdict" = pass ] && [ -d "$manifest" ] && [ -f "$archival" ]; then
  output manifest-path "$archival"
elif [ "$verdict" = pass ]; then
  output manifest-path "$manifest"
fi

{
  echo "### Final gate (verify): $verdict — release \`$(cell "$release")\`"
  echo
  echo "Bundle sha256 \`$(jq -r '.bundle_sha256' "$report")\`."
  if [ "$(jq '.signatures | length' "$report")" -gt 0 ]; then
    echo
    echo "| role | meaning | signed by | at |"
    echo "|---|---|---|---|"
    jq -r '.signatures[].record | [.role, .meaning, "\(.printed_name) <\(.email)>", .signed_at]
           | map(gsub("\\|"; "\\|") | gsub("\n"; " ")) | "| " + join(" | ") + " |"' "$report"
  fi
  if [ "$awaiting" -gt 0 ]; then
    echo
    jq -r '.awaiting[] | "- awaiting " + (gsub("\n"; " "))' "$report"
  fi
  if [ "$problems" -gt 0 ]; then
    echo
    jq -r '.problems[] | "- **problem:** " + (gsub("\n"; " "))' "$report"
  fi
} | summary

case "$verdict" in
  pass) exit 0 ;;
  pending) [ "$allow_pending" = true ] || [ "$fail_on_block" = false ] || exit 1 ;;
  fail) [ "$fail_on_block" = false ] || exit 1 ;;
esac
exit 0

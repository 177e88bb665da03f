#!/usr/bin/env bash
# Stage 1, the RTM gate. Env: ROOT, OUT, FAIL_ON_SUSPECT, REQUIRE_VERIFICATION, FAIL_ON_BLOCK.
# The binary writes the annotations, the job-summary section and the gate-result output;
# a blocked gate (exit 1) is a result, and fails the step only when FAIL_ON_BLOCK is true.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

root="$(abs "${ROOT:-.}")"
args=(--root "$root" rtm-gate)
[ "$(flag FAIL_ON_SUSPECT)" = true ] && args+=(--fail-on-suspect)
[ "$(flag REQUIRE_VERIFICATION)" = true ] && args+=(--require-verification)
fail_on_block="$(flag FAIL_ON_BLOCK)"
[ -n "${OUT:-}" ] && args+=(--out "$(abs "$OUT")")

log="$(mktemp)"
status=0
signet "${args[@]}" >"$log" || status=$?
cat "$log"
[ "$status" -le 1 ] || exit "$status"

index="$(sed -n 's/^wrote \(.*\)\/index\.json$/\1/p' "$log" | tail -n 1)"
[ -n "$index" ] || die "rtm-gate did not report where it wrote index.json"
dir="$(cd "$index" && pwd)"
output rtm-dir "$dir"
output rtm-index "$dir/index.json"
output rtm-html "$dir/rtm.html"
output rtm-junit "$dir/rtm-junit.xml"

if [ "$status" -eq 1 ]; then
  echo "RTM gate: the release is blocked (gate-result=fail); the findings are above and in the job summary"
  [ "$fail_on_block" = false ] || exit 1
fi
exit 0

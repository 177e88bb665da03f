#!/usr/bin/env bash
# The root action's verdict, after every stage has reported.
# Env: FAIL_ON_BLOCK, ALLOW_PENDING, REQUESTED, VERIFY_PLANNED, GATE_RESULT, VERIFY_STATUS.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

blocked=()
[ "${GATE_RESULT:-}" != fail ] || blocked+=("rtm-gate blocked the release")
if [ "${GATE_RESULT:-}" = fail ] && [ "${REQUESTED:-}" = true ]; then
  blocked+=("request-signatures skipped: a blocked release gets no signature request")
  [ "${VERIFY_PLANNED:-}" != true ] || blocked+=("verify skipped: there is no request to verify")
fi
case "${VERIFY_STATUS:-}" in
  fail) blocked+=("the final gate failed") ;;
  pending) [ "$(flag ALLOW_PENDING)" = true ] || blocked+=("the final gate awaits signatures") ;;
esac

if [ "${#blocked[@]}" -eq 0 ]; then
  output result pass
  echo "Signet: every stage that ran passed"
  exit 0
fi
output result fail
{
  echo "### Signet pipeline: blocked"
  echo
  printf -- '- %s\n' "${blocked[@]}"
} | summary
for b in "${blocked[@]}"; do echo "::error title=Signet::$(escape "$b")"; done
[ "$(flag FAIL_ON_BLOCK)" = false ] || exit 1

#!/usr/bin/env bash
# Stage 2, SHA256SUMS. Env: ROOT, PATHS (space-separated, relative to ROOT), OUT, CHECK, FAIL_ON_BLOCK.
# Write mode lists PATHS into OUT; check mode (CHECK set) re-hashes ROOT against CHECK strictly.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

root="$(abs "${ROOT:-.}")"
fail_on_block="$(flag FAIL_ON_BLOCK)"

if [ -n "${CHECK:-}" ]; then
  check="$(abs "$CHECK")"
  status=0
  signet --root "$root" sums --check "$check" || status=$?
  [ "$status" -le 1 ] || exit "$status"
  files="$(grep -c '' "$check" || true)"
  if [ "$status" -eq 0 ]; then result=pass; else result=fail; fi
  output sums-result "$result"
  output sums-path "$check"
  if [ "$result" = pass ]; then
    verdict="**pass**: all $files files match, none missing, none extra"
  else
    verdict="**fail**: mismatched, missing or extra files (listed in the step log)"
  fi
  summary <<MD
### SHA256SUMS check

\`$(cell "${CHECK}")\` against \`$(cell "${ROOT:-.}")\`: $verdict
MD
  if [ "$result" = fail ] && [ "$fail_on_block" = true ]; then exit 1; fi
  exit 0
fi

out="$(abs "${OUT:-SHA256SUMS}")"
read -r -a paths <<<"${PATHS:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
signet --root "$root" sums "${paths[@]}" --out "$out"
files="$(grep -c '' "$out" || true)"
output sums-path "$out"
output sums-result pass
summary <<MD
### SHA256SUMS

\`$(cell "${OUT:-SHA256SUMS}")\` lists $files files of \`$(cell "${ROOT:-.}")\` (\`sha256sum -c --strict\` checks it).
MD

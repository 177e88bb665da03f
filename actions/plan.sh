#!/usr/bin/env bash
# The root action's plan: which stages run. Env: STAGES (comma-separated), EVIDENCE.
# Outputs <stage>=true|false for every stage; unknown names are refused (exit 2).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

known=(rtm-gate sums bundle report request-signatures verify)
declare -A run=()
IFS=',' read -r -a asked <<<"${STAGES:-}"
for s in "${asked[@]}"; do
  s="$(printf '%s' "$s" | tr -d '[:space:]')"
  [ -n "$s" ] || continue
  case " ${known[*]} " in
    *" $s "*) run[$s]=true ;;
    *)
      die "unknown stage '$s' in stages: use any of ${known[*]}"
      ;;
  esac
done
[ "${#run[@]}" -gt 0 ] || die "stages names no stage: use any of ${known[*]}"
if [ -n "${run[report]:-}" ] && [ -z "${run[bundle]:-}" ]; then
  die "the report stage needs the bundle stage in the same run (it reports on the bundle it wrote)"
fi
if { [ -n "${run[sums]:-}" ] || [ -n "${run[bundle]:-}" ]; } && [ -z "${EVIDENCE:-}" ]; then
  die "the sums and bundle stages need the evidence input (the folder whose files become the bundle)"
fi
planned=()
for s in "${known[@]}"; do
  output "$s" "${run[$s]:-false}"
  [ -z "${run[$s]:-}" ] || planned+=("$s")
done
echo "stages, in pipeline order: ${planned[*]}"

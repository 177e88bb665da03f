#!/usr/bin/env bash
# Stage 5, the evidence report. Env: ROOT, RELEASE, BUNDLE, SUMS, INDEX, OUT, PDF.
# Renders the release's report (report.json, evidence-report.html, with PDF the PDF/A) into OUT:
# of the requested release when root's signatures/<RELEASE>/request.json exists, else a preview
# (before the request step). Outputs report-path, report-dir, report-pdf, report-status; the
# binary writes the job-summary section (templates/report-summary.md).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ -n "${RELEASE:-}" ] || die "the release input is required (e.g. the tag, v1.4.0)"
[ -n "${BUNDLE:-}" ] || die "the bundle input is required: the tar the bundle stage wrote"
[ -n "${OUT:-}" ] || die "the out input is required: the folder to write the report into"
root="$(abs "${ROOT:-.}")"
out="$(abs "$OUT")"
args=(--root "$root" report --release "$RELEASE" --bundle "$(abs "$BUNDLE")" --out "$out")
[ -z "${SUMS:-}" ] || args+=(--sums "$(abs "$SUMS")")
[ -z "${INDEX:-}" ] || args+=(--index "$(abs "$INDEX")")
[ "$(flag PDF)" = false ] || args+=(--pdf)
# Release ids are single path components (signet refuses others), so this names one folder.
[ -f "$root/signatures/$RELEASE/request.json" ] || args+=(--preview)

log="$(mktemp)"
status=0
signet --format json "${args[@]}" >"$log" || status=$?
[ "$status" -eq 0 ] || { cat "$log"; exit "$status"; }
report_status="$(jq -r '.document.status' "$log")"
status_text="$(jq -r '.document.status_text' "$log")"
html="$out/evidence-report.html"
# report-path and report-status come from the binary itself.
output report-dir "$out"
if [ -f "$out/evidence-report.pdf" ] && [ "$(flag PDF)" = true ]; then output report-pdf "$out/evidence-report.pdf"; fi
echo "report: $report_status — $status_text ($html)"

#!/usr/bin/env bash
# archive.yml, after the final gate passed: the evidence report (PDF/A) and the inspection package
# from bundle + manifest + trust file, then every file as an asset of the GitHub release RELEASE,
# then the adopter's DHF upload. Env: SIGNET, RELEASE, MANIFEST, BUNDLE, TRUST, GH_TOKEN, REPO,
# DHF_UPLOAD (optional: an executable in the repository, given the assets' folder).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

assets="${RUNNER_TEMP:-$(mktemp -d)}/archive-$RELEASE"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$assets"
cp -- "$BUNDLE" "$assets/bundle-$RELEASE.tar"
(cd "$assets" && sha256sum "bundle-$RELEASE.tar" >"bundle-$RELEASE.tar.sha256")
cp -- "$MANIFEST" "$assets/release-$RELEASE.json"
"$SIGNET" report --manifest "$MANIFEST" --trust "$TRUST" --bundle "$BUNDLE" --out "$work/report" --pdf
cp -- "$work/report/evidence-report.pdf" "$assets/evidence-report-$RELEASE.pdf"
"$SIGNET" inspect --manifest "$MANIFEST" --trust "$TRUST" --bundle "$BUNDLE" --out "$work/inspection-$RELEASE"
# Deterministic: sorted names, fixed owner and time, so the same package gives the same bytes.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" -czf "$assets/inspection-$RELEASE.tar.gz" \
  "inspection-$RELEASE"

if gh release view "$RELEASE" --repo "$REPO" >/dev/null 2>&1; then
  # No --clobber: an archive adds, it never replaces what was published.
  gh release upload "$RELEASE" --repo "$REPO" "$assets"/*
else
  gh release create "$RELEASE" --repo "$REPO" --verify-tag --title "$RELEASE" \
    --notes "Signed release record of $RELEASE: verify with signet verify --bundle bundle-$RELEASE.tar --manifest release-$RELEASE.json --trust <your trust file> (or tools/reference-verify.py)." \
    "$assets"/*
fi
output assets "$assets"
{
  echo "### Archive: release \`$RELEASE\`"
  echo
  for f in "$assets"/*; do echo "- \`$(basename "$f")\` sha256 \`$(sha256sum "$f" | cut -d' ' -f1)\`"; done
} | summary

if [ -n "${DHF_UPLOAD:-}" ]; then
  upload="$(realpath -e -- "$DHF_UPLOAD")" || die "SIGNET_DHF_UPLOAD names $DHF_UPLOAD, which does not exist"
  case "$upload" in "$PWD"/*) ;; *) die "SIGNET_DHF_UPLOAD must name an executable in this repository, not $upload" ;; esac
  "$upload" "$assets"
fi

#!/usr/bin/env bash
# archive.yml: the release whose archival manifest the pushed commit added. Env: SIGNET_ROOT.
# Outputs: release, manifest (workspace-relative).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

prefix="signatures/"
[ "${SIGNET_ROOT:-.}" = . ] || prefix="$SIGNET_ROOT/signatures/"
git rev-parse --verify --quiet HEAD^1 >/dev/null || die "the push's parent is not in the checkout: check out with fetch-depth: 2"
mapfile -t added < <(git diff --name-only --diff-filter=A HEAD^1 HEAD -- "${prefix}release-*.json")
[ "${#added[@]}" -eq 1 ] ||
  die "the push must add exactly one ${prefix}release-<tag>.json (it added ${#added[@]}); archive each release on its own"
release="${added[0]#"${prefix}release-"}"
release="${release%.json}"
[[ "$release" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "not a release id: $release"
output release "$release"
output manifest "${added[0]}"
echo "archiving $release from ${added[0]}"

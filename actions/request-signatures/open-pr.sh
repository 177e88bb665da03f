#!/usr/bin/env bash
# release.yml's open-request job: commits the signature request the evidence job made (downloaded
# into ROOT/signatures/RELEASE/) on a branch and opens its pull request, so that signers add their
# signatures to it by pull request. Env: ROOT, RELEASE, GH_TOKEN, REPO.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

root="$(abs "${ROOT:-.}")"
[[ "${RELEASE:-}" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || die "not a release id: '${RELEASE:-}'"
folder="$root/signatures/$RELEASE"
[ -f "$folder/request.json" ] ||
  die "$folder/request.json is missing: the signature-request-$RELEASE artefact was not downloaded there"
workspace="$(git -C "$root" rev-parse --show-toplevel)"
base="$(gh api "repos/$REPO" --jq .default_branch)"
body="The release workflow's signature request for $RELEASE (signatures/$RELEASE/request.md says what to sign, by which roles, with which meaning, in which order). Signers add their signatures to this folder by pull request; the Signatures workflow runs the final gate on each."
open_pull_request "$workspace" "signet/request-$RELEASE" "$base" "Signature request for $RELEASE" "$body" \
  "$(realpath --relative-to="$workspace" "$folder")"
url="$pr_url"
output request-pull-request "$url"
echo "opened $url"
printf '### Signature request\n\nOpened %s for %s.\n' "$url" "$RELEASE" | summary

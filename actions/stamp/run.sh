#!/usr/bin/env bash
# The auto-stamp. Env: ROOT, GH_TOKEN, REPO, MERGED_SHA. Needs git, gh and jq (on GitHub's runners).
#
# Only an approval of the exact commit that was merged counts: a review of an earlier push does not
# cover what came after it, a reviewer's later "changes requested" or dismissal withdraws their
# approval, and the author's own review is not one. The requirements stamped are those the merge
# made unreviewed (`signet stamp --changed-since` the base's index.json): a requirement that was
# already unreviewed before it is left for a review of its own.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

root="$(abs "${ROOT:-.}")"
workspace="$(git -C "$root" rev-parse --show-toplevel)"
rel="$(realpath --relative-to="$workspace" "$root")"
sha="${MERGED_SHA:?the merged commit (github.sha)}"
note() { printf '### Auto-stamp\n\n%s\n' "$1" | summary; }
output pull-request ""
output stamp-pull-request ""

pr="$(gh api "repos/$REPO/commits/$sha/pulls" |
  jq -c --arg sha "$sha" 'first(.[] | select(.merged_at != null and .merge_commit_sha == $sha)) // empty')"
if [ -z "$pr" ]; then
  echo "::notice title=Signet auto-stamp::commit $sha is not the merge of a pull request: nothing is stamped (the RTM gate reports what it left unreviewed)"
  note "Commit \`$sha\` is not the merge of a pull request: nothing is stamped."
  exit 0
fi
number="$(jq -r .number <<<"$pr")"
head="$(jq -r .head.sha <<<"$pr")"
author="$(jq -r .user.login <<<"$pr")"
base_ref="$(jq -r .base.ref <<<"$pr")"
output pull-request "$number"

# Each reviewer's latest verdict; an approval counts only for the merged head commit.
reviewers="$(gh api --paginate "repos/$REPO/pulls/$number/reviews" | jq -rs --arg head "$head" --arg author "$author" '
  add // [] | map(select(.state != "COMMENTED" and .state != "PENDING"))
  | group_by(.user.login) | map(max_by(.submitted_at))
  | map(select(.state == "APPROVED" and .commit_id == $head and .user.login != $author) | .user.login)
  | sort | join(", ")')"
output reviewers "$reviewers"
if [ -z "$reviewers" ]; then
  echo "::warning title=Signet auto-stamp::pull request #$number was merged without an approving review of its last commit ($head): nothing is stamped; the requirements it changed stay unreviewed and block the release until reviewed"
  note "Pull request #$number was merged without an approval of its last commit: nothing is stamped."
  exit 0
fi

tmp="$(mktemp -d)"
trap 'git -C "$workspace" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$workspace" worktree add --quiet --detach "$tmp/base" "$sha^1" ||
  die "the merge's parent $sha^1 is not in the checkout: check out with fetch-depth: 2"
[ -f "$tmp/base/$rel/signet.toml" ] ||
  die "the base of #$number has no $rel/signet.toml: stamp the first requirements by hand (signet stamp --all --by NAME)"
status=0
signet --root "$tmp/base/$rel" rtm-gate --out "$tmp/base-rtm" >"$tmp/base.log" 2>&1 || status=$?
[ "$status" -le 1 ] || { cat "$tmp/base.log"; die "the RTM gate cannot read the base of #$number (above)"; }

signet --root "$root" --format json stamp --changed-since "$tmp/base-rtm/index.json" --by "$reviewers" >"$tmp/stamp.json"
stamped="$(jq -r '.stamped | join(" ")' "$tmp/stamp.json")"
output stamped "$stamped"
output left "$(jq -r '[.left[].uid] | join(" ")' "$tmp/stamp.json")"
jq -r '.left[] | [.uid, .was] | @tsv' "$tmp/stamp.json" | while IFS=$'\t' read -r uid was; do
  echo "::warning title=Signet auto-stamp::$(escape "$uid was already $was before #$number, which did not review that earlier change: it is left unreviewed; review it on its own (signet stamp --uid $uid --by NAME)")"
done
if [ -z "$stamped" ]; then
  echo "::notice title=Signet auto-stamp::#$number left no requirement unreviewed: nothing to stamp"
  note "Pull request #$number left no requirement unreviewed: nothing to stamp."
  exit 0
fi

body="Pull request #$number was merged with the approval of $reviewers on its last commit ($head). This records that review in the documents: REVIEWED_HASH / REVIEWED_BY for $stamped."
url="$(open_pull_request "$workspace" "signet/stamp-pr-$number" "$base_ref" \
  "Stamp the requirements reviewed in #$number" "$body" "$rel")"
output stamp-pull-request "$url"
echo "stamped $stamped (reviewed by $reviewers in #$number): $url"
note "Stamped $stamped as reviewed by $reviewers in #$number: $url"

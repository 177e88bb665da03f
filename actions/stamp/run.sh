#!/usr/bin/env bash
# The auto-stamp. Env: ROOT, GH_TOKEN, REPO, MERGED_SHA, BEFORE_SHA (the push's `before`). Needs
# git, gh and jq (on GitHub's runners), and a checkout with the history from BEFORE_SHA.
#
# A stamp says "a qualified person reviewed this text", so when in doubt nothing is stamped and the
# RTM gate keeps the release blocked until someone stamps by hand:
# - only an approval of the exact commit that was merged counts, by a reviewer with write access
#   who is neither the author nor a committer of the pull request; a later "changes requested" or
#   dismissal withdraws it;
# - the requirements stamped are those the push made unreviewed (`stamp --changed-since` the
#   index of BEFORE_SHA): one already unreviewed before is left, and so is a new one that may be an
#   unreviewed one renamed, or that came from a moved or deleted file or a changed signet.toml;
# - a pull request that edits review fields itself stamps nothing.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

root="$(abs "${ROOT:-.}")"
workspace="$(git -C "$root" rev-parse --show-toplevel)"
rel="$(realpath --relative-to="$workspace" "$root")"
sha="${MERGED_SHA:?the merged commit (github.sha)}"
before="${BEFORE_SHA:?the commit the push replaced (github.event.before)}"
note() { printf '### Auto-stamp\n\n%s\n' "$1" | summary; }

# The logins whose latest review of pull request NUMBER approves its HEAD commit, comma-separated:
# not the AUTHOR, not a committer or co-author of its commits, and each with write access.
approvers() {
  local number="$1" head="$2" author="$3" committers login permission out=()
  committers="$(gh api --paginate "repos/$REPO/pulls/$number/commits" |
    jq -rs 'add // [] | map(.author.login // empty, .committer.login // empty) | unique | .[]')"
  while IFS= read -r login; do
    [[ "$login" =~ ^[A-Za-z0-9][A-Za-z0-9-]{0,38}$ ]] || continue
    grep -qxF -- "$login" <<<"$committers" && continue
    permission="$(gh api "repos/$REPO/collaborators/$login/permission" --jq .permission)"
    case "$permission" in admin | maintain | write) out+=("$login") ;; esac
  done < <(gh api --paginate "repos/$REPO/pulls/$number/reviews" | jq -rs --arg head "$head" --arg author "$author" '
    add // [] | map(select(.user != null and .state != "COMMENTED" and .state != "PENDING"))
    | group_by(.user.login) | map(max_by(.submitted_at))
    | map(select(.state == "APPROVED" and .commit_id == $head and .user.login != $author) | .user.login)
    | sort | .[]')
  local IFS=,
  printf '%s' "${out[*]}" | sed 's/,/, /g'
}

# Whether the push from BEFORE to SHA deleted or moved away a file that held requirements: a
# requirement it brings into the documents would then show in the diff as a rename, not as text.
moved_requirements() {
  local path
  while IFS= read -r path; do
    grep -qE '^[[:space:]]*UID:' < <(git -C "$workspace" show "$1:$path" 2>/dev/null) && return 0
  done < <(git -C "$workspace" diff --no-renames --name-only --diff-filter=D "$1" "$2")
  return 1
}
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
head_ref="$(jq -r .head.ref <<<"$pr")"
author="$(jq -r .user.login <<<"$pr")"
base_ref="$(jq -r .base.ref <<<"$pr")"
output pull-request "$number"

[[ "$before" =~ ^[0-9a-f]{40}$ && "$before" != 0000000000000000000000000000000000000000 ]] ||
  die "the push has no previous commit ('$before'): stamp the first requirements by hand (signet stamp --all --by NAME)"
git -C "$workspace" merge-base --is-ancestor "$before" "$sha" 2>/dev/null ||
  die "$before is not an ancestor of $sha in the checkout: check out with fetch-depth: 0 (a force-push is never stamped)"

if git -C "$workspace" diff "$before" "$sha" -- '*.sdoc' | grep -qE '^[-+][[:space:]]*(REVIEWED_HASH|REVIEWED_BY|REVIEWED_UPSTREAM):'; then
  level=warning
  [[ "$head_ref" == signet/stamp-pr-* ]] && level=notice
  echo "::$level title=Signet auto-stamp::pull request #$number edits review fields itself: nothing is stamped (a stamp is recorded only by this job or by hand with signet stamp)"
  note "Pull request #$number edits review fields itself: nothing is stamped."
  exit 0
fi

reviewers="$(approvers "$number" "$head" "$author")"
output reviewers "$reviewers"
if [ -z "$reviewers" ]; then
  echo "::warning title=Signet auto-stamp::pull request #$number was merged without an approving review of its last commit ($head) by a reviewer with write access who did not author or commit to it: nothing is stamped; the requirements it changed stay unreviewed and block the release until reviewed"
  note "Pull request #$number was merged without a qualifying approval of its last commit: nothing is stamped."
  exit 0
fi

tmp="$(mktemp -d)"
trap 'git -C "$workspace" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$workspace" worktree add --quiet --detach "$tmp/base" "$before"
[ -f "$tmp/base/$rel/signet.toml" ] ||
  die "the base of #$number has no $rel/signet.toml: stamp the first requirements by hand (signet stamp --all --by NAME)"
status=0
# The base's gate is only read here: its annotations, outputs and summary are not this run's.
(
  unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY
  signet --root "$tmp/base/$rel" rtm-gate --out "$tmp/base-rtm"
) >"$tmp/base.log" 2>&1 || status=$?
[ "$status" -le 1 ] || { cat "$tmp/base.log"; die "the RTM gate cannot read the base of #$number (above)"; }

leave_new=()
if moved_requirements "$before" "$sha" || ! git -C "$workspace" diff --quiet "$before" "$sha" -- "$rel/signet.toml"; then
  leave_new=(--leave-new)
fi
status=0
signet --root "$root" --format json stamp --changed-since "$tmp/base-rtm/index.json" "${leave_new[@]}" \
  --by "$reviewers" >"$tmp/stamp.json" 2>"$tmp/stamp.log" || status=$?
[ "$status" -eq 0 ] || { cat "$tmp/stamp.log" >&2; die "signet stamp failed (above): nothing is stamped"; }
stamped="$(jq -r '.stamped | join(" ")' "$tmp/stamp.json")"
output stamped "$stamped"
output left "$(jq -r '[.left[].uid] | join(" ")' "$tmp/stamp.json")"
jq -r '.left[] | [.uid, .why, (.was // ""), ((.gone // []) | join(", "))] | @tsv' "$tmp/stamp.json" |
  while IFS=$'\t' read -r uid why was gone; do
    case "$why" in
      already-unreviewed) reason="it was already $was before #$number, which did not review that earlier change" ;;
      new-while-unreviewed-gone) reason="it is new in #$number while $gone (unreviewed before) disappeared: it may be one of them renamed" ;;
      *) reason="it is new in #$number, which moved or deleted requirement files or changed signet.toml, so its diff may not show it whole" ;;
    esac
    echo "::warning title=Signet auto-stamp::$(escape "$uid is left unreviewed: $reason; review it on its own (signet stamp --uid $uid --by NAME)")"
  done
if [ -z "$stamped" ]; then
  echo "::notice title=Signet auto-stamp::#$number left no requirement to stamp"
  note "Pull request #$number left no requirement to stamp."
  exit 0
fi

files=()
while IFS= read -r file; do
  case "$(realpath -m "$file")/" in
    "$(realpath "$root")"/*) files+=("$(realpath --relative-to="$workspace" "$file")") ;;
    *) die "signet stamp changed $file, outside $rel: [requirements] docs must stay inside the project" ;;
  esac
done < <(jq -r '.files[]' "$tmp/stamp.json")

body="Pull request #$number was merged with the approval of $reviewers on its last commit ($head). This records that review in the documents: REVIEWED_HASH / REVIEWED_BY for $stamped."
open_pull_request "$workspace" "signet/stamp-pr-$number" "$base_ref" \
  "Stamp the requirements reviewed in #$number" "$body" "${files[@]}"
output stamp-pull-request "$pr_url"
echo "stamped $stamped (reviewed by $reviewers in #$number): $pr_url"
note "Stamped $stamped as reviewed by $reviewers in #$number: $pr_url"

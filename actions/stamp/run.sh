#!/usr/bin/env bash
# The auto-stamp. Env: ROOT, GH_TOKEN, REPO, MERGED_SHA, BEFORE_SHA (the push's `before`). Needs
# git, gh and jq (on GitHub's runners), and a checkout with the history from BEFORE_SHA.
#
# A stamp says "a qualified person reviewed this text", so when in doubt nothing is stamped and the
# RTM gate keeps the release blocked until someone stamps by hand:
# - only an approval of the exact commit that was merged counts, by a reviewer with write access
#   who is neither the author nor a committer of the pull request; a later "changes requested" or
#   dismissal withdraws it;
# - the push must be exactly the pull request's merge (merge, squash or rebase), and its base must
#   never have been changed after review;
# - the requirements stamped are those the push made unreviewed and showed whole
#   (`stamp --changed-since` a checkout of BEFORE_SHA `--diff` the push's diff): every line of a
#   stamped requirement was added by the diff, or is an unchanged line of that requirement's own
#   reviewed form. One already unreviewed before is left; nothing is stamped when the push altered
#   or removed an unreviewed requirement, wrote review fields, or changed signet.toml.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

root="$(abs "${ROOT:-.}")"
workspace="$(git -C "$root" rev-parse --show-toplevel)"
rel="$(realpath --relative-to="$workspace" "$root")"
sha="${MERGED_SHA:?the merged commit (github.sha)}"
before="${BEFORE_SHA:?the commit the push replaced (github.event.before)}"
note() { printf '### Auto-stamp\n\n%s\n' "$1" | summary; }

# Ends the job without a stamp: LEVEL (notice or warning) annotation and the summary say why.
skip() {
  echo "::$1 title=Signet auto-stamp::$(escape "$2")"
  note "$2"
  exit 0
}

# The logins whose latest review of pull request NUMBER approves its HEAD commit, comma-separated:
# not the AUTHOR, not the GitHub user of any author or committer of its commits, and each with
# write access (now). Co-authors named only in commit trailers are not matched to logins.
approvers() {
  local number="$1" head="$2" author="$3" committers reviews login permission out=()
  committers="$(gh api --paginate "repos/$REPO/pulls/$number/commits" |
    jq -rs 'add // [] | map(.author.login // empty, .committer.login // empty) | unique | .[]')"
  # Read whole first: a failed page must fail the job, not drop a later "changes requested".
  reviews="$(gh api --paginate "repos/$REPO/pulls/$number/reviews")"
  while IFS= read -r login; do
    [[ "$login" =~ ^[A-Za-z0-9][A-Za-z0-9-]{0,38}$ ]] || continue
    grep -qxF -- "$login" <<<"$committers" && continue
    permission="$(gh api "repos/$REPO/collaborators/$login/permission" --jq .permission)"
    case "$permission" in admin | maintain | write) out+=("$login") ;; esac
  done < <(jq -rs --arg head "$head" --arg author "$author" '
    add // [] | map(select(.user != null and .state != "COMMENTED" and .state != "PENDING"))
    | group_by(.user.login) | map(max_by(.submitted_at))
    | map(select(.state == "APPROVED" and .commit_id == $head and .user.login != $author) | .user.login)
    | sort | .[]' <<<"$reviews")
  local IFS=,
  printf '%s' "${out[*]}" | sed 's/,/, /g'
}

output pull-request ""
output stamp-pull-request ""

pr="$(gh api "repos/$REPO/commits/$sha/pulls" |
  jq -c --arg sha "$sha" 'first(.[] | select(.merged_at != null and .merge_commit_sha == $sha)) // empty')"
[ -n "$pr" ] ||
  skip notice "Commit $sha is not the merge of a pull request: nothing is stamped (the RTM gate reports what it left unreviewed)."
number="$(jq -r .number <<<"$pr")"
head="$(jq -r .head.sha <<<"$pr")"
head_ref="$(jq -r .head.ref <<<"$pr")"
author="$(jq -r .user.login <<<"$pr")"
base_ref="$(jq -r .base.ref <<<"$pr")"
commits="$(jq -r '.commits // 0' <<<"$pr")"
output pull-request "$number"

[[ "$before" =~ ^[0-9a-f]{40}$ && "$before" != 0000000000000000000000000000000000000000 ]] ||
  die "the push has no previous commit ('$before'): stamp the first requirements by hand (signet stamp --all --by NAME)"
git -C "$workspace" merge-base --is-ancestor "$before" "$sha" 2>/dev/null ||
  die "$before is not an ancestor of $sha in the checkout: check out with fetch-depth: 0 (a force-push is never stamped)"
# Exactly this pull request: a merge or squash commit on top of BEFORE, or its rebased commits.
if [ "$(git -C "$workspace" rev-parse "$sha^1")" != "$before" ] &&
  [ "$(git -C "$workspace" rev-list --count --first-parent "$before..$sha")" != "$commits" ]; then
  skip warning "The push $before..$sha carries more than pull request #$number (a merge queue group or other commits): nothing is stamped; stamp by hand what its reviewers reviewed."
fi
[ "$commits" -le 250 ] ||
  skip warning "Pull request #$number has $commits commits, more than GitHub lists (250): its committers cannot all be known, so nothing is stamped."
timeline="$(gh api --paginate "repos/$REPO/issues/$number/timeline")"
if jq -es 'add // [] | any(.event == "base_ref_changed" or .event == "automatic_base_change_succeeded")' <<<"$timeline" >/dev/null; then
  skip warning "The base branch of pull request #$number was changed after it was opened: its approvals may cover another diff, so nothing is stamped."
fi

if git -C "$workspace" diff --text --no-ext-diff --no-textconv "$before" "$sha" -- '*.sdoc' |
  grep -E '^[-+][[:space:]]*(REVIEWED_HASH|REVIEWED_BY|REVIEWED_UPSTREAM):' >/dev/null; then # not -q: an early exit is a SIGPIPE that pipefail reads as "no match"
  level=warning
  [[ "$head_ref" == signet/stamp-pr-* ]] && level=notice
  skip "$level" "Pull request #$number edits review fields itself: nothing is stamped (a stamp is recorded only by this job or by hand with signet stamp)."
fi
# GitHub hides what .gitattributes marks binary, undiffable or generated: a change to them, or a
# document so marked, means the approvers may not have seen the text.
attrs="$(git -C "$workspace" ls-files -z -- "$rel" |
  xargs -0 -r git -C "$workspace" check-attr diff binary linguist-generated --)"
# Linguist counts any linguist-generated value but false as set.
hidden="$(grep -E '\.sdoc: (diff: unset|binary: set|linguist-generated: .*)$' <<<"$attrs" |
  grep -vE 'linguist-generated: (unspecified|unset|false)$' || true)"
if ! git -C "$workspace" diff --quiet "$before" "$sha" -- ':(glob)**/.gitattributes' || [ -n "$hidden" ]; then
  skip warning "Pull request #$number changes .gitattributes, or documents are marked binary, undiffable or generated, which GitHub does not show in full: nothing is stamped."
fi
git -C "$workspace" diff --quiet "$before" "$sha" -- "$rel/signet.toml" ||
  skip warning "Pull request #$number changes $rel/signet.toml, which decides what the requirements are: nothing is stamped; stamp by hand what its reviewers reviewed."

reviewers="$(approvers "$number" "$head" "$author")"
output reviewers "$reviewers"
[ -n "$reviewers" ] ||
  skip warning "Pull request #$number was merged without an approving review of its last commit ($head) by a reviewer with write access who did not author or commit to it: nothing is stamped; the requirements it changed stay unreviewed and block the release until reviewed."

tmp="$(mktemp -d)"
trap 'git -C "$workspace" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$workspace" worktree add --quiet --detach "$tmp/base" "$before"
[ -f "$tmp/base/$rel/signet.toml" ] ||
  die "the base of #$number has no $rel/signet.toml: stamp the first requirements by hand (signet stamp --all --by NAME)"
# What the approvers were shown: the change line by line (renames detected, as GitHub shows them).
# The whole repository's diff (not --relative, which would show a file renamed in from outside the
# project as added whole, where GitHub shows a rename).
git -C "$workspace" -c core.quotePath=false diff -U0 -M --text --no-ext-diff --no-textconv --no-color \
  --src-prefix=a/ --dst-prefix=b/ "$before" "$sha" >"$tmp/change.diff"
# GitHub does not render very large diffs in full; an approval then covers what nobody displayed.
[ "$(wc -l <"$tmp/change.diff")" -le 20000 ] ||
  skip warning "The diff of #$number has more than 20,000 lines, more than GitHub shows in full: nothing is stamped."
prefix="$rel/"
[ "$rel" = . ] && prefix=""
status=0
signet --root "$root" --format json stamp --changed-since "$tmp/base/$rel" --diff "$tmp/change.diff" \
  --diff-prefix "$prefix" --by "$reviewers" >"$tmp/stamp.json" 2>"$tmp/stamp.log" || status=$?
[ "$status" -eq 0 ] || { cat "$tmp/stamp.json" "$tmp/stamp.log"; die "signet stamp failed (above): nothing is stamped"; }
stamped="$(jq -r '.stamped | join(" ")' "$tmp/stamp.json")"
output stamped "$stamped"
output left "$(jq -r '[.left[].uid] | join(" ")' "$tmp/stamp.json")"
# Fields joined by US (0x1f), not tabs: `read` would merge empty tab-separated fields.
jq -r '.left[] | [.uid, .why, (.was // ""), ((.touched // .edited // []) | join(", ")), (.file // ""),
  (.line // "" | tostring)] | join("\u001f")' "$tmp/stamp.json" |
  while IFS=$'\x1f' read -r uid why was uids file line; do
    case "$why" in
      already-unreviewed) reason="it was already $was before #$number, which did not review that earlier change" ;;
      unreviewed-touched) reason="#$number altered or removed $uids, unreviewed before it, whose earlier text its diff did not show, so nothing is stamped" ;;
      review-fields-edited) reason="#$number writes review fields itself ($uids), so nothing is stamped" ;;
      change-not-shown) reason="$file:$line, of another requirement #$number altered, was not shown in its diff, so nothing is stamped" ;;
      *) reason="$file:$line was not shown in the diff of #$number, as added or as its own reviewed text" ;;
    esac
    echo "::warning title=Signet auto-stamp::$(escape "$uid is left unreviewed: $reason; review it on its own (signet stamp --uid $uid --by NAME)")"
  done
if [ -z "$stamped" ]; then
  echo "::notice title=Signet auto-stamp::#$number left no requirement to stamp"
  note "Pull request #$number left no requirement to stamp."
  exit 0
fi

# Commit exactly the documents stamp changed: tracked regular files at those very paths, inside
# the project (stamp chose only requirements the diff showed at them).
files=()
while IFS= read -r file; do
  in_root="$(realpath -ms --relative-to="$root" "$file")"
  in_ws="$(realpath -ms --relative-to="$workspace" "$file")"
  case "$in_root" in
    ../* | ..) die "signet stamp changed $file, outside $rel: [requirements] docs must stay inside the project" ;;
  esac
  mode="$(git -C "$workspace" ls-tree "$sha" -- "$in_ws" | cut -d' ' -f1)"
  [[ "$mode" == 100644 || "$mode" == 100755 ]] ||
    skip warning "$in_ws is not a file tracked at that path in $sha (a symbolic link, or reached through one): nothing is stamped."
  files+=("$in_ws")
done < <(jq -r '.files[]' "$tmp/stamp.json")

body="Pull request #$number was merged with the approval of $reviewers on its last commit ($head). This records that review in the documents: REVIEWED_HASH / REVIEWED_BY for $stamped."
open_pull_request "$workspace" "signet/stamp-pr-$number" "$base_ref" \
  "Stamp the requirements reviewed in #$number" "$body" "${files[@]}"
output stamp-pull-request "$pr_url"
echo "stamped $stamped (reviewed by $reviewers in #$number): $pr_url"
note "Stamped $stamped as reviewed by $reviewers in #$number: $pr_url"

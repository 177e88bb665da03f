# shellcheck shell=bash
# Shared by the stage scripts (actions/<stage>/run.sh): inputs arrive as environment variables
# (set from `inputs.*` in each action's `env:`), results leave through $GITHUB_OUTPUT and
# $GITHUB_STEP_SUMMARY. Nothing here interpolates an input into code.

# A failure inside $(…) fails the caller too: without this, `url="$(open_pull_request …)"` would
# go on to open a pull request after a failed commit or push.
shopt -s inherit_errexit

actions_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Runs the binary the setup step resolved ($SIGNET), or resolves one (local use). The API token
# is for `gh` only: signet never sees it.
signet() {
  if [ -n "${SIGNET:-}" ]; then
    env -u GH_TOKEN -u GITHUB_TOKEN "$SIGNET" "$@"
  else
    env -u GH_TOKEN -u GITHUB_TOKEN bash "$actions_dir/signet.sh" "$@"
  fi
}

# Exit 2 with an annotation: bad input to the action.
die() {
  echo "::error title=signet action::$(escape "$1")"
  echo "error: $1" >&2
  exit 2
}

# Workflow-command data escaping (% CR LF), as the runner expects.
escape() {
  local s="${1//'%'/%25}"
  s="${s//$'\r'/%0D}"
  printf '%s' "${s//$'\n'/%0A}"
}

# A workspace-relative (or absolute) path, made absolute: `--root` must not re-anchor it.
abs() {
  case "$1" in
    "") ;;
    .) printf '%s' "$PWD" ;;
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "${1#./}" ;;
  esac
}

# The value of a true/false input named by its variable.
flag() {
  local v="${!1:-false}"
  case "$v" in
    true | false) printf '%s' "$v" ;;
    *) die "$1 must be true or false, got '$v'" ;;
  esac
}

# name value → $GITHUB_OUTPUT, heredoc form (safe for any value).
output() {
  [ -n "${GITHUB_OUTPUT:-}" ] || return 0
  local delim
  delim="signet_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s<<%s\n%s\n%s\n' "$1" "$delim" "$2" "$delim" >>"$GITHUB_OUTPUT"
}

# stdin → $GITHUB_STEP_SUMMARY, as its own section.
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    { echo; cat; } >>"$GITHUB_STEP_SUMMARY"
  else
    cat >/dev/null
  fi
}

# Markdown table cell: no pipes or line breaks from data.
cell() {
  local s="${1//|/\\|}"
  printf '%s' "${s//$'\n'/ }"
}

# Commits the workspace-relative PATHS on a new branch BRANCH of the checkout at WORKSPACE, pushes
# it to origin with the workflow's token (through `gh auth setup-git`: the checkout keeps no
# credentials) and opens a pull request into BASE; sets `pr_url` to its URL (not printed for a
# caller's $(…): `die` must reach the log as an annotation). The branch must not exist yet:
# a branch someone pushed beforehand is never reused, and the pull request opened must carry
# exactly the commit made here.
# Usage: open_pull_request WORKSPACE BRANCH BASE TITLE BODY PATH…
open_pull_request() {
  local workspace="$1" branch="$2" base="$3" title="$4" body="$5" head opened
  shift 5
  gh auth setup-git >/dev/null
  git -C "$workspace" switch --quiet -c "$branch"
  git -C "$workspace" add -- "$@"
  if git -C "$workspace" diff --cached --quiet; then
    die "nothing to commit on $branch: $* unchanged"
  fi
  git -C "$workspace" -c user.name="github-actions[bot]" \
    -c user.email="41898282+github-actions[bot]@users.noreply.github.com" commit --quiet -m "$title" -m "$body"
  head="$(git -C "$workspace" rev-parse HEAD)"
  git -C "$workspace" push --quiet --force-with-lease="refs/heads/$branch:" origin "HEAD:refs/heads/$branch" ||
    die "could not push $branch: if it exists already, delete it after checking who made it, then re-run"
  pr_url="$(gh pr create --base "$base" --head "$branch" --title "$title" --body "$body")"
  opened="$(gh pr view "$pr_url" --json headRefOid --jq .headRefOid)"
  [ "$opened" = "$head" ] ||
    die "the pull request $pr_url carries commit $opened, not the $head made here: close it and check who pushed to $branch"
}

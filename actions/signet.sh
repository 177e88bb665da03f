#!/usr/bin/env bash
# Which `signet` an action step runs. Every composite action calls this twice before its stage:
#
#   signet.sh --cache-key   outputs build=true|false, and when a build is needed the actions/cache
#                           key and path of the binary built from this action's own checkout
#   signet.sh --resolve     outputs path=<absolute path of the binary>, version=, sha256=
#
# and `signet.sh ARGS…` runs the resolved binary directly (for scripts and local use).
#
# The binary, in this order:
#   1. SIGNET_BINARY_URL with SIGNET_BINARY_SHA256: downloaded with curl (https, or file for local
#      mirrors) and used only if its SHA-256 equals the pinned one — a mismatch is refused;
#   2. by default, the release binary of this checkout's version for the runner's platform, as
#      actions/release-binaries.txt pins it (URL and SHA-256, written by release-signet.yml and
#      reviewed by pull request): downloaded and checked the same way;
#   3. a `signet` already on PATH (a job that installed one, e.g. `cargo install --locked`), only
#      when its version is this checkout's; another version is named in a warning and not used;
#   4. built from this action's own checkout: `cargo build --release --locked` in the folder above
#      this script (`$GITHUB_ACTION_PATH/..`), i.e. exactly the Signet commit the workflow pinned.
# Whichever is used, its path, version and SHA-256 are printed to the log for the audit trail.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
built="$src/target/release/signet"
url="${SIGNET_BINARY_URL:-}"
pinned="${SIGNET_BINARY_SHA256:-}"
pins="$src/actions/release-binaries.txt"
exe=""

exec 3>&1 # the step's stdout: annotations must reach the runner even from inside $(…)

output() { # name value → $GITHUB_OUTPUT (when the runner gave one)
  if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi
}

fail() { # message → annotation and exit 2 (bad input)
  echo "::error title=signet binary::$1" >&3
  echo "error: $1" >&2
  exit 2
}

source_digest() { # one digest of everything the binary is built from
  (cd "$src" && find Cargo.toml Cargo.lock xtask pdf templates -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-32)
}

download() { # → prints the path of the verified binary
  [ -n "$pinned" ] || fail "signet-binary-url is set but signet-binary-sha256 is empty: a downloaded binary must be pinned by its SHA-256"
  pinned="$(printf '%s' "$pinned" | tr 'A-F' 'a-f')"
  [[ "$pinned" =~ ^[0-9a-f]{64}$ ]] || fail "signet-binary-sha256 must be 64 hex digits, got '$pinned'"
  local dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/signet-$pinned"
  local bin="$dir/signet$exe"
  if [ -x "$bin" ] && [ "$(sha256sum "$bin" | cut -d' ' -f1)" = "$pinned" ]; then
    printf '%s\n' "$bin"
    return
  fi
  mkdir -p "$dir"
  local tmp="$dir/.download"
  rm -f "$tmp"
  curl --fail --silent --show-error --location --proto '=https,file' --proto-redir '=https' \
    --retry 3 --output "$tmp" -- "$url" >&2 || fail "could not download signet-binary-url"
  local got
  got="$(sha256sum "$tmp" | cut -d' ' -f1)"
  if [ "$got" != "$pinned" ]; then
    rm -f "$tmp"
    echo "::error title=signet binary::SHA-256 mismatch for signet-binary-url: expected $pinned, got $got; refusing to run it" >&3
    echo "error: SHA-256 mismatch for the downloaded signet: expected $pinned, got $got" >&2
    exit 1
  fi
  chmod 0755 "$tmp"
  mv -f "$tmp" "$bin"
  printf '%s\n' "$bin"
}

pinned_version() { # the version this checkout builds: `signet X.Y.Z`
  printf 'signet %s\n' "$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/Cargo.toml" | head -1)"
}

on_path() { # → prints the signet on PATH when it is this checkout's version; warns otherwise
  local found version
  found="$(command -v signet 2>/dev/null)" || return 1
  version="$("$found" --version 2>/dev/null || true)"
  # Without the checkout's Cargo.toml (a partial copy) there is no pin to compare with.
  if [ ! -f "$src/Cargo.toml" ] || [ "$version" = "$(pinned_version)" ]; then
    printf '%s\n' "$found"
    return 0
  fi
  echo "::warning title=signet binary::$found is '$version', not the pinned '$(pinned_version)'; building the pinned one instead" >&3
  return 1
}

platform_target() { # → the release target of this machine (release-signet.yml's matrix)
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) return 1 ;;
  esac
  case "$(uname -s)" in
    Linux) printf '%s-unknown-linux-musl\n' "$arch" ;;
    Darwin) printf '%s-apple-darwin\n' "$arch" ;;
    MINGW* | MSYS* | CYGWIN*) printf '%s-pc-windows-msvc\n' "$arch" ;;
    *) return 1 ;;
  esac
}

release_pin() { # sets url and pinned from release-binaries.txt, for this version and platform
  [ -z "$url" ] && [ -f "$pins" ] && [ -f "$src/Cargo.toml" ] || return 1
  local version target line
  version="$(pinned_version)"
  version="${version#signet }"
  target="$(platform_target)" || return 1
  line="$(awk -v v="$version" -v t="$target" '$1 == v && $2 == t { print $3, $4; exit }' "$pins")"
  [ -n "$line" ] || return 1
  pinned="${line%% *}"
  url="${line#* }"
  case "$target" in *windows*) exe=".exe" ;; esac
  echo "signet: the release binary $version for $target, as pinned in actions/release-binaries.txt" >&2
}

resolve() { # → prints the path of the binary to run
  if [ -n "$url" ]; then
    download
  elif on_path; then
    :
  else
    if [ ! -x "$built" ]; then
      echo "building signet from $src (cargo build --release --locked)" >&2
      cargo build --release --locked --quiet --manifest-path "$src/Cargo.toml" --bin signet >&2
    fi
    printf '%s\n' "$built"
  fi
}

release_pin || true

case "${1:-}" in
  --cache-key)
    if [ -n "$url" ] || on_path >/dev/null || [ "${SIGNET_CACHE:-true}" != "true" ]; then
      output build false
    else
      output build true
      output path "$built"
      output key "signet-bin-v1-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$(sha256sum "$src/Cargo.lock" | cut -c1-16)-$(source_digest)"
    fi
    ;;
  --resolve)
    bin="$(resolve)"
    version="$("$bin" --version)"
    digest="$(sha256sum "$bin" | cut -d' ' -f1)"
    echo "signet: $bin ($version, sha256 $digest)"
    output path "$bin"
    output version "$version"
    output sha256 "$digest"
    ;;
  *)
    bin="$(resolve)"
    exec "$bin" "$@"
    ;;
esac

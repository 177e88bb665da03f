#!/usr/bin/env bash
# Runs `signet` for an action step: the binary on PATH if the job installed one, otherwise
# built once from this action's own checkout with the locked dependency set.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v signet >/dev/null 2>&1; then
  if [ ! -x "$src/target/release/signet" ]; then
    cargo build --release --locked --quiet --manifest-path "$src/Cargo.toml" --bin signet >&2
  fi
  PATH="$src/target/release:$PATH"
fi
exec signet "$@"

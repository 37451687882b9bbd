#!/usr/bin/env bash
# Runs the cargo-fuzz targets for a bounded time each (not part of CI: it needs a nightly toolchain).
#   tests/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECONDS_PER_TARGET=${1:-60}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for dir in crates/*/fuzz; do
  [[ -d $dir ]] || continue
  for target in $(cd "$dir/.." && cargo +nightly fuzz list); do
    echo "== fuzzing $dir $target for ${SECONDS_PER_TARGET}s"
    (cd "$dir/.." && cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048)
  done
done
echo "fuzzing finished without a crash"

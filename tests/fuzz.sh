#!/usr/bin/env bash
# Coverage-guided fuzzing of the SDK's parsers with libFuzzer, on the stable toolchain (not part of CI).
#
#   tests/fuzz.sh [--seconds S] [--runs N] [--max-len BYTES] [TARGET...]
#
# Each target (default: every one in crates/helium-sdk/fuzz/fuzz_targets) runs until S seconds (default 60) or N
# executions have passed, whichever comes first, one after the other, and its line of the summary says how many
# executions ran, for how long, and whether it found a crash. A crash stops the script with exit status 1 and
# leaves the input in target/fuzz/artifacts/TARGET/ (turn it into a regression test). Inputs are at most
# --max-len bytes (default 4096; longer seeds are truncated).
#
# How it builds: libfuzzer-sys (its C++ libFuzzer compiled with the system's g++) and the SanitizerCoverage
# instrumentation that cargo-fuzz asks rustc for (-C passes=sancov-module with inline 8-bit counters, PC tables
# and comparison tracing), which stable rustc supports; `--cfg fuzzing` exposes the internals the targets call.
# No address sanitizer (the SDK forbids unsafe code): a crash is a panic, an abort or running out of memory
# (-rss_limit_mb=2048). Corpora are kept in target/fuzz/corpus/TARGET, seeded with the contract fixtures.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECONDS_PER_TARGET=60
RUNS=-1
MAX_LEN=4096
TARGETS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --max-len) MAX_LEN=$2; shift 2 ;;
    -h|--help) sed -n "2,17p" "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
FUZZ_DIR=crates/helium-sdk/fuzz
if [[ ${#TARGETS[@]} -eq 0 ]]; then
  for f in "$FUZZ_DIR"/fuzz_targets/*.rs; do TARGETS+=("$(basename "$f" .rs)"); done
fi
command -v g++ >/dev/null || { echo "g++ is needed to build libFuzzer (apt-get install g++)" >&2; exit 1; }

HOST=$(rustc -vV | sed -n 's/^host: //p')
OUT="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
WORK="$ROOT/target/fuzz"
mkdir -p "$WORK"
# An explicit --target keeps the instrumentation off build scripts and proc macros.
export RUSTFLAGS="--cfg fuzzing -C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=4 \
-C llvm-args=-sanitizer-coverage-inline-8bit-counters -C llvm-args=-sanitizer-coverage-pc-table \
-C llvm-args=-sanitizer-coverage-trace-compares -C debug-assertions -C overflow-checks -C opt-level=3"
echo "== building the fuzz targets (stable $(rustc --version | cut -d' ' -f2), $HOST)"
cargo build --manifest-path "$FUZZ_DIR/Cargo.toml" --release --target "$HOST" --target-dir "$OUT" --bins

seed() {
  local target=$1 corpus=$2
  [[ -n $(ls -A "$corpus" 2>/dev/null) ]] && return 0
  case $target in
    sse_parser) cp crates/helium-devserver/fixtures/*.sse "$corpus"/ ;;
    response_decoding)
      for f in crates/helium-devserver/fixtures/*.json crates/helium-devserver/fixtures/*/*.json; do
        [[ -f $f ]] && { printf '\x00\n'; cat "$f"; } > "$corpus/$(echo "$f" | tr '/' '_')"
      done
      for f in crates/helium-devserver/fixtures/*.sse; do
        sed -n 's/^data: //p' "$f" | head -40 | while IFS= read -r line; do
          printf '\x00\n%s' "$line" > "$corpus/item-$(printf '%s' "$line" | cksum | cut -d' ' -f1)"
        done
      done ;;
    json_limits)
      for f in crates/helium-devserver/fixtures/*.json crates/helium-devserver/fixtures/*/*.json; do
        [[ -f $f ]] && cp "$f" "$corpus/$(echo "$f" | tr '/' '_')"
      done
      printf '[[[[1e999, -2.5E+3, "x\\"]]]]' > "$corpus/numbers" ;;
    stream_items)
      for f in crates/helium-devserver/fixtures/*.sse; do
        sed -n 's/^data: //p' "$f" | while IFS= read -r line; do
          printf '%s' "$line" > "$corpus/item-$(printf '%s' "$line" | cksum | cut -d' ' -f1)"
        done
      done
      printf '{"type": "status", "type": "assistant", "x": "\\ud83d\\ude00"}' > "$corpus/repeated" ;;
    config_parsers)
      printf 'BACKEND_INTERNAL_URL=http://localhost:8000/api\nNEXT_PUBLIC_ENV_MODE=production\n' > "$corpus/env"
      printf 'SUPABASE_URL=https://x.supabase.co\nSUPABASE_ANON_KEY=sb_publishable_abc\n' > "$corpus/supabase" ;;
  esac
}

SUMMARY=()
STATUS=0
for target in "${TARGETS[@]}"; do
  corpus="$WORK/corpus/$target"
  artifacts="$WORK/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  seed "$target" "$corpus"
  log="$WORK/$target.log"
  echo "== fuzzing $target: up to ${SECONDS_PER_TARGET}s or $RUNS runs (log: $log)"
  start=$(date +%s)
  set +e
  "$OUT/$HOST/release/$target" "$corpus" -artifact_prefix="$artifacts/" -max_total_time="$SECONDS_PER_TARGET" \
    -runs="$RUNS" -max_len="$MAX_LEN" -rss_limit_mb=2048 -print_final_stats=1 > "$log" 2>&1
  code=$?
  set -e
  end=$(date +%s)
  runs=$(grep -aoE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  edges=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  if [[ $code -eq 0 ]]; then
    verdict="no crash"
  else
    verdict="CRASH (exit $code, see $artifacts)"
    STATUS=1
    tail -40 "$log"
  fi
  SUMMARY+=("$(printf '%-18s %12s executions in %5ss, %5s coverage points, corpus %5s inputs: %s' \
    "$target" "${runs:-?}" "$((end - start))" "${edges:-?}" "$(ls "$corpus" | wc -l)" "$verdict")")
done
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
exit $STATUS

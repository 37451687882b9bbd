#!/usr/bin/env bash
# The reliability campaign at full size (not part of CI; tests/soak/tests/smoke.rs is, at small size).
#
#   tests/soak/run.sh native [PART...]   the helium-soak binary: faults, load, hostile, secrets (default: all)
#   tests/soak/run.sh node [PART...]     the npm package in Node: faults (200 runs), load (50 streams), hostile
#   tests/soak/run.sh fuzz               tests/fuzz.sh: 10 million executions per target, at most 2 h each
#   tests/soak/run.sh all                all of the above
#
# Output goes to the terminal and to target/soak/PART.log. The native binary is built with the `soak` profile
# (release, optimised, with debug assertions off); the Node part needs the npm tarball (pkg/build.sh) and installs
# it into tests/.work/soak-node. Every part exits non-zero when it misses its bar.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
LOGS="$ROOT/target/soak"
mkdir -p "$LOGS"
SOAK_PIDS=()
trap 'kill "${SOAK_PIDS[@]}" 2>/dev/null || true' EXIT
# 1000 concurrent requests and the in-process dev backend need ~2 descriptors each.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

native() {
  cargo build --locked --profile soak -p helium-soak -p helium-devserver
  local bin="$TARGET/soak/helium-soak" part
  local parts=("$@")
  [[ ${#parts[@]} -gt 0 ]] || parts=(faults load hostile secrets)
  for part in "${parts[@]}"; do
    echo "== native $part: $bin $part"
    /usr/bin/time -v "$bin" "$part" 2> >(grep -E 'Elapsed' >&2) | tee "$LOGS/native-$part.log"
  done
}

node_part() {
  local tgz work="$ROOT/tests/.work/soak-node" devserver="$TARGET/soak/helium-devserver"
  tgz=$(ls "$ROOT"/target/npm/helium-ai-sdk-*.tgz 2>/dev/null | head -1)
  [[ -n $tgz ]] || { echo "no npm tarball: run pkg/build.sh first" >&2; exit 1; }
  cargo build --locked --profile soak -p helium-devserver
  rm -rf "$work" && mkdir -p "$work"
  cp "$ROOT/tests/soak/node/soak.mjs" "$work/"
  echo '{ "name": "helium-soak-node", "private": true, "type": "module" }' > "$work/package.json"
  (cd "$work" && npm install --no-audit --no-fund --loglevel=error "$tgz" >/dev/null)
  local urls=() ttl log
  # The backend as deployed, and one that keeps no items of ended runs (four times slower, so that both of a
  # run's streams connect while it is live).
  for ttl in "" 0; do
    log=$(mktemp)
    local pace=10
    [[ $ttl == 0 ]] && pace=40
    "$devserver" --port 0 --pace-ms "$pace" ${ttl:+--response-ttl-ms "$ttl"} > "$log" 2>&1 &
    SOAK_PIDS+=($!)
    for _ in $(seq 1 100); do
      grep -q '^helium-devserver listening on ' "$log" && break
      sleep 0.1
    done
    urls+=("$(awk '/^helium-devserver listening on /{print $4; exit}' "$log")")
  done
  log=$(mktemp)
  "$devserver" --hostile --port 0 > "$log" 2>&1 &
  SOAK_PIDS+=($!)
  for _ in $(seq 1 100); do
    grep -q '^helium-devserver listening on ' "$log" && break
    sleep 0.1
  done
  urls+=("$(awk '/^helium-devserver listening on /{print $4; exit}' "$log")")
  # The backends go when the script ends, also when a part fails (set -e exits from here).
  local parts=("$@")
  [[ ${#parts[@]} -gt 0 ]] || parts=(faults load hostile)
  for part in "${parts[@]}"; do
    local args=(200 20 16)
    [[ $part == load ]] && args=(50)
    [[ $part == hostile ]] && args=()
    echo "== node $part: node soak.mjs $part ${args[*]}"
    (cd "$work" && HELIUM_SOAK_URL="${urls[0]}" HELIUM_SOAK_EXPIRING_URL="${urls[1]}" \
      HELIUM_SOAK_HOSTILE_URL="${urls[2]}" node --expose-gc soak.mjs "$part" "${args[@]}") | tee "$LOGS/node-$part.log"
  done
}

fuzz() {
  tests/fuzz.sh --runs 10000000 --seconds 7200 | tee "$LOGS/fuzz.log"
}

case ${1:-all} in
  native) shift; native "$@" ;;
  node) shift; node_part "$@" ;;
  fuzz) fuzz ;;
  all) native; node_part; fuzz ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac

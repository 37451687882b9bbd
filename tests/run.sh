#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, runs every layer, prints a summary.
#
#   tests/run.sh            everything
#   tests/run.sh --no-install   skip the install step (tools must already be there)
#
# Layers: rustfmt, clippy (native and wasm32, -D warnings), native tests (workspace: SDK, dev backend),
# the wasm release build, wasm tests under Node and under headless Chromium (wasm-bindgen-test).
# Every layer must run and pass; a layer that cannot run fails the whole command.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"
CACHE="${HELIUM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/helium-sdk}"
INSTALL=1
[[ "${1:-}" == "--no-install" ]] && INSTALL=0

declare -a SUMMARY=()
FAILED_LAYERS=0
TESTS_PASSED=0
TESTS_FAILED=0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf '\nFATAL: %s\n' "$*" >&2; exit 1; }

# Adds the counts of every "test result:" line in a log to the totals; sets LAYER_RAN to the layer's own count.
count_tests() {
  local log=$1 p f
  # cargo test / wasm-bindgen-test ("test result: ok. N passed; M failed") and node --test ("# pass N" in TAP,
  # "ℹ pass N" in the spec reporter).
  p=$( { grep -aE '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\1/'
         grep -aE '^(# |ℹ )pass [0-9]+$' "$log" | sed -E 's/.* ([0-9]+)$/\1/'; } | paste -sd+ - | bc 2>/dev/null)
  f=$( { grep -aE '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed; ([0-9]+) failed.*/\2/'
         grep -aE '^(# |ℹ )fail [0-9]+$' "$log" | sed -E 's/.* ([0-9]+)$/\1/'; } | paste -sd+ - | bc 2>/dev/null)
  TESTS_PASSED=$((TESTS_PASSED + ${p:-0}))
  TESTS_FAILED=$((TESTS_FAILED + ${f:-0}))
  LAYER_RAN=${p:-0}
}

# layer NAME MIN_TESTS [--expect PATTERN] COMMAND...: runs a layer, logs it, records PASS/FAIL. MIN_TESTS > 0
# makes a layer that ran fewer tests than that a failure (it did not really run); PATTERN must appear in its output.
layer() {
  local name=$1 min=$2 expect=""; shift 2
  if [[ ${1:-} == --expect ]]; then expect=$2; shift 2; fi
  local log="$LOGS/${name//[^a-zA-Z0-9_-]/_}.log" start end status ran
  say "$name"
  start=$(date +%s)
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  end=$(date +%s)
  count_tests "$log"
  ran=$LAYER_RAN
  local verdict=PASS
  if [[ $status -ne 0 ]]; then
    verdict="FAIL (exit $status)"
  elif [[ $min -gt 0 && $ran -lt $min ]]; then
    verdict="FAIL (ran $ran tests, expected at least $min)"
  elif [[ -n $expect ]] && ! grep -aq "$expect" "$log"; then
    verdict="FAIL (no \"$expect\" in the output)"
  fi
  [[ $verdict == PASS ]] || FAILED_LAYERS=$((FAILED_LAYERS + 1))
  local tests=""
  [[ $min -gt 0 ]] && tests=" $ran tests"
  SUMMARY+=("$(printf '%-28s %-45s %4ss%s' "$name" "$verdict" "$((end - start))" "$tests")")
}

install() {
  say "install"
  command -v cargo >/dev/null || die "cargo is not installed"
  command -v node >/dev/null || die "node is not installed (Node >= 18 is needed for the wasm tests)"
  command -v bc >/dev/null || NEED_APT+=(bc)
  command -v chromium >/dev/null || NEED_APT+=(chromium)
  command -v chromedriver >/dev/null || NEED_APT+=(chromium-driver)
  if [[ ${#NEED_APT[@]} -gt 0 ]]; then
    echo "installing from Debian: ${NEED_APT[*]}"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    $sudo apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${NEED_APT[@]}" >/dev/null || die "apt-get install ${NEED_APT[*]} failed"
  fi
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown || die "cannot add the wasm32 target"
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt || die "cannot add clippy/rustfmt"
  local wbg="$WBG_DIR/bin/wasm-bindgen"
  if [[ ! -x "$wbg" ]] || ! "$wbg" --version | grep -q " $WBG_VERSION"; then
    echo "installing wasm-bindgen-cli $WBG_VERSION into $WBG_DIR (cached for later runs)"
    # No --locked: the CLI's own lockfile names a webpki-roots version this registry does not have.
    cargo install wasm-bindgen-cli --version "$WBG_VERSION" --root "$WBG_DIR" --quiet || die "cargo install wasm-bindgen-cli failed"
  fi
}

NEED_APT=()
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
[[ -n "$WBG_VERSION" ]] || die "no wasm-bindgen in Cargo.lock"
WBG_DIR="$CACHE/wasm-bindgen-$WBG_VERSION"
T0=$(date +%s)
[[ $INSTALL -eq 1 ]] && install
export PATH="$WBG_DIR/bin:$PATH"
command -v wasm-bindgen-test-runner >/dev/null || die "wasm-bindgen-test-runner $WBG_VERSION is missing (run without --no-install)"
command -v chromedriver >/dev/null || die "chromedriver is missing (run without --no-install)"

export CARGO_TERM_COLOR=never
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/tests/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=60
WASM=(--target wasm32-unknown-unknown)

layer "rustfmt" 0 cargo fmt --all --check
layer "clippy native" 0 cargo clippy --workspace --all-targets --locked -- -D warnings
layer "clippy wasm32" 0 cargo clippy -p helium-sdk "${WASM[@]}" --lib --tests --locked -- -D warnings
layer "native tests" 40 cargo test --workspace --locked
layer "npm package build" 0 pkg/build.sh
TARBALL=$(ls "$ROOT"/target/npm/helium-ai-sdk-*.tgz 2>/dev/null | head -1)
# The wasm tests talk to a real dev backend over HTTP; a browser has no environment, so its URL is fixed at
# compile time through HELIUM_DEVSERVER_URL.
start_devserver() {
  cargo build -p helium-devserver --locked --quiet || return 1
  DEVSERVER_LOG="$LOGS/devserver.log"
  "$ROOT/target/debug/helium-devserver" --port 0 --pace-ms 5 >"$DEVSERVER_LOG" 2>&1 &
  DEVSERVER_PID=$!
  for _ in $(seq 1 100); do
    HELIUM_DEVSERVER_URL=$(awk '/^helium-devserver listening on /{print $4; exit}' "$DEVSERVER_LOG")
    [[ -n "$HELIUM_DEVSERVER_URL" ]] && break
    sleep 0.1
  done
  [[ -n "${HELIUM_DEVSERVER_URL:-}" ]] || { cat "$DEVSERVER_LOG"; return 1; }
  export HELIUM_DEVSERVER_URL
  echo "dev backend for the wasm tests: $HELIUM_DEVSERVER_URL"
}
stop_devserver() { [[ -n "${DEVSERVER_PID:-}" ]] && kill "$DEVSERVER_PID" 2>/dev/null; wait "$DEVSERVER_PID" 2>/dev/null; DEVSERVER_PID=""; }
trap stop_devserver EXIT
say "dev backend for the wasm tests"
if start_devserver; then
  SUMMARY+=("$(printf '%-28s %-45s' "dev backend for wasm" PASS)")
else
  SUMMARY+=("$(printf '%-28s %-45s' "dev backend for wasm" "FAIL (did not start)")")
  FAILED_LAYERS=$((FAILED_LAYERS + 1))
fi
layer "wasm tests: Node" 8 cargo test -p helium-sdk "${WASM[@]}" --locked --test wasm_node
layer "wasm tests: Chromium" 8 --expect "Running headless tests in Chrome" \
  cargo test -p helium-sdk "${WASM[@]}" --locked --test wasm_browser
layer "npm package: publint, attw, tsc, Node" 1 tests/npm/run.sh "${TARBALL:-missing-tarball}"
layer "examples end to end" 1 tests/e2e/run.sh "${TARBALL:-missing-tarball}"

say "summary"
printf '%s\n' "${SUMMARY[@]}"
printf 'total time %ss\n' "$(( $(date +%s) - T0 ))"
if [[ $FAILED_LAYERS -gt 0 ]]; then
  echo "$FAILED_LAYERS layer(s) failed"
fi
echo "tests: $TESTS_PASSED passed, $TESTS_FAILED failed"
[[ $FAILED_LAYERS -eq 0 && $TESTS_FAILED -eq 0 ]]

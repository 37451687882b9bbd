#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh machine, runs every layer, prints a summary.
#
#   tests/run.sh                  every layer, in order (what CI runs, through .ci/run)
#   tests/run.sh LAYER...         only these layers (and what they need: the dev backend, the npm tarball)
#   tests/run.sh --list           the layers and what each runs
#   tests/run.sh --no-install     skip the install step (the tools must already be there)
#
# What really runs, layer by layer (`--list` prints the same):
#   rustfmt        cargo fmt --all --check
#   clippy-native  cargo clippy --workspace --all-targets -D warnings; cargo check of the native-tls feature
#   clippy-wasm    cargo clippy -p helium-sdk --target wasm32-unknown-unknown --lib --tests -D warnings
#   native-tests   cargo test --workspace: SDK unit/integration/property tests, dev backend black-box HTTP tests,
#                  the helium CLI against in-process and spawned dev backends, the reliability campaign's smoke
#                  (tests/soak: faulted streams, load, the hostile server and the secrets scan, at small size)
#   npm-build      pkg/build.sh: wasm builds for size (browsers, edge) and for speed (Node), wasm-bindgen (web +
#                  nodejs), wasm-opt -Oz and -O3, npm pack; then
#                  pkg/size.sh: the browser entry's gzip size against the budget in pkg/size-budget
#   wasm-node      wasm-bindgen-test under Node against a dev backend started for the run
#   wasm-chromium  wasm-bindgen-test in headless Debian Chromium (chromedriver) against the same dev backend,
#                  whose CORS is the real backend's: only the test page's origin is added to its allow-list
#   npm-checks     publint, arethetypeswrong, a tsc --strict consumer (skipLibCheck false, Next.js' lib), Node
#                  ESM and CommonJS consumers of the tarball
#   e2e            the Next.js example (Turbopack and webpack, next start: middleware, edge and Node route
#                  handlers, server and client components) and the browser example, driven by playwright-core in
#                  Debian Chromium against strict-CORS dev backends; a Cloudflare Worker in workerd (wrangler dev)
# Every selected layer must run and pass; a layer that cannot run fails the whole command.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"
CACHE="${HELIUM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/helium-sdk}"

ALL_LAYERS=(rustfmt clippy-native clippy-wasm native-tests npm-build wasm-node wasm-chromium npm-checks e2e)
declare -A ABOUT=(
  [rustfmt]="cargo fmt --all --check"
  [clippy-native]="clippy on the workspace, all targets, -D warnings"
  [clippy-wasm]="clippy on helium-sdk for wasm32-unknown-unknown, lib and tests, -D warnings"
  [native-tests]="cargo test --workspace (SDK, dev backend, CLI, soak smoke)"
  [npm-build]="pkg/build.sh: wasm builds for size and for speed (Node), wasm-bindgen, wasm-opt, npm pack; pkg/size.sh budget"
  [wasm-node]="wasm-bindgen-test under Node against a dev backend"
  [wasm-chromium]="wasm-bindgen-test in headless Chromium against a strict-CORS dev backend"
  [npm-checks]="publint, arethetypeswrong, tsc --strict consumer, Node ESM and CJS consumers"
  [e2e]="Next.js (Turbopack, webpack) and browser examples in Chromium, a Worker in workerd"
)

INSTALL=1
SELECTED=()
for arg in "$@"; do
  case $arg in
    --list)
      for l in "${ALL_LAYERS[@]}"; do printf '%-14s %s\n' "$l" "${ABOUT[$l]}"; done
      exit 0
      ;;
    --no-install) INSTALL=0 ;;
    -*) echo "unknown option $arg (see --list)" >&2; exit 2 ;;
    *)
      [[ -n ${ABOUT[$arg]:-} ]] || { echo "unknown layer $arg; the layers are: ${ALL_LAYERS[*]}" >&2; exit 2; }
      SELECTED+=("$arg")
      ;;
  esac
done
[[ ${#SELECTED[@]} -gt 0 ]] || SELECTED=("${ALL_LAYERS[@]}")
selected() { local l; for l in "${SELECTED[@]}"; do [[ $l == "$1" ]] && return 0; done; return 1; }

declare -a SUMMARY=()
FAILED_LAYERS=0
TESTS_PASSED=0
TESTS_FAILED=0

say() { printf '\n== %s\n' "$*"; }
die() { printf '\nFATAL: %s\n' "$*" >&2; exit 1; }
record() { SUMMARY+=("$(printf '%-16s %-48s %6s %s' "$1" "$2" "$3" "$4")"); }

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

# layer NAME MIN_TESTS [--expect PATTERN] COMMAND...: runs a layer if selected, logs it, records PASS/FAIL. MIN_TESTS > 0
# makes a layer that ran fewer tests than that a failure (it did not really run); PATTERN must appear in its output.
layer() {
  local name=$1 min=$2 expect=""; shift 2
  if [[ ${1:-} == --expect ]]; then expect=$2; shift 2; fi
  selected "$name" || return 0
  local log="$LOGS/$name.log" start end status ran
  say "$name: ${ABOUT[$name]}"
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
  [[ $min -gt 0 ]] && tests="$ran tests"
  record "$name" "$verdict" "$((end - start))s" "$tests"
}

install() {
  say "install"
  command -v cargo >/dev/null || die "cargo is not installed"
  command -v node >/dev/null || die "node is not installed (Node >= 20.9 is needed: Next.js 16 and the tests)"
  command -v bc >/dev/null || NEED_APT+=(bc)
  command -v curl >/dev/null || NEED_APT+=(curl)
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
  # The npm package's size build compiles the standard library from its source (pkg/build.sh).
  rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src || die "cannot add rust-src"
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
export NO_COLOR=1 FORCE_COLOR=0
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/tests/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=90
WASM=(--target wasm32-unknown-unknown)

layer rustfmt 0 cargo fmt --all --check -- --color never
# Also: the SDK's optional TLS backend (native-tls instead of the default rustls) still compiles.
clippy_native() {
  cargo clippy --workspace --all-targets --locked -- -D warnings &&
    cargo check -p helium-sdk --no-default-features --features native-tls --locked
}
layer clippy-native 0 clippy_native
layer clippy-wasm 0 cargo clippy -p helium-sdk "${WASM[@]}" --lib --tests --locked -- -D warnings
layer native-tests 40 cargo test --workspace --locked

# The npm tarball: built by the npm-build layer, or first when a later selected layer needs it.
if ! selected npm-build && { selected npm-checks || selected e2e; }; then
  say "npm-build (needed by the selected layers)"
  pkg/build.sh > "$LOGS/npm-build.log" 2>&1 || { cat "$LOGS/npm-build.log"; die "pkg/build.sh failed"; }
fi
npm_build() { pkg/build.sh && pkg/size.sh; }
layer npm-build 0 --expect "size budget: " npm_build
TARBALL=$(ls "$ROOT"/target/npm/helium-ai-sdk-*.tgz 2>/dev/null | head -1)

# The wasm tests talk to a real dev backend over HTTP; a browser has no environment, so its URL is fixed at
# compile time through HELIUM_DEVSERVER_URL. Its CORS policy is the real backend's; the wasm-bindgen-test page is
# served on a fixed address whose origin is added to the allow-list, as a deployment adds its frontend's origin.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
start_devserver() {
  cargo build -p helium-devserver --locked --quiet || return 1
  TEST_PAGE_PORT=$(free_port)
  export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$TEST_PAGE_PORT"
  DEVSERVER_LOG="$LOGS/devserver.log"
  # Custom agents on (the backend's ENABLE_CUSTOM_AGENTS) and an admin key, for the agent and admin tests; the key
  # goes to the dev backend's process only, and its value to the tests through HELIUM_DEVSERVER_ADMIN_KEY.
  export HELIUM_DEVSERVER_ADMIN_KEY="dev-admin-$(date +%s)-$RANDOM"
  ENABLE_CUSTOM_AGENTS=true KORTIX_ADMIN_API_KEY="$HELIUM_DEVSERVER_ADMIN_KEY" \
    "${CARGO_TARGET_DIR:-$ROOT/target}/debug/helium-devserver" --port 0 --pace-ms 5 --cors-origin "http://$WASM_BINDGEN_TEST_ADDRESS" >"$DEVSERVER_LOG" 2>&1 &
  DEVSERVER_PID=$!
  for _ in $(seq 1 100); do
    HELIUM_DEVSERVER_URL=$(awk '/^helium-devserver listening on /{print $4; exit}' "$DEVSERVER_LOG")
    [[ -n "$HELIUM_DEVSERVER_URL" ]] && break
    sleep 0.1
  done
  [[ -n "${HELIUM_DEVSERVER_URL:-}" ]] || { cat "$DEVSERVER_LOG"; return 1; }
  export HELIUM_DEVSERVER_URL
  echo "dev backend for the wasm tests: $HELIUM_DEVSERVER_URL (test page origin http://$WASM_BINDGEN_TEST_ADDRESS)"
}
stop_devserver() { if [[ -n "${DEVSERVER_PID:-}" ]]; then kill "$DEVSERVER_PID" 2>/dev/null; wait "$DEVSERVER_PID" 2>/dev/null; fi; DEVSERVER_PID=""; }
trap stop_devserver EXIT
if selected wasm-node || selected wasm-chromium || selected npm-checks; then
  say "dev backend for the wasm and npm tests"
  if start_devserver; then
    record "dev-backend" PASS "" ""
  else
    record "dev-backend" "FAIL (did not start)" "" ""
    FAILED_LAYERS=$((FAILED_LAYERS + 1))
  fi
fi
layer wasm-node 8 cargo test -p helium-sdk "${WASM[@]}" --locked --test wasm_node
layer wasm-chromium 8 --expect "Running headless tests in Chrome" \
  cargo test -p helium-sdk "${WASM[@]}" --locked --test wasm_browser
layer npm-checks 1 tests/npm/run.sh "${TARBALL:-missing-tarball}"
layer e2e 1 tests/e2e/run.sh "${TARBALL:-missing-tarball}"

say "summary"
for line in "${SUMMARY[@]}"; do echo "$line"; done
printf 'total time %ss\n' "$(( $(date +%s) - T0 ))"
if [[ $FAILED_LAYERS -gt 0 ]]; then
  echo "$FAILED_LAYERS layer(s) failed"
fi
echo "tests: $TESTS_PASSED passed, $TESTS_FAILED failed"
[[ $FAILED_LAYERS -eq 0 && $TESTS_FAILED -eq 0 ]]

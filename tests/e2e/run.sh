#!/usr/bin/env bash
# End-to-end tests of the packed npm package in its consumer examples (headless Debian Chromium, workerd):
#
#   tests/e2e/run.sh [TARBALL]     default TARBALL: target/npm/helium-ai-sdk-0.1.0.tgz
#
# Assumes pkg/build.sh already produced the tarball. Builds the dev backend (cargo build -p helium-devserver),
# installs playwright-core from the lockfile (never a browser: it drives /usr/bin/chromium), then runs
# nextjs.test.mjs (Turbopack and webpack builds of examples/nextjs in tests/.work/nextjs), browser.test.mjs
# (examples/browser with the unpacked tarball) and workerd.test.mjs (tests/workerd, a Cloudflare Worker run by
# wrangler's workerd). Logs: tests/.work/logs/. Exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E="$ROOT/tests/e2e"
WORK="$ROOT/tests/.work"
LOGS="$WORK/logs"
mkdir -p "$LOGS"

TARBALL=${1:-$ROOT/target/npm/helium-ai-sdk-0.1.0.tgz}
[[ $TARBALL = /* ]] || TARBALL="$PWD/$TARBALL"
export HELIUM_SDK_TGZ=$TARBALL
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NEXT_TELEMETRY_DISABLED=1

declare -a SUMMARY=()
T0=$(date +%s)
fail() { printf '\nFATAL: %s\n' "$*" >&2; exit 1; }
step() { # step NAME COMMAND...: runs, records the time and the verdict
  local name=$1 start status; shift
  printf '\n== %s\n' "$name"
  start=$(date +%s.%N)
  "$@"
  status=$?
  SUMMARY+=("$(printf '%-26s %-6s %6.1fs' "$name" "$([[ $status -eq 0 ]] && echo PASS || echo FAIL)" "$(echo "$(date +%s.%N) - $start" | bc)")")
  return $status
}

[[ -f $TARBALL ]] || fail "no tarball at $TARBALL (run pkg/build.sh first)"
[[ -x /usr/bin/chromium ]] || fail "/usr/bin/chromium is missing (apt-get install chromium); the tests never download a browser"
command -v node >/dev/null || fail "node is not installed"
command -v bc >/dev/null || fail "bc is not installed"
echo "tarball:  $TARBALL ($(stat -c %s "$TARBALL") bytes)"
echo "node:     $(node --version), npm $(npm --version), $(/usr/bin/chromium --version 2>/dev/null)"

step "cargo build devserver" cargo build -p helium-devserver --locked || fail "cargo build -p helium-devserver failed"

install_e2e() {
  local want have
  want=$(node -p 'require(process.argv[1]).packages["node_modules/playwright-core"].version' "$E2E/package-lock.json")
  have=$(node -p 'require(process.argv[1]).version' "$E2E/node_modules/playwright-core/package.json" 2>/dev/null)
  if [[ -n $want && $want == "$have" ]]; then
    echo "playwright-core $have is installed"
  else
    (cd "$E2E" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
}
step "npm ci (tests/e2e)" install_e2e || fail "npm ci in tests/e2e failed"

run_tests() {
  cd "$E2E" && node --test --test-reporter=spec --test-concurrency=1 browser.test.mjs nextjs.test.mjs workerd.test.mjs 2>&1 | tee "$LOGS/e2e.log"
  return "${PIPESTATUS[0]}"
}
step "e2e tests" run_tests
STATUS=$?

printf '\n== e2e summary\n'
for line in "${SUMMARY[@]}"; do echo "$line"; done
grep -aE '^# timing ' "$LOGS/e2e.log" | sed 's/^# timing /  /'
PASS=$(grep -aE '^ℹ pass ' "$LOGS/e2e.log" | awk '{print $3}')
FAILED=$(grep -aE '^ℹ fail ' "$LOGS/e2e.log" | awk '{print $3}')
echo "tests: ${PASS:-0} passed, ${FAILED:-?} failed; total $(( $(date +%s) - T0 ))s; logs in $LOGS"
if [[ $STATUS -ne 0 || ${FAILED:-1} -ne 0 || ${PASS:-0} -eq 0 ]]; then
  echo "E2E FAILED"
  exit 1
fi
echo "E2E PASSED"

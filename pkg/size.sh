#!/usr/bin/env bash
# The size of what a browser downloads from the npm package (the wasm, the wasm-bindgen glue and the browser
# entry's modules), raw and `gzip -9`, and of the tarball. Fails when the browser entry's gzip total grows past
# the budget in pkg/size-budget (bytes): a regression guard at the size reached, see BENCHMARKS.md.
#   pkg/size.sh      (after pkg/build.sh)
set -euo pipefail
PKG=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$PKG")
BUDGET=$(tr -dc 0-9 < "$PKG/size-budget")
total_raw=0
total_gz=0
row() { # row LABEL FILE...
  local label=$1 raw gz; shift
  raw=$(cat "$@" | wc -c)
  gz=$(cat "$@" | gzip -9 | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-44s %10d %10d\n' "$label" "$raw" "$gz"
}
printf '%-44s %10s %10s\n' "browser entry" "raw" "gzip -9"
row "dist/web/helium_sdk_bg.wasm" "$PKG/dist/web/helium_sdk_bg.wasm"
row "dist/web/helium_sdk.js (glue)" "$PKG/dist/web/helium_sdk.js"
row "src/{browser,env,wrap,operations}.js" "$PKG"/src/{browser,env,wrap,operations}.js
printf '%-44s %10d %10d\n' "total" "$total_raw" "$total_gz"
TGZ=$(ls "$ROOT"/target/npm/helium-ai-sdk-*.tgz 2>/dev/null | head -1)
[[ -n $TGZ ]] && printf '%-44s %10d\n' "npm tarball ($(basename "$TGZ"))" "$(stat -c %s "$TGZ")"
if [[ $total_gz -gt $BUDGET ]]; then
  echo "SIZE BUDGET EXCEEDED: the browser entry is $total_gz bytes gzip, the budget (pkg/size-budget) is $BUDGET" >&2
  exit 1
fi
echo "size budget: $total_gz of $BUDGET bytes gzip"

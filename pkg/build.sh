#!/usr/bin/env bash
# Builds the npm package from the Rust SDK and packs it:
#   pkg/build.sh            -> target/npm/helium-ai-sdk-<version>.tgz (path printed on the last line)
# Needs: the wasm32 target, wasm-bindgen-cli matching Cargo.lock (tests/run.sh installs both), Node + npm.
# wasm-opt comes from the npm `binaryen` package in pkg/tools (Debian's wasm-opt writes broken modules).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKG="$ROOT/pkg"
OUT="$ROOT/target/npm"
cd "$ROOT"

# Reinstall the build tools only when their lockfile changed since the last install.
STAMP="$PKG/tools/node_modules/.helium-installed-lock.json"
if [[ ! -x "$PKG/tools/node_modules/.bin/wasm-opt" ]] || ! cmp -s "$PKG/tools/package-lock.json" "$STAMP"; then
  (cd "$PKG/tools" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$PKG/tools/package-lock.json" "$STAMP"
fi
WASM_OPT="$PKG/tools/node_modules/.bin/wasm-opt"
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
# The wasm-bindgen matching Cargo.lock: the one tests/run.sh caches, else one on PATH.
CACHE="${HELIUM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/helium-sdk}"
export PATH="$CACHE/wasm-bindgen-$WBG_VERSION/bin:$PATH"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG_VERSION"; then
  echo "wasm-bindgen $WBG_VERSION was not found: run tests/run.sh once (it caches it), or" >&2
  echo "cargo install wasm-bindgen-cli --version $WBG_VERSION" >&2
  exit 1
fi

cargo build -p helium-sdk --target wasm32-unknown-unknown --release --locked
WASM="$ROOT/target/wasm32-unknown-unknown/release/helium_sdk.wasm"

rm -rf "$PKG/dist"
wasm-bindgen --target web --out-dir "$PKG/dist/web" "$WASM"
wasm-bindgen --target nodejs --out-dir "$PKG/dist/cjs" "$WASM"
for dir in web cjs; do
  "$WASM_OPT" -Oz "$PKG/dist/$dir/helium_sdk_bg.wasm" -o "$PKG/dist/$dir/helium_sdk_bg.wasm"
done
rm -f "$PKG"/dist/*/.gitignore
echo '{"type":"commonjs"}' > "$PKG/dist/cjs/package.json"
mkdir -p "$PKG/dist/node"
node -e '
  const fs = require("fs");
  const b64 = fs.readFileSync(process.argv[1]).toString("base64");
  fs.writeFileSync(process.argv[2], "// The wasm module, base64-encoded, for the server entry (no file access needed).\nexport default \"" + b64 + "\";\n");
  fs.writeFileSync(process.argv[3], "declare const wasm: string;\nexport default wasm;\n");
' "$PKG/dist/web/helium_sdk_bg.wasm" "$PKG/dist/node/wasm_inline.js" "$PKG/dist/node/wasm_inline.d.ts"

mkdir -p "$OUT"
rm -f "$OUT"/helium-ai-sdk-*.tgz
(cd "$PKG" && npm pack --pack-destination "$OUT" --loglevel=error >/dev/null)
ls "$OUT"/helium-ai-sdk-*.tgz

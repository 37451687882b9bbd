#!/usr/bin/env bash
# Builds the npm package from the Rust SDK and packs it:
#   pkg/build.sh            -> target/npm/helium-ai-sdk-<version>.tgz (path printed on the last line)
# Needs: the wasm32 target, the rust-src component, wasm-bindgen-cli matching Cargo.lock (tests/run.sh installs
# them), Node + npm.
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

# Two builds of the same code: for browsers, edge runtimes and Workers compiled for size (the release profile),
# for the Node entries compiled for speed (the node profile: a server loads it once and decodes every stream
# with it). One after the other: these machines have two cores.
#
# The size build compiles the standard library with the SDK (`-Zbuild-std`, from the toolchain's rust-src), so
# that LTO and opt-level "z" reach it too and std's size-over-speed variants apply (`optimize_for_size`); a panic
# traps at once (`-Cpanic=immediate-abort`: no panic message formatting, which nothing reads in a browser: the
# library does not panic on input, and `panic = "abort"` already ended the module), and no source paths and lines
# are kept for panics (`-Zlocation-detail=none`, which also keeps this machine's paths out of the module). These
# flags are unstable, so this one command runs with RUSTC_BOOTSTRAP=1 (checked with stable Rust 1.95; the size
# budget of tests/run.sh notices a toolchain that builds it differently). BENCHMARKS.md: -20 KB gzip.
SYSROOT=$(rustc --print sysroot)
if [[ ! -d "$SYSROOT/lib/rustlib/src/rust/library" ]]; then
  if command -v rustup >/dev/null; then
    rustup component add rust-src
  else
    echo "the size build needs the standard library's source: rustup component add rust-src" >&2
    exit 1
  fi
fi
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
  cargo build -p helium-sdk --target wasm32-unknown-unknown --release --locked \
  -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
cargo build -p helium-sdk --target wasm32-unknown-unknown --profile node --locked
WASM="$ROOT/target/wasm32-unknown-unknown/release/helium_sdk.wasm"
NODE_WASM="$ROOT/target/wasm32-unknown-unknown/node/helium_sdk.wasm"

rm -rf "$PKG/dist"
wasm-bindgen --target web --out-dir "$PKG/dist/web" "$WASM"
# --low-memory-unused lets wasm-opt fold constant offsets into loads and stores, which changes only an address
# that wraps around into the first KiB of memory. Nothing is kept there: the stack starts at 1 MiB and grows down
# (its last KiB is reached only by a stack about to overflow) and the data lies above it. Checked, not assumed: no
# data segment below 1 MiB.
node -e '
  const fs = require("fs");
  for (const file of process.argv.slice(1)) {
    const b = fs.readFileSync(file);
    let p = 8;
    const leb = (signed) => { let r = 0, s = 0, x; do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
      return signed && x & 0x40 ? r - 2 ** s : r; };
    while (p < b.length) {
      const id = b[p++], len = leb(false), end = p + len;
      if (id === 11) {
        for (let n = leb(false); n > 0; n--) {
          const flags = leb(false);
          if (flags !== 1) {
            if (flags === 2) leb(false);
            if (b[p++] !== 0x41) throw new Error(file + ": a data segment with a non-constant offset");
            const at = leb(true);
            if (at < 1048576) throw new Error(file + ": a data segment at " + at + ", below the stack (1 MiB)");
            p++; // end
          }
          const size = leb(false);
          p += size;
        }
      }
      p = end;
    }
  }
' "$WASM" "$NODE_WASM"
# --flatten --rereloop before two -Oz rounds: the control flow rebuilt from the flat IR, ~1 % smaller again.
"$WASM_OPT" --low-memory-unused --flatten --rereloop -Oz -Oz "$PKG/dist/web/helium_sdk_bg.wasm" \
  -o "$PKG/dist/web/helium_sdk_bg.wasm"
# The speed build with its own glue (the glue names the wasm's closure shims, which differ between builds): the
# web glue for the Node ESM entry, the nodejs glue for the CommonJS entry. Same exports and types as the browser's.
wasm-bindgen --target web --out-dir "$PKG/dist/node" "$NODE_WASM"
wasm-bindgen --target nodejs --out-dir "$PKG/dist/cjs" "$NODE_WASM"
public_api() { sed '/^export type InitInput/,$d' "$1"; } # the declarations before the wasm's internal exports
if ! cmp -s <(public_api "$PKG/dist/node/helium_sdk.d.ts") <(public_api "$PKG/dist/web/helium_sdk.d.ts"); then
  echo "the node build's exports differ from the release build's (dist/node/helium_sdk.d.ts)" >&2
  exit 1
fi
"$WASM_OPT" -O3 --low-memory-unused "$PKG/dist/node/helium_sdk_bg.wasm" -o "$PKG/dist/node/helium_sdk_bg.wasm"
# One binary copy of the wasm (dist/web, for browsers, edge runtimes and Workers) and one base64 copy of the speed
# build (dist/node, for the Node entries: a bundler that bundles server code keeps it working with no
# configuration, which a file read does not survive; see pkg/README.md). The CommonJS glue takes its bytes from
# the base64 copy too, and the Node ESM glue never loads a file: its default URL (which a bundler would try to
# resolve) is replaced by an error.
node -e '
  const fs = require("fs");
  const [wasm, inline, glue, esm] = process.argv.slice(1);
  const b64 = fs.readFileSync(wasm).toString("base64");
  // The string as JSON: JSON.parse reads it several times faster than the JavaScript parser, and Node scans a
  // CommonJS module that ESM imports for its exports (the scan of an 870 KB module took ~10 ms of a cold start).
  fs.writeFileSync(inline.replace(/\.cjs$/, ".json"), JSON.stringify(b64));
  fs.writeFileSync(inline, "\"use strict\";\n// The wasm module, base64-encoded, for the Node entries (no file access needed).\nmodule.exports = require(\"./wasm_inline.json\");\n");
  fs.writeFileSync(inline.replace(/\.cjs$/, ".d.cts"), "declare const wasm: string;\nexport = wasm;\n");
  const replace = (file, from, to) => {
    const code = fs.readFileSync(file, "utf8");
    if (!code.includes(from)) throw new Error("the glue no longer reads as expected (" + from + "): " + file);
    fs.writeFileSync(file, code.replace(from, to));
  };
  replace(glue, "const wasmBytes = require(\x27fs\x27).readFileSync(wasmPath);",
    "const wasmBytes = Buffer.from(require(\x27../node/wasm_inline.cjs\x27), \x27base64\x27);");
  replace(esm, "module_or_path = new URL(\x27helium_sdk_bg.wasm\x27, import.meta.url);",
    "throw new Error(\x27@helium-ai/sdk: the Node entry instantiates the module on import\x27);");
' "$PKG/dist/node/helium_sdk_bg.wasm" "$PKG/dist/node/wasm_inline.cjs" "$PKG/dist/cjs/helium_sdk.js" "$PKG/dist/node/helium_sdk.js"
rm -f "$PKG"/dist/*/.gitignore "$PKG"/dist/*/helium_sdk_bg.wasm.d.ts "$PKG/dist/cjs/helium_sdk_bg.wasm" \
  "$PKG/dist/node/helium_sdk_bg.wasm" "$PKG/dist/node/helium_sdk.d.ts"
echo '{"type":"commonjs"}' > "$PKG/dist/cjs/package.json"

mkdir -p "$OUT"
rm -f "$OUT"/helium-ai-sdk-*.tgz
(cd "$PKG" && npm pack --pack-destination "$OUT" --loglevel=error >/dev/null)
ls "$OUT"/helium-ai-sdk-*.tgz

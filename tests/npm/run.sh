#!/usr/bin/env bash
# Checks the packed npm package as its users see it: publint and arethetypeswrong on the tarball, a
# `tsc --strict` consumer, and Node ESM + CommonJS consumers against a running dev backend.
#   tests/npm/run.sh TARBALL     (HELIUM_DEVSERVER_URL must point at a running dev backend)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TGZ=$(realpath "$1")
TOOLS="$ROOT/pkg/tools/node_modules/.bin"
WORK="$ROOT/tests/.work/npm-consumer"
: "${HELIUM_DEVSERVER_URL:?HELIUM_DEVSERVER_URL must be set}"

echo "== publint"
"$TOOLS/publint" run "$ROOT/pkg" --strict
echo "== arethetypeswrong"
"$TOOLS/attw" "$TGZ" --format table-flipped

echo "== consumer install"
rm -rf "$WORK" && mkdir -p "$WORK"
cp "$ROOT/tests/npm/"*.test.* "$ROOT/tests/npm/consumer.ts" "$WORK/"
cat > "$WORK/package.json" <<JSON
{ "name": "helium-sdk-consumer-check", "private": true, "type": "module" }
JSON
(cd "$WORK" && npm install --no-audit --no-fund --loglevel=error "$TGZ" @types/node@20 @supabase/supabase-js@2.119.1 >/dev/null)

echo "== tsc --strict"
cat > "$WORK/tsconfig.json" <<'JSON'
{ "compilerOptions": { "strict": true, "noEmit": true, "module": "nodenext", "moduleResolution": "nodenext",
  "target": "es2022", "lib": ["dom", "dom.iterable", "esnext"], "skipLibCheck": false, "types": ["node"] },
  "files": ["consumer.ts"] }
JSON
(cd "$WORK" && "$TOOLS/tsc" -p tsconfig.json)
echo "tsc: the consumer compiles with --strict, skipLibCheck false and Next.js' default lib"

echo "== node consumers (ESM and CommonJS)"
TOKEN=$(curl -sf "$HELIUM_DEVSERVER_URL/__devserver/token?sub=2f6e8a1c-4b3d-4e5f-9a7b-1c2d3e4f5a6b" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
ANON=$(curl -sf "$HELIUM_DEVSERVER_URL/__devserver/supabase" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).anon_key))')
(cd "$WORK" && HELIUM_E2E_TOKEN="$TOKEN" HELIUM_E2E_ANON_KEY="$ANON" node --test esm.test.mjs cjs.test.cjs)

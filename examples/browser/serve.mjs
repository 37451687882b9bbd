#!/usr/bin/env node
// A tiny static server for the browser example (no dependencies):
//   /       -> this directory (index.html, app.js)
//   /sdk/   -> the @helium-ai/sdk package directory: the repository's pkg/ after pkg/build.sh (default), or an
//              unpacked tarball (--sdk DIR, the folder that holds package.json)
//
//   node examples/browser/serve.mjs [--port 8080] [--host 127.0.0.1] [--sdk DIR]
//
// The first stdout line is `serving http://HOST:PORT/ (sdk from DIR)`; --port 0 picks a free port.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    sdk: { type: 'string', default: path.join(here, '../../pkg') },
  },
});
const sdkDir = path.resolve(values.sdk);
if (!existsSync(path.join(sdkDir, 'dist/web/helium_sdk_bg.wasm'))) {
  console.error(`${sdkDir} has no dist/web/helium_sdk_bg.wasm: run pkg/build.sh, or pass --sdk <unpacked tarball>`);
  process.exit(1);
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Maps a URL path to a file under `root`, or null if it escapes it. */
function resolveUnder(root, urlPath) {
  const file = path.resolve(root, `.${path.posix.normalize(`/${urlPath}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

const server = http.createServer((request, response) => {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  } catch {
    response.writeHead(400).end('bad request');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end('method not allowed');
    return;
  }
  let file = pathname.startsWith('/sdk/') ? resolveUnder(sdkDir, pathname.slice('/sdk/'.length)) : resolveUnder(here, pathname);
  if (file && existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  response.writeHead(200, {
    'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': 'no-store',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
});

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  console.log(`serving http://${host}:${port}/ (sdk from ${sdkDir})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));

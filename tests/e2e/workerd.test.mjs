// End-to-end: a Cloudflare Worker (tests/workerd/worker.mjs) using the packed tarball, bundled by wrangler
// (the package's `workerd` condition: the wasm imported as a WebAssembly.Module) and run locally in workerd by
// `wrangler dev`, against the dev backend. No Cloudflare account is involved.
//
// Run through tests/e2e/run.sh, or: HELIUM_SDK_TGZ=/abs/helium-ai-sdk-0.1.0.tgz node --test workerd.test.mjs
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, TARBALL, WORK, base64WasmStart, freePort, run, startDevServer, startProcess, waitForHttp } from './lib.mjs';

const SOURCE = path.join(ROOT, 'tests/workerd');
const APP = path.join(WORK, 'workerd');
// The last wrangler that runs on Node 20 (later ones need Node 22); it brings its own workerd.
const WRANGLER_VERSION = '4.86.0';
const WRANGLER = path.join(APP, 'node_modules/wrangler/bin/wrangler.js');
const QUIET = { WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'info', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' };

/** tests/.work/workerd: the Worker's sources and its dependencies (reinstalled when the tarball changes). */
async function prepare() {
  if (!existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run pkg/build.sh first`);
  const manifest = {
    name: 'helium-sdk-worker-check',
    private: true,
    type: 'module',
    dependencies: { '@helium-ai/sdk': `file:${TARBALL}`, wrangler: WRANGLER_VERSION },
  };
  const stamp = createHash('sha256').update(JSON.stringify(manifest)).update(readFileSync(TARBALL)).digest('hex');
  const stampFile = path.join(APP, 'node_modules/.e2e-stamp');
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  mkdirSync(APP, { recursive: true });
  for (const name of readdirSync(APP)) if (name !== 'node_modules') rmSync(path.join(APP, name), { recursive: true, force: true });
  cpSync(SOURCE, APP, { recursive: true });
  writeFileSync(path.join(APP, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (fresh) return;
  rmSync(path.join(APP, 'node_modules'), { recursive: true, force: true });
  const { seconds } = await run('workerd-npm-install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: APP });
  console.error(`# timing workerd-npm-install ${seconds.toFixed(1)}s`);
  writeFileSync(stampFile, stamp);
}

describe('Cloudflare Worker in workerd', () => {
  let backend;
  let worker;
  let url;

  before(async () => {
    await prepare();
    backend = await startDevServer('devserver-workerd', 5);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    worker = startProcess(
      'workerd-wrangler-dev',
      process.execPath,
      [
        WRANGLER, 'dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort()),
        '--var', `HELIUM_BACKEND_URL:${backend.url}`, '--var', `HELIUM_ACCESS_TOKEN:${backend.token}`,
      ],
      { cwd: APP, env: { ...process.env, ...QUIET } },
    );
    await waitForHttp(`${url}/health`, 90_000, worker);
  });

  after(async () => {
    await worker?.stop();
    await backend?.stop();
  });

  const get = async (route) => {
    const response = await fetch(`${url}${route}`);
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    return body;
  };

  test('wrangler bundles the workerd entry: the wasm stays a separate module, no base64 copy', async () => {
    const out = path.join(APP, 'bundle');
    await run('workerd-bundle', process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', out], {
      cwd: APP,
      env: { ...process.env, ...QUIET },
    });
    const files = readdirSync(out);
    assert.ok(files.some((f) => f.endsWith('.wasm')), `a .wasm module next to the bundle: ${files}`);
    const base64Start = base64WasmStart(APP);
    for (const f of files.filter((f) => f.endsWith('.js'))) {
      assert.ok(!readFileSync(path.join(out, f), 'utf8').includes(base64Start), `${f} carries the base64 wasm`);
    }
  });

  test('server runtime, configuration from the Worker env, a call', async () => {
    assert.deepEqual(await get('/health'), { runtime: 'server', source: 'BACKEND_INTERNAL_URL', health: 'ok' });
  });

  test('errors are HeliumErrors with their kind and status', async () => {
    assert.deepEqual(await get('/error'), { thrown: true, name: 'HeliumError', kind: 'not_found', status: 404 });
  });

  test('a whole run streamed in the Worker, with the request hooks', async () => {
    const prompt = `from workerd ${Math.random().toString(36).slice(2, 8)}`;
    const body = await get(`/run?prompt=${encodeURIComponent(prompt)}`);
    assert.ok(body.prose.includes(`You asked: "${prompt}"`), body.prose);
    assert.ok(!body.prose.includes('<function_calls>'), body.prose);
    assert.equal(body.last.kind, 'run_status');
    assert.equal(body.last.state, 'completed');
    assert.equal(body.requests[0], 'POST /api/agent/initiate 200');
    assert.match(body.requests[1], /^GET \/api\/agent-run\/[0-9a-f-]{36}\/stream 200$/);
  });

  test('toReadableStream in a Worker, read back with fromReadableStream', async () => {
    const { kinds } = await get('/forward-roundtrip');
    assert.ok(kinds.length >= 27, JSON.stringify(kinds));
    assert.equal(kinds.filter((k) => k === 'run_status').length, 1);
    assert.equal(kinds.at(-1), 'run_status');
  });
});

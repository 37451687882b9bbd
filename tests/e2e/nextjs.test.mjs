// End-to-end: the Next.js example (examples/nextjs) built with Turbopack and with webpack against the packed
// tarball, started with `next start`, driven by headless Chromium against the dev backend.
//
// Run through tests/e2e/run.sh, or: HELIUM_SDK_TGZ=/abs/helium-ai-sdk-0.1.0.tgz node --test nextjs.test.mjs
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ROOT,
  TARBALL,
  WORK,
  base64WasmStart,
  freePort,
  isTerminalStatus,
  launchBrowser,
  newTrackedPage,
  run,
  startDevServer,
  startProcess,
  waitForHttp,
  waitForText,
} from './lib.mjs';

const EXAMPLE = path.join(ROOT, 'examples/nextjs');
const APP = path.join(WORK, 'nextjs');
const NEXT_BIN = path.join(APP, 'node_modules/next/dist/bin/next');
// A secret-looking server-only variable set at build and run time: it must never reach .next/static.
const CANARY = 'sb_secret_e2e_canary_123';

const BUNDLERS = [
  { name: 'turbopack', buildArgs: ['build'] },
  { name: 'webpack', buildArgs: ['build', '--webpack'] },
];

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** The files under `dir` whose bytes contain `needle`, relative to `dir`. */
function filesContaining(dir, needle) {
  const bytes = Buffer.from(needle);
  return filesUnder(dir)
    .filter((file) => readFileSync(file).includes(bytes))
    .map((file) => path.relative(dir, file));
}

/**
 * A scratch copy of examples/nextjs under tests/.work/nextjs whose SDK dependency points at the tarball under test.
 * `npm install` runs only when the example's package.json or the tarball changed since the last install.
 */
async function prepareApp() {
  if (!existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run pkg/build.sh first`);
  const manifest = JSON.parse(readFileSync(path.join(EXAMPLE, 'package.json'), 'utf8'));
  manifest.dependencies['@helium-ai/sdk'] = `file:${TARBALL}`;
  const stamp = createHash('sha256')
    .update(JSON.stringify(manifest))
    .update(readFileSync(TARBALL))
    .digest('hex');
  const stampFile = path.join(APP, 'node_modules/.e2e-stamp');
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;

  // Sources: replace everything but node_modules with the example's current files.
  if (existsSync(APP)) {
    for (const name of readdirSync(APP)) if (name !== 'node_modules') rmSync(path.join(APP, name), { recursive: true, force: true });
  }
  cpSync(EXAMPLE, APP, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.next)([/\\]|$)/.test(path.relative(ROOT, src)) && !src.endsWith('next-env.d.ts'),
  });
  writeFileSync(path.join(APP, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  if (fresh) return { installed: false, seconds: 0 };
  rmSync(path.join(APP, 'node_modules'), { recursive: true, force: true });
  const { seconds } = await run('nextjs-npm-install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: APP });
  writeFileSync(stampFile, stamp);
  return { installed: true, seconds };
}

let browser;

before(async () => {
  const install = await prepareApp();
  console.error(install.installed ? `# timing npm-install ${install.seconds.toFixed(1)}s` : '# npm install skipped (same tarball and package.json)');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

for (const bundler of BUNDLERS) {
  describe(`Next.js example, ${bundler.name}`, () => {
    let backend;
    let next;
    let appUrl;
    let env;
    let publicUrl;
    let internalUrl;

    before(async () => {
      const port = await freePort();
      appUrl = `http://localhost:${port}`;
      backend = await startDevServer(`devserver-nextjs-${bundler.name}`, 20, [appUrl]);
      internalUrl = backend.url; // http://127.0.0.1:PORT (server side)
      publicUrl = `http://localhost:${backend.port}/api`; // same server, other spelling (client side)
      env = {
        ...process.env,
        BACKEND_INTERNAL_URL: internalUrl,
        NEXT_PUBLIC_BACKEND_URL: publicUrl,
        HELIUM_ACCESS_TOKEN: backend.token,
        // The dev backend is the dev Supabase project too; the middleware's configuration check needs its URL.
        SUPABASE_URL: internalUrl,
        SUPABASE_SERVICE_ROLE_KEY: CANARY,
        NEXT_TELEMETRY_DISABLED: '1',
      };
      rmSync(path.join(APP, '.next'), { recursive: true, force: true });
      const build = await run(`nextjs-build-${bundler.name}`, process.execPath, [NEXT_BIN, ...bundler.buildArgs], { cwd: APP, env });
      console.error(`# timing next-build-${bundler.name} ${build.seconds.toFixed(1)}s`);

      next = startProcess(`nextjs-start-${bundler.name}`, process.execPath, [NEXT_BIN, 'start', '-p', String(port)], { cwd: APP, env });
      await waitForHttp(`${appUrl}/_not-found`, 30_000, next);
    });

    after(async () => {
      await next?.stop();
      await backend?.stop();
    });

    test('the client bundle has the public URL inlined and no server-only values', () => {
      const staticDir = path.join(APP, '.next/static');
      assert.ok(statSync(staticDir).isDirectory(), '.next/static is missing');
      assert.notDeepEqual(filesContaining(staticDir, publicUrl), [], `NEXT_PUBLIC_BACKEND_URL (${publicUrl}) was not inlined into .next/static`);
      assert.deepEqual(filesContaining(staticDir, backend.token), [], 'the HELIUM_ACCESS_TOKEN value is in .next/static');
      assert.deepEqual(filesContaining(staticDir, CANARY), [], 'the SUPABASE_SERVICE_ROLE_KEY canary is in .next/static');
      // Server bundles (the edge ones name the server variables literally) read values at run time, never inline them.
      assert.deepEqual(filesContaining(path.join(APP, '.next/server'), CANARY), [], 'the canary was inlined into a server bundle');
      assert.deepEqual(filesContaining(staticDir, internalUrl), [], 'the BACKEND_INTERNAL_URL value is in .next/static');
      // The browser entry loads the .wasm as a separate asset; the server entry's base64 copy stays on the server.
      const wasm = filesUnder(staticDir).filter((file) => file.endsWith('.wasm'));
      assert.equal(wasm.length, 1, `expected one .wasm asset under .next/static, found ${JSON.stringify(wasm)}`);
      const base64Start = base64WasmStart(APP);
      assert.deepEqual(filesContaining(staticDir, base64Start), [], 'the inlined (base64) wasm of the server entry is in .next/static');
    });

    test('server component, client component, route handler and live stream', async () => {
      const { context, page, errors, requests, describe: details } = await newTrackedPage(browser);
      try {
        const response = await page.goto(`${appUrl}/`);
        assert.equal(response.status(), 200);
        // The middleware (Edge runtime, the package's edge-light entry) resolved the backend as server code does.
        assert.equal(response.headers()['x-helium-runtime'], 'server');
        assert.equal(response.headers()['x-helium-backend-source'], 'BACKEND_INTERNAL_URL');

        // Server side: the wasm read process.env, BACKEND_INTERNAL_URL wins.
        assert.equal(await page.locator('#server-url').textContent(), internalUrl);
        assert.equal(await page.locator('#server-source').textContent(), 'BACKEND_INTERNAL_URL');
        assert.equal(await page.locator('#server-health').textContent(), 'ok');

        // Client side: the wasm got the build-time inlined NEXT_PUBLIC_BACKEND_URL.
        const clientUrl = await waitForText(page, '#client-url', (text) => text !== 'loading…', 15_000, details);
        assert.equal(clientUrl, publicUrl, details());
        assert.equal(await page.locator('#client-source').textContent(), 'NEXT_PUBLIC_BACKEND_URL');

        const prompt = `e2e ${bundler.name} prompt ${Math.random().toString(36).slice(2, 8)}`;
        await page.locator('#prompt').fill(prompt);
        await page.locator('#start').click();
        const status = await waitForText(page, '#stream-status', isTerminalStatus, 30_000, details);
        assert.equal(status, 'completed', details());
        const text = (await page.locator('#stream-text').textContent()) ?? '';
        assert.ok(text.includes(`You asked: "${prompt}"`), `#stream-text lacks the echoed prompt: ${JSON.stringify(text.slice(0, 300))}`);
        assert.ok(!text.includes('<function_calls>') && !text.includes('<invoke'), `tool-call XML shown as text: ${JSON.stringify(text)}`);
        const tools = (await page.locator('#tools li').allTextContents()).filter((t) => t.includes('create_file'));
        assert.deepEqual(tools, ['✓ create_file'], 'each tool is shown once');
        assert.ok(text.length > prompt.length + 20, 'the stream delivered no assistant text beyond the echo');

        // The run was started by the route handler, the stream read by the browser from the public URL.
        assert.ok(requests.some((r) => r === `POST ${appUrl}/api/run`), details());
        assert.ok(
          requests.some((r) => r.startsWith(`GET ${publicUrl}/agent-run/`) && r.includes('/stream')),
          `the browser did not stream from ${publicUrl}${details()}`,
        );
        assert.deepEqual(errors, [], details());
      } finally {
        await context.close();
      }
    });

    test('middleware and an edge route handler: the edge entry, with its wasm imported as a module', async () => {
      const response = await fetch(`${appUrl}/api/edge`);
      const body = await response.json();
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual(body, { runtime: 'server', source: 'BACKEND_INTERNAL_URL', url: internalUrl, health: 'ok' });
      assert.equal(response.headers.get('x-helium-backend-source'), 'BACKEND_INTERNAL_URL');

      // Both are edge functions of the build, and neither carries the Node entry's base64 copy of the wasm.
      const manifest = JSON.parse(readFileSync(path.join(APP, '.next/server/middleware-manifest.json'), 'utf8'));
      const edgeFunctions = [...Object.values(manifest.middleware ?? {}), ...Object.values(manifest.functions ?? {})];
      const names = edgeFunctions.map((f) => f.name ?? f.page);
      assert.ok(edgeFunctions.length >= 2, `middleware and /api/edge are edge functions: ${JSON.stringify(names)}`);
      assert.ok(Object.keys(manifest.functions ?? {}).some((k) => k.includes('/api/edge')), JSON.stringify(manifest.functions));
      const base64Start = base64WasmStart(APP);
      const edgeFiles = edgeFunctions.flatMap((f) => f.files ?? []).map((f) => path.join(APP, '.next', f));
      assert.ok(edgeFiles.length > 0, 'the manifest lists the edge functions\' files');
      const withBase64 = edgeFiles.filter((f) => existsSync(f) && readFileSync(f).includes(Buffer.from(base64Start)));
      assert.deepEqual(withBase64, [], 'an edge function bundles the base64 wasm');
    });

    test('a run forwarded by a route handler: same origin only; stopping reaches the backend', async () => {
      const { context, page, errors, requests, describe: details } = await newTrackedPage(browser);
      const openStreams = async () => (await (await fetch(`${internalUrl}/__devserver/streams`)).json()).open;
      try {
        await page.goto(`${appUrl}/`);
        const prompt = `forwarded ${bundler.name} ${Math.random().toString(36).slice(2, 8)}`;
        await page.locator('#prompt').fill(prompt);
        await page.locator('#start-forwarded').click();
        assert.equal(await waitForText(page, '#stream-status', isTerminalStatus, 30_000, details), 'completed', details());
        const text = (await page.locator('#stream-text').textContent()) ?? '';
        assert.ok(text.includes(`You asked: "${prompt}"`), `#stream-text lacks the echoed prompt: ${JSON.stringify(text.slice(0, 300))}`);
        const tools = (await page.locator('#tools li').allTextContents()).filter((t) => t.includes('create_file'));
        assert.deepEqual(tools, ['✓ create_file'], 'each tool is shown once');
        const origin = new URL(appUrl).origin;
        const foreign = requests.filter((r) => new URL(r.slice(r.indexOf(' ') + 1)).origin !== origin);
        assert.deepEqual(foreign, [], `the browser only talked to its own app${details()}`);
        assert.ok(requests.some((r) => /^GET .*\/api\/runs\/[0-9a-f-]{36}\/stream$/.test(r)), details());

        // A run that waits: the browser stops watching, and the route handler's stream to the backend closes.
        const before = await openStreams();
        await page.locator('#prompt').fill('[hold] watched, then left');
        await page.locator('#start-forwarded').click();
        await waitForText(page, '#stream-status', (t) => t === 'streaming', 15_000, details);
        const runId = (await page.locator('#run-id').textContent()) ?? '';
        let open = before;
        for (let i = 0; i < 100 && open <= before; i += 1) {
          await new Promise((r) => setTimeout(r, 100));
          open = await openStreams();
        }
        assert.equal(open, before + 1, 'the route handler opened the backend stream');
        await page.locator('#stop-watching').click();
        assert.equal(await waitForText(page, '#stream-status', (t) => t !== 'streaming', 10_000, details), 'stopped watching');
        for (let i = 0; i < 100 && open > before; i += 1) {
          await new Promise((r) => setTimeout(r, 100));
          open = await openStreams();
        }
        assert.equal(open, before, 'the backend stream closed when the browser stopped watching');
        const stop = await fetch(`${internalUrl}/api/agent-run/${runId}/stop`, {
          method: 'POST',
          headers: { authorization: `Bearer ${backend.token}` },
        });
        assert.equal(stop.status, 200);
        assert.deepEqual(errors, [], details());
      } finally {
        await context.close();
      }
    });

    test('a forwarded stream that fails on the server ends with a typed error frame', async () => {
      const response = await fetch(`${appUrl}/api/runs/00000000-0000-4000-8000-000000000000/stream`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      const text = await response.text();
      assert.match(text, /^event: error\ndata: \{.*"kind":"not_found".*\}\n\n$/s, text);
      assert.ok(!text.includes(internalUrl), `the backend's address stays on the server: ${text}`);
    });

    test('route handler: errors keep the backend status and kind', async () => {
      const bad = await fetch(`${appUrl}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-jwt' },
        body: JSON.stringify({ prompt: 'hello' }),
      });
      const body = await bad.json();
      assert.equal(bad.status, 401, JSON.stringify(body));
      assert.equal(body.kind, 'unauthorized', JSON.stringify(body));
      assert.equal(body.status, 401);

      const empty = await fetch(`${appUrl}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: '' }),
      });
      assert.equal(empty.status, 400);
      assert.equal((await empty.json()).kind, 'invalid_request');

      const good = await fetch(`${appUrl}/api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'from node' }),
      });
      const ids = await good.json();
      assert.equal(good.status, 200, JSON.stringify(ids));
      assert.match(ids.thread_id, /^[0-9a-f-]{36}$/);
      assert.match(ids.agent_run_id, /^[0-9a-f-]{36}$/);
    });
  });
}

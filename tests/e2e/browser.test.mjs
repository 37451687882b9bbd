// End-to-end: the plain-browser example (examples/browser, no bundler) served by its own static server with
// the unpacked tarball as the SDK, driven by headless Chromium against the dev backend.
//
// Run through tests/e2e/run.sh, or: HELIUM_SDK_TGZ=/abs/helium-ai-sdk-0.1.0.tgz node --test browser.test.mjs
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  ROOT,
  TARBALL,
  WORK,
  isTerminalStatus,
  launchBrowser,
  newTrackedPage,
  run,
  startDevServer,
  startProcess,
  waitForText,
} from './lib.mjs';

const SDK = path.join(WORK, 'browser-sdk');

let backend;
let server;
let pageUrl;
let browser;

before(async () => {
  if (!existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run pkg/build.sh first`);
  rmSync(SDK, { recursive: true, force: true });
  mkdirSync(SDK, { recursive: true });
  await run('browser-unpack', 'tar', ['xzf', TARBALL, '-C', SDK, '--strip-components=1']);

  server = startProcess('browser-serve', process.execPath, [
    path.join(ROOT, 'examples/browser/serve.mjs'),
    '--port',
    '0',
    '--sdk',
    SDK,
  ]);
  const [, url] = await server.waitFor(/^serving (http:\/\/\S+)/m, 10_000);
  pageUrl = url;
  backend = await startDevServer('devserver-browser', 20, [new URL(pageUrl).origin]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await backend?.stop();
});

test('the static server sends the MIME types ES modules and streaming wasm compilation need', async () => {
  const expect = {
    '': 'text/html',
    'app.js': 'text/javascript',
    'sdk/src/browser.js': 'text/javascript',
    'sdk/dist/web/helium_sdk.js': 'text/javascript',
    'sdk/dist/web/helium_sdk_bg.wasm': 'application/wasm',
  };
  for (const [file, type] of Object.entries(expect)) {
    const response = await fetch(`${pageUrl}${file}`);
    await response.arrayBuffer();
    assert.equal(response.status, 200, file);
    assert.equal(response.headers.get('content-type')?.split(';')[0], type, file);
  }
  assert.equal((await fetch(`${pageUrl}sdk/../../../etc/passwd`)).status, 404);
  assert.equal((await fetch(`${pageUrl}%2e%2e/%2e%2e/package.json`)).status, 404);
});

test('browser entry: sync calls before the wasm is ready throw not_initialized; init() is idempotent', async () => {
  const { context, page, describe } = await newTrackedPage(browser);
  try {
    // A throwaway page on the same origin (served by the route, not by the example) that calls the SDK
    // synchronously at the top of a module, before the wasm can have loaded.
    await page.route(`${pageUrl}probe.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><script type="importmap">{"imports":{"@helium-ai/sdk":"/sdk/src/browser.js"}}</script>
<script type="module">
import defaultInit, { init as namedInit, isReady, resolveBackendUrl, HeliumClient } from '@helium-ai/sdk';
const out = { readyAtImport: isReady() };
try { resolveBackendUrl(); out.early = 'no error'; } catch (e) { out.early = e.name + '/' + e.kind; }
try { new HeliumClient({ baseUrl: 'http://localhost:1' }); out.earlyClient = 'no error'; } catch (e) { out.earlyClient = e.name + '/' + e.kind; }
const [a, b] = [defaultInit(), namedInit()];
out.samePromise = a === b;
await Promise.all([a, b, namedInit()]);
out.ready = isReady();
const resolved = resolveBackendUrl();
out.url = resolved.url; out.source = resolved.source; out.runtime = resolved.runtime;
window.__probe = out;
</script>`,
      }),
    );
    await page.goto(`${pageUrl}probe.html`);
    await page.waitForFunction(() => window.__probe, null, { timeout: 15_000 }).catch((error) => {
      throw new Error(`the probe page never finished${describe()}`, { cause: error });
    });
    const probe = await page.evaluate(() => window.__probe);
    assert.deepEqual(
      probe,
      {
        readyAtImport: false,
        early: 'HeliumError/not_initialized',
        earlyClient: 'HeliumError/not_initialized',
        samePromise: true,
        ready: true,
        url: 'http://localhost:8000',
        source: 'default',
        runtime: 'client',
      },
      describe(),
    );
  } finally {
    await context.close();
  }
});

test('health, run and live stream from a plain page', async () => {
  const { context, page, errors, requests, describe } = await newTrackedPage(browser);
  try {
    await page.goto(`${pageUrl}?backend=${encodeURIComponent(backend.url)}&token=${encodeURIComponent(backend.token)}`);
    assert.equal(await waitForText(page, '#health', (text) => text !== 'checking…', 15_000, describe), 'ok', describe());
    assert.equal(await page.locator('#backend').textContent(), backend.apiRoot);

    const prompt = `e2e browser prompt ${Math.random().toString(36).slice(2, 8)}`;
    await page.locator('#prompt').fill(prompt);
    await page.locator('#start').click();
    const status = await waitForText(page, '#stream-status', isTerminalStatus, 30_000, describe);
    assert.equal(status, 'completed', describe());
    const text = (await page.locator('#stream-text').textContent()) ?? '';
    assert.ok(text.includes(`You asked: "${prompt}"`), `#stream-text lacks the echoed prompt: ${JSON.stringify(text.slice(0, 300))}`);
    assert.ok(!text.includes('<function_calls>') && !text.includes('<invoke'), `tool-call XML shown as text: ${JSON.stringify(text)}`);
    const tools = (await page.locator('#tools li').allTextContents()).filter((t) => t.includes('create_file'));
    assert.deepEqual(tools, ['✓ create_file'], 'each tool is shown once');
    assert.ok(requests.some((r) => r.startsWith(`GET ${backend.apiRoot}/agent-run/`) && r.includes('/stream')), describe());
    assert.deepEqual(errors, [], describe());
  } finally {
    await context.close();
  }
});

test('without a token the SDK refuses before sending; a bad token gets the backend 401 as a typed error', async () => {
  const { context, page, requests, describe } = await newTrackedPage(browser);
  try {
    await page.goto(`${pageUrl}?backend=${encodeURIComponent(backend.url)}`);
    assert.equal(await waitForText(page, '#health', (text) => text !== 'checking…', 15_000, describe), 'ok', describe());
    await page.locator('#start').click();
    assert.equal(await waitForText(page, '#stream-status', isTerminalStatus, 15_000, describe), 'error: auth', describe());
    assert.ok(!requests.some((r) => r.includes('/agent/initiate')), `a request was sent without credentials${describe()}`);

    await page.goto(`${pageUrl}?backend=${encodeURIComponent(backend.url)}&token=not-a-jwt`);
    assert.equal(await waitForText(page, '#health', (text) => text !== 'checking…', 15_000, describe), 'ok', describe());
    await page.locator('#start').click();
    assert.equal(await waitForText(page, '#stream-status', isTerminalStatus, 15_000, describe), 'error: unauthorized', describe());
  } finally {
    await context.close();
  }
});

// Shared helpers of the end-to-end tests: the dev backend, child processes that are always cleaned up,
// free ports, HTTP polling and headless Debian Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WORK = process.env.HELIUM_E2E_WORK ?? path.join(ROOT, 'tests/.work');
export const LOGS = path.join(WORK, 'logs');
export const TARBALL = path.resolve(process.env.HELIUM_SDK_TGZ ?? path.join(ROOT, 'target/npm/helium-ai-sdk-0.1.0.tgz'));
export const DEVSERVER_BIN = process.env.HELIUM_DEVSERVER_BIN ?? path.join(ROOT, 'target/debug/helium-devserver');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

mkdirSync(LOGS, { recursive: true });

/** Every child started through `startProcess`, so that they are killed even if the test process dies. */
const live = new Set();
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

function killGroup(child, signal) {
  try {
    // Children run in their own process group (detached), so this also reaches what they spawned
    // (next start renames itself to next-server and may fork workers).
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Spawns a long-running process in its own process group, logs its output to tests/.work/logs/<name>.log and
 * returns {child, output(), waitFor(regex, ms), stop()}. stop() sends SIGTERM to the group, then SIGKILL after 5 s.
 */
export function startProcess(name, command, args, { cwd = ROOT, env = process.env } = {}) {
  const logFile = path.join(LOGS, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const waiters = [];
  const onData = (chunk) => {
    const text = chunk.toString();
    output += text;
    log.write(text);
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      log.end();
      resolve({ code, signal });
      for (const waiter of [...waiters]) waiter();
    });
  });
  let exitInfo = null;
  exited.then((info) => {
    exitInfo = info;
  });

  return {
    child,
    logFile,
    exited,
    output: () => output,
    /** Resolves with the first match of `regex` in the output; rejects if the process exits or on timeout. */
    waitFor(regex, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          remove();
          reject(new Error(`${name}: no ${regex} in the output after ${ms} ms; output:\n${output.slice(-3000)}`));
        }, ms);
        const check = () => {
          const match = output.match(regex);
          if (match) {
            remove();
            resolve(match);
          } else if (exitInfo) {
            remove();
            reject(new Error(`${name} exited (${JSON.stringify(exitInfo)}) before printing ${regex}; output:\n${output.slice(-3000)}`));
          }
        };
        const remove = () => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
        };
        waiters.push(check);
        check();
      });
    },
    async stop() {
      if (exitInfo || !live.has(child)) return exitInfo;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      const info = await exited;
      clearTimeout(timer);
      // Make sure nothing of the group survives its leader.
      killGroup(child, 'SIGKILL');
      return info;
    },
  };
}

/**
 * Starts `helium-devserver --port 0` and returns {url, apiRoot, port, token, stop()}. Its CORS policy is the real
 * backend's (the backend's origins and exact header allow-list); `corsOrigins` adds the test app's origins, as a
 * deployment adds its frontend's origin to the backend's allow_origins.
 */
export async function startDevServer(name = 'devserver', paceMs = 20, corsOrigins = []) {
  if (!existsSync(DEVSERVER_BIN)) {
    throw new Error(`${DEVSERVER_BIN} is missing: run \`cargo build -p helium-devserver\` first`);
  }
  const origins = corsOrigins.flatMap((o) => ['--cors-origin', o]);
  const proc = startProcess(name, DEVSERVER_BIN, ['--port', '0', '--pace-ms', String(paceMs), ...origins]);
  try {
    const [, url] = await proc.waitFor(/^helium-devserver listening on (http:\/\/\S+)$/m, 15_000);
    const [, token] = await proc.waitFor(/^sample bearer token: (\S+)$/m, 5_000);
    return { url, apiRoot: `${url}/api`, port: Number(new URL(url).port), token, stop: () => proc.stop(), proc };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** A TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with any HTTP status (or `proc` exits / the time runs out). */
export async function waitForHttp(url, ms = 30_000, proc) {
  const deadline = Date.now() + ms;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      lastError = error;
    }
    if (proc && !live.has(proc.child)) throw new Error(`the server exited; output:\n${proc.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms: ${lastError}`);
}

/**
 * Runs a command to completion (in its own process group, killed with the others if the tests are interrupted),
 * logging to tests/.work/logs/<name>.log; resolves {output, seconds}, or throws with the log tail on failure.
 */
export async function run(name, command, args, { cwd = ROOT, env = process.env, timeoutMs = 300_000 } = {}) {
  const started = Date.now();
  const proc = startProcess(name, command, args, { cwd, env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.stop();
  }, timeoutMs);
  const { code, signal } = await proc.exited;
  clearTimeout(timer);
  const seconds = (Date.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} ${timedOut ? `timed out after ${timeoutMs} ms` : `failed (status ${code}, signal ${signal})`} ` +
        `after ${seconds.toFixed(1)} s; log ${proc.logFile}:\n${proc.output().slice(-4000)}`,
    );
  }
  return { output: proc.output(), seconds };
}

/** Headless Debian Chromium; never downloads a browser. */
export function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A page that records uncaught errors, console errors and request URLs (for assertion messages). */
export async function newTrackedPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const consoleErrors = [];
  const requests = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
  page.setDefaultTimeout(15_000);
  const describe = () =>
    `\npage errors: ${JSON.stringify(errors)}\nconsole errors: ${JSON.stringify(consoleErrors)}\nrequests: ${JSON.stringify(requests, null, 1)}`;
  return { context, page, errors, consoleErrors, requests, describe };
}

/** The text of `selector` once `predicate(text)` holds (polled in the page), or throws with the last text. */
export async function waitForText(page, selector, predicate, ms, describe = () => '') {
  try {
    await page.waitForFunction(
      ([sel, source]) => {
        const el = document.querySelector(sel);
        // eslint-disable-next-line no-new-func
        return el ? new Function('text', `return (${source})(text)`)(el.textContent ?? '') : false;
      },
      [selector, predicate.toString()],
      { timeout: ms, polling: 100 },
    );
  } catch (error) {
    const last = await page.locator(selector).textContent().catch(() => '<missing>');
    throw new Error(`${selector} never satisfied ${predicate} within ${ms} ms (last text: ${JSON.stringify(last)})${describe()}`, {
      cause: error,
    });
  }
  return (await page.locator(selector).textContent()) ?? '';
}

/** True when a stream status is final: the run's terminal state, a control signal or an error. */
export const isTerminalStatus = (text) =>
  /^(completed|failed|stopped|STOP|ERROR|END_STREAM|ended)$/.test(text) || text.startsWith('error:');

/** The first 80 characters of the package's base64 copy of the wasm (the Node entries' copy), as installed in
 * `app`: bundles that must not carry that copy are searched for it. */
export function base64WasmStart(app) {
  const inline = JSON.parse(readFileSync(path.join(app, 'node_modules/@helium-ai/sdk/dist/node/wasm_inline.json'), 'utf8'));
  const match = /^[A-Za-z0-9+/]{80}/.exec(typeof inline === 'string' ? inline : '');
  if (!match) throw new Error('dist/node/wasm_inline.json does not hold a base64 string');
  return match[0];
}

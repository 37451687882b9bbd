// The soak campaign's Node part, against the packed npm package (@helium-ai/sdk, the wasm build):
//   node soak.mjs faults RUNS [CONCURRENCY] [SEED]   faulted stream runs (same fault classes as the native part)
//   node soak.mjs load STREAMS                       concurrent streams from one HeliumClient
//   node soak.mjs hostile                            every hostile mode (HELIUM_SOAK_HOSTILE_URL) against
//                                                    getAgentRun and streamAgentRun
// HELIUM_SOAK_URL is a dev backend (items kept 24 h), HELIUM_SOAK_EXPIRING_URL one started with
// --response-ttl-ms 0. Every error message, inspected error and request-hook record is scanned for the secrets
// used. Prints the figures and exits 1 when a run misses the bar.
import { HeliumClient } from '@helium-ai/sdk';
import { inspect } from 'node:util';

const [part = 'faults', countArg = '200', concurrencyArg = '20', seedArg = '16'] = process.argv.slice(2);
const normalUrl = process.env.HELIUM_SOAK_URL;
const expiringUrl = process.env.HELIUM_SOAK_EXPIRING_URL ?? normalUrl;
if (!normalUrl) throw new Error('HELIUM_SOAK_URL must name a running dev backend');

const getJson = async (url, init) => {
  const r = await fetch(url, init);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
};
const token = (await getJson(`${normalUrl}/__devserver/token`)).token;
const expiringToken = (await getJson(`${expiringUrl}/__devserver/token`)).token;

// The secrets scan: whole values and the JWTs' payload and signature.
const needles = new Set();
for (const t of [token, expiringToken]) {
  needles.add(t);
  t.split('.').slice(1).forEach((p) => p.length >= 12 && needles.add(p));
}
const scan = { texts: 0, bytes: 0, findings: [] };
const scanText = (origin, text) => {
  scan.texts += 1;
  scan.bytes += text.length;
  for (const n of needles) if (text.includes(n)) scan.findings.push(origin);
};
const scanError = (origin, e) => {
  scanText(origin, String(e));
  scanText(origin, e?.message ?? '');
  scanText(origin, inspect(e, { depth: 6 }));
  scanText(origin, JSON.stringify({ ...e, message: e?.message, name: e?.name }));
};
const hooks = {
  onRequest: (info) => scanText('onRequest', JSON.stringify(info)),
  onResponse: (info) => scanText('onResponse', JSON.stringify(info)),
};

// A small deterministic generator (xorshift32), so that a seed reproduces the campaign.
let state = (Number(seedArg) >>> 0) || 0x9e3779b9;
const rand = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state;
};
const below = (n) => rand() % n;
const between = (lo, hi) => lo + below(hi - lo + 1);
const chance = (pct) => below(100) < pct;

const peak = { rss: process.memoryUsage().rss };
const sampler = setInterval(() => { peak.rss = Math.max(peak.rss, process.memoryUsage().rss); }, 20);
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

const clientFor = (url, tok, witness) =>
  new HeliumClient({
    baseUrl: url,
    accessToken: tok,
    ...hooks,
    // A per-request directive takes precedence over the schedule: the witness never gets the run's faults.
    ...(witness ? { headers: { 'x-devserver-fault': 'delay_ms=0' } } : {}),
  });

async function read(client, runId, options) {
  const items = [];
  try {
    for await (const event of client.streamAgentRun(runId, options)) items.push(JSON.stringify(event.raw));
    return { items, error: null };
  } catch (e) {
    scanError('stream error', e);
    return { items, error: e };
  }
}

const describe = (e) => {
  if (!e) return 'complete';
  const m = String(e.message);
  const cause = /no longer replays/.test(m) ? 'replay_expired'
    : /maximum size/.test(m) ? 'event_too_large'
    : /not JSON/.test(m) ? 'not_json'
    : /gave up after/.test(m) ? 'reconnects_exhausted'
    : e.code ?? '';
  return cause ? `${e.kind}/${cause}` : `${e.kind}`;
};

const CLASSES = ['drop at byte', 'truncated body', 'connection reset', 'stall > idle timeout',
  '5xx burst on reconnect', 'CRLF/CR/BOM framing', 'expired replay list'];

function plan(cls) {
  const at = () => below(16000);
  const options = chance(50) ? { idleTimeoutMs: between(300, 2000) } : {};
  switch (cls) {
    case 'drop at byte': return { faults: [`drop_at=${at()}; times=1`].concat(chance(30) ? [`drop_at=${at()}; times=1`] : []), options };
    case 'truncated body': return { faults: [`eof_at=${at()}; times=1`], options };
    case 'connection reset': return { faults: [`drop_at=${at()}; times=1`, `reset; times=${between(1, 2)}`], options };
    case 'stall > idle timeout':
      return { faults: [`stall_at=${at()}; stall_ms=60000; times=1`], options: { idleTimeoutMs: between(200, 500) } };
    case '5xx burst on reconnect':
      return { faults: [`drop_at=${at()}; times=1`, `status=${[500, 502, 503, 504][below(4)]}; times=${between(1, 3)}`], options };
    case 'CRLF/CR/BOM framing': {
      const f = ['crlf', 'cr', 'bom', 'cr,bom', 'crlf,bom', 'crlf,pings', 'cr,bom,pings'][below(7)];
      return { faults: [`framing=${f}; drop_at=${at()}; times=1`, `framing=${f}`], options };
    }
    default: return { faults: [`drop_at=${between(1500, 14000)}; times=1`], options };
  }
}

async function oneRun(i) {
  const cls = CLASSES[i % CLASSES.length];
  const expired = cls === 'expired replay list';
  const url = expired ? expiringUrl : normalUrl;
  const tok = expired ? expiringToken : token;
  const faulted = clientFor(url, tok, false);
  const witness = clientFor(url, tok, true);
  const runId = (await faulted.initiateAgent({ prompt: `node soak run ${i}` })).agent_run_id;
  const { faults, options } = plan(cls);
  // The witness connects first, while the run is live.
  const witnessRead = read(witness, runId, {});
  for (const fault of faults) {
    await getJson(`${url}/__devserver/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: `/api/agent-run/${runId}/stream`, fault }),
    });
  }
  const started = Date.now();
  let timer;
  const hang = new Promise((resolve) => { timer = setTimeout(() => resolve('hang'), 120000); });
  const [result, live] = await Promise.all([Promise.race([read(faulted, runId, options), hang]), witnessRead]);
  clearTimeout(timer);
  const duration = Date.now() - started;
  if (live.error) throw new Error(`the witness stream failed: ${live.error.message}`);
  let referenceDisagrees = false;
  if (!expired) {
    const replay = await read(witness, runId, {});
    referenceDisagrees = !!replay.error || JSON.stringify(replay.items) !== JSON.stringify(live.items);
  }
  const outcome = result === 'hang' ? 'HANG' : describe(result.error);
  const delivered = result === 'hang' ? [] : result.items;
  const duplicated = delivered.length - new Set(delivered).size;
  const mismatched = delivered.filter((d, k) => live.items[k] !== d).length;
  const lost = outcome === 'complete' ? Math.max(0, live.items.length - delivered.length) : 0;
  const exact = !lost && !duplicated && !mismatched && !referenceDisagrees;
  const ok = outcome === 'complete' ? exact && delivered.length === live.items.length
    : exact && expired && outcome === 'stream/replay_expired';
  return { cls, faults, options, outcome, delivered: delivered.length, reference: live.items.length, lost, duplicated, mismatched, ok, duration };
}

async function pool(n, concurrency, fn) {
  const results = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await fn(i);
    }
  }));
  return results;
}

const streamConnections = async (url) => {
  const log = await getJson(`${url}/__devserver/requests`);
  return log.filter((r) => r.path.endsWith('/stream') && r.fault !== 'delay_ms=0').length;
};

let pass = true;
if (part === 'faults') {
  await getJson(`${normalUrl}/__devserver/requests`, { method: 'DELETE' }).catch(() => {});
  await fetch(`${normalUrl}/__devserver/requests`, { method: 'DELETE' });
  await fetch(`${expiringUrl}/__devserver/requests`, { method: 'DELETE' });
  const t0 = Date.now();
  const runs = await pool(Number(countArg), Number(concurrencyArg), oneRun);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const connections = (await streamConnections(normalUrl)) + (expiringUrl !== normalUrl ? await streamConnections(expiringUrl) : 0);
  const sum = (k) => runs.reduce((a, r) => a + r[k], 0);
  const failures = runs.filter((r) => !r.ok);
  console.log(`node faulted runs: ${runs.length} in ${seconds} s, ${connections} stream connections; items delivered ${sum('delivered')}, `
    + `lost ${sum('lost')}, duplicated ${sum('duplicated')}, mismatched ${sum('mismatched')}; hangs ${runs.filter((r) => r.outcome === 'HANG').length}; `
    + `longest run ${Math.max(...runs.map((r) => r.duration))} ms (hang bound 120000 ms); runs failing the bar: ${failures.length}; peak RSS ${mib(peak.rss)}`);
  for (const cls of CLASSES) {
    const of = runs.filter((r) => r.cls === cls);
    const outcomes = {};
    for (const r of of) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    console.log(`  ${cls.padEnd(24)} ${String(of.length).padStart(4)} runs: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}; longest ${Math.max(...of.map((r) => r.duration))} ms`);
  }
  for (const f of failures.slice(0, 20)) console.log('  FAILED', JSON.stringify(f));
  pass = failures.length === 0;
} else if (part === 'load') {
  const n = Number(countArg);
  const client = clientFor(normalUrl, token, false);
  const runIds = await pool(n, 16, async (i) => (await client.initiateAgent({ prompt: `node load ${i}` })).agent_run_id);
  const before = (await getJson(`${normalUrl}/__devserver/connections`)).accepted;
  const rssBefore = process.memoryUsage().rss;
  peak.rss = rssBefore;
  const t0 = Date.now();
  const results = await Promise.all(runIds.map((id) => read(client, id, {})));
  const ms = Date.now() - t0;
  const after = (await getJson(`${normalUrl}/__devserver/connections`)).accepted;
  const errors = results.filter((r) => r.error);
  const items = results.reduce((a, r) => a + r.items.length, 0);
  const complete = results.filter((r) => !r.error && JSON.parse(r.items.at(-1) ?? '{}').status === 'completed').length;
  console.log(`node ${n} concurrent streams: ok ${complete}, errors ${errors.length}, ${items} items, ${after - before - 1} new connections, `
    + `${ms} ms, RSS ${mib(rssBefore)} before, peak ${mib(peak.rss)}`);
  for (const e of errors.slice(0, 5)) console.log('  ERROR', describe(e.error), e.error.message);
  pass = errors.length === 0 && complete === n;
} else if (part === 'hostile') {
  const hostileUrl = process.env.HELIUM_SOAK_HOSTILE_URL;
  if (!hostileUrl) throw new Error('HELIUM_SOAK_HOSTILE_URL must name a running helium-devserver --hostile');
  const modes = ['endless-header', 'endless-line', 'huge-body', 'huge-chunked', 'gzip-bomb', 'slow-drip', 'slow-body',
    'invalid-utf8', 'deep-json', 'absurd-numbers'];
  console.log('client limits: timeoutMs 5000, maxRetries 1, response size 128 MiB (default), event size 16 MiB (default), idleTimeoutMs 2000');
  let maxPeak = 0;
  for (const mode of modes) {
    const client = new HeliumClient({ baseUrl: `${hostileUrl}/${mode}`, accessToken: token, timeoutMs: 5000, maxRetries: 1, ...hooks });
    for (const call of ['json', 'stream']) {
      global.gc?.();
      const before = process.memoryUsage().rss;
      peak.rss = before;
      const t0 = Date.now();
      let error = null;
      let items = 0;
      try {
        if (call === 'json') {
          await client.getAgentRun('run-1');
        } else {
          for await (const _ of client.streamAgentRun('run-1', { idleTimeoutMs: 2000, maxReconnects: 1, verifyFinalState: false })) items += 1;
        }
      } catch (e) {
        error = e;
        scanError('hostile error', e);
      }
      const ms = Date.now() - t0;
      peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
      maxPeak = Math.max(maxPeak, peak.rss);
      // Every mode ends in a typed error, except the slow but valid stream, which may complete.
      const mayComplete = mode === 'slow-body' && call === 'stream';
      const typed = error ? error.name === 'HeliumError' && typeof error.kind === 'string' : mayComplete;
      if (!typed) pass = false;
      const outcome = describe(error) + (items ? ` after ${items} items` : '');
      console.log(`${mode.padEnd(15)} ${call.padEnd(6)} -> ${outcome.padEnd(46)} ${String(ms).padStart(6)} ms, RSS ${mib(before)} -> peak ${mib(peak.rss)}${typed ? '' : error ? ' NOT A HeliumError: ' + inspect(error) : ' NO ERROR'}`);
    }
  }
  console.log(`highest peak RSS: ${mib(maxPeak)}`);
} else {
  throw new Error(`unknown part ${part}: faults, load or hostile`);
}
clearInterval(sampler);
console.log(`node secrets scan: ${scan.texts} texts (${scan.bytes} bytes) searched for ${needles.size} secret values and parts: ${scan.findings.length} found`);
for (const f of scan.findings.slice(0, 20)) console.log('  FOUND in', f);
process.exit(pass && scan.findings.length === 0 ? 0 : 1);

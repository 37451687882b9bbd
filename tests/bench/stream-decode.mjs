// Agent-stream decoding in Node: the npm build against eventsource-parser + JSON.parse (twice, for the double
// encoding of `content`/`metadata`), in the same process, on the same bytes and chunks. Cases:
//   decoder-64k  `AgentStreamDecoder` on the contract's sample run repeated to >= 10 MB, in 64 KiB chunks
//   decoder-256  the same bytes in 256-byte chunks
//   decoder-64k-noraw, decoder-256-noraw, e2e-noraw   the same with `{ raw: false }` (events without their raw items)
//   drip-1mb     one event with a 1 MB data line, in 64-byte chunks
//   e2e          `streamAgentRun` reading a loopback HTTP response, against fetch + a reader + TextDecoder +
//                eventsource-parser reading the same response
//   handover     not a decoder: only the JSON.parse of the texts `AgentStreamDecoder` hands to JavaScript for the
//                decoder-64k bytes (the typed events with their raw items, captured from a decoding run), against
//                the baseline on the same bytes: the part of our time the wasm cannot remove, and so the time left
//                to the wasm for a ratio of 1.0
// plus the RSS growth while decoding >= 100k events. Each case runs its two sides alternately (7 rounds, which
// side goes first alternating; 3 for drip-1mb) and reports the medians and their ratio. Prints a JSON summary.
//   node --expose-gc tests/bench/stream-decode.mjs [case…]   (after pkg/build.sh)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { AgentStreamDecoder, HeliumClient } = await import(`${root}pkg/src/node.mjs`);
const require = createRequire(`${root}pkg/tools/package.json`);
const { createParser } = require('eventsource-parser');

const sample = readFileSync(`${root}crates/helium-devserver/fixtures/stream_sample.sse`, 'utf8');
const EVENTS_PER_SAMPLE = 27;
const copies = Math.ceil((10 * 1024 * 1024) / Buffer.byteLength(sample));
const body = Buffer.from(sample.repeat(copies));
// For one run over HTTP: the sample's terminal item only once, at the end.
const frames = sample.split('\n\n').filter((f) => f.trim());
const terminal = frames.pop();
const runBody = Buffer.from(`${frames.map((f) => `${f}\n\n`).join('').repeat(copies)}${terminal}\n\n`);
// One event whose data line is 1 MB: an assistant chunk carrying ~1 MB of text.
const bigText = 'Lorem ipsum dolor sit amet, "quoted" <tag attr="x">\\n</tag> éü 😀 '.repeat(16_000).slice(0, 1 << 20);
const bigItem = JSON.stringify({
  sequence: 0, type: 'assistant',
  content: JSON.stringify({ role: 'assistant', content: bigText }),
  metadata: JSON.stringify({ stream_status: 'chunk', thread_run_id: 'tr-1' }),
});
const dripBody = Buffer.from(`data: ${bigItem}\n\n`);

const split = (buf, size) => {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(new Uint8Array(buf.subarray(i, i + size)));
  return out;
};

// Counts events, and the characters of assistant text (to check both sides decoded the same thing), in `acc`.
function count(events, acc) {
  for (const event of events) {
    acc[0] += 1;
    if (event.kind === 'assistant_chunk') acc[1] += event.text.length;
  }
}

// Ours: events, and the characters of assistant text (`options`: the decoder's, e.g. `{ raw: false }`).
function decodeOurs(chunks, options) {
  const decoder = new AgentStreamDecoder(options);
  const acc = [0, 0];
  for (const chunk of chunks) count(decoder.push(chunk), acc);
  decoder.finish();
  decoder.free();
  return acc;
}

// The baseline's handling of one item: JSON.parse, then the double-encoded fields.
function baselineItem(data, acc) {
  const item = JSON.parse(data);
  for (const key of ['content', 'metadata']) {
    if (typeof item[key] === 'string') {
      try {
        item[key] = JSON.parse(item[key]);
      } catch {
        // plain text content stays a string
      }
    }
  }
  acc[0] += 1;
  if (item.type === 'assistant' && item.metadata && item.metadata.stream_status === 'chunk') {
    acc[1] += item.content.content.length;
  }
  return item;
}

function decodeBaseline(chunks) {
  const acc = [0, 0];
  const parser = createParser({ onEvent: (e) => baselineItem(e.data, acc) });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  return acc;
}

async function serve(payload, chunkSize) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < payload.length; i += chunkSize) res.write(payload.subarray(i, i + chunkSize));
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function e2eOurs(base, raw = true) {
  const client = new HeliumClient({ baseUrl: `${base}/api`, accessToken: 'bench-token' });
  let n = 0;
  let text = 0;
  for await (const event of client.streamAgentRun('run-1', { verifyFinalState: false, maxReconnects: 0, raw })) {
    n += 1;
    if (event.kind === 'assistant_chunk') text += event.text.length;
  }
  client.free();
  return [n, text];
}

async function e2eBaseline(base) {
  const acc = [0, 0];
  const response = await fetch(`${base}/api/agent-run/run-1/stream`, {
    headers: { authorization: 'Bearer bench-token', accept: 'text/event-stream' },
  });
  const parser = createParser({ onEvent: (e) => baselineItem(e.data, acc) });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  parser.feed(decoder.decode());
  return acc;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function compare(name, ours, baseline, expected, bytes, rounds = 7) {
  const times = { ours: [], baseline: [] };
  for (let i = 0; i < rounds; i += 1) {
    const order = i % 2 ? ['ours', 'baseline'] : ['baseline', 'ours'];
    const results = {};
    for (const side of order) {
      const t0 = performance.now();
      results[side] = await (side === 'ours' ? ours() : baseline());
      times[side].push(performance.now() - t0);
    }
    const [o, b] = [results.ours, results.baseline];
    if (o[0] !== expected || b[0] !== expected || o[1] !== b[1]) {
      throw new Error(`${name}: results differ: ours ${o}, baseline ${b}, expected ${expected} events`);
    }
  }
  const [oursMs, baseMs] = [median(times.ours), median(times.baseline)];
  return {
    case: name,
    bytes,
    events: expected,
    rounds,
    ours_ms: +oursMs.toFixed(1),
    baseline_ms: +baseMs.toFixed(1),
    speed_ratio_ours_over_baseline: +(baseMs / oursMs).toFixed(2),
  };
}

const wanted = new Set(process.argv.slice(2));
const want = (name) => wanted.size === 0 || wanted.has(name);
const results = [];
const expected = copies * EVENTS_PER_SAMPLE;
for (const [name, size] of [['decoder-64k', 64 * 1024], ['decoder-256', 256]]) {
  for (const [suffix, options] of [['', undefined], ['-noraw', { raw: false }]]) {
    if (!want(name + suffix)) continue;
    const chunks = split(body, size);
    results.push(await compare(name + suffix, () => decodeOurs(chunks, options), () => decodeBaseline(chunks), expected, body.length));
  }
}
if (want('handover')) {
  const chunks = split(body, 64 * 1024);
  // The texts the wasm gives JSON.parse, captured during one decoding run.
  const texts = [];
  const parse = JSON.parse;
  JSON.parse = (text, reviver) => {
    texts.push(text);
    return parse(text, reviver);
  };
  try {
    decodeOurs(chunks);
  } finally {
    JSON.parse = parse;
  }
  const parseHandedOver = () => {
    const acc = [0, 0];
    for (const t of texts) count(JSON.parse(t), acc);
    return acc;
  };
  const result = await compare('handover', parseHandedOver, () => decodeBaseline(chunks), expected, body.length);
  result.handed_over_bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
  results.push(result);
}
if (want('drip-1mb')) {
  const chunks = split(dripBody, 64);
    // Three rounds: the baseline re-scans the held line on every chunk and takes seconds per round.
  results.push(await compare('drip-1mb', () => decodeOurs(chunks), () => decodeBaseline(chunks), 1, dripBody.length, 3));
}
if (want('e2e') || want('e2e-noraw')) {
  const server = await serve(runBody, 64 * 1024);
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const runEvents = copies * (EVENTS_PER_SAMPLE - 1) + 1;
    for (const [suffix, raw] of [['', true], ['-noraw', false]]) {
      if (!want(`e2e${suffix}`)) continue;
      results.push(await compare(`e2e${suffix}`, () => e2eOurs(base, raw), () => e2eBaseline(base), runEvents, runBody.length));
    }
  } finally {
    server.close();
  }
}

const summary = { results };
if (want('rss')) {
  // RSS growth over >= 100k events, after warming up and a GC.
  const chunks = split(body, 64 * 1024);
  decodeOurs(chunks);
  const passes = Math.ceil(100_000 / expected);
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let total = 0;
  for (let i = 0; i < passes; i += 1) total += decodeOurs(chunks)[0];
  globalThis.gc?.();
  summary.rss = {
    events: total,
    growth_mb: +((process.memoryUsage().rss - rssBefore) / (1024 * 1024)).toFixed(2),
    gc_exposed: typeof globalThis.gc === 'function',
  };
}
console.log(JSON.stringify(summary, null, 2));

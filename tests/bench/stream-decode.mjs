// Decoding throughput of the agent stream in Node: the npm build (`AgentStreamDecoder`: our SSE parser and
// typed events, content/metadata decoded once in wasm) versus eventsource-parser + JSON.parse (twice, for the
// double encoding), in the same process, on the contract's sample run repeated to >= 10 MB. Also the RSS growth
// while decoding >= 100k events. Prints a JSON summary.
//   node --expose-gc tests/bench/stream-decode.mjs   (after pkg/build.sh)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { AgentStreamDecoder } = await import(`${root}pkg/src/node.mjs`);
const require = createRequire(`${root}pkg/tools/package.json`);
const { createParser } = require('eventsource-parser');

const sample = readFileSync(`${root}crates/helium-devserver/fixtures/stream_sample.sse`);
const EVENTS_PER_SAMPLE = 27;
const copies = Math.ceil((10 * 1024 * 1024) / sample.length);
const body = Buffer.concat(Array.from({ length: copies }, () => sample));
const CHUNK = 64 * 1024;
const chunks = [];
for (let i = 0; i < body.length; i += CHUNK) chunks.push(new Uint8Array(body.subarray(i, i + CHUNK)));
const expected = copies * EVENTS_PER_SAMPLE;

function ours() {
  const decoder = new AgentStreamDecoder();
  let n = 0;
  let text = 0;
  for (const chunk of chunks) {
    for (const event of decoder.push(chunk)) {
      n += 1;
      if (event.kind === 'assistant_chunk') text += event.text.length;
    }
  }
  decoder.finish();
  decoder.free();
  return [n, text];
}

function baseline() {
  let n = 0;
  let text = 0;
  const parser = createParser({
    onEvent(e) {
      const item = JSON.parse(e.data);
      for (const key of ['content', 'metadata']) {
        if (typeof item[key] === 'string') {
          try {
            item[key] = JSON.parse(item[key]);
          } catch {
            // plain text content stays a string
          }
        }
      }
      n += 1;
      if (item.type === 'assistant' && item.metadata && item.metadata.stream_status === 'chunk') {
        text += item.content.content.length;
      }
    },
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  return [n, text];
}

function time(fn) {
  const t0 = performance.now();
  const result = fn();
  return [performance.now() - t0, result];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { ours: [], baseline: [] };
let check;
for (let i = 0; i < 7; i += 1) {
  const [tb, rb] = time(baseline);
  const [to, ro] = time(ours);
  if (ro[0] !== expected || rb[0] !== expected || ro[1] !== rb[1]) {
    throw new Error(`event counts differ: ours ${ro}, baseline ${rb}, expected ${expected}`);
  }
  check = ro;
  runs.ours.push(to);
  runs.baseline.push(tb);
}
const mb = body.length / (1024 * 1024);
const oursMs = median(runs.ours);
const baseMs = median(runs.baseline);

// RSS growth over >= 100k events, after warming up (the first pass above) and a GC.
const passes = Math.ceil(100_000 / expected);
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
let total = 0;
for (let i = 0; i < passes; i += 1) total += ours()[0];
globalThis.gc?.();
const rssAfter = process.memoryUsage().rss;

const summary = {
  bytes: body.length,
  events: expected,
  text_chars: check[1],
  ours_ms: +oursMs.toFixed(1),
  baseline_ms: +baseMs.toFixed(1),
  ours_mb_per_s: +(mb / (oursMs / 1000)).toFixed(1),
  baseline_mb_per_s: +(mb / (baseMs / 1000)).toFixed(1),
  speed_ratio_ours_over_baseline: +(baseMs / oursMs).toFixed(2),
  rss_events: total,
  rss_growth_mb: +((rssAfter - rssBefore) / (1024 * 1024)).toFixed(2),
  gc_exposed: typeof globalThis.gc === 'function',
};
console.log(JSON.stringify(summary, null, 2));

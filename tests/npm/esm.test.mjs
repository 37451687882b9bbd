// The packed npm package from plain Node ESM: the `node`/`import` entry (wasm inlined, ready on import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import init, {
  detectRuntime,
  resolveBackendUrl,
  loadSupabaseConfig,
  HeliumClient,
  isReady,
  AgentStreamDecoder,
  RunTranscript,
  parseContent,
  supabaseClientConfig,
  isHeliumError,
  fromReadableStream,
} from '@helium-ai/sdk';
// supabase-js's REST client (createClient also opens Realtime, which needs Node 22's WebSocket).
import { PostgrestClient } from '@supabase/postgrest-js';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as nodeEntry from '@helium-ai/sdk';

const backend = process.env.HELIUM_DEVSERVER_URL;
const token = process.env.HELIUM_E2E_TOKEN;

test('resolution on the server follows the guide', async () => {
  await init();
  assert.equal(isReady(), true);
  assert.equal(detectRuntime(), 'server');
  const r = resolveBackendUrl({
    env: { BACKEND_INTERNAL_URL: 'http://internal:8000/', NEXT_PUBLIC_BACKEND_URL: 'https://public.example/api' },
  });
  assert.deepEqual(
    { url: r.url, source: r.source, apiRoot: r.apiRoot, runtime: r.runtime },
    { url: 'http://internal:8000', source: 'BACKEND_INTERNAL_URL', apiRoot: 'http://internal:8000/api', runtime: 'server' },
  );
  // Without `env`, process.env is read.
  process.env.BACKEND_INTERNAL_URL = 'http://from-process-env:9000';
  assert.equal(resolveBackendUrl().url, 'http://from-process-env:9000');
  delete process.env.BACKEND_INTERNAL_URL;
  const e = (() => {
    try {
      resolveBackendUrl({ env: { NEXT_PUBLIC_BACKEND_URL: 'localhost:8000' }, runtime: 'client' });
    } catch (err) {
      return err;
    }
  })();
  assert.equal(e.name, 'HeliumError');
  assert.equal(e.kind, 'config');
  assert.equal(e.variable, 'NEXT_PUBLIC_BACKEND_URL');
  assert.throws(
    () =>
      loadSupabaseConfig({
        runtime: 'client',
        env: { NEXT_PUBLIC_SUPABASE_URL: 'https://p.supabase.co', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'sb_secret_abc123' },
      }),
    (err) => err.code === 'secret_key_in_client',
  );
});

test('health and a short stream against the dev backend', async () => {
  assert.ok(backend, 'HELIUM_DEVSERVER_URL is set by the test runner');
  const client = new HeliumClient({ baseUrl: backend, accessToken: token });
  const health = await client.health();
  assert.equal(health.status, 'ok');
  const started = await client.initiateAgent({ prompt: 'hello from node esm' });
  let text = '';
  let last;
  let count = 0;
  for await (const event of client.streamAgentRun(started.agent_run_id)) {
    count += 1;
    if (event.kind === 'assistant_chunk') text += event.text;
    last = event;
  }
  assert.ok(count >= 27, `events: ${count}`);
  assert.equal(last.kind, 'run_status');
  assert.equal(last.state, 'completed');
  assert.match(text, /hello from node esm/);
  const run = await client.getAgentRun(started.agent_run_id);
  assert.equal(run.status, 'completed');
  await assert.rejects(client.getAgentRun('no-such-run'), (err) => err.kind === 'not_found' && err.status === 404);
});

test('JSON that JSON.parse accepts but the native decoder refuses is a decode error here too', async () => {
  // A 100 000-deep array and numbers outside f64's range parse in V8 (the numbers as Infinity); natively they
  // are decode errors, and the package gives the same error instead of a value that is not a run.
  const bodies = {
    '/api/agent-run/deep': '['.repeat(100_000) + ']'.repeat(100_000),
    '/api/agent-run/infinite': '{"id": "r", "status": "completed", "started_at": 1e999999}',
    '/api/agent-run/digits': `{"id": "r", "status": "completed", "n": ${'9'.repeat(100_001)}}`,
    '/api/agent-run/fine': '{"id": "r", "status": "completed", "thread_id": "t", "n": 1e308, "s": "[[[1e999"}',
    // JSON.parse gives a string with a lone surrogate; serde_json refuses it.
    '/api/agent-run/surrogate': '{"id": "r", "status": "completed", "error": "\\ud800"}',
  };
  const server = createServer((req, res) => {
    if (req.url.startsWith('/api/agent-run/big/stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: {"type": "status", "status": "running", "pad": "${'x'.repeat(5000)}"}\n\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(bodies[req.url] ?? '{}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new HeliumClient({ baseUrl: `http://127.0.0.1:${server.address().port}/api`, accessToken: token });
    await assert.rejects(client.getAgentRun('deep'), (err) =>
      err.kind === 'decode' && /nested deeper than 127/.test(err.message));
    await assert.rejects(client.getAgentRun('surrogate'), (err) =>
      err.kind === 'decode' && /unpaired surrogate/.test(err.message));
    for (const id of ['infinite', 'digits']) {
      await assert.rejects(client.getAgentRun(id), (err) =>
        err.kind === 'decode' && /number in the JSON is out of range/.test(err.message), id);
    }
    const small = new HeliumClient({
      baseUrl: `http://127.0.0.1:${server.address().port}/api`, accessToken: token, maxResponseSize: 1000 });
    await assert.rejects(small.getAgentRun('deep'), (err) => err.kind === 'decode' && err.code === 'body_too_large');
    await assert.rejects(async () => {
      for await (const _ of client.streamAgentRun('big', { maxEventSize: 1000, maxReconnects: 0 })) { /* none */ }
    }, (err) => err.kind === 'stream' && /exceeds the maximum size of 1000 bytes/.test(err.message));
    const fine = await client.getAgentRun('fine');
    assert.equal(fine.n, 1e308);
    assert.equal(fine.s, '[[[1e999');
  } finally {
    server.close();
  }
});

test('events that arrive in one chunk come out one by one, then the error that followed them', async () => {
  const item = (i) => `data: {"type": "assistant", "sequence": ${i}, "content": "{\\"content\\": \\"t${i}\\"}", ` +
    `"metadata": "{\\"stream_status\\": \\"chunk\\"}"}\n\n`;
  const bodies = {
    // Five items and a broken one in a single write.
    '/api/agent-run/broken/stream': `${[0, 1, 2, 3, 4].map(item).join('')}data: {"type": oops}\n\n`,
    // Many items in one write, then the run's end.
    '/api/agent-run/many/stream': `${Array.from({ length: 50 }, (_, i) => item(i)).join('')}` +
      'data: {"type": "status", "status": "completed", "message": "done"}\n\n',
  };
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(bodies[req.url.split('?')[0]] ?? '');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new HeliumClient({ baseUrl: `http://127.0.0.1:${server.address().port}/api`, accessToken: token });
    const seen = [];
    await assert.rejects(async () => {
      for await (const event of client.streamAgentRun('broken', { maxReconnects: 0 })) seen.push(event.text);
    }, (err) => err.kind === 'stream' && /not JSON|expected value/i.test(err.message));
    assert.deepEqual(seen, ['t0', 't1', 't2', 't3', 't4']);

    const all = [];
    for await (const event of client.streamAgentRun('many', { verifyFinalState: false })) all.push(event);
    assert.equal(all.length, 51);
    assert.deepEqual(all.slice(0, 50).map((e) => e.sequence), Array.from({ length: 50 }, (_, i) => i));
    assert.equal(all[49].raw.sequence, 49);
    assert.deepEqual(all[50], {
      kind: 'run_status', state: 'completed', message: 'done',
      raw: { type: 'status', status: 'completed', message: 'done' },
    });

    // `break` in the middle of a chunk: the events still held are dropped with the stream.
    const events = client.streamAgentRun('many', { verifyFinalState: false });
    let taken = 0;
    for await (const _event of events) {
      taken += 1;
      if (taken === 3) break;
    }
    assert.equal(taken, 3);
    assert.deepEqual(await events.next(), { done: true, value: undefined });
  } finally {
    server.close();
  }
});

test('fromReadableStream: the events of one chunk in order, then the forwarded failure after them', async () => {
  const item = (i) => `data: {"type": "assistant", "sequence": ${i}, "content": "{\\"content\\": \\"f${i}\\"}", ` +
    `"metadata": "{\\"stream_status\\": \\"chunk\\"}"}\n\n`;
  const oneChunk = (text) => new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  const failure = 'event: error\ndata: {"kind": "network", "message": "the backend went away", "requestId": "rid-7"}\n\n';
  const seen = [];
  await assert.rejects(async () => {
    for await (const event of fromReadableStream(oneChunk(`${[0, 1, 2].map(item).join('')}${failure}${item(3)}`))) {
      seen.push(event.text);
    }
  }, (err) => isHeliumError(err) && err.kind === 'network' && err.requestId === 'rid-7' && /went away/.test(err.message));
  assert.deepEqual(seen, ['f0', 'f1', 'f2']);

  // A terminal item ends the stream: what follows it in the same chunk is not read.
  const after = [];
  const ended = `${item(0)}data: {"type": "status", "status": "completed", "message": "done"}\n\n${item(1)}`;
  for await (const event of fromReadableStream(new Response(oneChunk(ended)))) after.push(event.kind);
  assert.deepEqual(after, ['assistant_chunk', 'run_status']);
});

test('break cancels the stream', async () => {
  const client = HeliumClient.fromEnv({ env: { NEXT_PUBLIC_BACKEND_URL: `${backend}/api` }, accessToken: token });
  const started = await client.initiateAgent({ prompt: '[hold] break me' });
  let seen = 0;
  for await (const _event of client.streamAgentRun(started.agent_run_id)) {
    seen += 1;
    if (seen === 3) break;
  }
  assert.equal(seen, 3);
  const stopped = await client.stopAgentRun(started.agent_run_id);
  assert.equal(stopped.status, 'stopped');
});

test('AgentStreamDecoder decodes recorded stream bytes in any chunking', () => {
  const sample = readFileSync(new URL('../../../crates/helium-devserver/fixtures/stream_sample.sse', import.meta.url));
  for (const size of [1, 7, 4096, sample.length]) {
    const decoder = new AgentStreamDecoder();
    const events = [];
    for (let i = 0; i < sample.length; i += size) events.push(...decoder.push(sample.subarray(i, i + size)));
    assert.equal(decoder.finish(), false);
    assert.equal(events.length, 27, `chunk size ${size}`);
    assert.equal(events[2].kind, 'assistant_chunk');
    assert.equal(events[2].text, "I'll create");
    // Each event carries the item as sent, as streamAgentRun's do.
    assert.deepEqual(events.at(-1), {
      kind: 'run_status',
      state: 'completed',
      message: 'Agent run completed successfully',
      raw: { type: 'status', status: 'completed', message: 'Agent run completed successfully' },
    });
  }
  const bad = new AgentStreamDecoder();
  assert.throws(() => bad.push(new TextEncoder().encode('data: not json\n\n')), (err) => err.kind === 'stream');
});

test('raw: false leaves out each event\'s raw item and nothing else, in all three stream functions', async () => {
  const sample = readFileSync(new URL('../../../crates/helium-devserver/fixtures/stream_sample.sse', import.meta.url));
  const withoutRaw = ({ raw, ...rest }) => rest;
  const decode = (options) => {
    const decoder = new AgentStreamDecoder(options);
    const events = [];
    for (let i = 0; i < sample.length; i += 1000) events.push(...decoder.push(sample.subarray(i, i + 1000)));
    decoder.free();
    return events;
  };
  const full = decode();
  const lean = decode({ raw: false });
  assert.equal(lean.length, 27);
  assert.ok(full.every((e) => typeof e.raw === 'object' && e.raw !== null));
  assert.ok(lean.every((e) => !('raw' in e)));
  assert.deepEqual(lean, full.map(withoutRaw));
  // Unset is the default; a value that is not a boolean is refused, not taken as truthy.
  assert.deepEqual(decode({ raw: undefined }), full);
  assert.deepEqual(decode({ raw: null }), full);
  assert.deepEqual(decode({ raw: true }), full);
  assert.throws(() => new AgentStreamDecoder({ raw: 'no' }), (err) => isHeliumError(err) && err.kind === 'invalid_request' && /raw/.test(err.message));
  assert.throws(() => new AgentStreamDecoder(false), (err) => isHeliumError(err) && err.kind === 'invalid_request' && /options/.test(err.message));
  assert.throws(() => fromReadableStream(new ReadableStream(), 'raw'), (err) => isHeliumError(err) && err.kind === 'invalid_request');
  assert.deepEqual(decode(null), full);
  // Text beyond ASCII, escapes and a large event come out whole, with and without raw.
  const text = `héllo "wörld" 😀\n\\ <tag>${'x'.repeat(200_000)}`;
  const item = {
    type: 'assistant', sequence: 3, thread_id: 't-é',
    content: JSON.stringify({ role: 'assistant', content: text }),
    metadata: JSON.stringify({ stream_status: 'chunk', thread_run_id: 'tr-😀' }),
  };
  for (const options of [undefined, { raw: false }]) {
    const decoder = new AgentStreamDecoder(options);
    const bytes = new TextEncoder().encode(`data: ${JSON.stringify(item)}\n\n`);
    const [event, ...more] = [...decoder.push(bytes.subarray(0, 1001)), ...decoder.push(bytes.subarray(1001))];
    decoder.free();
    assert.equal(more.length, 0);
    assert.deepEqual(withoutRaw(event), { kind: 'assistant_chunk', sequence: 3, text, thread_run_id: 'tr-😀', thread_id: 't-é' });
    assert.deepEqual(event.raw, options ? undefined : item);
  }
  // RunTranscript reads events without raw to the same result, and refuses what is not an event.
  const summary = (events) => {
    const t = new RunTranscript();
    for (const e of events) t.push(e);
    const out = {
      prose: t.prose(), finalText: t.finalText(), liveText: t.liveText(), segments: t.segments(),
      messages: t.messages(), tools: t.tools(), errors: t.errors(), terminal: t.terminal, count: t.eventCount,
    };
    t.free();
    return out;
  };
  const withRaw = summary(full);
  assert.equal(withRaw.count, 27);
  assert.ok(withRaw.prose.length > 0 && withRaw.tools.length > 0 && withRaw.terminal.kind === 'run_status');
  assert.deepEqual(summary(lean), withRaw);
  // Halfway through a turn too (the live text), and with a tool's error and a run-level error along the way.
  assert.deepEqual(summary(lean.slice(0, 12)), summary(full.slice(0, 12)));
  const more = [
    { kind: 'message_error', message: 'the LLM stream broke', thread_run_id: 'tr-1' },
    { kind: 'run_status', state: 'error', message: 'a step failed' },
    { kind: 'control', signal: 'STOP' },
  ];
  const t2 = summary([...lean.slice(0, 5), ...more]);
  assert.deepEqual(t2.errors, ['the LLM stream broke', 'a step failed']);
  assert.deepEqual(t2.terminal, { kind: 'control', signal: 'STOP' });
  const transcript = new RunTranscript();
  for (const bad of [{}, { raw: full[2].raw }, null, 'text', { kind: 'run_status', state: 'gone' }, { kind: 'assistant_chunk', sequence: -1, text: 'x' }, { kind: 'tool' }]) {
    assert.throws(() => transcript.push(bad), (err) => isHeliumError(err) && err.kind === 'invalid_request', JSON.stringify(bad));
  }
  assert.equal(transcript.eventCount, 0);
  transcript.free();

  const oneChunk = () => new ReadableStream({
    start(controller) {
      controller.enqueue(new Uint8Array(sample));
      controller.close();
    },
  });
  const forwarded = [];
  for await (const event of fromReadableStream(oneChunk(), { raw: false })) forwarded.push(event);
  assert.deepEqual(forwarded, lean);

  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(sample);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new HeliumClient({ baseUrl: `http://127.0.0.1:${server.address().port}/api`, accessToken: token });
    const streamed = [];
    for await (const event of client.streamAgentRun('run-1', { raw: false, verifyFinalState: false })) streamed.push(event);
    assert.deepEqual(streamed, lean);
    assert.throws(() => client.streamAgentRun('run-1', { raw: 1 }), (err) => err.kind === 'invalid_request');
    client.free();
  } finally {
    server.close();
  }
});

test('the Node entry runs the build compiled for speed: other bytes than the browser file, the same exports, the same events', async () => {
  const dir = path.dirname(createRequire(import.meta.url).resolve('@helium-ai/sdk/package.json'));
  const browserWasm = readFileSync(path.join(dir, 'dist/web/helium_sdk_bg.wasm'));
  const nodeWasm = Buffer.from(JSON.parse(readFileSync(path.join(dir, 'dist/node/wasm_inline.json'), 'utf8')), 'base64');
  assert.ok(!nodeWasm.equals(browserWasm), 'the Node entry carries a copy of the browser build');
  assert.ok(nodeWasm.length > browserWasm.length, 'the speed build is the larger one');
  const browser = await import(pathToFileURL(path.join(dir, 'dist/web/helium_sdk.js')).href);
  browser.initSync({ module: browserWasm });
  const names = (m) => Object.keys(m).filter((k) => !['default', 'init', 'isReady'].includes(k)).sort();
  assert.deepEqual(names(nodeEntry), names(browser));
  const sample = readFileSync(new URL('../../../crates/helium-devserver/fixtures/stream_sample.sse', import.meta.url));
  const decode = (Decoder) => {
    const decoder = new Decoder();
    const events = [];
    for (let i = 0; i < sample.length; i += 100) events.push(...decoder.push(sample.subarray(i, i + 100)));
    return { events, incomplete: decoder.finish() };
  };
  const fromNode = decode(AgentStreamDecoder);
  assert.equal(fromNode.events.length, 27);
  assert.deepEqual(decode(browser.AgentStreamDecoder), fromNode);
  // And the same errors: an item that is not JSON, and one nested past serde_json's limit.
  for (const item of ['not json', `${'['.repeat(200)}${']'.repeat(200)}`]) {
    const failure = (Decoder) => {
      try {
        new Decoder().push(new TextEncoder().encode(`data: ${item}\n\n`));
      } catch (err) {
        return { name: err.name, kind: err.kind, message: err.message };
      }
      return null;
    };
    const nodeFailure = failure(AgentStreamDecoder);
    assert.equal(nodeFailure?.kind, 'stream', item);
    assert.deepEqual(failure(browser.AgentStreamDecoder), nodeFailure);
  }
});

test('a conversation: follow-up, messages through supabase-js (postgrest-js) with the SDK\'s config, cascade delete', async () => {
  const anonKey = process.env.HELIUM_E2E_ANON_KEY;
  assert.ok(anonKey, 'HELIUM_E2E_ANON_KEY is set by the test runner');
  const env = { NEXT_PUBLIC_SUPABASE_URL: backend, NEXT_PUBLIC_SUPABASE_ANON_KEY: anonKey };
  const client = new HeliumClient({ baseUrl: backend, accessToken: token, env });
  // Every declared operation is a method.
  assert.equal(typeof client.listThreads, 'function');
  assert.equal(typeof client.healthDocker, 'function');
  const started = await client.initiateAgent({ prompt: 'first from node' });
  const transcript = new RunTranscript();
  for await (const event of client.streamAgentRun(started.agent_run_id)) transcript.push(event);
  assert.ok(transcript.prose().includes('first from node'));
  assert.ok(!transcript.prose().includes('<function_calls>'));
  const follow = await client.followUp(started.thread_id, 'second from node');
  let second = '';
  for await (const event of client.streamAgentRun(follow.agent_run_id)) if (event.kind === 'assistant_chunk') second += event.text;
  assert.match(second, /second from node/);

  // supabase-js, configured by the SDK, reads the same rows the SDK's data API reads.
  const { url, key } = supabaseClientConfig({ runtime: 'client', env });
  assert.equal(key, anonKey);
  assert.throws(() => supabaseClientConfig({ runtime: 'client', env, serviceRole: true }), (e) => e.code === 'secret_key_in_client');
  const supabase = new PostgrestClient(`${url}/rest/v1`, { headers: { apikey: key, Authorization: `Bearer ${token}` } });
  const { data, error } = await supabase
    .from('messages')
    .select('*, agents:agent_id(name,avatar,avatar_color)')
    .eq('thread_id', started.thread_id)
    .neq('type', 'cost')
    .neq('type', 'summary')
    .order('created_at', { ascending: true });
  assert.equal(error, null);
  const users = data.filter((m) => m.type === 'user').map((m) => parseContent(m.content).content);
  assert.deepEqual(users, ['first from node', 'second from node']);
  const viaSdk = [];
  for await (const row of client.iterateMessageRows(started.thread_id)) viaSdk.push(row.message_id);
  assert.deepEqual(viaSdk, data.map((m) => m.message_id));

  await client.deleteThread(started.thread_id);
  const err = await client.getThreadRow(started.thread_id).catch((e) => e);
  assert.ok(isHeliumError(err) && err.kind === 'not_found' && err.code === 'PGRST116', String(err));
});

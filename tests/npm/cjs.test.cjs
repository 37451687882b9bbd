// The packed npm package from plain Node CommonJS: the `node`/`require` entry.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const sdk = require('@helium-ai/sdk');

const backend = process.env.HELIUM_DEVSERVER_URL;
const token = process.env.HELIUM_E2E_TOKEN;

test('resolution on the server (CommonJS)', async () => {
  await sdk.init();
  assert.equal(sdk.detectRuntime(), 'server');
  const r = sdk.resolveBackendUrl({ env: { NEXT_PUBLIC_BACKEND_URL: 'http://localhost:8000/api/' } });
  assert.equal(r.url, 'http://localhost:8000/api');
  assert.equal(r.apiRoot, 'http://localhost:8000/api');
  assert.equal(r.source, 'NEXT_PUBLIC_BACKEND_URL');
});

test('health and a short stream (CommonJS)', async () => {
  const client = new sdk.HeliumClient({ baseUrl: backend, accessToken: token });
  assert.equal((await client.health()).status, 'ok');
  const started = await client.initiateAgent({ prompt: 'hello from cjs' });
  const kinds = [];
  for await (const event of client.streamAgentRun(started.agent_run_id)) kinds.push(event.kind);
  assert.equal(kinds[0], 'thread_run_start');
  assert.equal(kinds[kinds.length - 1], 'run_status');
});

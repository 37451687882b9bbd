// A Cloudflare Worker using the packed SDK (resolved through the package's `workerd` condition: the wasm is
// imported as a WebAssembly.Module, no compile from bytes). Workers have no process.env: the backend URL and
// the token come from the Worker's `env` bindings.
import { HeliumClient, RunTranscript, detectRuntime, fromReadableStream, resolveBackendUrl } from '@helium-ai/sdk';

function clientFor(env, extra = {}) {
  return new HeliumClient({ baseUrl: env.HELIUM_BACKEND_URL, accessToken: env.HELIUM_ACCESS_TOKEN, ...extra });
}

async function startRun(client, prompt) {
  const started = await client.initiateAgent({ prompt });
  return started.agent_run_id;
}

const routes = {
  // Configuration and a plain call.
  async '/health'(env) {
    const resolved = resolveBackendUrl({ env: { BACKEND_INTERNAL_URL: env.HELIUM_BACKEND_URL } });
    const client = clientFor(env);
    try {
      const health = await client.health();
      return { runtime: detectRuntime(), source: resolved.source, health: health.status };
    } finally {
      client.free();
    }
  },
  // A whole run, streamed in the Worker; hooks see each request.
  async '/run'(env, url) {
    const seen = [];
    const client = clientFor(env, { onResponse: (info) => seen.push(`${info.method} ${info.path} ${info.status}`) });
    const transcript = new RunTranscript();
    try {
      const id = await startRun(client, url.searchParams.get('prompt') ?? 'hello from a worker');
      let last;
      for await (const event of client.streamAgentRun(id)) {
        transcript.push(event);
        last = event;
      }
      return { prose: transcript.prose(), last, requests: seen };
    } finally {
      transcript.free();
      client.free();
    }
  },
  // A typed error.
  async '/error'(env) {
    const client = clientFor(env);
    try {
      await client.getAgentRun('no-such-run');
      return { thrown: false };
    } catch (error) {
      return { thrown: true, name: error.name, kind: error.kind, status: error.status };
    } finally {
      client.free();
    }
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    // Forwarding: the run as text/event-stream, read back with fromReadableStream by the test.
    if (url.pathname === '/forward') {
      const client = clientFor(env);
      try {
        const id = await startRun(client, 'forwarded by a worker');
        return new Response(client.streamAgentRun(id).toReadableStream(), {
          headers: { 'content-type': 'text/event-stream' },
        });
      } finally {
        client.free();
      }
    }
    // Reads the Worker's own forwarded stream back, as a browser would.
    if (url.pathname === '/forward-roundtrip') {
      const response = await fetch(new URL('/forward', url));
      const kinds = [];
      for await (const event of fromReadableStream(response)) kinds.push(event.kind);
      return Response.json({ kinds });
    }
    const route = routes[url.pathname];
    if (!route) return new Response('not found', { status: 404 });
    try {
      return Response.json(await route(env, url));
    } catch (error) {
      return Response.json({ error: String(error), kind: error?.kind }, { status: 500 });
    }
  },
};

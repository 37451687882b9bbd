// Edge route handler (`runtime = 'edge'`): the same `edge-light` entry as the middleware. The wasm is
// instantiated from the imported WebAssembly.Module; the client reads BACKEND_INTERNAL_URL on the server side.
import { HeliumClient, detectRuntime, resolveBackendUrl } from '@helium-ai/sdk';
import { errorKind } from '../../errors';

export const runtime = 'edge';
export const dynamic = 'force-dynamic';

export async function GET() {
  const resolved = resolveBackendUrl();
  const client = HeliumClient.fromEnv();
  try {
    const health = await client.health();
    return Response.json({ runtime: detectRuntime(), source: resolved.source, url: resolved.url, health: health.status });
  } catch (error) {
    return Response.json({ runtime: detectRuntime(), source: resolved.source, error: errorKind(error) }, { status: 502 });
  } finally {
    client.free();
  }
}

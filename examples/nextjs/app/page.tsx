// Server component: runs on the server for every request. On the server the SDK's Node entry is used (the
// wasm is inlined and ready on import), and the wasm reads process.env itself, so BACKEND_INTERNAL_URL wins
// over NEXT_PUBLIC_BACKEND_URL here.
import { HeliumClient, resolveBackendUrl } from '@helium-ai/sdk';
import { errorKind } from './errors';
import RunPanel from './run-panel';

export const dynamic = 'force-dynamic';

async function backendHealth(): Promise<string> {
  try {
    const client = HeliumClient.fromEnv();
    try {
      const health = await client.health();
      return health.status;
    } finally {
      client.free();
    }
  } catch (error) {
    return `error: ${errorKind(error)}`;
  }
}

export default async function Page() {
  let serverUrl: string;
  let serverSource: string;
  try {
    const resolved = resolveBackendUrl();
    serverUrl = resolved.url;
    serverSource = resolved.source;
  } catch (error) {
    serverUrl = `error: ${errorKind(error)}`;
    serverSource = '-';
  }
  const health = await backendHealth();

  // The token the browser uses to read the stream. In a real app this is the signed-in user's Supabase access
  // token (from the session cookie); this example hands over a dev token from a server-only variable. It is
  // rendered per request (force-dynamic), so it never ends up in the static client bundle.
  const accessToken = process.env.HELIUM_ACCESS_TOKEN ?? process.env.NEXT_PUBLIC_DEMO_TOKEN ?? null;

  return (
    <main>
      <h1>@helium-ai/sdk in Next.js</h1>
      <section>
        <h2>Server component</h2>
        <dl>
          <dt>Backend URL (server)</dt>
          <dd id="server-url">{serverUrl}</dd>
          <dt>Source</dt>
          <dd id="server-source">{serverSource}</dd>
          <dt>Backend health</dt>
          <dd id="server-health">{health}</dd>
        </dl>
      </section>
      <RunPanel accessToken={accessToken} />
    </main>
  );
}

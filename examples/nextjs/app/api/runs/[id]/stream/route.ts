// Node route handler that forwards a run's stream to the browser: the backend stream is read here with the
// server's credentials and handed on as `text/event-stream`. The browser reads it from this app's own origin
// (`fromReadableStream` in run-panel.tsx): no token in the browser, no cross-origin request. When the browser
// goes away, Next cancels the body, which aborts the fetch to the backend.
import { HeliumClient } from '@helium-ai/sdk';
import { errorKind, isHeliumError } from '../../../../errors';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const header = request.headers.get('authorization');
  const accessToken = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : process.env.HELIUM_ACCESS_TOKEN;
  if (!accessToken) {
    return Response.json({ kind: 'unauthorized', message: 'no Authorization header and no HELIUM_ACCESS_TOKEN' }, { status: 401 });
  }
  let client: HeliumClient | undefined;
  try {
    client = HeliumClient.fromEnv({ accessToken });
    // The stream keeps what it needs of the client; the request's signal ends it if the browser disconnects.
    const events = client.streamAgentRun(id, { signal: request.signal });
    return new Response(events.toReadableStream(), {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  } catch (error) {
    const status = isHeliumError(error) && typeof error.status === 'number' ? error.status : 500;
    return Response.json({ kind: errorKind(error) }, { status });
  } finally {
    client?.free();
  }
}

// Route handler: starts an agent run on the server and returns its ids. The credentials come from the
// request's `Authorization: Bearer …` header if present, else from the server-only HELIUM_ACCESS_TOKEN.
import { HeliumClient } from '@helium-ai/sdk';
import { errorKind, isHeliumError } from '../../errors';

export const dynamic = 'force-dynamic';

function errorResponse(kind: string, status: number, message?: string) {
  return Response.json({ kind, status, message }, { status });
}

export async function POST(request: Request) {
  let prompt: unknown;
  try {
    ({ prompt } = (await request.json()) as { prompt?: unknown });
  } catch {
    return errorResponse('invalid_request', 400, 'the body must be JSON: {"prompt": "…"}');
  }
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    return errorResponse('invalid_request', 400, 'prompt must be a non-empty string');
  }

  const header = request.headers.get('authorization');
  const accessToken = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : process.env.HELIUM_ACCESS_TOKEN;
  if (!accessToken) {
    return errorResponse('unauthorized', 401, 'no Authorization header and no HELIUM_ACCESS_TOKEN');
  }

  try {
    const client = HeliumClient.fromEnv({ accessToken });
    try {
      const initiated = await client.initiateAgent({ prompt });
      const agentRunId = initiated.agent_run_id ?? (await client.startAgent(initiated.thread_id)).agent_run_id;
      return Response.json({ thread_id: initiated.thread_id, agent_run_id: agentRunId });
    } finally {
      client.free();
    }
  } catch (error) {
    const kind = errorKind(error);
    const upstream = isHeliumError(error) ? error.status : undefined;
    // Backend answers keep their status; errors raised before or without an answer get the closest one.
    const local: Record<string, number> = { auth: 401, invalid_request: 400, config: 500, timeout: 504 };
    const status = typeof upstream === 'number' && upstream >= 400 && upstream <= 599 ? upstream : (local[kind] ?? 502);
    return errorResponse(kind, status, error instanceof Error ? error.message : String(error));
  }
}

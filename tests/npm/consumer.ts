// Compiled with `tsc --strict` against the packed tarball: the public types line up with real use.
import init, {
  HeliumClient,
  resolveBackendUrl,
  loadSupabaseConfig,
  detectRuntime,
  type ResolvedBackendUrl,
  type StreamEvent,
  type AgentRun,
  type Runtime,
} from '@helium-ai/sdk';

export async function demo(token: string): Promise<string> {
  await init();
  const runtime: Runtime = detectRuntime();
  const resolved: ResolvedBackendUrl = resolveBackendUrl({ runtime, env: { NEXT_PUBLIC_BACKEND_URL: undefined } });
  const apiRoot: string = resolved.apiRoot;
  const supabase = loadSupabaseConfig({ runtime: 'client' });
  const kind: 'anon_jwt' | 'service_role_jwt' | 'jwt' | 'publishable' | 'secret' = supabase.keyKind;
  const client = new HeliumClient({ baseUrl: apiRoot, getAccessToken: async () => token, timeoutMs: 5000 });
  const started = await client.initiateAgent({ prompt: 'typed', model_name: 'vertex_ai/gemini-2.5-pro' });
  const runId: string | null = started.agent_run_id;
  if (runId === null) return kind;
  const run: AgentRun = await client.getAgentRun(runId, { signal: new AbortController().signal });
  let text = run.status;
  for await (const event of client.streamAgentRun(runId)) {
    const e: StreamEvent = event;
    switch (e.kind) {
      case 'assistant_chunk':
        text += e.text + String(e.sequence);
        break;
      case 'run_status':
        text += e.state;
        break;
      case 'control':
        text += e.signal;
        break;
      default:
        break;
    }
  }
  const runs = await client.listAgentRuns(run.threadId);
  return text + runs.length;
}

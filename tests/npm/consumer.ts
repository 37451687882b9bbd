// Compiled with `tsc --strict` (skipLibCheck false, Next.js' default lib) against the packed tarball: the public
// types line up with real use, without casts.
import init, {
  HeliumClient,
  resolveBackendUrl,
  loadSupabaseConfig,
  diagnoseConfig,
  detectRuntime,
  splitAssistantText,
  isHeliumError,
  isBillingError,
  isRunLimitError,
  isAgentLimitError,
  type HeliumError,
  type HeliumErrorKind,
  type ResolvedBackendUrl,
  type StreamEvent,
  type RunEvent,
  type AgentRun,
  type Runtime,
  type HealthResponse,
  type FileInfo,
  type ApiKey,
  type Segment,
  type Database,
  supabaseClientConfig,
  parseContent,
  fromReadableStream,
  AgentStreamDecoder,
  type RunEventOptions,
  type RequestHookInfo,
  type ResponseHookInfo,
} from '@helium-ai/sdk';
import { createClient } from '@supabase/supabase-js';

// What a frontend already declares (contract §9): our results assign to it without casts.
interface HealthCheckResponse {
  status: string;
  timestamp: string;
}
interface FrontendFileInfo {
  name: string;
  path: string;
  is_dir: boolean;
  size: number;
  mod_time: string;
  permissions?: string | null;
}
interface FrontendApiKey {
  key_id: string;
  public_key: string;
  title: string;
  created_at: string;
}

function describe(error: unknown): string {
  if (isRunLimitError(error)) return `running: ${error.detail.running_thread_ids.join(',')} (${error.detail.running_count})`;
  if (isAgentLimitError(error)) return `agents: ${error.detail.current_count}/${error.detail.limit}`;
  if (isBillingError(error)) return `billing: ${JSON.stringify(error.detail.subscription)}`;
  if (isHeliumError(error)) {
    const e: HeliumError = error;
    const kind: HeliumErrorKind = e.kind;
    switch (kind) {
      case 'not_found':
        return `missing (${e.status ?? '-'}, wrapped ${e.wrappedStatus ?? '-'})`;
      case 'config':
        return `fix ${e.variable ?? '?'} (${e.code ?? '?'})`;
      case 'not_initialized':
        return 'await init() first';
      default:
        return `${kind}: ${e.message} ${e.requestId ?? ''}`;
    }
  }
  return String(error);
}

export async function demo(token: string): Promise<string> {
  await init();
  const runtime: Runtime = detectRuntime();
  const resolved: ResolvedBackendUrl = resolveBackendUrl({ runtime, env: { NEXT_PUBLIC_BACKEND_URL: undefined } });
  const apiRoot: string = resolved.apiRoot;
  const problems = diagnoseConfig({ runtime: 'server' }).problems.map((p) => `${p.severity} ${p.code} ${p.fix ?? ''}`);
  const supabase = loadSupabaseConfig({ runtime: 'client' });
  const kind: 'anon_jwt' | 'service_role_jwt' | 'jwt' | 'publishable' | 'secret' = supabase.keyKind;
  const client = new HeliumClient({ baseUrl: apiRoot, getAccessToken: async () => token, timeoutMs: 5000, fetchOptions: { cache: 'no-store' } });
  const health: HealthCheckResponse = await client.health();
  const fullHealth: HealthResponse = await client.healthDocker({ timeoutMs: 1000 });
  try {
    const started = await client.initiateAgent({ prompt: 'typed', model_name: 'vertex_ai/gemini-2.5-pro' });
    const runId: string | null = started.agent_run_id;
    if (runId === null) return kind;
    const run: AgentRun = await client.getAgentRun(runId, { signal: new AbortController().signal });
    let text = run.status + health.timestamp + fullHealth.status + problems.join();
    for await (const event of client.streamAgentRun(runId, { idleTimeoutMs: 60_000 })) {
      const withRaw: RunEvent = event;
      const e: StreamEvent = withRaw;
      switch (e.kind) {
        case 'assistant_chunk':
          text += e.text + String(e.sequence);
          break;
        case 'assistant_message': {
          const segments: Segment[] = splitAssistantText(e.text);
          for (const s of segments) text += s.kind === 'text' ? s.text : `${s.name}(${s.parameters.map((p) => p.value).join()})`;
          break;
        }
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
    const files: FrontendFileInfo[] = await client.listSandboxFiles('sandbox', '/workspace');
    const typedFiles: FileInfo[] = files.map((f) => ({ ...f, permissions: f.permissions ?? null }));
    const keys: FrontendApiKey[] = await client.listApiKeys();
    const fullKeys: ApiKey[] = await client.listApiKeys();
    return text + runs.length + typedFiles.length + keys.length + fullKeys.length;
  } catch (error) {
    return describe(error);
  }
}

// supabase-js with our Database type: every query is typed, the messages embed included.
export async function withSupabaseJs(threadId: string): Promise<string> {
  const { url, key } = supabaseClientConfig({ runtime: 'client' });
  const supabase = createClient<Database>(url, key);
  const { data, error } = await supabase
    .from('messages')
    .select('*, agents:agent_id(name,avatar,avatar_color)')
    .eq('thread_id', threadId)
    .neq('type', 'cost')
    .neq('type', 'summary')
    .order('created_at', { ascending: true })
    .range(0, 999);
  if (error) return error.code;
  const texts: string[] = (data ?? []).map((m) => {
    const agent: string | undefined = m.agents?.name;
    const content = parseContent(m.content);
    return `${m.type} ${agent ?? ''} ${JSON.stringify(content)}`;
  });
  const { data: project } = await supabase.from('projects').select('*').eq('project_id', 'p').single();
  const name: string | undefined = project?.name;
  const insert: Database['public']['Tables']['threads']['Insert'] = { project_id: 'p', account_id: 'a' };
  await supabase.from('threads').insert(insert);
  return texts.join('\n') + (name ?? '');
}

// A route handler forwarding a run, and the browser reading it; hooks, fetch options and a custom fetch.
export async function forwarding(runId: string): Promise<string> {
  const seen: string[] = [];
  const client = new HeliumClient({
    baseUrl: 'http://localhost:8000',
    accessToken: 'token',
    fetch: (input: string, init: RequestInit) => fetch(input, init),
    fetchOptions: { next: { revalidate: 60, tags: ['helium'] } },
    onRequest: (info: RequestHookInfo) => seen.push(`${info.method} ${info.path} ${info.attempt} ${info.requestId ?? ''}`),
    onResponse: (info: ResponseHookInfo) => seen.push(`${info.status ?? info.error ?? ''} ${info.durationMs}`),
  });
  const events = client.streamAgentRun(runId, { signal: AbortSignal.timeout(60_000) });
  const body: ReadableStream<Uint8Array> = events.toReadableStream();
  const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  const forwarded = fromReadableStream(response, { raw: true });
  const lean: RunEventOptions = { raw: false };
  const decoder = new AgentStreamDecoder(lean);
  const decoded: RunEvent[] = decoder.push(new Uint8Array(0));
  decoder.free();
  let last = decoded.length === 0 ? '' : decoded[0].kind;
  for await (const event of forwarded) {
    const withRaw: RunEvent = event;
    if (withRaw.kind === 'run_status') last = withRaw.state;
  }
  // `return()` is the async iterator's: a promise of the final result, as `for await` expects.
  const ended: IteratorResult<RunEvent, undefined> = await forwarded.return();
  const closing: Promise<IteratorResult<RunEvent, undefined>> = events.return();
  await closing;
  forwarded.close();
  client.free();
  return last + seen.join() + String(ended.done);
}

// The browser entry of @helium-ai/sdk as a plain ES module: the wasm starts loading on import and
// `await init()` waits for it. The backend and token come from the query string.
import { HeliumClient, RunTranscript, init } from '@helium-ai/sdk';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const backend = params.get('backend') || 'http://localhost:8000';
const token = params.get('token') || undefined;

/** The error's kind for HeliumErrors ("network", "unauthorized", …), else "unknown". */
const kindOf = (error) => (error && error.name === 'HeliumError' && error.kind) || 'unknown';

let client;

async function checkHealth() {
  try {
    const health = await client.health();
    $('health').textContent = health.status;
  } catch (error) {
    console.error(error);
    $('health').textContent = `error: ${kindOf(error)}`;
  }
}

async function startRun() {
  $('start').disabled = true;
  $('stream-text').textContent = '';
  $('run-id').textContent = '';
  $('stream-status').textContent = 'starting';
  try {
    const { thread_id: threadId, agent_run_id: initialRunId } = await client.initiateAgent({ prompt: $('prompt').value });
    const runId = initialRunId ?? (await client.startAgent(threadId)).agent_run_id;
    $('run-id').textContent = runId;
    $('stream-status').textContent = 'streaming';
    let terminal = 'ended';
    // The transcript turns the chunks into prose (tool-call XML left out); tools get one line each. Only the typed
    // fields are read, so the events come without their raw items.
    const transcript = new RunTranscript();
    $('tools').textContent = '';
    for await (const event of client.streamAgentRun(runId, { raw: false })) {
      transcript.push(event);
      if (event.kind === 'assistant_chunk' || event.kind === 'assistant_message') {
        $('stream-text').textContent = transcript.prose();
      } else if (event.kind === 'tool' && event.phase !== 'started') {
        const line = document.createElement('li');
        line.textContent = `${event.phase === 'completed' ? '✓' : '✗'} ${event.function_name ?? event.xml_tag_name ?? 'tool'}`;
        $('tools').append(line);
      } else if (event.kind === 'run_status') {
        terminal = event.state;
      } else if (event.kind === 'control') {
        terminal = event.signal;
      }
    }
    transcript.free();
    $('stream-status').textContent = terminal;
  } catch (error) {
    console.error(error);
    $('stream-status').textContent = `error: ${kindOf(error)}`;
  } finally {
    $('start').disabled = false;
  }
}

try {
  await init();
  client = new HeliumClient({ baseUrl: backend, accessToken: token });
  $('backend').textContent = client.apiRoot;
  $('start').addEventListener('click', startRun);
  $('start').disabled = false;
  await checkHealth();
} catch (error) {
  console.error(error);
  $('backend').textContent = `error: ${kindOf(error)}`;
  $('health').textContent = `error: ${kindOf(error)}`;
}

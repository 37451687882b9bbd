'use client';
// Client component: the browser entry of the SDK. The wasm starts loading when the module is imported;
// `await init()` waits for it. The NEXT_PUBLIC_* values are inlined by Next at build time.
import { useEffect, useState } from 'react';
import { HeliumClient, RunTranscript, init, resolveBackendUrl } from '@helium-ai/sdk';
import { errorKind } from './errors';

interface RunResponse {
  thread_id?: string;
  agent_run_id?: string;
  kind?: string;
  status?: number;
  message?: string;
}

export default function RunPanel({ accessToken }: { accessToken: string | null }) {
  const [clientUrl, setClientUrl] = useState('loading…');
  const [clientSource, setClientSource] = useState('');
  const [prompt, setPrompt] = useState('Build a landing page for a bakery');
  const [running, setRunning] = useState(false);
  const [text, setText] = useState('');
  const [tools, setTools] = useState<string[]>([]);
  const [status, setStatus] = useState('idle');
  const [runId, setRunId] = useState('');

  useEffect(() => {
    let cancelled = false;
    init()
      .then(() => {
        if (cancelled) return;
        const resolved = resolveBackendUrl();
        setClientUrl(resolved.url);
        setClientSource(resolved.source);
      })
      .catch((error: unknown) => {
        if (!cancelled) setClientUrl(`error: ${errorKind(error)}`);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  async function start() {
    setRunning(true);
    setText('');
    setTools([]);
    setRunId('');
    setStatus('starting');
    try {
      // 1. The run is started by our own route handler, on the server.
      const response = await fetch('/api/run', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      });
      const body = (await response.json()) as RunResponse;
      if (!response.ok || !body.agent_run_id) {
        setStatus(`error: ${body.kind ?? `http_${response.status}`}`);
        return;
      }
      setRunId(body.agent_run_id);

      // 2. The browser reads the stream straight from the backend (NEXT_PUBLIC_BACKEND_URL).
      await init();
      const client = HeliumClient.fromEnv({ accessToken: accessToken ?? undefined });
      // The transcript turns the chunks into prose (tool-call XML left out); tools get one line each.
      const transcript = new RunTranscript();
      try {
        setStatus('streaming');
        let terminal = 'ended';
        for await (const event of client.streamAgentRun(body.agent_run_id)) {
          transcript.push(event);
          if (event.kind === 'assistant_chunk' || event.kind === 'assistant_message') {
            setText(transcript.prose());
          } else if (event.kind === 'tool' && event.phase !== 'started') {
            const mark = event.phase === 'completed' ? '✓' : '✗';
            setTools((previous) => [...previous, `${mark} ${event.function_name ?? event.xml_tag_name ?? 'tool'}`]);
          } else if (event.kind === 'run_status') {
            terminal = event.state;
          } else if (event.kind === 'control') {
            terminal = event.signal;
          }
        }
        setStatus(terminal);
      } finally {
        transcript.free();
        client.free();
      }
    } catch (error) {
      setStatus(`error: ${errorKind(error)}`);
    } finally {
      setRunning(false);
    }
  }

  return (
    <section>
      <h2>Client component</h2>
      <dl>
        <dt>Backend URL (client)</dt>
        <dd id="client-url">{clientUrl}</dd>
        <dt>Source</dt>
        <dd id="client-source">{clientSource}</dd>
      </dl>
      <p>
        <input id="prompt" size={50} value={prompt} onChange={(event) => setPrompt(event.target.value)} />{' '}
        <button id="start" type="button" disabled={running} onClick={start}>
          Start a run
        </button>
      </p>
      <p>
        Run <code id="run-id">{runId}</code>: <strong id="stream-status">{status}</strong>
      </p>
      <pre id="stream-text" style={{ whiteSpace: 'pre-wrap', background: '#f4f4f4', padding: '1rem' }}>
        {text}
      </pre>
      <ul id="tools">
        {tools.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </section>
  );
}

'use client';
// Client component: the browser entry of the SDK. The wasm starts loading when the module is imported;
// `await init()` waits for it. The NEXT_PUBLIC_* values are inlined by Next at build time.
import { useEffect, useRef, useState } from 'react';
import { HeliumClient, RunTranscript, fromReadableStream, init, resolveBackendUrl } from '@helium-ai/sdk';
import type { RunEvent } from '@helium-ai/sdk';
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

  // Stops the forwarded watch: `break` in the loop cancels the body, and the route handler's fetch to the backend.
  const stopWatching = useRef<(() => void) | null>(null);

  /** Shows a run's events: prose through the transcript (tool-call XML left out), one line per tool. The panel reads
   * only the typed fields, so the streams below are opened with `{ raw: false }` (no copy of each item). */
  async function show(events: AsyncIterable<RunEvent>, stopped?: () => boolean) {
    const transcript = new RunTranscript();
    try {
      setStatus('streaming');
      let terminal = 'ended';
      for await (const event of events) {
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
        if (stopped?.()) break;
      }
      setStatus(stopped?.() ? 'stopped watching' : terminal);
    } finally {
      transcript.free();
    }
  }

  /** Starts a run through our own route handler (on the server); returns its id. */
  async function startRun(): Promise<string | null> {
    setRunning(true);
    setText('');
    setTools([]);
    setRunId('');
    setStatus('starting');
    const response = await fetch('/api/run', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt }),
    });
    const body = (await response.json()) as RunResponse;
    if (!response.ok || !body.agent_run_id) {
      setStatus(`error: ${body.kind ?? `http_${response.status}`}`);
      return null;
    }
    setRunId(body.agent_run_id);
    return body.agent_run_id;
  }

  /** The browser reads the stream straight from the backend (NEXT_PUBLIC_BACKEND_URL, CORS, the user's token). */
  async function start() {
    try {
      const id = await startRun();
      if (!id) return;
      await init();
      const client = HeliumClient.fromEnv({ accessToken: accessToken ?? undefined });
      try {
        await show(client.streamAgentRun(id, { raw: false }));
      } finally {
        client.free();
      }
    } catch (error) {
      setStatus(`error: ${errorKind(error)}`);
    } finally {
      setRunning(false);
    }
  }

  /** The browser reads the run from this app's route handler, which forwards the backend stream: same origin,
   * no token in the browser. */
  async function startForwarded() {
    let stop = false;
    try {
      const id = await startRun();
      if (!id) return;
      await init();
      const response = await fetch(`/api/runs/${encodeURIComponent(id)}/stream`);
      const events = fromReadableStream(response, { raw: false });
      // close() cancels the body at once, even while waiting for the next event.
      stopWatching.current = () => {
        stop = true;
        events.close();
      };
      await show(events, () => stop);
    } catch (error) {
      setStatus(`error: ${errorKind(error)}`);
    } finally {
      stopWatching.current = null;
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
        </button>{' '}
        <button id="start-forwarded" type="button" disabled={running} onClick={startForwarded}>
          Start and watch through this app
        </button>{' '}
        <button id="stop-watching" type="button" disabled={!running} onClick={() => stopWatching.current?.()}>
          Stop watching
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

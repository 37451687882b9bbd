//! `AgentRunStream`: reads `GET /agent-run/{id}/stream` with the Authorization header, parses it with the
//! SSE parser, decodes typed events, ends on the contract's terminal items and reconnects on a dropped
//! connection, skipping the items the server replays, so that every item is delivered exactly once, in order.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::Value;

use super::events::{RunState, StreamEvent};
use super::sse::{SseEvent, SseParser};
use crate::Client;
use crate::config::Runtime;
use crate::error::{Error, StreamCause};
use crate::http::{Head, failure_error};
use crate::models::{AgentRunId, AgentRunStatus};
use crate::platform;

/// How a dropped stream is resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Reconnect attempts after a drop before giving up (default 5); reset when new items arrive.
    pub max_attempts: u32,
    /// The first delay (default 1 s), doubled per attempt.
    pub initial_delay: Duration,
    /// The largest delay (default 30 s).
    pub max_delay: Duration,
    /// Ask `GET /agent-run/{id}` before reconnecting (default true): when the run has ended, reconnect at once
    /// to collect its remaining items and terminal event.
    pub check_status: bool,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            max_attempts: 5,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            check_status: true,
        }
    }
}

impl ReconnectPolicy {
    /// Never reconnect.
    pub fn none() -> ReconnectPolicy {
        ReconnectPolicy {
            max_attempts: 0,
            ..ReconnectPolicy::default()
        }
    }

    fn delay(&self, attempt: u32) -> Duration {
        platform::backoff(self.initial_delay, self.max_delay, attempt)
    }
}

/// Options of [`crate::api::RunsApi::stream_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamOptions {
    /// Reconnection (default [`ReconnectPolicy::default`]).
    pub reconnect: ReconnectPolicy,
    /// The largest single event accepted (default 16 MiB).
    pub max_event_size: usize,
    /// When set, a connection that delivers no bytes for this long is dropped and resumed like a dropped
    /// one (a half-open connection, a stalled proxy). Off by default: the backend sends no heartbeats and a
    /// tool may run for minutes without output.
    pub idle_timeout: Option<Duration>,
    /// Check the bare `{"type": "status", "status": "completed"}` (which the backend sends for any run that
    /// is no longer running, contract §6.2) against `GET /agent-run/{id}`, so that the final event says
    /// `failed` or `stopped` when the run really ended so (default true).
    pub verify_final_state: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            reconnect: ReconnectPolicy::default(),
            max_event_size: super::sse::DEFAULT_MAX_EVENT_SIZE,
            idle_timeout: None,
            verify_final_state: true,
        }
    }
}

impl StreamOptions {
    /// With this reconnect policy.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// With this event size limit.
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// With a read-idle timeout.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Whether to check a bare final `completed` against the run's status.
    pub fn verify_final_state(mut self, on: bool) -> Self {
        self.verify_final_state = on;
        self
    }
}

/// One stream item: the decoded event and the item's JSON as sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamItem {
    /// The typed event (for a verified final state, the state the run really ended in).
    pub event: StreamEvent,
    /// The item's `data` as sent.
    sent: String,
    /// For a verified final state: the item as the backend writes that state (what forwarded frames carry).
    verified_wire: Option<String>,
}

impl StreamItem {
    /// The item's JSON text as sent (with `content`/`metadata` still double-encoded, as on the wire).
    pub fn text(&self) -> &str {
        &self.sent
    }

    /// The item as sent, parsed (with `content`/`metadata` still double-encoded, as on the wire). Parsed on each
    /// call: the stream itself reads only the fields its events need.
    pub fn raw(&self) -> Value {
        // The text was read as JSON when the item arrived.
        serde_json::from_str(&self.sent).unwrap_or(Value::Null)
    }

    /// The item as one `text/event-stream` frame in the backend's own format (`data: {"type": …}` and a blank
    /// line), for a server that forwards a run to a browser: the frontend's parsers, `AgentStreamDecoder` and
    /// `fromReadableStream` read it like the backend's stream. Items arrive de-duplicated, so the frames carry
    /// no `id`.
    pub fn sse_frame(&self) -> String {
        let wire = self.verified_wire.as_deref().unwrap_or(&self.sent);
        let mut frame = String::with_capacity(wire.len() + 8);
        // An item's data is one JSON line (the backend's json.dumps escapes newlines); split defensively anyway.
        for line in wire.split('\n') {
            frame.push_str("data: ");
            frame.push_str(line.strip_suffix('\r').unwrap_or(line));
            frame.push('\n');
        }
        frame.push('\n');
        frame
    }
}

/// The future of one `next()` driven by the `Stream` impl: it owns the stream and hands it back.
type PendingNext = crate::platform::BoxFuture<'static, (Option<Result<StreamItem, Error>>, AgentRunStream)>;

/// The events of one agent run, in order, each exactly once across reconnects.
///
/// It is also a `futures_core::Stream` of `Result<StreamItem, Error>`. Dropping it closes the
/// connection; the run itself goes on (stop it with `client.runs().stop(id)`).
pub struct AgentRunStream {
    client: Client,
    run_id: AgentRunId,
    options: StreamOptions,
    connection: Option<(Head, SseParser)>,
    /// Fingerprints of the items delivered so far (the prefix the server replays on reconnect).
    delivered: Vec<u64>,
    /// Items of the current connection seen so far (replayed ones included).
    seen_in_connection: usize,
    pending: VecDeque<SseEvent>,
    attempts: u32,
    done: bool,
    /// The last SSE `id:` seen, sent as `Last-Event-ID` on reconnect (servers that number their events).
    last_event_id: Option<String>,
    /// Items delivered so far.
    delivered_count: usize,
    /// The ids delivered so far, for servers that number events (they resume instead of replaying).
    seen_ids: std::collections::HashSet<String>,
    /// The request id of the current connection.
    request_id: Option<String>,
    /// A terminal item taken by `next_buffered`, for `next` to deliver after its check.
    held: Option<StreamItem>,
    in_flight: Option<PendingNext>,
}

impl std::fmt::Debug for AgentRunStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentRunStream")
            .field("run_id", &self.run_id)
            .field("delivered", &self.delivered_count)
            .field("connected", &self.connection.is_some())
            .field("done", &self.done)
            .finish()
    }
}

/// What the next read of the connection gave.
enum Read {
    Bytes(bytes::Bytes),
    End,
    Failed(Error),
}

impl AgentRunStream {
    pub(crate) fn new(client: Client, run_id: AgentRunId, options: StreamOptions) -> AgentRunStream {
        AgentRunStream {
            client,
            run_id,
            options,
            connection: None,
            delivered: Vec::new(),
            seen_in_connection: 0,
            pending: VecDeque::new(),
            attempts: 0,
            done: false,
            last_event_id: None,
            delivered_count: 0,
            seen_ids: std::collections::HashSet::new(),
            request_id: None,
            held: None,
            in_flight: None,
        }
    }

    /// The run being streamed.
    pub fn run_id(&self) -> &AgentRunId {
        &self.run_id
    }

    /// How many items were delivered.
    pub fn delivered(&self) -> usize {
        self.delivered_count
    }

    /// Closes the connection; `next` then returns `None`. The run goes on.
    pub fn close(&mut self) {
        self.connection = None;
        self.done = true;
    }

    fn error(&self, cause: StreamCause) -> Error {
        Error::stream(self.run_id.as_str(), cause, self.request_id.clone())
    }

    async fn connect(&mut self, first: bool) -> Result<(), Error> {
        let mut call = crate::api::operations::stream_agent_run::call(None, self.run_id.as_str(), &())?;
        // `Last-Event-ID` only where no CORS applies: the backend's allow-list does not include it, and the
        // items are de-duplicated by id anyway.
        if let Some(id) = &self.last_event_id
            && self.client.runtime() == Runtime::Server
        {
            call = call.header("last-event-id", id.clone());
        }
        // The first connection follows the client's retry policy; later ones the reconnect policy.
        let mut settings = self.client.settings.clone();
        if !first {
            settings.retry = crate::http::RetryPolicy::none();
        }
        let head = self.client.pipeline.open(call, &settings).await?;
        self.request_id = head.request_id.clone();
        self.connection = Some((head, SseParser::with_max_event_size(self.options.max_event_size)));
        self.seen_in_connection = 0;
        Ok(())
    }

    /// The next event, `None` after the terminal one (or after `close`).
    ///
    /// # Errors
    /// `unauthorized`/`forbidden`/`not_found` when the stream cannot be opened; `stream` for an oversized event,
    /// a replay that does not match or is no longer available (the run ended while disconnected and its items
    /// expired), or a connection that could not be re-established within the policy.
    pub async fn next(&mut self) -> Option<Result<StreamItem, Error>> {
        if self.done {
            return None;
        }
        let result = self.next_inner().await;
        let result = match result {
            Ok(Some(item)) if item.event.is_terminal() => {
                self.close();
                let check = self.options.verify_final_state.then(|| self.client.clone());
                Ok(Some(verified(check, self.run_id.clone(), item).await))
            }
            Ok(None) | Err(_) => {
                self.close();
                result
            }
            Ok(Some(item)) => Ok(Some(item)),
        };
        result.transpose()
    }

    /// The next item already received, without waiting: `None` when the next one needs a read, or is the terminal
    /// item (which `next` delivers after checking it). Lets a caller take every item of a network chunk at once.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn next_buffered(&mut self) -> Option<Result<StreamItem, Error>> {
        if self.done || self.held.is_some() {
            return None;
        }
        while let Some(event) = self.pending.pop_front() {
            match self.accept(event) {
                Ok(None) => {}
                Ok(Some(item)) if item.event.is_terminal() => {
                    self.held = Some(item);
                    return None;
                }
                Ok(Some(item)) => return Some(Ok(item)),
                Err(e) => {
                    self.close();
                    return Some(Err(e));
                }
            }
        }
        None
    }

    async fn read(&mut self) -> Read {
        let idle = self.options.idle_timeout;
        let Some((head, _)) = self.connection.as_mut() else {
            return Read::End;
        };
        let chunk = match idle {
            Some(after) => match platform::timeout(after, head.body.chunk()).await {
                Some(r) => r,
                None => return Read::Failed(self.error(StreamCause::Idle(after))),
            },
            None => head.body.chunk().await,
        };
        match chunk {
            Ok(Some(bytes)) => Read::Bytes(bytes),
            Ok(None) => Read::End,
            Err(failure) => Read::Failed(failure_error(failure, &self.endpoint(), self.request_id.clone())),
        }
    }

    async fn next_inner(&mut self) -> Result<Option<StreamItem>, Error> {
        if let Some(item) = self.held.take() {
            return Ok(Some(item));
        }
        loop {
            while let Some(event) = self.pending.pop_front() {
                if let Some(item) = self.accept(event)? {
                    return Ok(Some(item));
                }
            }
            if self.connection.is_none() {
                let first = self.delivered_count == 0 && self.attempts == 0;
                if let Err(e) = self.connect(first).await {
                    if first || !self.reconnectable(&e) {
                        return Err(e);
                    }
                    self.wait_before_reconnect(e).await?;
                    continue;
                }
            }
            match self.read().await {
                Read::Bytes(bytes) => {
                    let mut events = Vec::new();
                    let parsed = match self.connection.as_mut() {
                        Some((_, parser)) => parser.feed(&bytes, &mut events),
                        None => Ok(()),
                    };
                    parsed.map_err(|e| self.error(StreamCause::Sse(e)))?;
                    self.pending.extend(events);
                }
                Read::End => {
                    self.connection = None;
                    let e = self.error(StreamCause::EndedEarly);
                    self.wait_before_reconnect(e).await?;
                }
                Read::Failed(e) if e.kind() == crate::ErrorKind::Aborted => return Err(e),
                Read::Failed(e) => {
                    self.connection = None;
                    self.wait_before_reconnect(e).await?;
                }
            }
        }
    }

    /// Skips replayed items, checks they match, decodes new ones.
    fn accept(&mut self, event: SseEvent) -> Result<Option<StreamItem>, Error> {
        if event.data.is_empty() {
            return Ok(None);
        }
        let decoded = StreamEvent::from_text(&event.data).map_err(|e| self.error(StreamCause::NotJson(e)))?;
        // Heartbeats are not part of the run (the frontend skips them too) and are never replayed.
        if decoded.is_ping() {
            return Ok(None);
        }
        match event.id.filter(|id| !id.is_empty()) {
            // A server that numbers its events resumes after `Last-Event-ID` (or replays): skip by id.
            Some(id) => {
                if !self.seen_ids.insert(id.clone()) {
                    return Ok(None);
                }
                self.last_event_id = Some(id);
            }
            // The Helium backend replays from the first item: skip what was delivered, checking it matches.
            None => {
                let index = self.seen_in_connection;
                self.seen_in_connection += 1;
                let print = platform::word_hash(event.data.as_bytes());
                if let Some(expected) = self.delivered.get(index) {
                    if *expected == print {
                        return Ok(None);
                    }
                    // The server replays its whole list before the end of a finished run, so a terminal item
                    // where a delivered one should be replayed means the list is gone (it expires after the
                    // run ends, contract §6.2): what followed the delivered items cannot be recovered.
                    if decoded.is_terminal() {
                        return Err(self.error(StreamCause::ReplayExpired {
                            delivered: self.delivered.len(),
                        }));
                    }
                    return Err(self.error(StreamCause::ReplayMismatch { index }));
                }
                self.delivered.push(print);
            }
        }
        self.attempts = 0;
        self.delivered_count += 1;
        Ok(Some(StreamItem {
            event: decoded,
            sent: event.data,
            verified_wire: None,
        }))
    }

    /// Transient failures are retried; a stream that ended early or went idle (kind `stream`) is resumed too.
    fn reconnectable(&self, e: &Error) -> bool {
        e.is_transient()
            || matches!(
                e.as_stream().map(|s| s.cause()),
                Some(StreamCause::EndedEarly | StreamCause::Idle(_))
            )
    }

    /// `GET http://host:port/api/agent-run/{id}/stream`, as errors name it.
    fn endpoint(&self) -> crate::error::Endpoint {
        let path = format!(
            "/agent-run/{}/stream",
            crate::http::encode_component(self.run_id.as_str())
        );
        crate::error::Endpoint::new("GET", &self.client.api_root().endpoint(&path))
    }

    async fn wait_before_reconnect(&mut self, cause: Error) -> Result<(), Error> {
        let policy = self.options.reconnect;
        if self.attempts >= policy.max_attempts {
            return Err(self.error(StreamCause::ReconnectsExhausted {
                attempts: self.attempts,
                last: Box::new(cause),
            }));
        }
        let attempt = self.attempts;
        self.attempts += 1;
        if policy.check_status
            && let Ok(run) = self.client.runs().get(self.run_id.clone()).await
            && run.status != AgentRunStatus::Running
        {
            // Ended: reconnect at once; the server replays the rest and ends the stream.
            return Ok(());
        }
        platform::sleep(policy.delay(attempt)).await;
        Ok(())
    }
}

/// The bare `completed` the backend sends for any run that is no longer running, replaced by the state the
/// run really ended in (`GET /agent-run/{id}`, asked through `client` when given). When that call fails, the
/// event stays as sent.
async fn verified(client: Option<Client>, run_id: AgentRunId, item: StreamItem) -> StreamItem {
    let bare = matches!(
        item.event,
        StreamEvent::RunStatus {
            state: RunState::Completed,
            message: None
        }
    );
    let Some(client) = client.filter(|_| bare) else {
        return item;
    };
    let Ok(run) = client.runs().get(run_id).await else {
        return item;
    };
    let state = match run.status {
        AgentRunStatus::Failed => RunState::Failed,
        AgentRunStatus::Stopped => RunState::Stopped,
        _ => return item,
    };
    // What the worker itself writes for that state, in the backend's spacing, for forwarded frames.
    let mut wire = format!(r#"{{"type": "status", "status": "{state}""#);
    if let Some(message) = &run.error {
        wire.push_str(r#", "message": "#);
        wire.push_str(&serde_json::to_string(message).unwrap_or_else(|_| "null".into()));
    }
    wire.push('}');
    StreamItem {
        event: StreamEvent::RunStatus {
            state,
            message: run.error,
        },
        sent: item.sent,
        verified_wire: Some(wire),
    }
}

impl futures_core::Stream for AgentRunStream {
    type Item = Result<StreamItem, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        let mut fut = match this.in_flight.take() {
            Some(f) => f,
            None => {
                if this.done {
                    return std::task::Poll::Ready(None);
                }
                let mut owned = std::mem::replace(
                    this,
                    AgentRunStream::new(this.client.clone(), this.run_id.clone(), this.options),
                );
                Box::pin(async move {
                    let item = owned.next().await;
                    (item, owned)
                })
            }
        };
        match std::future::Future::poll(fut.as_mut(), cx) {
            std::task::Poll::Ready((item, owned)) => {
                *this = owned;
                std::task::Poll::Ready(item)
            }
            std::task::Poll::Pending => {
                this.in_flight = Some(fut);
                std::task::Poll::Pending
            }
        }
    }
}

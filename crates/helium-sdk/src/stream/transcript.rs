use std::collections::BTreeMap;

use super::events::StreamEvent;
use super::run::AgentRunStream;
use super::tool_calls::{Segment, split_assistant_text, split_partial_assistant_text};
use crate::error::Error;

/// Accumulates a run's events: the live assistant text ordered by `sequence`, the saved assistant messages,
/// tool activity and the terminal event. Feed it every event with [`RunTranscript::push`], or let
/// [`AgentRunStream::collect_transcript`] do it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunTranscript {
    /// Chunks of the turn in progress, by sequence.
    live: BTreeMap<u64, String>,
    live_run: Option<crate::models::ThreadRunId>,
    messages: Vec<String>,
    tools: Vec<String>,
    errors: Vec<String>,
    terminal: Option<StreamEvent>,
    events: usize,
}

impl RunTranscript {
    /// A new, empty transcript.
    pub fn new() -> RunTranscript {
        RunTranscript::default()
    }

    /// Takes one event into account.
    pub fn push(&mut self, event: &StreamEvent) {
        self.events += 1;
        match event {
            StreamEvent::AssistantChunk {
                sequence,
                text,
                thread_run_id,
                ..
            } => {
                if *thread_run_id != self.live_run {
                    self.live.clear();
                    self.live_run = thread_run_id.clone();
                }
                self.live.insert(*sequence, text.clone());
            }
            StreamEvent::AssistantMessage { text, .. } => {
                self.messages.push(text.clone());
                self.live.clear();
                self.live_run = None;
            }
            StreamEvent::Tool {
                phase: super::ToolPhase::Started,
                function_name,
                ..
            } => {
                self.tools.push(function_name.clone().unwrap_or_default());
            }
            StreamEvent::MessageError { message, .. } => self.errors.push(message.clone()),
            StreamEvent::RunStatus {
                state: super::RunState::Error,
                message,
            } => {
                self.errors.push(message.clone().unwrap_or_default());
            }
            _ => {}
        }
        if event.is_terminal() {
            self.terminal = Some(event.clone());
        }
    }

    /// The text of the turn in progress, its chunks joined in `sequence` order (whatever order they came in).
    pub fn live_text(&self) -> String {
        self.live.values().map(String::as_str).collect()
    }

    /// The saved assistant messages, one per turn (including their XML tool calls).
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// All assistant text of the run: the saved messages joined by a blank line, followed by the live text of a
    /// turn that never got its saved message.
    pub fn final_text(&self) -> String {
        let mut parts: Vec<String> = self.messages.clone();
        let live = self.live_text();
        if !live.is_empty() {
            parts.push(live);
        }
        parts.join("\n\n")
    }

    /// All assistant text as prose and tool calls: the saved messages, then the turn in progress (its last,
    /// unfinished tag held back). See [`split_assistant_text`].
    pub fn segments(&self) -> Vec<Segment> {
        let mut out: Vec<Segment> = self
            .messages
            .iter()
            .flat_map(|m| split_assistant_text(m))
            .collect();
        out.extend(split_partial_assistant_text(&self.live_text()));
        out
    }

    /// The prose of [`RunTranscript::segments`] (what to show as the assistant's text, without tool-call XML).
    pub fn prose(&self) -> String {
        let mut out = String::new();
        for s in self.segments() {
            if let Segment::Text { text } = s {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push_str("\n\n");
                }
                out.push_str(text.trim_start_matches('\n'));
            }
        }
        out
    }

    /// The names of the tools started, in order.
    pub fn tools(&self) -> &[String] {
        &self.tools
    }

    /// Errors reported along the way (non-terminal `status: error` items and message errors).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// The terminal event, once the run has ended.
    pub fn terminal(&self) -> Option<&StreamEvent> {
        self.terminal.as_ref()
    }

    /// How many events were pushed.
    pub fn event_count(&self) -> usize {
        self.events
    }
}

impl AgentRunStream {
    /// Reads the stream to its end and returns the transcript (like the `finalText()` helpers of other SDKs).
    ///
    /// # Errors
    /// The first error of the stream.
    pub async fn collect_transcript(mut self) -> Result<RunTranscript, Error> {
        let mut transcript = RunTranscript::new();
        while let Some(item) = self.next().await {
            transcript.push(&item?.event);
        }
        Ok(transcript)
    }
}

//! Rendering an agent run's events: human-readable (text as it arrives, tool status lines, a spinner) or one
//! JSON object per event.

use helium_sdk::models::ThreadRunId;
use helium_sdk::stream::{
    ControlSignal, RunState, Segment, StreamEvent, StreamItem, ToolCall, ToolPhase, split_assistant_text,
    split_partial_assistant_text,
};

use crate::output::{Progress, out_line, out_str};

/// What was seen of a run.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    /// Events delivered.
    pub events: usize,
    /// Tools started, each name once, in order.
    pub tools: Vec<String>,
    /// The terminal state seen on the stream (`completed`, `failed`, `stopped`, or `ended` for END_STREAM).
    pub final_state: Option<String>,
    /// The terminal message, when any.
    pub final_message: Option<String>,
}

/// Renders events as they arrive.
#[derive(Debug)]
pub struct Renderer {
    json: bool,
    progress: Progress,
    stats: RunStats,
    /// Assistant text was printed and the cursor is not at the start of a line.
    mid_line: bool,
    /// The turn whose chunks are being shown, its text so far, and how much of its prose was printed.
    turn: Option<ThreadRunId>,
    turn_text: String,
    printed_prose: usize,
    /// The tool calls written by the last turn, for the tool status line.
    calls: Vec<ToolCall>,
}

impl Renderer {
    /// A renderer; `json` prints one JSON object per event and nothing else, `spinner` asks for the
    /// progress line (drawn only on a terminal).
    pub fn new(json: bool, spinner: bool) -> Renderer {
        Renderer {
            json,
            progress: Progress::new(spinner && !json),
            stats: RunStats::default(),
            mid_line: false,
            turn: None,
            turn_text: String::new(),
            printed_prose: 0,
            calls: Vec::new(),
        }
    }

    /// What was seen so far.
    pub fn stats(&self) -> &RunStats {
        &self.stats
    }

    /// Shows the spinner with a message (human mode only).
    pub fn waiting(&mut self, message: &str) {
        if !self.json && !self.mid_line {
            self.progress.show(message);
        }
    }

    /// Prints a status line (human mode only), ending any pending assistant text first.
    pub fn status_line(&mut self, line: &str) {
        if self.json {
            return;
        }
        self.end_text();
        self.progress.line(line);
    }

    /// Ends the rendering: newline after pending text, spinner removed.
    pub fn finish(&mut self) {
        self.end_text();
        self.progress.hide();
    }

    fn end_text(&mut self) {
        if self.mid_line {
            out_str("\n");
            self.mid_line = false;
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.progress.hide();
        out_str(text);
        self.mid_line = !text.ends_with('\n');
    }

    /// Prints the prose of `segments` not printed yet, and remembers the tool calls (never printed as XML).
    fn prose(&mut self, segments: Vec<Segment>) {
        let mut prose = String::new();
        self.calls.clear();
        for s in segments {
            match s {
                Segment::Text { text } => prose.push_str(&text),
                Segment::ToolCall { call } => self.calls.push(call),
            }
        }
        let start = self.printed_prose.min(prose.len());
        if let Some(new) = prose.get(start..) {
            let new = new.to_owned();
            self.text(&new);
        }
        self.printed_prose = prose.len();
    }

    /// A short description of a tool call from its parameters (`create_file index.html`).
    fn tool_label(&self, name: &str) -> String {
        let call = self.calls.iter().rev().find(|c| c.name == name);
        let arg = call.and_then(|c| {
            ["file_path", "path", "url", "query", "command", "text"]
                .iter()
                .find_map(|p| c.parameter(p))
        });
        match arg {
            Some(a) => {
                let a: String = a.lines().next().unwrap_or_default().chars().take(60).collect();
                format!("{name} {a}")
            }
            None => name.to_owned(),
        }
    }

    /// Handles one item.
    pub fn handle(&mut self, item: &StreamItem) {
        self.stats.events += 1;
        self.track(&item.event);
        if self.json {
            let mut value = serde_json::to_value(&item.event).unwrap_or_else(|_| serde_json::json!({}));
            if let Some(obj) = value.as_object_mut() {
                obj.insert("raw".into(), item.raw());
            }
            out_line(&value.to_string());
            return;
        }
        match &item.event {
            StreamEvent::ThreadRunStart { .. } => self.waiting("thinking…"),
            StreamEvent::AssistantChunk {
                text, thread_run_id, ..
            } => {
                if self.turn != *thread_run_id {
                    self.turn = thread_run_id.clone();
                    self.turn_text.clear();
                    self.printed_prose = 0;
                }
                self.turn_text.push_str(text);
                let segments = split_partial_assistant_text(&self.turn_text);
                self.prose(segments);
            }
            StreamEvent::AssistantMessage {
                text, thread_run_id, ..
            } => {
                // The saved message of a turn: print what the chunks did not show (all of it when the turn
                // was not streamed as chunks).
                if self.turn != *thread_run_id {
                    self.printed_prose = 0;
                }
                self.prose(split_assistant_text(text));
                self.turn = None;
                self.turn_text.clear();
                self.printed_prose = 0;
                self.end_text();
                self.waiting("working…");
            }
            StreamEvent::Tool {
                phase,
                function_name,
                xml_tag_name,
                message,
                ..
            } => {
                let name = function_name
                    .as_deref()
                    .or(xml_tag_name.as_deref())
                    .unwrap_or("tool");
                // One line per tool, when it is done; the spinner says what is running meanwhile.
                let label = self.tool_label(name);
                match phase {
                    ToolPhase::Started => {
                        self.end_text();
                        self.waiting(&format!("running {label}…"));
                    }
                    ToolPhase::Completed => {
                        self.status_line(&format!("✓ {label}"));
                        self.waiting("working…");
                    }
                    ToolPhase::Failed | ToolPhase::Error => {
                        let why = message.as_deref().unwrap_or("failed");
                        self.status_line(&format!("✗ {label}: {why}"));
                        self.waiting("working…");
                    }
                }
            }
            StreamEvent::ToolResult {
                function_name,
                success: Some(false),
                ..
            } => {
                let name = function_name.as_deref().unwrap_or("tool");
                self.status_line(&format!("✗ {name} reported a failure"));
            }
            StreamEvent::MessageError { message, .. } => self.status_line(&format!("⚠ {message}")),
            StreamEvent::RunStatus {
                state: RunState::Error,
                message,
            } => self.status_line(&format!(
                "⚠ error: {}",
                message.as_deref().unwrap_or("(no message)")
            )),
            StreamEvent::RunStatus {
                state: RunState::Paused,
                message,
            } => {
                self.status_line(&format!("⏸ paused: {}", message.as_deref().unwrap_or("")));
                self.waiting("paused…");
            }
            StreamEvent::Content { text } => self.status_line(&format!("ℹ {text}")),
            _ => {}
        }
    }

    fn track(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Tool {
                phase: ToolPhase::Started,
                function_name,
                xml_tag_name,
                ..
            } => {
                if let Some(name) = function_name.as_ref().or(xml_tag_name.as_ref())
                    && !self.stats.tools.contains(name)
                {
                    self.stats.tools.push(name.clone());
                }
            }
            StreamEvent::RunStatus { state, message } if event.is_terminal() => {
                let s = match state {
                    RunState::Completed => "completed",
                    RunState::Failed => "failed",
                    RunState::Stopped => "stopped",
                    RunState::Paused => "paused",
                    RunState::Error => "failed",
                };
                self.stats.final_state = Some(s.into());
                self.stats.final_message = message.clone();
            }
            StreamEvent::Control { signal } => {
                let s = match signal {
                    ControlSignal::Stop => "stopped",
                    ControlSignal::Error => "failed",
                    ControlSignal::EndStream => "ended",
                };
                self.stats.final_state = Some(s.into());
            }
            _ => {}
        }
    }
}

//! Every stream fixture of the contract decodes into the expected typed event sequence, and the terminal
//! rules of §6.2 hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use helium_sdk::stream::sse::SseParser;
use helium_sdk::stream::{ControlSignal, RunState, RunTranscript, StreamEvent, ToolPhase};
use serde_json::Value;

fn events(name: &str) -> Vec<StreamEvent> {
    let path = format!(
        "{}/../helium-devserver/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).unwrap();
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    parser.feed(&bytes, &mut out).unwrap();
    assert!(!parser.finish(), "{name}: no partial event at the end");
    out.iter()
        .map(|e| StreamEvent::decode(&serde_json::from_str::<Value>(&e.data).unwrap()))
        .collect()
}

/// A short label per event, to compare sequences.
fn label(e: &StreamEvent) -> String {
    match e {
        StreamEvent::AssistantChunk { sequence, .. } => format!("chunk{sequence}"),
        StreamEvent::AssistantMessage { .. } => "assistant".into(),
        StreamEvent::ThreadRunStart { .. } => "run_start".into(),
        StreamEvent::AssistantResponseStart { .. } => "response_start".into(),
        StreamEvent::ThreadRunEnd { .. } => "run_end".into(),
        StreamEvent::Finish { reason, .. } => format!("finish:{reason}"),
        StreamEvent::Tool {
            phase, function_name, ..
        } => format!("tool_{phase:?}:{}", function_name.as_deref().unwrap_or("")),
        StreamEvent::ToolResult {
            function_name,
            success,
            ..
        } => format!("result:{}:{success:?}", function_name.as_deref().unwrap_or("")),
        StreamEvent::MessageError { .. } => "message_error".into(),
        StreamEvent::RunStatus { state, .. } => format!("status:{state:?}"),
        StreamEvent::Control { signal } => format!("control:{signal:?}"),
        StreamEvent::ManualEvent { event_type, .. } => format!("manual:{event_type}"),
        StreamEvent::Content { .. } => "content".into(),
        StreamEvent::Message { message_type, .. } => format!("message:{message_type}"),
        StreamEvent::Unknown { .. } => "unknown".into(),
        _ => "other".into(),
    }
}

fn labels(name: &str) -> Vec<String> {
    events(name).iter().map(label).collect()
}

#[test]
fn sample_run_decodes_into_the_documented_order() {
    let turn1 = [
        "run_start",
        "response_start",
        "chunk0",
        "chunk1",
        "chunk2",
        "chunk3",
        "chunk4",
        "tool_Started:create_file",
        "finish:xml_tool_limit_reached",
        "assistant",
        "tool_Completed:create_file",
        "result:create_file:Some(true)",
        "run_end",
    ];
    let turn2 = [
        "run_start",
        "response_start",
        "chunk0",
        "chunk1",
        "chunk2",
        "chunk3",
        "tool_Started:complete",
        "finish:xml_tool_limit_reached",
        "assistant",
        "tool_Completed:complete",
        "result:complete:Some(true)",
        "finish:agent_terminated",
        "run_end",
        "status:Completed",
    ];
    let expected: Vec<String> = turn1.iter().chain(turn2.iter()).map(|s| s.to_string()).collect();
    assert_eq!(labels("stream_sample.sse"), expected);

    let events = events("stream_sample.sse");
    // Decoded once: the text is plain, not JSON-in-a-string.
    let StreamEvent::AssistantChunk {
        text,
        sequence,
        thread_run_id,
        ..
    } = &events[2]
    else {
        panic!()
    };
    assert_eq!((text.as_str(), *sequence), ("I'll create", 0));
    assert_eq!(
        thread_run_id.as_deref(),
        Some("7a8c4480-4b60-4e25-a443-49d635c5e10e")
    );
    let StreamEvent::ToolResult {
        arguments, output, ..
    } = &events[11]
    else {
        panic!()
    };
    assert_eq!(arguments["file_path"], "index.html");
    assert!(!output.is_null());
    let StreamEvent::Tool {
        agent_should_terminate,
        linked_tool_result_message_id,
        ..
    } = &events[22]
    else {
        panic!()
    };
    assert!(*agent_should_terminate);
    assert!(linked_tool_result_message_id.is_some());
    // Only the last item is terminal.
    let terminal: Vec<_> = events.iter().map(StreamEvent::is_terminal).collect();
    assert_eq!(terminal.iter().filter(|t| **t).count(), 1);
    assert!(terminal.last().copied().unwrap());

    let mut transcript = RunTranscript::new();
    events.iter().for_each(|e| transcript.push(e));
    assert_eq!(transcript.messages().len(), 2);
    assert!(
        transcript
            .final_text()
            .starts_with("I'll create a simple Hello World page for you.")
    );
    assert_eq!(transcript.tools(), ["create_file", "complete"]);
}

#[test]
fn variants_end_as_the_contract_says() {
    assert_eq!(labels("stream_finished_run.sse"), ["status:Completed"]);
    assert_eq!(
        events("stream_finished_run.sse")[0],
        StreamEvent::RunStatus {
            state: RunState::Completed,
            message: None
        }
    );
    let stopped = labels("stream_stopped.sse");
    assert_eq!(stopped.last().map(String::as_str), Some("control:Stop"));
    assert_eq!(
        labels("stream_llm_error.sse"),
        ["status:Error", "status:Completed"]
    );
    assert_eq!(
        labels("stream_worker_error.sse"),
        ["status:Error", "control:Error"]
    );
    assert_eq!(labels("stream_billing_stopped.sse"), ["status:Stopped"]);
    assert_eq!(
        labels("stream_paused_manual_event.sse"),
        ["status:Paused", "manual:browser_click"]
    );

    // status: error from the worker is not terminal; the endpoint's own failures are.
    let worker = &events("stream_llm_error.sse")[0];
    assert!(!worker.is_terminal());
    for message in [
        "Listener stopped unexpectedly",
        "Listener failed",
        "Stream failed: boom",
        "Failed to start stream: x",
    ] {
        let e = StreamEvent::RunStatus {
            state: RunState::Error,
            message: Some(message.into()),
        };
        assert!(e.is_terminal(), "{message}");
    }
    assert!(
        !events("stream_paused_manual_event.sse")
            .iter()
            .any(StreamEvent::is_terminal)
    );
    for signal in [
        ControlSignal::Stop,
        ControlSignal::EndStream,
        ControlSignal::Error,
    ] {
        assert!(StreamEvent::Control { signal }.is_terminal());
    }
}

#[test]
fn other_shapes_decode_without_loss() {
    let decode = |s: &str| StreamEvent::decode(&serde_json::from_str(s).unwrap());
    assert_eq!(
        decode(r#"{"type": "content", "content": "\n[Agent reached maximum auto-continue limit of 25]"}"#),
        StreamEvent::Content {
            text: "\n[Agent reached maximum auto-continue limit of 25]".into()
        }
    );
    assert_eq!(
        decode(r#"{"type": "status", "status": "END_STREAM"}"#),
        StreamEvent::Control {
            signal: ControlSignal::EndStream
        }
    );
    let native = decode(
        r#"{"type": "tool", "message_id": "m", "content": "{\"role\": \"tool\", \"tool_call_id\": \"c1\", \"name\": \"web_search\", \"content\": \"{\\\"hits\\\": 3}\"}", "metadata": "{}"}"#,
    );
    let StreamEvent::ToolResult {
        function_name,
        tool_call_id,
        output,
        ..
    } = native
    else {
        panic!("{native:?}")
    };
    assert_eq!(
        (function_name.as_deref(), tool_call_id.as_deref()),
        (Some("web_search"), Some("c1"))
    );
    assert_eq!(output["hits"], 3);
    let err = decode(
        r#"{"type": "status", "content": "{\"role\": \"system\", \"status_type\": \"error\", \"message\": \"boom\"}", "metadata": "{\"thread_run_id\": \"r\"}"}"#,
    );
    assert_eq!(
        err,
        StreamEvent::MessageError {
            message: "boom".into(),
            thread_run_id: Some("r".into())
        }
    );
    let tool_error = decode(
        r#"{"type": "status", "content": "{\"status_type\": \"tool_error\", \"message\": \"Error executing tool X\"}", "metadata": "{}"}"#,
    );
    assert!(matches!(
        tool_error,
        StreamEvent::Tool {
            phase: ToolPhase::Error,
            ..
        }
    ));
    let user = decode(
        r#"{"type": "user", "message_id": "u", "content": "{\"role\": \"user\", \"content\": \"hi\"}", "metadata": "{}"}"#,
    );
    assert!(
        matches!(&user, StreamEvent::Message { message_type, content, .. } if message_type == "user" && content["content"] == "hi")
    );
    for odd in [
        r#"[1, 2]"#,
        r#"{"no": "type"}"#,
        r#"{"type": "status", "status": "weird"}"#,
        r#""text""#,
    ] {
        assert!(matches!(decode(odd), StreamEvent::Unknown { .. }), "{odd}");
    }
    // Malformed double-encoding stays as the string it was.
    let bad = decode(
        r#"{"type": "assistant", "content": "not json", "metadata": "{\"stream_status\": \"chunk\"}", "sequence": 1}"#,
    );
    assert!(
        matches!(bad, StreamEvent::AssistantChunk { ref text, .. } if text.is_empty()),
        "{bad:?}"
    );
}

#[test]
fn transcript_orders_chunks_by_sequence() {
    let chunk = |sequence, text: &str| StreamEvent::AssistantChunk {
        sequence,
        text: text.into(),
        thread_run_id: Some("r1".into()),
        thread_id: None,
    };
    let mut t = RunTranscript::new();
    for e in [chunk(2, "c"), chunk(0, "a"), chunk(1, "b")] {
        t.push(&e);
    }
    assert_eq!(t.live_text(), "abc");
    assert_eq!(t.final_text(), "abc");
    t.push(&StreamEvent::AssistantMessage {
        message_id: None,
        text: "abc!".into(),
        thread_run_id: None,
        thread_id: None,
        tool_calls: Value::Null,
    });
    assert_eq!(t.live_text(), "");
    assert_eq!(t.final_text(), "abc!");
}

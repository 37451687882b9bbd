//! A whole conversation natively against the dev backend over real HTTP: initiate → stream → follow-up →
//! stream → the messages (backend and Supabase) → the thread → its project's sandbox files → delete the thread
//! with the frontend's cascade; and the Supabase data API's rules (row-level security, PGRST116, paging).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use futures::StreamExt;
use helium_devserver::{DevServer, DevServerOptions};
use helium_sdk::models::{
    AgentStartRequest, CreateThreadRequest, InitiateAgentRequest, MessagesQuery, NewProject, NewThread,
    NewUserMessage, ProjectUpdate, ThreadsQuery, parse_content,
};
use helium_sdk::stream::{RunState, StreamEvent};
use helium_sdk::{Client, ErrorKind, UploadFile};
use serde_json::json;

const OTHER_USER: &str = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";

async fn server() -> DevServer {
    DevServer::start(DevServerOptions {
        pace: Duration::from_millis(1),
        ..DevServerOptions::default()
    })
    .await
    .unwrap()
}

fn client_as(server: &DevServer, token: String) -> Client {
    Client::builder()
        .base_url(server.api_url())
        .bearer_token(token)
        .supabase(server.base_url(), server.anon_key())
        .build()
        .unwrap()
}

fn final_state(events: &[StreamEvent]) -> Option<RunState> {
    events.iter().rev().find_map(|e| match e {
        StreamEvent::RunStatus { state, .. } => Some(state.clone()),
        _ => None,
    })
}

async fn stream_all(client: &Client, run: &helium_sdk::models::AgentRunId) -> Vec<StreamEvent> {
    client
        .runs()
        .stream(run)
        .map(|item| item.unwrap().event)
        .collect::<Vec<_>>()
        .await
}

#[tokio::test]
async fn a_whole_conversation_and_the_cascade() {
    let server = server().await;
    let client = client_as(&server, server.sample_token());

    // 1. Initiate (with a file, so the project has a sandbox) and stream to the end.
    let request =
        InitiateAgentRequest::new("first question").file(UploadFile::from_bytes("notes.txt", &b"hi"[..]));
    let started = client.agent().initiate(&request).await.unwrap();
    let thread = started.thread_id.clone();
    let events = stream_all(&client, started.agent_run_id.as_ref().unwrap()).await;
    assert_eq!(final_state(&events), Some(RunState::Completed));

    // 2. A follow-up: the user's message, then a run that answers it.
    let follow = client
        .agent()
        .follow_up(&thread, "and a second one", &AgentStartRequest::default())
        .await
        .unwrap();
    assert_eq!(follow.message.r#type, "user");
    assert_eq!(
        parse_content(&follow.message.content)["content"],
        "and a second one"
    );
    let events = stream_all(&client, &follow.agent_run_id).await;
    assert_eq!(final_state(&events), Some(RunState::Completed));
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::AssistantChunk { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        text.contains("and a second one"),
        "the follow-up run answers the new message: {text}"
    );

    // 3. The messages, through the backend (both orders) and through Supabase (the frontend's query).
    let newest = client
        .threads()
        .messages(&thread, &MessagesQuery::default())
        .await
        .unwrap();
    let oldest = client
        .threads()
        .messages(
            &thread,
            &MessagesQuery {
                order: Some("asc".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(newest.len(), oldest.len());
    assert_eq!(
        newest.first().map(|m| &m.message_id),
        oldest.last().map(|m| &m.message_id)
    );
    let rows = client.data().messages(&thread).collect_all().await.unwrap();
    let users: Vec<String> = rows
        .iter()
        .filter(|m| m.r#type == "user")
        .map(|m| {
            parse_content(&m.content)["content"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        users,
        [
            "first question\n\n[Uploaded File: /workspace/notes.txt]\n",
            "and a second one"
        ]
    );
    assert!(rows.iter().all(|m| m.r#type != "cost" && m.r#type != "summary"));
    assert!(
        rows.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "oldest first"
    );
    assert!(
        rows.iter().any(|m| m.agents.is_some()),
        "the agent embed is there"
    );

    // 4. The thread, its project and its sandbox's files.
    let detail = client.threads().get(&thread).await.unwrap();
    assert_eq!(detail.recent_agent_runs.len(), 2);
    let project = detail.project.as_ref().unwrap();
    let sandbox = project.sandbox.as_ref().and_then(|s| s.id.clone()).unwrap();
    let files = client.sandboxes().list(&sandbox, "/workspace").await.unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert!(
        names.contains(&"notes.txt") && names.contains(&"index.html"),
        "{names:?}"
    );
    let mine = client
        .threads()
        .list_all(&ThreadsQuery::default())
        .collect_all()
        .await
        .unwrap();
    assert!(mine.iter().any(|t| t.thread_id == thread));

    // 5. Delete the thread as the frontend does: sandbox, agent_runs, messages, thread.
    client.data().delete_thread(&thread).await.unwrap();
    assert_eq!(
        client.data().thread(&thread).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(
        client
            .data()
            .messages(&thread)
            .collect_all()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        client.threads().get(&thread).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        client
            .sandboxes()
            .list(&sandbox, "/workspace")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        client
            .runs()
            .get(started.agent_run_id.as_ref().unwrap())
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    // The project row stays, as in the frontend.
    assert!(client.data().project(&project.project_id).await.is_ok());
}

#[tokio::test]
async fn supabase_rows_follow_the_schema_rules() {
    let server = server().await;
    let me = client_as(&server, server.sample_token());
    let other = client_as(&server, server.token_for(OTHER_USER));

    // Create a project and a thread as rows, then a user message the way the frontend stores it.
    let project = me
        .data()
        .create_project(&NewProject {
            name: "rows".into(),
            description: Some("made through PostgREST".into()),
        })
        .await
        .unwrap();
    assert_eq!(
        project.account_id.as_str(),
        helium_devserver::auth::SAMPLE_USER_ID
    );
    let thread = me
        .data()
        .create_thread(&NewThread {
            project_id: project.project_id.clone(),
        })
        .await
        .unwrap();
    let message = me
        .data()
        .add_user_message(&NewUserMessage {
            thread_id: thread.thread_id.clone(),
            content: "stored as the frontend stores it".into(),
        })
        .await
        .unwrap();
    assert!(
        message.content.is_string(),
        "a JSON string, as JSON.stringify makes it"
    );
    assert_eq!(
        parse_content(&message.content),
        json!({"role": "user", "content": "stored as the frontend stores it"})
    );
    // The backend sees the row (one store), and a run started now answers it.
    let started = me
        .agent()
        .start(&thread.thread_id, &AgentStartRequest::default())
        .await
        .unwrap();
    let text: String = stream_all(&me, &started.agent_run_id)
        .await
        .iter()
        .filter_map(|e| match e {
            StreamEvent::AssistantChunk { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(text.contains("stored as the frontend stores it"), "{text}");

    // Lists are the caller's own.
    assert!(
        me.data()
            .projects()
            .await
            .unwrap()
            .iter()
            .any(|p| p.project_id == project.project_id)
    );
    assert!(
        !other
            .data()
            .projects()
            .await
            .unwrap()
            .iter()
            .any(|p| p.project_id == project.project_id)
    );
    assert_eq!(
        me.data()
            .project_threads(&project.project_id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Another user sees nothing (PGRST116 → not_found) and cannot write (42501 → forbidden).
    let err = other.data().project(&project.project_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.code(), Some("PGRST116"));
    let err = other
        .data()
        .add_user_message(&NewUserMessage {
            thread_id: thread.thread_id.clone(),
            content: "not mine".into(),
        })
        .await
        .unwrap_err();
    assert_eq!((err.kind(), err.code()), (ErrorKind::Forbidden, Some("42501")));
    let p = err.as_api().unwrap().postgrest().unwrap();
    assert!(p.message.contains("row-level security"), "{}", p.message);

    // Sharing makes the project public: others can read it, and it is listed among public projects.
    me.data().share_thread(&thread.thread_id, true).await.unwrap();
    me.data()
        .update_project(
            &project.project_id,
            &ProjectUpdate {
                is_public: Some(true),
                ..ProjectUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(other.data().project(&project.project_id).await.is_ok());
    let public = other.data().public_projects().await.unwrap();
    assert!(public.iter().any(|p| p.project_id == project.project_id));

    // Without a Supabase project, or with an API key, the data API says why before sending.
    let backend_only = Client::builder()
        .base_url(server.api_url())
        .bearer_token(server.sample_token())
        .build()
        .unwrap();
    assert_eq!(
        backend_only.data().projects().await.unwrap_err().kind(),
        ErrorKind::Config
    );
    let keyed = Client::builder()
        .base_url(server.api_url())
        .api_key("pk_abcdefghijklmnopqrstuvwxyz012345:sk_abcdefghijklmnopqrstuvwxyz012345")
        .supabase(server.base_url(), server.anon_key())
        .build()
        .unwrap();
    assert_eq!(keyed.data().projects().await.unwrap_err().kind(), ErrorKind::Auth);
    // A secret key is never the data API's key in a browser-like client.
    let err = Client::builder()
        .base_url(server.api_url())
        .runtime(helium_sdk::Runtime::Client)
        .supabase(server.base_url(), server.service_role_key())
        .build()
        .unwrap_err();
    assert_eq!(err.as_config().map(|c| c.code()), Some("secret_key_in_client"));
}

#[tokio::test]
async fn messages_are_paged_until_a_short_page_and_threads_page_by_page() {
    let server = server().await;
    let client = client_as(&server, server.sample_token());
    let created = client
        .threads()
        .create(&CreateThreadRequest {
            name: Some("paged".into()),
        })
        .await
        .unwrap();
    // 1001 messages: two pages of the frontend's query (1000, then 1).
    for i in 0..1001 {
        client
            .threads()
            .append_message(&created.thread_id, format!("m{i}"))
            .await
            .unwrap();
    }
    let rows = client
        .data()
        .messages(&created.thread_id)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1001);
    // Threads, two per page.
    for _ in 0..4 {
        client
            .threads()
            .create(&CreateThreadRequest::default())
            .await
            .unwrap();
    }
    let query = ThreadsQuery {
        page: None,
        limit: Some(2),
    };
    let first_page = client.threads().list(&query).await.unwrap();
    assert_eq!(first_page.threads.len(), 2);
    let all = client.threads().list_all(&query).collect_all().await.unwrap();
    assert_eq!(all.len(), 5);
    let mut ids: Vec<_> = all.iter().map(|t| t.thread_id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 5, "no thread twice across pages");
    // Deleting a message: only LLM messages can be deleted by the backend route.
    let row = client
        .threads()
        .append_message(&created.thread_id, "bye")
        .await
        .unwrap();
    let deleted = client
        .threads()
        .delete_message(&created.thread_id, &row.message_id)
        .await
        .unwrap();
    assert_eq!(deleted.message, "Message deleted successfully");
}

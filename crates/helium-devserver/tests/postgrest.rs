//! The PostgREST subset on `/rest/v1`: reads, writes, row-level security, errors, JWT verification, and the
//! frontend's flows over the same store as the backend routes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use helium_devserver::DevServer;
use serde_json::{Value, json};

/// A supabase-js-like client: `apikey` always, `Authorization: Bearer` with a user token or the anon key.
struct Rest {
    base: String,
    apikey: String,
    bearer: Option<String>,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {:?}", self.text))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

impl Rest {
    fn user(server: &DevServer, token: &str) -> Rest {
        Rest {
            base: format!("{}/rest/v1", server.base_url()),
            apikey: server.anon_key(),
            bearer: Some(token.to_owned()),
        }
    }
    fn anon(server: &DevServer) -> Rest {
        Rest {
            base: format!("{}/rest/v1", server.base_url()),
            apikey: server.anon_key(),
            bearer: None,
        }
    }
    fn service(server: &DevServer) -> Rest {
        Rest {
            base: format!("{}/rest/v1", server.base_url()),
            apikey: server.service_role_key(),
            bearer: Some(server.service_role_key()),
        }
    }
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut req = client()
            .request(method, format!("{}/{path}", self.base))
            .header("apikey", &self.apikey);
        if let Some(b) = &self.bearer {
            req = req.header("Authorization", bearer(b));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        Answer {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap(),
        }
    }
    async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, &[], None).await
    }
    async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send(reqwest::Method::GET, path, headers, None).await
    }
    async fn post(&self, path: &str, body: Value, representation: bool) -> Answer {
        let h: &[(&str, &str)] = if representation {
            &[("Prefer", "return=representation")]
        } else {
            &[]
        };
        self.send(reqwest::Method::POST, path, h, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value, representation: bool) -> Answer {
        let h: &[(&str, &str)] = if representation {
            &[("Prefer", "return=representation")]
        } else {
            &[]
        };
        self.send(reqwest::Method::PATCH, path, h, Some(body)).await
    }
    async fn delete(&self, path: &str, representation: bool) -> Answer {
        let h: &[(&str, &str)] = if representation {
            &[("Prefer", "return=representation")]
        } else {
            &[]
        };
        self.send(reqwest::Method::DELETE, path, h, None).await
    }
}

fn pg_error(a: &Answer, status: u16, code: &str) -> Value {
    assert_eq!(a.status, status, "{}", a.text);
    let body = a.json();
    assert_eq!(keys(&body), vec!["code", "details", "hint", "message"], "{body}");
    assert_eq!(body["code"], code, "{body}");
    body
}

async fn finished_run(server: &DevServer, token: &str, prompt: &str) -> (String, String) {
    let (thread_id, run_id) = initiate(server, token, prompt).await;
    wait_status(server, &run_id, token, "completed").await;
    (thread_id, run_id)
}

#[tokio::test]
async fn rows_written_by_the_api_read_like_the_fixtures() {
    let server = start().await;
    let token = server.sample_token();
    let (thread_id, run_id) = finished_run(&server, &token, "Make a page").await;
    let rest = Rest::user(&server, &token);

    // getProjects / getThreads / getThread as the frontend sends them
    let a = rest.get(&format!("projects?select=*&account_id=eq.{USER}")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(a.header("content-range"), Some("0-0/*"));
    let projects = a.json();
    assert_eq!(
        keys(&projects[0]),
        keys(&fixture_json("supabase_projects_rows.json")[0])
    );
    let project_id = projects[0]["project_id"].as_str().unwrap().to_owned();
    let a = rest
        .get_with(
            &format!("threads?select=*&thread_id=eq.{thread_id}"),
            &[("Accept", "application/vnd.pgrst.object+json")],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("content-type"),
        Some("application/vnd.pgrst.object+json; charset=utf-8")
    );
    let thread = a.json();
    assert_eq!(
        keys(&thread),
        keys(&fixture_json("supabase_threads_rows.json")[0])
    );
    assert_eq!(thread["project_id"], project_id.as_str());
    assert_eq!(thread["account_id"], USER);

    // getMessages, exactly the frontend's query
    let q = format!(
        "messages?select=*,agents:agent_id(name,avatar,avatar_color)&thread_id=eq.{thread_id}&type=neq.cost&type=neq.summary&order=created_at.asc&offset=0&limit=1000"
    );
    let rows = rest.get(&q).await.json();
    let rows = rows.as_array().unwrap();
    let fx = fixture_json("supabase_messages_rows.json");
    assert_eq!(keys(&rows[0]), keys(&fx[0]));
    assert_eq!(rows[0]["type"], "user");
    assert!(rows[0]["content"].is_string(), "user rows keep string content");
    assert!(rows[0]["agents"].is_null());
    assert!(rows[1]["content"].is_object(), "backend rows are objects");
    let with_agent: Vec<&Value> = rows.iter().filter(|r| !r["agent_id"].is_null()).collect();
    assert!(!with_agent.is_empty());
    for r in &with_agent {
        assert_eq!(
            r["agents"],
            json!({"name": "Helium", "avatar": "\u{26a1}", "avatar_color": "#F59E0B"})
        );
    }
    let created: Vec<&str> = rows.iter().map(|r| r["created_at"].as_str().unwrap()).collect();
    let mut sorted = created.clone();
    sorted.sort_unstable();
    assert_eq!(created, sorted);
    // the same rows as the backend route
    let api: Value = get_json(
        format!("{}/threads/{thread_id}/messages?order=asc", server.api_url()),
        &token,
    )
    .await;
    let api_ids: Vec<&Value> = api["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["message_id"])
        .collect();
    let rest_ids: Vec<&Value> = rows.iter().map(|m| &m["message_id"]).collect();
    assert_eq!(api_ids, rest_ids);

    // agent_runs rows, column lists and aliases
    let a = rest
        .get(&format!(
            "agent_runs?select=id,state:status,thread_id&thread_id=eq.{thread_id}"
        ))
        .await;
    assert_eq!(
        a.json(),
        json!([{"id": run_id, "state": "completed", "thread_id": thread_id}])
    );
    // an embed through a foreign key column, and a many-to-one embed by table name
    let a = rest
        .get(&format!(
            "threads?select=thread_id,projects(name)&thread_id=eq.{thread_id}"
        ))
        .await;
    assert_eq!(a.json()[0]["projects"]["name"], "Make a page");
    server.shutdown().await;
}

#[tokio::test]
async fn filters_order_paging_and_single_objects() {
    let server = start().await;
    let token = server.sample_token();
    let rest = Rest::user(&server, &token);
    let svc = Rest::service(&server);
    let (thread_id, _) = finished_run(&server, &token, "x").await;
    // 5 more user rows, inserted in one request (array body), with explicit timestamps
    let rows: Vec<Value> = (0..5)
        .map(|i| {
            json!({"thread_id": thread_id, "type": if i % 2 == 0 { "cost" } else { "user" },
                   "content": format!("{{\"n\": {i}}}"), "created_at": format!("2030-01-01T00:00:0{i}.5+00:00")})
        })
        .collect();
    let a = rest.post("messages", Value::Array(rows), true).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.json().as_array().unwrap().len(), 5);
    let all = rest
        .get(&format!("messages?select=message_id&thread_id=eq.{thread_id}"))
        .await
        .json();
    let total = all.as_array().unwrap().len();
    assert_eq!(
        total,
        18 + 5,
        "the run's saved rows, the user row and the inserted ones"
    );

    // paging with limit/offset until a short page
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let a = rest
            .get(&format!(
                "messages?select=message_id&thread_id=eq.{thread_id}&order=created_at.asc&offset={offset}&limit=4"
            ))
            .await;
        let page = a.json().as_array().unwrap().clone();
        if !page.is_empty() {
            assert_eq!(
                a.header("content-range").unwrap(),
                format!("{offset}-{}/*", offset + page.len() - 1)
            );
        }
        seen.extend(page.iter().map(|r| r["message_id"].clone()));
        offset += page.len();
        if page.len() < 4 {
            break;
        }
    }
    assert_eq!(seen.len(), total);
    // Prefer: count=exact gives the total and 206 for a partial page
    let a = rest
        .get_with(
            &format!("messages?select=message_id&thread_id=eq.{thread_id}&limit=3"),
            &[("Prefer", "count=exact")],
        )
        .await;
    assert_eq!(a.status, 206);
    assert_eq!(a.header("content-range").unwrap(), format!("0-2/{total}"));
    // several filters on one column are ANDed; in.(); ordering by several columns
    let a = rest
        .get(&format!(
            "messages?select=type,content&thread_id=eq.{thread_id}&type=neq.cost&type=neq.status&order=type.desc,created_at.desc"
        ))
        .await;
    let types: Vec<String> = a
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(!types.iter().any(|t| t == "cost" || t == "status"), "{types:?}");
    assert_eq!(types.first().map(String::as_str), Some("user"));
    let a = rest
        .get(&format!(
            "messages?select=type&thread_id=eq.{thread_id}&type=in.(cost,tool)"
        ))
        .await;
    let n_in = a.json().as_array().unwrap().len();
    assert_eq!(n_in, 3 + 2, "3 cost rows, 2 tool rows");
    let a = rest
        .get(&format!(
            "messages?select=content&thread_id=eq.{thread_id}&type=eq.user&order=created_at.desc&limit=1"
        ))
        .await;
    assert_eq!(a.json(), json!([{"content": "{\"n\": 3}"}]));
    let a = rest
        .get(&format!(
            "messages?select=message_id&thread_id=eq.{thread_id}&agent_id=is.null&type=eq.user"
        ))
        .await;
    assert_eq!(a.json().as_array().unwrap().len(), 3);

    // single objects: exactly one row, else 406 PGRST116
    let single = [("Accept", "application/vnd.pgrst.object+json")];
    let a = rest
        .get_with(
            &format!("threads?select=thread_id&thread_id=eq.{thread_id}"),
            &single,
        )
        .await;
    assert_eq!(a.json(), json!({"thread_id": thread_id}));
    let a = rest
        .get_with(
            "threads?select=*&thread_id=eq.00000000-0000-4000-8000-000000000000",
            &single,
        )
        .await;
    let body = pg_error(&a, 406, "PGRST116");
    assert_eq!(
        body,
        json!({"code": "PGRST116", "details": "The result contains 0 rows", "hint": null,
               "message": "JSON object requested, multiple (or no) rows returned"})
    );
    let a = rest
        .get_with(
            &format!("messages?thread_id=eq.{thread_id}&type=eq.cost"),
            &single,
        )
        .await;
    assert_eq!(
        pg_error(&a, 406, "PGRST116")["details"],
        "The result contains 3 rows"
    );
    // a mutation asking for one object but touching several is refused and changes nothing
    let a = rest
        .send(
            reqwest::Method::DELETE,
            &format!("messages?thread_id=eq.{thread_id}&type=eq.cost"),
            &[("Prefer", "return=representation"), single[0]],
            None,
        )
        .await;
    pg_error(&a, 406, "PGRST116");
    let a = svc
        .get(&format!(
            "messages?select=message_id&thread_id=eq.{thread_id}&type=eq.cost"
        ))
        .await;
    assert_eq!(a.json().as_array().unwrap().len(), 3);
    server.shutdown().await;
}

#[tokio::test]
async fn row_level_security_like_the_schema() {
    let server = start().await;
    let token = server.sample_token();
    let other_token = server.token_for(OTHER_USER);
    let (thread_id, run_id) = finished_run(&server, &token, "mine").await;
    let me = Rest::user(&server, &token);
    let other = Rest::user(&server, &other_token);
    let anon = Rest::anon(&server);
    let svc = Rest::service(&server);
    let project_id = me.get("projects?select=project_id").await.json()[0]["project_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // hidden rows are simply absent
    for path in [
        "projects?select=*".to_owned(),
        format!("threads?select=*&thread_id=eq.{thread_id}"),
        format!("messages?select=*&thread_id=eq.{thread_id}"),
        format!("agent_runs?select=*&thread_id=eq.{thread_id}"),
    ] {
        for who in [&other, &anon] {
            let a = who.get(&path).await;
            assert_eq!((a.status, a.text.as_str()), (200, "[]"), "{path}");
        }
        assert_ne!(me.get(&path).await.text, "[]", "{path}");
        assert_ne!(svc.get(&path).await.text, "[]", "{path}");
    }

    // inserts RLS refuses: 403 for a user, 401 for anon, with PostgreSQL's message
    let msg = json!({"thread_id": thread_id, "type": "user", "is_llm_message": true,
                     "content": "{\"role\": \"user\", \"content\": \"hi\"}"});
    let a = other.post("messages", msg.clone(), true).await;
    assert_eq!(
        pg_error(&a, 403, "42501"),
        json!({"code": "42501", "details": null, "hint": null,
               "message": "new row violates row-level security policy for table \"messages\""})
    );
    let a = anon.post("messages", msg.clone(), false).await;
    pg_error(&a, 401, "42501");
    let a = other
        .post("projects", json!({"name": "p", "account_id": USER}), false)
        .await;
    assert_eq!(
        pg_error(&a, 403, "42501")["message"],
        "new row violates row-level security policy for table \"projects\""
    );
    let a = other
        .post("agent_runs", json!({"thread_id": thread_id}), false)
        .await;
    pg_error(&a, 403, "42501");
    // updates and deletes only touch rows the policy shows: others' rows are left alone
    let a = other
        .patch(
            &format!("projects?project_id=eq.{project_id}"),
            json!({"name": "stolen"}),
            true,
        )
        .await;
    assert_eq!((a.status, a.text.as_str()), (200, "[]"));
    let a = other
        .delete(&format!("threads?thread_id=eq.{thread_id}"), false)
        .await;
    assert_eq!(a.status, 204);
    assert_eq!(
        me.get(&format!("threads?thread_id=eq.{thread_id}"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        me.get("projects?select=name").await.json(),
        json!([{"name": "mine"}])
    );
    // an update whose new row leaves the caller's account violates the policy
    let a = me
        .patch(
            &format!("projects?project_id=eq.{project_id}"),
            json!({"account_id": OTHER_USER}),
            false,
        )
        .await;
    assert_eq!(
        pg_error(&a, 403, "42501")["message"],
        "new row violates row-level security policy (USING expression) for table \"projects\""
    );
    // the owner may write; service_role bypasses RLS entirely
    let a = me.post("messages", msg.clone(), true).await;
    assert_eq!(a.status, 201);
    let a = svc
        .post(
            "projects",
            json!({"name": "theirs", "account_id": OTHER_USER}),
            true,
        )
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(
        other.get("projects?select=name").await.json(),
        json!([{"name": "theirs"}])
    );

    // a public project opens SELECT (projects, threads, messages, runs) to everyone, and nothing else
    let a = me
        .patch(
            &format!("projects?project_id=eq.{project_id}"),
            json!({"is_public": true}),
            true,
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()[0]["is_public"], true);
    assert_ne!(
        a.json()[0]["updated_at"],
        a.json()[0]["created_at"],
        "the updated_at trigger"
    );
    for path in [
        format!("projects?select=project_id&project_id=eq.{project_id}"),
        format!("threads?select=thread_id&thread_id=eq.{thread_id}"),
        format!("messages?select=message_id&thread_id=eq.{thread_id}&limit=1"),
        format!("agent_runs?select=id&id=eq.{run_id}"),
    ] {
        for who in [&other, &anon] {
            assert_eq!(who.get(&path).await.json().as_array().unwrap().len(), 1, "{path}");
        }
    }
    let a = other.post("messages", msg.clone(), false).await;
    pg_error(&a, 403, "42501");
    let a = anon.post("messages", msg, false).await;
    pg_error(&a, 401, "42501");
    // the backend's verify_thread_access lets others read a public project's thread too
    let r = client()
        .get(format!("{}/threads/{thread_id}", server.api_url()))
        .header("Authorization", bearer(&other_token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn errors_are_postgrest_shaped() {
    let server = start().await;
    let token = server.sample_token();
    let (thread_id, _) = finished_run(&server, &token, "x").await;
    let me = Rest::user(&server, &token);
    let svc = Rest::service(&server);

    let a = me.get("thread?select=*").await;
    assert_eq!(
        pg_error(&a, 404, "PGRST205")["message"],
        "Could not find the table 'public.thread' in the schema cache"
    );
    let a = me.get("threads?select=*&bogus=eq.1").await;
    assert_eq!(
        pg_error(&a, 400, "42703")["message"],
        "column threads.bogus does not exist"
    );
    let a = me.get("threads?select=thread_id,bogus").await;
    assert_eq!(
        pg_error(&a, 400, "42703")["message"],
        "column threads.bogus does not exist"
    );
    let a = me.get("threads?order=bogus.asc").await;
    pg_error(&a, 400, "42703");
    let a = me.get("messages?select=*,agents:agent_id(name,bogus)").await;
    assert_eq!(
        pg_error(&a, 400, "42703")["message"],
        "column agents.bogus does not exist"
    );
    let a = me.get("messages?select=*,nope(*)").await;
    pg_error(&a, 400, "PGRST200");
    let a = me.get("threads?thread_id=eq.not-a-uuid").await;
    assert_eq!(
        pg_error(&a, 400, "22P02")["message"],
        "invalid input syntax for type uuid: \"not-a-uuid\""
    );
    let a = me.get("threads?thread_id=like.x").await;
    pg_error(&a, 400, "PGRST100");
    let a = me.get("threads?limit=abc").await;
    pg_error(&a, 400, "PGRST100");
    // not-null, unknown body column, foreign key, duplicate key, invalid JSON, missing WHERE
    let a = me
        .post("messages", json!({"thread_id": thread_id, "type": "user"}), false)
        .await;
    let body = pg_error(&a, 400, "23502");
    assert_eq!(
        body["message"],
        "null value in column \"content\" of relation \"messages\" violates not-null constraint"
    );
    assert!(
        body["details"]
            .as_str()
            .unwrap()
            .starts_with("Failing row contains (")
    );
    let a = me
        .post(
            "messages",
            json!({"thread_id": thread_id, "type": "user", "content": {}, "nope": 1}),
            false,
        )
        .await;
    assert_eq!(
        pg_error(&a, 400, "PGRST204")["message"],
        "Could not find the 'nope' column of 'messages' in the schema cache"
    );
    let ghost = "00000000-0000-4000-8000-000000000000";
    let a = svc
        .post(
            "messages",
            json!({"thread_id": ghost, "type": "user", "content": {}}),
            false,
        )
        .await;
    let body = pg_error(&a, 409, "23503");
    assert_eq!(
        body["details"],
        format!("Key (thread_id)=({ghost}) is not present in table \"threads\".")
    );
    let a = me
        .post(
            "threads",
            json!({"thread_id": thread_id, "account_id": USER}),
            false,
        )
        .await;
    pg_error(&a, 409, "23505");
    let r = client()
        .post(format!("{}/rest/v1/messages", server.base_url()))
        .header("apikey", server.anon_key())
        .header("Authorization", bearer(&token))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "PGRST102");
    let a = me.delete("messages", false).await;
    assert_eq!(
        pg_error(&a, 400, "21000")["message"],
        "DELETE requires a WHERE clause"
    );
    let a = me.patch("messages", json!({"type": "x"}), false).await;
    pg_error(&a, 400, "21000");
    server.shutdown().await;
}

#[tokio::test]
async fn keys_and_jwts_are_verified() {
    let server = start().await;
    let url = format!("{}/rest/v1/threads?select=*", server.base_url());
    // the gateway: apikey required and must be the project's
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"message": "No API key found in request", "hint": "No `apikey` request header or url param was found."})
    );
    let r = client()
        .get(&url)
        .header("apikey", server.sample_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["message"], "Invalid API key");
    let r = client()
        .get(format!("{url}&apikey={}", server.anon_key()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "?apikey= works too");
    // PostgREST verifies the signature and exp (the backend does not)
    let other_project = Rest {
        base: format!("{}/rest/v1", server.base_url()),
        apikey: server.anon_key(),
        bearer: None,
    };
    let forged = {
        let t = server.sample_token();
        let (head, _) = t.rsplit_once('.').unwrap();
        format!("{head}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    };
    for (token, code, message) in [
        (forged.clone(), "PGRST301", "JWSError JWSInvalidSignature"),
        (
            "not-a-jwt".to_owned(),
            "PGRST301",
            "JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 1)",
        ),
        (
            server.sign_jwt(&json!({"sub": USER, "role": "authenticated", "exp": 1_000_000_000})),
            "PGRST303",
            "JWT expired",
        ),
    ] {
        let who = Rest {
            bearer: Some(token),
            ..Rest {
                base: other_project.base.clone(),
                apikey: other_project.apikey.clone(),
                bearer: None,
            }
        };
        let a = who.get("threads?select=*").await;
        assert_eq!(pg_error(&a, 401, code)["message"], message);
        assert!(
            a.header("www-authenticate")
                .unwrap()
                .starts_with("Bearer error=\"invalid_token\"")
        );
    }
    // the same forged token is fine on the backend routes, which never verify signatures
    let r = client()
        .get(format!("{}/billing/subscription", server.api_url()))
        .header("Authorization", bearer(&forged))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // a token signed with another secret is refused too
    let foreign = DevServer::start(helium_devserver::DevServerOptions {
        jwt_secret: Some("another-project-secret".to_owned()),
        ..helium_devserver::DevServerOptions::default()
    })
    .await
    .unwrap();
    let who = Rest::user(&server, &foreign.sample_token());
    pg_error(&who.get("threads").await, 401, "PGRST301");
    foreign.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_message_inserted_through_postgrest_is_what_the_next_run_answers() {
    let server = start().await;
    let token = server.sample_token();
    let (thread_id, _) = finished_run(&server, &token, "First question").await;
    let me = Rest::user(&server, &token);
    // addUserMessage: content is JSON.stringify({role, content}), a JSONB string
    let a = me
        .post(
            "messages",
            json!({"thread_id": thread_id, "type": "user", "is_llm_message": true,
                   "content": "{\"role\":\"user\",\"content\":\"Second question\"}"}),
            true,
        )
        .await;
    assert_eq!(a.status, 201);
    let row = &a.json()[0];
    assert_eq!(
        row["content"],
        "{\"role\":\"user\",\"content\":\"Second question\"}"
    );
    assert_eq!(row["metadata"], json!({}));
    assert!(row["agent_id"].is_null());
    let r: Value = client()
        .post(format!("{}/thread/{thread_id}/agent/start", server.api_url()))
        .header("Authorization", bearer(&token))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let run_id = r["agent_run_id"].as_str().unwrap();
    let body = read_stream(&server, run_id, &token).await;
    let frames = frames(&body);
    assert!(
        frames[2].contains(r#"You asked: \\\"Second question\\\""#),
        "{}",
        frames[2]
    );
    assert!(!body.contains("First question"));
    // the run's rows show up in PostgREST as it writes them
    let runs = me
        .get(&format!(
            "agent_runs?select=id,status&thread_id=eq.{thread_id}&order=created_at.desc"
        ))
        .await
        .json();
    assert_eq!(runs[0]["id"], run_id);
    assert_eq!(runs.as_array().unwrap().len(), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn deleting_a_thread_like_the_frontend_leaves_nothing_behind() {
    let server = start().await;
    let token = server.sample_token();
    let (thread_id, run_id) = finished_run(&server, &token, "to delete").await;
    let api = server.api_url();
    let detail: Value = get_json(format!("{api}/threads/{thread_id}"), &token).await;
    let sandbox_id = detail["project"]["sandbox"]["id"].as_str().unwrap().to_owned();
    let project_id = detail["project_id"].as_str().unwrap().to_owned();
    let me = Rest::user(&server, &token);
    let r = client()
        .delete(format!("{api}/sandboxes/{sandbox_id}"))
        .header("Authorization", bearer(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let a = me
        .delete(&format!("agent_runs?thread_id=eq.{thread_id}"), true)
        .await;
    assert_eq!((a.status, a.json().as_array().unwrap().len()), (200, 1));
    let a = me
        .delete(&format!("messages?thread_id=eq.{thread_id}"), true)
        .await;
    assert_eq!((a.status, a.json().as_array().unwrap().len()), (200, 18));
    let a = me
        .delete(&format!("threads?thread_id=eq.{thread_id}"), false)
        .await;
    assert_eq!((a.status, a.text.as_str()), (204, ""));
    for path in [
        format!("threads?thread_id=eq.{thread_id}"),
        format!("messages?thread_id=eq.{thread_id}"),
        format!("agent_runs?thread_id=eq.{thread_id}"),
    ] {
        assert_eq!(Rest::service(&server).get(&path).await.text, "[]", "{path}");
    }
    for (url, detail) in [
        (format!("{api}/threads/{thread_id}"), "Thread not found"),
        (format!("{api}/agent-run/{run_id}"), "Agent run not found"),
        (
            format!("{api}/sandboxes/{sandbox_id}/files?path=/workspace"),
            "Sandbox not found",
        ),
    ] {
        let r = client()
            .get(&url)
            .header("Authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{url}");
        assert_eq!(r.json::<Value>().await.unwrap()["detail"], detail);
    }
    // the project stays (the frontend does not delete it), without a sandbox
    let p = me
        .get(&format!("projects?project_id=eq.{project_id}"))
        .await
        .json();
    assert_eq!(p[0]["sandbox"], json!({}));
    // deleting a project cascades to its threads, their messages and runs
    let (thread2, _) = finished_run(&server, &token, "cascade").await;
    let p2 = me
        .get(&format!("threads?select=project_id&thread_id=eq.{thread2}"))
        .await
        .json()[0]["project_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = me.delete(&format!("projects?project_id=eq.{p2}"), false).await;
    assert_eq!(a.status, 204);
    assert_eq!(
        me.get(&format!("messages?thread_id=eq.{thread2}")).await.text,
        "[]"
    );
    assert_eq!(
        me.get(&format!("agent_runs?thread_id=eq.{thread2}")).await.text,
        "[]"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn supabase_paths_have_the_gateway_cors() {
    let server = start().await;
    let url = format!("{}/rest/v1/messages", server.base_url());
    let r = client()
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "http://127.0.0.1:5173")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "apikey, authorization, content-type, prefer, x-client-info",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        r.headers()["access-control-allow-headers"],
        "apikey, authorization, content-type, prefer, x-client-info"
    );
    let r = client()
        .get(format!("{url}?select=message_id"))
        .header("Origin", "http://127.0.0.1:5173")
        .header("apikey", server.anon_key())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(
        r.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("Content-Range")
    );
    // the backend keeps its own policy
    let r = client()
        .request(reqwest::Method::OPTIONS, format!("{}/health", server.api_url()))
        .header("Origin", "http://127.0.0.1:5173")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    server.shutdown().await;
}

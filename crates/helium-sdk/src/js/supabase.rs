//! For teams on supabase-js: the `Database` type of the tables the frontend uses (for
//! `createClient<Database>()` / `createBrowserClient<Database>()`), `supabaseClientConfig()` (the URL and the
//! right key for the runtime), and `parseContent()`.

use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::{ConfigOptions, from_js, to_js};
use crate::config::{Runtime, SUPABASE_SERVICE_ROLE_KEY, SupabaseConfig};
use crate::error::{ConfigError, Error};

#[wasm_bindgen(typescript_custom_section)]
const TS_DATABASE: &str = r#"
/** A JSON value (a `jsonb` column). */
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

/**
 * The Supabase tables the Helium frontend reads and writes directly (contract §7), in supabase-js's generated
 * format: `createClient<Database>(url, key)` or `createBrowserClient<Database>(url, key)` types every query.
 * `messages.content` is an object for backend-written rows and a JSON string for user rows (use `parseContent`).
 */
export type Database = {
  public: {
    Tables: {
      projects: {
        Row: { project_id: string; name: string; description: string | null; account_id: string; sandbox: Json | null; is_public: boolean | null; created_at: string; updated_at: string };
        Insert: { project_id?: string; name: string; description?: string | null; account_id: string; sandbox?: Json | null; is_public?: boolean | null; created_at?: string; updated_at?: string };
        Update: { project_id?: string; name?: string; description?: string | null; account_id?: string; sandbox?: Json | null; is_public?: boolean | null; created_at?: string; updated_at?: string };
        Relationships: [];
      };
      threads: {
        Row: { thread_id: string; account_id: string | null; project_id: string | null; is_public: boolean | null; created_at: string; updated_at: string; metadata: Json | null };
        Insert: { thread_id?: string; account_id?: string | null; project_id?: string | null; is_public?: boolean | null; created_at?: string; updated_at?: string; metadata?: Json | null };
        Update: { thread_id?: string; account_id?: string | null; project_id?: string | null; is_public?: boolean | null; created_at?: string; updated_at?: string; metadata?: Json | null };
        Relationships: [
          { foreignKeyName: "threads_project_id_fkey"; columns: ["project_id"]; isOneToOne: false; referencedRelation: "projects"; referencedColumns: ["project_id"] }
        ];
      };
      messages: {
        Row: { message_id: string; thread_id: string; type: string; is_llm_message: boolean; content: Json; metadata: Json | null; created_at: string; updated_at: string; agent_id: string | null; agent_version_id: string | null };
        Insert: { message_id?: string; thread_id: string; type: string; is_llm_message?: boolean; content: Json; metadata?: Json | null; created_at?: string; updated_at?: string; agent_id?: string | null; agent_version_id?: string | null };
        Update: { message_id?: string; thread_id?: string; type?: string; is_llm_message?: boolean; content?: Json; metadata?: Json | null; created_at?: string; updated_at?: string; agent_id?: string | null; agent_version_id?: string | null };
        Relationships: [
          { foreignKeyName: "messages_thread_id_fkey"; columns: ["thread_id"]; isOneToOne: false; referencedRelation: "threads"; referencedColumns: ["thread_id"] },
          { foreignKeyName: "messages_agent_id_fkey"; columns: ["agent_id"]; isOneToOne: false; referencedRelation: "agents"; referencedColumns: ["agent_id"] }
        ];
      };
      agent_runs: {
        Row: { id: string; thread_id: string; status: string; started_at: string; completed_at: string | null; error: string | null; created_at: string; updated_at: string; agent_id: string | null; agent_version_id: string | null; metadata: Json | null };
        Insert: { id?: string; thread_id: string; status?: string; started_at?: string; completed_at?: string | null; error?: string | null; created_at?: string; updated_at?: string; agent_id?: string | null; agent_version_id?: string | null; metadata?: Json | null };
        Update: { id?: string; thread_id?: string; status?: string; started_at?: string; completed_at?: string | null; error?: string | null; created_at?: string; updated_at?: string; agent_id?: string | null; agent_version_id?: string | null; metadata?: Json | null };
        Relationships: [
          { foreignKeyName: "agent_runs_thread_id_fkey"; columns: ["thread_id"]; isOneToOne: false; referencedRelation: "threads"; referencedColumns: ["thread_id"] }
        ];
      };
      agents: {
        Row: { agent_id: string; account_id: string; name: string; description: string | null; avatar: string | null; avatar_color: string | null; profile_image_url: string | null; is_default: boolean; created_at: string; updated_at: string };
        Insert: { agent_id?: string; account_id: string; name: string; description?: string | null; avatar?: string | null; avatar_color?: string | null; profile_image_url?: string | null; is_default?: boolean; created_at?: string; updated_at?: string };
        Update: { agent_id?: string; account_id?: string; name?: string; description?: string | null; avatar?: string | null; avatar_color?: string | null; profile_image_url?: string | null; is_default?: boolean; created_at?: string; updated_at?: string };
        Relationships: [];
      };
    };
    Views: { [_ in never]: never };
    Functions: { [_ in never]: never };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
};
"#;

/// Options of `supabaseClientConfig`.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupabaseClientOptions {
    /// Overrides runtime detection.
    #[tsify(optional)]
    pub runtime: Option<Runtime>,
    /// The environment to read (default: `process.env` on a server, the inlined public values in a browser).
    #[tsify(optional, type = "Record<string, string | undefined | null>")]
    pub env: Option<std::collections::BTreeMap<String, Option<String>>>,
    /// On a server only: the service-role key (`SUPABASE_SERVICE_ROLE_KEY`), which bypasses row-level
    /// security. Refused in a client runtime.
    #[tsify(optional)]
    pub service_role: Option<bool>,
}

/// What `createClient(url, key)` / `createBrowserClient(url, key)` need.
#[derive(Debug, Serialize, Tsify)]
pub struct SupabaseClientConfig {
    /// The project URL.
    pub url: String,
    /// The key: the public (anon or `sb_publishable_…`) key, or the service-role key when asked for on a server.
    pub key: String,
}

fn client_config(options: SupabaseClientOptions) -> Result<SupabaseClientConfig, Error> {
    let service_role = options.service_role.unwrap_or(false);
    let (runtime, env) = ConfigOptions {
        runtime: options.runtime,
        env: options.env,
    }
    .into_parts();
    let config = if service_role {
        if runtime == Runtime::Client {
            return Err(ConfigError::SecretKeyInClient {
                variable: SUPABASE_SERVICE_ROLE_KEY,
                kind: "service_role",
            }
            .into());
        }
        let config = SupabaseConfig::load(runtime, &env)?;
        if config.key_variable() != SUPABASE_SERVICE_ROLE_KEY || !config.key().kind().is_secret() {
            return Err(ConfigError::Missing {
                what: "the service-role key",
                looked_for: vec![SUPABASE_SERVICE_ROLE_KEY],
                origin: env.origin(),
            }
            .into());
        }
        config
    } else {
        SupabaseConfig::load_public(runtime, &env)?
    };
    Ok(SupabaseClientConfig {
        url: config.url().to_string(),
        key: config.key().expose_secret().to_owned(),
    })
}

/// The URL and key for supabase-js in this runtime: the public key (never a service-role or `sb_secret_` key
/// in a browser); on a server the service-role key only with `{ serviceRole: true }`.
///
/// @throws {HeliumError} `config` for a missing or invalid value, or a secret key where the public one is
/// expected.
#[wasm_bindgen(js_name = supabaseClientConfig)]
pub fn supabase_client_config(
    options: Option<Ts<SupabaseClientOptions>>,
) -> Result<Ts<SupabaseClientConfig>, JsValue> {
    let options: SupabaseClientOptions = match options.map(JsValue::from) {
        Some(v) if !v.is_undefined() && !v.is_null() => from_js(&v, "options")?,
        _ => SupabaseClientOptions::default(),
    };
    Ok(Ts::new_unchecked(to_js(&client_config(options)?)?))
}

/// A message's `content` or `metadata` as a value: backend-written rows hold an object, user rows (and the
/// stream's items) a JSON string of one; a string that is not JSON stays a string.
#[wasm_bindgen(js_name = parseContent)]
pub fn parse_content(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
) -> Result<JsValue, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(js_sys::JSON::parse(&text).unwrap_or(value));
    }
    Ok(value)
}

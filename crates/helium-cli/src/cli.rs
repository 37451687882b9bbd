//! The command line (clap derive).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The `helium` command line.
#[derive(Debug, Parser)]
#[command(
    name = "helium",
    version,
    about = "Helium AI from the command line: configuration, connection doctor, agent runs, dev backend",
    after_help = "Backend: --backend URL, else BACKEND_INTERNAL_URL || NEXT_PUBLIC_BACKEND_URL || http://localhost:8000.\n\
                  Auth: --token, else HELIUM_API_KEY (pk_…:sk_…, or he-… for `ask`), else HELIUM_ACCESS_TOKEN.\n\
                  Exit codes: 0 ok, 1 failure or failed checks, 2 usage, 130 interrupted."
)]
pub struct Cli {
    /// Backend URL, with or without /api (overrides BACKEND_INTERNAL_URL and NEXT_PUBLIC_BACKEND_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub backend: Option<String>,
    /// Access token (a Supabase JWT); default HELIUM_API_KEY, else HELIUM_ACCESS_TOKEN.
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the resolved configuration (server side by default) and every problem with the variable to fix.
    Config {
        /// The client (browser) side instead of the server side.
        #[arg(long)]
        client: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Check the deployment: configuration, backend health, Supabase, the frontend-facing settings.
    Doctor {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Start an agent run and stream it (Ctrl-C stops the run); with --thread, continue that conversation.
    Run {
        /// The prompt.
        prompt: String,
        /// Continue this thread (a follow-up: the message is added, then a run answers it).
        #[arg(long, value_name = "THREAD_ID")]
        thread: Option<String>,
        /// A file to upload to the run's sandbox (repeatable).
        #[arg(long = "file", value_name = "PATH")]
        files: Vec<PathBuf>,
        /// The model, e.g. vertex_ai/gemini-2.5-pro.
        #[arg(long, value_name = "M")]
        model: Option<String>,
        /// One JSON object per event on stdout, nothing else.
        #[arg(long)]
        json: bool,
    },
    /// Stream the events of an existing run (Ctrl-C stops watching, not the run).
    Stream {
        /// The agent run id.
        run_id: String,
        /// One JSON object per event on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Stop a run.
    Stop {
        /// The agent run id.
        run_id: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// List your threads, newest first (every page).
    Threads {
        /// JSON output (one array).
        #[arg(long)]
        json: bool,
    },
    /// Show a thread's messages, oldest first (assistant text as prose, tool calls by name).
    Messages {
        /// The thread id.
        thread_id: String,
        /// JSON output (the message rows).
        #[arg(long)]
        json: bool,
    },
    /// List a thread's runs, newest first.
    Runs {
        /// The thread id.
        thread_id: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Check the backend's health.
    Health {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Run the local dev backend until Ctrl-C.
    Devserver {
        /// Interface to bind.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port (0 = any free port).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// local | staging | production (default: ENV_MODE, else local).
        #[arg(long, value_name = "M")]
        env_mode: Option<helium_devserver::EnvMode>,
        /// Delay before each scripted stream item, in milliseconds.
        #[arg(long, default_value_t = 40)]
        pace_ms: u64,
    },
    /// Configuration → health → a streamed agent run → summary (embedded dev backend when none is configured).
    Quickstart {
        /// The prompt.
        #[arg(long)]
        prompt: Option<String>,
        /// The embedded backend's pace in ms (default HELIUM_QUICKSTART_PACE_MS, else 40).
        #[arg(long)]
        pace_ms: Option<u64>,
    },
    /// Ask through the public API v1 (HELIUM_API_KEY=he-…, or an access token): a quick action, its result
    /// and files.
    Ask {
        /// The prompt (1–5000 characters).
        prompt: String,
        /// A file to send with it (repeatable; at most 10).
        #[arg(long = "file", value_name = "PATH")]
        files: Vec<PathBuf>,
        /// How long to wait for the result, in seconds.
        #[arg(long, default_value_t = 600, value_name = "SECONDS")]
        timeout: u64,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// List the agents the way the web app does (the built-in one when custom agents are off).
    Agents {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show the subscription's status and the credit balance.
    Billing {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

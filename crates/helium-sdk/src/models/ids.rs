//! Newtype identifiers. On the wire (and in TypeScript) each is a plain string.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Serialises as a plain string (`#[serde(transparent)]`); the value is not validated.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id string as received from the backend.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// A thread (`threads.thread_id`, a UUID).
    ThreadId
);
id_type!(
    /// A project (`projects.project_id`, a UUID).
    ProjectId
);
id_type!(
    /// An agent run (`agent_runs.id`, a UUID).
    AgentRunId
);
id_type!(
    /// A Daytona sandbox (`projects.sandbox.id`).
    SandboxId
);
id_type!(
    /// An agent (`agents.agent_id`, a UUID, or `helium-default` when custom agents are disabled).
    AgentId
);
id_type!(
    /// A message row (`messages.message_id`, a UUID).
    MessageId
);
id_type!(
    /// An API key (`key_id`, a UUID).
    ApiKeyId
);
id_type!(
    /// A Basejump account (`account_id`, a UUID; equal to the user id for personal accounts).
    AccountId
);
id_type!(
    /// One LLM turn of a run (`thread_run_id` in stream metadata, a UUID).
    ThreadRunId
);
id_type!(
    /// A user (the JWT `sub`; equal to the account id for personal accounts).
    UserId
);

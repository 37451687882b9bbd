//! What an operation declaration expands to: its [`OperationSpec`], a `call` function building the request
//! (shared by the Rust handler and the JavaScript binding), and the Rust handler method.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, InvalidRequestCause};
use crate::http::{Call, encode_component};
use crate::transport::Part;

/// How a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A path segment (`{name}` in the template), percent-encoded.
    Path,
    /// A query parameter.
    Query,
    /// A sandbox file path in the query: encoded once more, because the backend URL-decodes it a second time.
    FsPath,
    /// A PostgREST equality filter in the query (`name=eq.value`).
    Eq,
    /// A request header (`x_mcp_url` is sent as `X-MCP-URL`).
    Header,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Its name (the `{name}` of the path template, or the query parameter).
    pub name: &'static str,
    /// How it travels.
    pub kind: ParamKind,
}

/// What an operation takes besides its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Nothing.
    None,
    /// A JSON body (optional in JavaScript when `optional`).
    Json {
        /// May be omitted (JavaScript) and defaults to the empty request.
        optional: bool,
    },
    /// Query parameters from an object.
    Query {
        /// May be omitted.
        optional: bool,
    },
    /// A `multipart/form-data` body (with files).
    Multipart,
}

/// What an operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// The JSON body.
    Json,
    /// The JSON body with the response's `X-RateLimit-*` headers as its `rate_limit` field (public API v1).
    JsonWithRateLimit,
    /// One field of the JSON body, a list (an empty list when the field is absent or `null`).
    List(&'static str),
    /// The raw bytes.
    Bytes,
    /// Nothing (an empty body).
    Nothing,
    /// A stream (its handler is written by hand).
    Stream,
}

/// The declaration of one backend operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationSpec {
    /// The Rust name (`get_agent_run`).
    pub name: &'static str,
    /// The JavaScript method (`getAgentRun`).
    pub js_name: &'static str,
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The path template under the API root (`/agent-run/{id}`).
    pub path: &'static str,
    /// The parameters, in argument order.
    pub params: &'static [ParamSpec],
    /// The input.
    pub input: InputKind,
    /// Whether credentials are required, optional or never sent.
    pub auth: &'static str,
    /// Whether the call is retried on transient failures.
    pub idempotent: bool,
    /// The output.
    pub output: OutputKind,
    pub(crate) verb: crate::transport::Method,
    pub(crate) auth_mode: crate::http::AuthMode,
    pub(crate) base: crate::http::Base,
    pub(crate) retry: crate::http::Idempotency,
    pub(crate) accept: &'static str,
    /// PostgREST writes ask for the written row back (`Prefer: return=representation`).
    pub(crate) prefer_representation: bool,
}

/// An operation's input in wire form, whatever its Rust type.
#[derive(Debug)]
pub(crate) enum Wire {
    None,
    Json(bytes::Bytes),
    Query(Vec<(String, String)>),
    Multipart(Vec<Part>),
}

impl Wire {
    /// A JSON body.
    pub(crate) fn json<T: Serialize + ?Sized>(body: &T) -> Result<Wire, Error> {
        serde_json::to_vec(body)
            .map(|b| Wire::Json(b.into()))
            .map_err(|e| Error::invalid(InvalidRequestCause::Encode(e.to_string())))
    }
}

impl OperationSpec {
    /// The request of this operation: the one builder behind every operation's Rust handler and JavaScript
    /// method (`params` in declaration order, `sub` the signed-in user for Supabase calls).
    pub(crate) fn request(&self, sub: Option<&str>, params: &[&str], input: Wire) -> Result<Call, Error> {
        if params.len() != self.params.len() {
            return Err(Error::invalid_options(
                "arguments",
                format!("{} takes {} parameters", self.js_name, self.params.len()),
            ));
        }
        let mut call = Call::new(self.verb, self.path);
        call.auth = self.auth_mode;
        call.base = self.base;
        call.idempotency = self.retry;
        fill_subject(&mut call, sub);
        for (param, value) in self.params.iter().zip(params) {
            match param.kind {
                ParamKind::Path => path_param(&mut call, param.name, value),
                ParamKind::Query => call.query.push((param.name.to_owned(), (*value).to_owned())),
                ParamKind::FsPath => call.query.push((param.name.to_owned(), sandbox_path(value))),
                ParamKind::Eq => call.query.push((param.name.to_owned(), format!("eq.{value}"))),
                ParamKind::Header => call.headers.push((header_name(param.name), (*value).to_owned())),
            }
        }
        match input {
            Wire::None => {}
            Wire::Json(bytes) => call.body = crate::transport::Body::Json(bytes),
            Wire::Query(pairs) => call.query.extend(pairs),
            Wire::Multipart(parts) => call.body = crate::transport::Body::Multipart(parts),
        }
        if self.prefer_representation {
            call.headers.push(("prefer", "return=representation".to_owned()));
        }
        call.accept = self.accept;
        Ok(call)
    }
}

/// A row written to Supabase for the signed-in user: its JSON, with the user's id where the table needs it
/// (`account_id`).
pub(crate) trait RestInsert {
    /// The JSON body for user `sub`.
    fn body(&self, sub: Option<&str>) -> serde_json::Value;
}

/// Replaces `{sub}` in a call's path (a filter on the signed-in user) with the user's id.
pub(crate) fn fill_subject(call: &mut Call, sub: Option<&str>) {
    if let Some(sub) = sub {
        call.path = call.path.replace("{sub}", &encode_component(sub));
    }
}

/// A request that is sent as `multipart/form-data`.
pub(crate) trait MultipartForm {
    /// The parts, in the order the frontend sends them. Files are shared, not copied.
    fn parts(&self) -> Result<Vec<Part>, Error>;
}

/// The header a `header` parameter is sent as: its name with `-` for `_` (`x_mcp_url` → `x-mcp-url`).
pub(crate) fn header_name(param: &'static str) -> &'static str {
    match param {
        "x_mcp_url" => "x-mcp-url",
        "x_mcp_type" => "x-mcp-type",
        "x_mcp_headers" => "x-mcp-headers",
        "x_project_id" => "x-project-id",
        other => other,
    }
}

/// Replaces `{name}` in a call's path with the percent-encoded value.
pub(crate) fn path_param(call: &mut Call, name: &str, value: &str) {
    let placeholder = format!("{{{name}}}");
    call.path = call.path.replace(&placeholder, &encode_component(value));
}

/// The value of a sandbox `path` parameter as sent, so that it arrives unchanged (contract §5.4): the backend
/// form-decodes the query (`+` is a space), then `normalize_path` percent-decodes it again and expands `\uXXXX`.
/// So every `%` (and anything else outside the unreserved set) is percent-encoded once here, before the usual
/// query encoding, and a backslash is sent as `\u005c`, which the `\uXXXX` expansion turns back into `\`.
pub(crate) fn sandbox_path(path: &str) -> String {
    encode_component(path).replace("%5C", "%5Cu005c")
}

/// The query pairs of an object: each field that is not `null`, in declaration order; booleans as
/// `true`/`false`, numbers as written, arrays as comma lists.
pub(crate) fn query_pairs<T: Serialize + ?Sized>(query: &T) -> Result<Vec<(String, String)>, Error> {
    let value = serde_json::to_value(query)
        .map_err(|e| Error::invalid(InvalidRequestCause::Encode(e.to_string())))?;
    query_pairs_of(&value)
}

/// [`query_pairs`] of a JSON value (the JavaScript path, which passes plain objects through).
pub(crate) fn query_pairs_of(value: &Value) -> Result<Vec<(String, String)>, Error> {
    let Value::Object(map) = value else {
        return Err(Error::invalid(InvalidRequestCause::Encode(
            "query parameters must be an object".into(),
        )));
    };
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    Ok(map
        .iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Value::Array(items) => {
                    let parts: Vec<String> = items.iter().filter_map(scalar).collect();
                    Some(parts.join(","))
                }
                other => scalar(other),
            }?;
            Some((k.clone(), value))
        })
        .collect())
}

/// Expands the operation table into one module per operation (its `SPEC` and `call`), and the list `ALL`.
macro_rules! define_operations {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident => $handler:ident . $method:ident, $js:literal :
        $verb:ident $path:literal ( $( $pkind:ident $pname:ident : $pty:ty ),* )
        $input:tt $auth:ident $retry:ident -> $output:tt;
    )*) => {
        $(
            #[doc = concat!("The `", stringify!($op), "` operation (`", stringify!($verb), " ", $path, "`).")]
            pub(crate) mod $op {
                #[allow(unused_imports)]
                use super::*;
                use $crate::api::spec::*;

                /// The declaration.
                pub(crate) const SPEC: OperationSpec = OperationSpec {
                    name: stringify!($op),
                    js_name: $js,
                    method: $crate::transport::Method::$verb.as_str(),
                    path: $path,
                    params: &[$(ParamSpec { name: stringify!($pname), kind: param_kind!($pkind) }),*],
                    input: input_kind!($input),
                    auth: stringify!($auth),
                    idempotent: matches!($crate::http::Idempotency::$retry, $crate::http::Idempotency::Idempotent),
                    output: output_kind!($output),
                    verb: $crate::transport::Method::$verb,
                    auth_mode: $crate::http::AuthMode::$auth,
                    base: base_of!($auth),
                    retry: $crate::http::Idempotency::$retry,
                    accept: accept_of!($output),
                    prefer_representation: prefers_representation!($input),
                };

                /// The request (shared by the Rust handler and the JavaScript binding); `sub` is the signed-in
                /// user for Supabase calls.
                #[allow(unused_variables)]
                pub(crate) fn call(
                    sub: Option<&str>,
                    $( $pname: &str, )*
                    input: &input_type!($input),
                ) -> Result<$crate::http::Call, $crate::Error> {
                    SPEC.request(sub, &[$($pname),*], wire!(input, $input, sub))
                }
            }
        )*

        /// Every declared operation.
        pub(crate) const ALL: &[&$crate::api::spec::OperationSpec] = &[$(&$op::SPEC),*];
    };
}

macro_rules! base_of {
    (Supabase) => {
        $crate::http::Base::Rest
    };
    ($other:ident) => {
        $crate::http::Base::Api
    };
}

/// The signed-in user's id for a Supabase call (`Some`), nothing for the others.
macro_rules! subject {
    (Supabase, $client:expr, $spec:expr) => {
        Some($client.subject(&$spec).await?)
    };
    ($other:ident, $client:expr, $spec:expr) => {
        None::<String>
    };
}

macro_rules! param_kind {
    (path) => {
        ParamKind::Path
    };
    (query) => {
        ParamKind::Query
    };
    (fspath) => {
        ParamKind::FsPath
    };
    (eq) => {
        ParamKind::Eq
    };
    (header) => {
        ParamKind::Header
    };
}

macro_rules! input_kind {
    ({}) => {
        InputKind::None
    };
    ({json $t:ty}) => {
        InputKind::Json { optional: false }
    };
    ({json_opt $t:ty}) => {
        InputKind::Json { optional: true }
    };
    ({query $t:ty}) => {
        InputKind::Query { optional: false }
    };
    ({query_opt $t:ty}) => {
        InputKind::Query { optional: true }
    };
    ({multipart $t:ty}) => {
        InputKind::Multipart
    };
    ({insert $t:ty}) => {
        InputKind::Json { optional: false }
    };
    ({patch $t:ty}) => {
        InputKind::Json { optional: false }
    };
}

macro_rules! input_type {
    ({}) => {
        ()
    };
    ({$kind:ident $t:ty}) => {
        $t
    };
}

/// The typed input of an operation in wire form.
macro_rules! wire {
    ($input:ident, {}, $sub:ident) => {{
        let () = *$input;
        Wire::None
    }};
    ($input:ident, {json $t:ty}, $sub:ident) => {
        Wire::json($input)?
    };
    ($input:ident, {json_opt $t:ty}, $sub:ident) => {
        Wire::json($input)?
    };
    ($input:ident, {query $t:ty}, $sub:ident) => {
        Wire::Query(query_pairs($input)?)
    };
    ($input:ident, {query_opt $t:ty}, $sub:ident) => {
        Wire::Query(query_pairs($input)?)
    };
    ($input:ident, {multipart $t:ty}, $sub:ident) => {
        Wire::Multipart(MultipartForm::parts($input)?)
    };
    ($input:ident, {insert $t:ty}, $sub:ident) => {
        Wire::json(&RestInsert::body($input, $sub))?
    };
    ($input:ident, {patch $t:ty}, $sub:ident) => {
        Wire::json($input)?
    };
}

macro_rules! prefers_representation {
    ({insert $t:ty}) => {
        true
    };
    ({patch $t:ty}) => {
        true
    };
    ($other:tt) => {
        false
    };
}

macro_rules! output_kind {
    ({json $t:ty}) => {
        OutputKind::Json
    };
    ({public $t:ty}) => {
        OutputKind::JsonWithRateLimit
    };
    ({array $t:ty}) => {
        OutputKind::Json
    };
    ({list $field:literal $t:ty}) => {
        OutputKind::List($field)
    };
    ({bytes}) => {
        OutputKind::Bytes
    };
    ({stream}) => {
        OutputKind::Stream
    };
    ({single $t:ty}) => {
        OutputKind::Json
    };
    ({none}) => {
        OutputKind::Nothing
    };
}

macro_rules! accept_of {
    ({bytes}) => {
        "application/octet-stream"
    };
    ({stream}) => {
        "text/event-stream"
    };
    ({single $t:ty}) => {
        "application/vnd.pgrst.object+json"
    };
    ($other:tt) => {
        "application/json"
    };
}

/// Expands the operation table into the Rust handler methods.
macro_rules! define_handlers {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident => $handler:ident . $method:ident, $js:literal :
        $verb:ident $path:literal ( $( $pkind:ident $pname:ident : $pty:ty ),* )
        $input:tt $auth:ident $retry:ident -> $output:tt;
    )*) => {
        $( handler_method! { [$($doc)*] $op $handler $method ( $( $pname : $pty ),* ) $input $auth $output } )*
    };
}

macro_rules! handler_method {
    ([$($doc:literal)*] $op:ident $handler:ident $method:ident ( $( $pname:ident : $pty:ty ),* ) $input:tt $auth:ident {stream}) => {};
    ([$($doc:literal)*] $op:ident $handler:ident $method:ident ( $( $pname:ident : $pty:ty ),* ) {} $auth:ident $output:tt) => {
        impl $handler {
            $(#[doc = $doc])*
            pub async fn $method(&self, $( $pname: impl Into<$pty>, )*) -> Result<output_type!($output), $crate::Error> {
                let sub = subject!($auth, self.client(), operations::$op::SPEC);
                let call = operations::$op::call(sub.as_deref(), $( AsRef::<str>::as_ref(&Into::<$pty>::into($pname)), )* &())?;
                read_output!(self.client(), call, $output)
            }
        }
    };
    ([$($doc:literal)*] $op:ident $handler:ident $method:ident ( $( $pname:ident : $pty:ty ),* ) {$kind:ident $t:ty} $auth:ident $output:tt) => {
        impl $handler {
            $(#[doc = $doc])*
            pub async fn $method(&self, $( $pname: impl Into<$pty>, )* request: &$t) -> Result<output_type!($output), $crate::Error> {
                let sub = subject!($auth, self.client(), operations::$op::SPEC);
                let call = operations::$op::call(sub.as_deref(), $( AsRef::<str>::as_ref(&Into::<$pty>::into($pname)), )* request)?;
                read_output!(self.client(), call, $output)
            }
        }
    };
}

macro_rules! output_type {
    ({json $t:ty}) => { $t };
    ({public $t:ty}) => { $t };
    ({single $t:ty}) => { $t };
    ({none}) => { () };
    ({array $t:ty}) => { Vec<$t> };
    ({list $field:literal $t:ty}) => { Vec<$t> };
    ({bytes}) => { Vec<u8> };
}

macro_rules! read_output {
    ($client:expr, $call:ident, {json $t:ty}) => {
        $client.send($call).await?.json::<$t>()
    };
    ($client:expr, $call:ident, {public $t:ty}) => {{
        let whole = $client.send($call).await?;
        let mut value = whole.json::<$t>()?;
        $crate::models::WithRateLimit::set_rate_limit(&mut value, whole.rate_limit());
        Ok(value)
    }};
    ($client:expr, $call:ident, {array $t:ty}) => {
        $client.send($call).await?.json::<Vec<$t>>()
    };
    ($client:expr, $call:ident, {list $field:literal $t:ty}) => {{
        #[derive(serde::Deserialize)]
        struct List {
            #[serde(rename = $field, default, deserialize_with = "crate::models::null_to_default")]
            items: Vec<$t>,
        }
        $client.send($call).await?.json::<List>().map(|l| l.items)
    }};
    ($client:expr, $call:ident, {bytes}) => {
        Ok($client.send($call).await?.body.to_vec())
    };
    ($client:expr, $call:ident, {single $t:ty}) => {
        $client.send($call).await?.json::<$t>()
    };
    ($client:expr, $call:ident, {none}) => {
        $client.send($call).await.map(|_| ())
    };
}

pub(crate) use {
    accept_of, base_of, define_handlers, define_operations, handler_method, input_kind, input_type,
    output_kind, output_type, param_kind, prefers_representation, read_output, subject, wire,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_paths_survive_the_second_decoding() {
        // What the backend does to the query value: form-decode (Starlette), then unquote, then \uXXXX.
        fn backend(query_value_as_sent: &str) -> String {
            let form = form_decode(query_value_as_sent);
            let unquoted = percent_decode(&form);
            expand_u(&unquoted)
        }
        for name in [
            "a+b.txt",
            "100%41.txt",
            "50% off.txt",
            "ü ñ.txt",
            "x&y=z#1.txt",
            "back\\u0041slash.txt",
            "/workspace/a b/c.txt",
        ] {
            let sent = encode_component(&sandbox_path(name));
            assert_eq!(backend(&sent), name, "{name} sent as {sent}");
        }
    }

    fn form_decode(s: &str) -> String {
        percent_decode(&s.replace('+', " "))
    }

    fn percent_decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = |c: u8| (c as char).to_digit(16);
                if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn expand_u(s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' && i + 5 < chars.len() && chars[i + 1] == 'u' {
                let hex: String = chars[i + 2..i + 6].iter().collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                    i += 6;
                    continue;
                }
            }
            out.push(chars[i]);
            i += 1;
        }
        out
    }

    #[test]
    fn query_pairs_of_an_object() {
        #[derive(Serialize)]
        struct Q {
            page: Option<u32>,
            search: Option<String>,
            has_default: Option<bool>,
            tools: Vec<&'static str>,
        }
        let q = Q {
            page: Some(2),
            search: None,
            has_default: Some(true),
            tools: vec!["mcp:a", "agentpress:b"],
        };
        let mut pairs = query_pairs(&q).unwrap();
        // The order follows serde_json's map: sorted keys by default, the struct's order with `preserve_order`
        // (which the dev backend turns on in these tests): compared without it.
        pairs.sort();
        assert_eq!(
            pairs,
            vec![
                ("has_default".to_owned(), "true".to_owned()),
                ("page".to_owned(), "2".to_owned()),
                ("tools".to_owned(), "mcp:a,agentpress:b".to_owned())
            ]
        );
    }
}

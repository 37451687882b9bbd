//! The JavaScript side of the operation table: argument decoding, the one async path every call takes, the
//! TypeScript signatures of the methods, and the list of method names the package's entry installs.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::client::call_client;
use super::{from_js, get};
use crate::api::operations::{self, for_each_operation};
use crate::api::spec::{MultipartForm, RestInsert, Wire, query_pairs_of};
use crate::api::{OutputKind, ProfileImageUpload, SandboxUpload, UploadFile};
use crate::client::Client;
use crate::error::Error;
use crate::http::{AuthMode, Call};
#[allow(unused_imports)]
use crate::models::*;
use crate::transport::FileData;

/// The arguments of one call, consumed in order.
struct Args<'a> {
    array: &'a js_sys::Array,
    next: u32,
}

impl Args<'_> {
    fn take(&mut self) -> JsValue {
        let v = self.array.get(self.next);
        self.next += 1;
        v
    }

    fn string(&mut self, name: &str) -> Result<String, Error> {
        self.take()
            .as_string()
            .ok_or_else(|| Error::invalid_options(name, "must be a string"))
    }

    fn json<T: DeserializeOwned>(&mut self, what: &str) -> Result<T, Error> {
        let v = self.take();
        if v.is_undefined() || v.is_null() {
            return Err(Error::invalid_options(what, "is required"));
        }
        from_js(&v, what)
    }

    /// A plain object (`{}` when `optional` and omitted), as JSON.
    fn object(&mut self, what: &str, optional: bool) -> Result<serde_json::Value, Error> {
        let v = self.take();
        if v.is_undefined() || v.is_null() {
            return if optional {
                Ok(serde_json::Value::Object(serde_json::Map::new()))
            } else {
                Err(Error::invalid_options(what, "is required"))
            };
        }
        if !v.is_object() || js_sys::Array::is_array(&v) {
            return Err(Error::invalid_options(what, "must be an object"));
        }
        from_js(&v, what)
    }

    fn multipart<T: JsMultipart>(&mut self) -> Result<T, Error> {
        T::from_js(&self.take())
    }
}

/// A multipart request read from a JavaScript object whose files are `File`s, `Blob`s or bytes (never copied
/// through JSON).
pub(crate) trait JsMultipart: Sized {
    fn from_js(value: &JsValue) -> Result<Self, Error>;
}

/// The object without one key (the files), for the JSON part of a multipart request.
pub(crate) fn without(value: &JsValue, key: &str) -> Result<JsValue, Error> {
    if !value.is_object() {
        return Err(Error::invalid_options("request", "must be an object"));
    }
    let copy = js_sys::Object::new();
    // Object.assign and delete on a fresh plain object cannot fail.
    let _ = js_sys::Object::assign(&copy, value.unchecked_ref());
    let _ = js_sys::Reflect::delete_property(&copy, &JsValue::from_str(key));
    Ok(copy.into())
}

impl JsMultipart for InitiateAgentRequest {
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        let mut request: InitiateAgentRequest = from_js(&without(value, "files")?, "initiateAgent request")?;
        let files = get(value, "files");
        if let Some(array) = files.dyn_ref::<js_sys::Array>() {
            for item in array.iter() {
                request.files.push(upload_from_js(&item)?);
            }
        } else if !files.is_undefined() && !files.is_null() {
            return Err(Error::invalid_options("files", "must be an array"));
        }
        Ok(request)
    }
}

impl JsMultipart for CreateThreadRequest {
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        if value.is_undefined() || value.is_null() {
            return Ok(CreateThreadRequest::default());
        }
        from_js(value, "createThread request")
    }
}

impl JsMultipart for SandboxUpload {
    fn from_js(value: &JsValue) -> Result<Self, Error> {
        let path = get(value, "path")
            .as_string()
            .ok_or_else(|| Error::invalid_options("path", "must be a string"))?;
        Ok(SandboxUpload::new(path, upload_from_js(&get(value, "file"))?))
    }
}

pub(crate) fn upload_from_js(item: &JsValue) -> Result<UploadFile, Error> {
    // A File (a Blob with a name).
    if let Some(blob) = item.dyn_ref::<web_sys::Blob>() {
        let name = get(item, "name").as_string().unwrap_or_else(|| "file".into());
        let content_type = blob.type_();
        let file = UploadFile::new(name, FileData::Blob(blob.clone()));
        return Ok(if content_type.is_empty() {
            file
        } else {
            file.content_type(content_type)
        });
    }
    let name = get(item, "name")
        .as_string()
        .ok_or_else(|| Error::invalid_options("upload", "needs a `name` (or pass a File)"))?;
    let data = get(item, "data");
    let data = if let Some(blob) = data.dyn_ref::<web_sys::Blob>() {
        FileData::Blob(blob.clone())
    } else if let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>() {
        FileData::from(bytes.to_vec())
    } else if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        FileData::from(js_sys::Uint8Array::new(buf).to_vec())
    } else {
        return Err(Error::invalid_options(
            "upload",
            "`data` must be a Blob, Uint8Array or ArrayBuffer",
        ));
    };
    let file = UploadFile::new(name, data);
    Ok(match get(item, "contentType").as_string() {
        Some(ct) => file.content_type(ct),
        None => file,
    })
}

/// The input of an operation from its JavaScript argument, in wire form. JSON bodies and query objects pass
/// through as the plain objects their TypeScript types describe (top-level `null`s dropped, as the Rust models
/// skip `None`): the backend validates them and a wrong shape comes back as a `validation` error. Multipart
/// requests and PostgREST inserts are decoded into their Rust types, whose code builds the parts and rows.
macro_rules! js_wire {
    ($args:ident, $sub:ident, {}) => {
        Ok(Wire::None)
    };
    ($args:ident, $sub:ident, {json $t:ty}) => {
        $args.object("request", false).and_then(|v| json_body(v))
    };
    ($args:ident, $sub:ident, {json_opt $t:ty}) => {
        $args.object("request", true).and_then(|v| json_body(v))
    };
    ($args:ident, $sub:ident, {query $t:ty}) => {
        $args
            .object("query", false)
            .and_then(|v| query_pairs_of(&v).map(Wire::Query))
    };
    ($args:ident, $sub:ident, {query_opt $t:ty}) => {
        $args
            .object("query", true)
            .and_then(|v| query_pairs_of(&v).map(Wire::Query))
    };
    ($args:ident, $sub:ident, {multipart $t:ty}) => {
        MultipartForm::parts(&$args.multipart::<$t>()?).map(Wire::Multipart)
    };
    ($args:ident, $sub:ident, {insert $t:ty}) => {
        Wire::json(&RestInsert::body(&$args.json::<$t>("row")?, $sub))
    };
    ($args:ident, $sub:ident, {patch $t:ty}) => {
        $args.object("changes", false).and_then(|v| json_body(v))
    };
}

/// A JSON body from a plain object, without its top-level `null`s.
fn json_body(mut value: serde_json::Value) -> Result<Wire, Error> {
    if let serde_json::Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
    }
    Wire::json(&value)
}

macro_rules! js_arms {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident => $handler:ident . $method:ident, $js:literal :
        $verb:ident $path:literal ( $( $pkind:ident $pname:ident : $pty:ty ),* )
        $input:tt $auth:ident $retry:ident -> $output:tt;
    )*) => {
        /// The input argument of the operation `name`, in wire form. The only per-operation code of the
        /// JavaScript path: the request itself is built from the operation's declaration.
        fn input(name: &str, args: &mut Args<'_>, sub: Option<&str>) -> Result<Wire, Error> {
            match name {
                $( $js => js_wire!(args, sub, $input), )*
                _ => Ok(Wire::None),
            }
        }
    };
}

/// The call of the operation `name` from its JavaScript arguments (the call options are left).
async fn build(client: &Client, name: &str, args: &mut Args<'_>) -> Result<(Call, OutputKind), Error> {
    let spec = operations::ALL
        .iter()
        .find(|s| s.js_name == name && !matches!(s.output, OutputKind::Stream))
        .ok_or_else(|| Error::invalid_options("operation", format!("unknown operation {name}")))?;
    let mut params = Vec::with_capacity(spec.params.len());
    for p in spec.params {
        params.push(args.string(p.name)?);
    }
    let sub = match spec.auth_mode {
        AuthMode::Supabase => Some(client.subject(spec).await?),
        _ => None,
    };
    let wire = input(name, args, sub.as_deref())?;
    let params: Vec<&str> = params.iter().map(String::as_str).collect();
    Ok((spec.request(sub.as_deref(), &params, wire)?, spec.output))
}

for_each_operation!(js_arms);

/// Runs the operation `name` with its JavaScript arguments: the one async path of every call (a single state
/// machine in the wasm, whatever the number of methods).
pub(crate) async fn run(client: Client, name: String, array: js_sys::Array) -> Result<JsValue, JsValue> {
    let mut args = Args {
        array: &array,
        next: 0,
    };
    let client = call_client(&client, &array.get(options_index(&name)))?;
    let (call, output) = build(&client, &name, &mut args).await?;
    perform(client, call, output).await
}

/// Where the call options are in the arguments of `name`: after its parameters and its input.
fn options_index(name: &str) -> u32 {
    operations::ALL.iter().find(|s| s.js_name == name).map_or(0, |s| {
        (s.params.len() + usize::from(s.input != crate::api::InputKind::None)) as u32
    })
}

async fn perform(client: Client, call: Call, output: OutputKind) -> Result<JsValue, JsValue> {
    let whole = client.send(call).await?;
    let rate_limit = whole.rate_limit();
    match output {
        OutputKind::Bytes => return Ok(js_sys::Uint8Array::from(&whole.body[..]).into()),
        OutputKind::Nothing => return Ok(JsValue::UNDEFINED),
        _ => {}
    }
    let decode_error = |message: &str| {
        Error::decode(
            whole.endpoint.clone(),
            whole.status,
            message,
            &whole.body,
            whole.request_id.clone(),
        )
    };
    let text = std::str::from_utf8(&whole.body).map_err(|_| decode_error("the body is not UTF-8"))?;
    if let Some(reason) = crate::http::json_limits::exceeds_native_limits(text) {
        return Err(decode_error(reason).into());
    }
    let value = js_sys::JSON::parse(text).map_err(|_| decode_error("the body is not JSON"))?;
    match output {
        OutputKind::List(field) => {
            if !value.is_object() || js_sys::Array::is_array(&value) {
                return Err(decode_error(&format!("expected an object with `{field}`")).into());
            }
            let list = get(&value, field);
            Ok(if list.is_undefined() || list.is_null() {
                js_sys::Array::new().into()
            } else {
                list
            })
        }
        OutputKind::JsonWithRateLimit => {
            if let Some(rate_limit) = rate_limit
                && value.is_object()
            {
                // Setting a property on the object just parsed cannot fail.
                let _ = js_sys::Reflect::set(
                    &value,
                    &JsValue::from_str("rate_limit"),
                    &super::to_js(&rate_limit)?,
                );
            }
            Ok(value)
        }
        _ => Ok(value),
    }
}

/// The names of the operations the entry installs as methods of `HeliumClient` (streams have their own).
#[wasm_bindgen(js_name = operationNames, skip_typescript)]
pub fn operation_names() -> js_sys::Array {
    operations::ALL
        .iter()
        .filter(|s| !matches!(s.output, OutputKind::Stream))
        .map(|s| JsValue::from_str(s.js_name))
        .collect()
}

macro_rules! ts_input {
    ({}) => {
        ""
    };
    ({json $t:ty}) => {
        concat!("request: ", stringify!($t), ", ")
    };
    ({json_opt $t:ty}) => {
        concat!("request?: ", stringify!($t), ", ")
    };
    ({query $t:ty}) => {
        concat!("query: ", stringify!($t), ", ")
    };
    ({query_opt $t:ty}) => {
        concat!("query?: ", stringify!($t), ", ")
    };
    ({multipart $t:ty}) => {
        concat!("request: ", stringify!($t), "Input, ")
    };
    ({insert $t:ty}) => {
        concat!("row: ", stringify!($t), ", ")
    };
    ({patch $t:ty}) => {
        concat!("changes: ", stringify!($t), ", ")
    };
}

macro_rules! ts_output {
    ({json $t:ty}) => {
        stringify!($t)
    };
    ({public $t:ty}) => {
        stringify!($t)
    };
    ({single $t:ty}) => {
        stringify!($t)
    };
    ({none}) => {
        "void"
    };
    ({array $t:ty}) => {
        concat!(stringify!($t), "[]")
    };
    ({list $field:literal $t:ty}) => {
        concat!(stringify!($t), "[]")
    };
    ({bytes}) => {
        "Uint8Array"
    };
}

macro_rules! ts_method {
    ([$($doc:literal)*] $js:literal ($($pname:ident),*) $input:tt {stream}) => {
        ""
    };
    ([$($doc:literal)*] $js:literal ($($pname:ident),*) $input:tt $output:tt) => {
        concat!(
            "  /**", $($doc, "\n   *",)* "/\n  ",
            $js, "(", $(stringify!($pname), ": string, ",)* ts_input!($input),
            "options?: CallOptions): Promise<", ts_output!($output), ">;\n"
        )
    };
}

macro_rules! ts_interface {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident => $handler:ident . $method:ident, $js:literal :
        $verb:ident $path:literal ( $( $pkind:ident $pname:ident : $pty:ty ),* )
        $input:tt $auth:ident $retry:ident -> $output:tt;
    )*) => {
        concat!(
            "/** The operations of the Helium backend, one method each (declared once, in the SDK's operation table). */\n",
            "export interface HeliumClient {\n",
            $( ts_method!([$($doc)*] $js ($($pname),*) $input $output), )*
            "}\n"
        )
    };
}

#[wasm_bindgen(typescript_custom_section)]
const TS_OPERATIONS: &str = for_each_operation!(ts_interface);

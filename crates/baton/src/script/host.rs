//! The Rust side of the pm API: the state one job's scripts read and change (moved in from the
//! [`ScriptJob`](super::ScriptJob) when the job starts and moved back when it ends), and the native
//! functions the JavaScript prelude calls to reach it.

use std::cell::RefCell;
use std::rc::Rc;

use rquickjs::function::Opt;
use rquickjs::object::Property;
use rquickjs::{Ctx, FromJs, Function, Object, Value};
use serde_json::{Value as Json, json};

use super::accessor::SharedAccessor;
use super::convert::{from_js, to_js};
use super::libraries;
use super::types::{Assertion, AssertionError, ConsoleEntry, NextRequest, ScriptJob};
use crate::collection::{Listen, Request};
use crate::http::{CookieRecord, Response};
use crate::vars::{ExpansionTooLong, Scopes, VariableScope};

/// Work a script asked for that finishes later, in the event loop.
#[derive(Debug)]
pub enum HostOp {
    /// `pm.sendRequest` with the request in Postman JSON.
    Send(Json),
    /// A `pm.cookies.jar()` call: (method, url, name, value).
    Cookie(String, String, Option<String>, Option<Json>),
}

/// One job's state, shared by the native functions.
#[derive(Default)]
pub struct Host {
    pub scopes: Scopes,
    pub request: Option<Request>,
    pub response: Option<Response>,
    pub cookies: Vec<CookieRecord>,
    pub assertions: Vec<Assertion>,
    pub console: Vec<ConsoleEntry>,
    /// Console lines past [`MAX_CONSOLE_LINES`] in the current script, counted, not kept.
    pub console_dropped: usize,
    pub next_request: Option<NextRequest>,
    pub skip_request: bool,
    pub prerequest: bool,
    pub ops: Vec<(u32, HostOp)>,
    pub next_op: u32,
    /// The names of the folders above the item and the item's own (`pm.execution.location`).
    pub location: Vec<String>,
    /// Sugar's stubs on the built-ins (`sugar.rs`): the realm's, not the job's.
    pub sugar: Option<super::sugar::Stubs>,
}

pub type SharedHost = Rc<RefCell<Host>>;

/// The most console lines one script keeps: a script logging in a loop cannot grow the run's
/// memory without bound.
pub const MAX_CONSOLE_LINES: usize = 10_000;

impl Host {
    /// Makes this the state of `job` as it begins: the job's scopes, request and response are
    /// lent to it (the scopes swapped in, and swapped back at the job's end, so that no empty
    /// scopes are made and dropped per job), and what the last job left is cleared.
    pub fn begin_job(&mut self, job: &mut ScriptJob<'_>, cookies: Vec<CookieRecord>) {
        // Every field is named, so that a new one cannot be left out.
        let Host {
            scopes,
            request,
            response,
            cookies: page_cookies,
            assertions,
            console,
            console_dropped,
            next_request,
            skip_request,
            prerequest,
            ops,
            next_op: _,
            location,
            sugar: _,
        } = self;
        std::mem::swap(scopes, job.scopes);
        *request = Some(std::mem::take(job.request));
        *response = job.response.take();
        *page_cookies = cookies;
        assertions.clear();
        console.clear();
        *console_dropped = 0;
        *next_request = None;
        *skip_request = false;
        *prerequest = job.listen == Listen::Prerequest;
        ops.clear();
        *location = std::mem::take(&mut job.info.location);
    }

    /// The current script's console output, with a last line counting what was not kept.
    pub fn take_console(&mut self) -> Vec<ConsoleEntry> {
        let mut console = std::mem::take(&mut self.console);
        let dropped = std::mem::take(&mut self.console_dropped);
        if dropped > 0 {
            console.push(ConsoleEntry {
                level: "warn".into(),
                message: format!(
                    "... {dropped} more console lines not kept (at most {MAX_CONSOLE_LINES} per script)"
                ),
            });
        }
        console
    }
}

/// The scopes scripts reach, named; the prelude gets them as `SCOPES` (`SCOPES.environment`) and
/// passes the index back to the natives.
pub const SCOPE_NAMES: [&str; 5] = ["local", "data", "environment", "collection", "globals"];

fn scope(scopes: &mut Scopes, index: u8) -> &mut VariableScope {
    match SCOPE_NAMES.get(usize::from(index)).copied() {
        Some("local") => &mut scopes.local,
        Some("data") => &mut scopes.data,
        Some("environment") => &mut scopes.environment,
        Some("collection") => &mut scopes.collection,
        _ => &mut scopes.globals,
    }
}

/// Text of a variable value as `{{name}}` substitution and string-typed APIs see it.
fn value_or_undefined<'js>(ctx: &Ctx<'js>, value: Option<&Json>) -> rquickjs::Result<Value<'js>> {
    match value {
        Some(v) => to_js(ctx, v),
        None => Ok(Value::new_undefined(ctx.clone())),
    }
}

macro_rules! native {
    ($ctx:expr, $target:expr, $name:literal, $host:ident, $f:expr) => {{
        let $host = $host.clone();
        $target.set($name, Function::new($ctx.clone(), $f)?.with_name($name)?)?;
    }};
}

/// The object of native functions handed to the prelude.
pub fn natives<'js>(ctx: &Ctx<'js>, host: &SharedHost) -> rquickjs::Result<Object<'js>> {
    let o = Object::new(ctx.clone())?;
    native!(
        ctx,
        o,
        "sget",
        host,
        move |ctx: Ctx<'js>, i: u8, key: String| {
            let mut h = host.borrow_mut();
            let value = scope(&mut h.scopes, i).get(&key).cloned();
            value_or_undefined(&ctx, value.as_ref())
        }
    );
    native!(ctx, o, "unstubSugar", host, move |ctx: Ctx<'js>| {
        super::sugar::unstub(&ctx, &host)
    });
    native!(ctx, o, "shas", host, move |i: u8, key: String| {
        scope(&mut host.borrow_mut().scopes, i).has(&key)
    });
    native!(
        ctx,
        o,
        "sset",
        host,
        move |ctx: Ctx<'js>, i: u8, key: String, value: Value<'js>| {
            // `undefined` reads back as `undefined` until the script ends; then every scope but
            // `pm.variables` leaves Newman's sandbox as JSON and comes back holding `null`
            // (`Scopes::settle_undefined`).
            let value = if value.is_undefined() {
                None
            } else {
                Some(from_js(&ctx, value)?)
            };
            let mut h = host.borrow_mut();
            match value {
                Some(value) => scope(&mut h.scopes, i).set(&key, value),
                None => scope(&mut h.scopes, i).set_undefined(&key),
            }
            Ok::<_, rquickjs::Error>(())
        }
    );
    native!(ctx, o, "sunset", host, move |i: u8, key: String| {
        scope(&mut host.borrow_mut().scopes, i).unset(&key)
    });
    native!(ctx, o, "sclear", host, move |i: u8| {
        scope(&mut host.borrow_mut().scopes, i).clear()
    });
    native!(ctx, o, "sobj", host, move |ctx: Ctx<'js>, i: u8| {
        let object = scope(&mut host.borrow_mut().scopes, i).to_object();
        to_js(&ctx, &Json::Object(object))
    });
    native!(
        ctx,
        o,
        "sresolve",
        host,
        move |ctx: Ctx<'js>, i: u8, text: String| {
            let mut h = host.borrow_mut();
            let only = Scopes {
                local: scope(&mut h.scopes, i).clone(),
                ..Default::default()
            };
            resolved_or_throw(&ctx, only.resolve(&text))
        }
    );
    native!(ctx, o, "vget", host, move |ctx: Ctx<'js>, key: String| {
        let value = host.borrow().scopes.get(&key).cloned();
        value_or_undefined(&ctx, value.as_ref())
    });
    native!(ctx, o, "vhas", host, move |key: String| host
        .borrow()
        .scopes
        .get(&key)
        .is_some());
    native!(ctx, o, "vobj", host, move |ctx: Ctx<'js>| {
        let h = host.borrow();
        let s = &h.scopes;
        let mut out = serde_json::Map::new();
        for scope in [&s.globals, &s.collection, &s.environment, &s.data, &s.local] {
            out.extend(scope.to_object());
        }
        to_js(&ctx, &Json::Object(out))
    });
    native!(
        ctx,
        o,
        "resolve",
        host,
        move |ctx: Ctx<'js>, text: String| {
            let resolved = host.borrow().scopes.resolve(&text);
            resolved_or_throw(&ctx, resolved)
        }
    );
    native!(ctx, o, "request", host, move |ctx: Ctx<'js>| {
        let json = host.borrow().request.as_ref().map(Request::to_json);
        value_or_undefined(&ctx, json.as_ref())
    });
    // The job's response, made here in the shape the prelude hands over (`ResponseShape`).
    let response = {
        let host = host.clone();
        move |ctx: Ctx<'js>, shape: ResponseShape<'js>| match &host.borrow().response {
            Some(response) => response_object(&ctx, response, shape).map(Object::into_value),
            None => Ok(Value::new_undefined(ctx.clone())),
        }
    };
    o.set(
        "response",
        Function::new(ctx.clone(), response)?.with_name("response")?,
    )?;
    // JSON text as `JSON.parse` reads it, or `undefined` (which no JSON text is) to leave the
    // text to `JSON.parse`.
    let parse_json = |ctx: Ctx<'js>, text: rquickjs::String<'js>| {
        let text = text.to_string().ok();
        let value = text.and_then(|text| super::json::parse(&ctx, &text));
        value.unwrap_or_else(|| Value::new_undefined(ctx.clone()))
    };
    o.set(
        "parseJson",
        Function::new(ctx.clone(), parse_json)?.with_name("parseJson")?,
    )?;
    native!(ctx, o, "location", host, move |ctx: Ctx<'js>| {
        let names = rquickjs::Array::new(ctx.clone())?;
        for (index, name) in host.borrow().location.iter().enumerate() {
            names.set(index, name.as_str())?;
        }
        Ok::<_, rquickjs::Error>(names)
    });
    native!(ctx, o, "responseHeaders", host, move |ctx: Ctx<'js>| {
        let h = host.borrow();
        match &h.response {
            Some(response) => header_list(&ctx, response).map(|list| list.into_value()),
            None => Ok(Value::new_undefined(ctx.clone())),
        }
    });
    native!(ctx, o, "cookies", host, move |ctx: Ctx<'js>| {
        let list: Vec<Json> = host.borrow().cookies.iter().map(cookie_json).collect();
        to_js(&ctx, &Json::Array(list))
    });
    native!(
        ctx,
        o,
        "assertion",
        host,
        move |name: String, skipped: bool, error: Opt<Value<'js>>| {
            let error = match error.0.as_ref().and_then(Value::as_object) {
                Some(e) => Some(AssertionError {
                    name: e
                        .get::<_, Option<String>>("name")?
                        .unwrap_or_else(|| "Error".into()),
                    message: e.get::<_, Option<String>>("message")?.unwrap_or_default(),
                    line: e.get::<_, Option<u32>>("line")?,
                }),
                None => None,
            };
            host.borrow_mut().assertions.push(Assertion {
                name,
                skipped,
                error,
            });
            Ok::<_, rquickjs::Error>(())
        }
    );
    native!(
        ctx,
        o,
        "console",
        host,
        move |level: String, message: String| {
            let mut host = host.borrow_mut();
            if host.console.len() < MAX_CONSOLE_LINES {
                host.console.push(ConsoleEntry { level, message });
            } else {
                host.console_dropped += 1;
            }
        }
    );
    native!(ctx, o, "next", host, move |target: Value<'js>| {
        // `undefined` (no argument) is lost on its way out of Newman's sandbox, so it undoes
        // an earlier call instead of stopping the run; `null` stops it.
        let next = match target.as_string() {
            Some(s) => Some(NextRequest::Item(s.to_string()?)),
            None if target.is_undefined() => None,
            None if target.is_null() => Some(NextRequest::Stop),
            None => Some(NextRequest::Item(
                target.get::<rquickjs::Coerced<String>>()?.0,
            )),
        };
        host.borrow_mut().next_request = next;
        Ok::<_, rquickjs::Error>(())
    });
    native!(ctx, o, "skip", host, move || {
        let mut h = host.borrow_mut();
        if h.prerequest {
            h.skip_request = true;
        }
    });
    native!(
        ctx,
        o,
        "send",
        host,
        move |ctx: Ctx<'js>, request: Value<'js>| {
            let request = from_js(&ctx, request)?;
            Ok::<_, rquickjs::Error>(queue(&host, HostOp::Send(request)))
        }
    );
    native!(
        ctx,
        o,
        "cookieOp",
        host,
        move |ctx: Ctx<'js>,
              method: String,
              url: String,
              name: Opt<String>,
              value: Opt<Value<'js>>| {
            let value = match value.0 {
                Some(v) => Some(from_js(&ctx, v)?),
                None => None,
            };
            Ok::<_, rquickjs::Error>(queue(&host, HostOp::Cookie(method, url, name.0, value)))
        }
    );
    o.set("btoa", Function::new(ctx.clone(), btoa)?)?;
    o.set("atob", Function::new(ctx.clone(), atob)?)?;
    o.set(
        "uuid",
        Function::new(ctx.clone(), || uuid::Uuid::new_v4().to_string())?,
    )?;
    o.set(
        "library",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, name: String| {
            libraries::factory(&ctx, &name)
        })?,
    )?;
    o.set(
        "licenses",
        Function::new(ctx.clone(), libraries::third_party_licenses)?,
    )?;
    Ok(o)
}

fn queue(host: &SharedHost, op: HostOp) -> u32 {
    let mut h = host.borrow_mut();
    h.next_op += 1;
    let id = h.next_op;
    h.ops.push((id, op));
    id
}

/// What the prelude's `Response` class is made of, handed to the `response` native so that the
/// job's response is built here, in one call, with the same shape the class's constructor gives:
/// `[prototype, headers getter, headers setter, data key, header loader]`.
pub struct ResponseShape<'js> {
    prototype: Object<'js>,
    headers: SharedAccessor<'js>,
    data_key: Value<'js>,
    load_headers: Value<'js>,
}

impl<'js> FromJs<'js> for ResponseShape<'js> {
    fn from_js(ctx: &Ctx<'js>, value: Value<'js>) -> rquickjs::Result<Self> {
        let parts = rquickjs::Array::from_js(ctx, value)?;
        Ok(ResponseShape {
            prototype: parts.get(0)?,
            // Every response shares the class's two functions instead of getting new ones.
            headers: SharedAccessor {
                get: parts.get(1)?,
                set: parts.get(2)?,
                enumerable: true,
            },
            data_key: parts.get(3)?,
            load_headers: parts.get(4)?,
        })
    }
}

/// The job's response as the prelude's `Response` class makes one (the same prototype, own
/// properties in the same order, the same shared `headers` accessor), with its host data (the
/// body, the sizes and how to load the headers, which most scripts never read) under the
/// class's hidden key.
fn response_object<'js>(
    ctx: &Ctx<'js>,
    response: &Response,
    shape: ResponseShape<'js>,
) -> rquickjs::Result<Object<'js>> {
    let object = Object::new_proto(ctx.clone(), Some(&shape.prototype))?;
    object.set("code", response.code)?;
    object.set("status", response.status.as_str())?;
    object.prop("headers", shape.headers)?;
    object.set("responseTime", response.response_time.as_millis() as f64)?;
    object.set("responseSize", response.body_size() as f64)?;
    let data = Object::new(ctx.clone())?;
    data.set("body", response.text().as_ref())?;
    data.set("bodySize", response.body_size() as f64)?;
    data.set("headerSize", response.header_size() as f64)?;
    data.set("loadHeaders", shape.load_headers)?;
    object.prop(shape.data_key, Property::from(data))?;
    Ok(object)
}

/// A response as the plain data the prelude's `Response` class wraps, but its header list: most
/// scripts never read it, so `pm.response` asks for it (`responseHeaders`) on first read, and a
/// `pm.sendRequest` response gets it set with [`header_list`].
pub fn response_data<'js>(ctx: &Ctx<'js>, response: &Response) -> rquickjs::Result<Object<'js>> {
    let data = Object::new(ctx.clone())?;
    data.set("code", response.code)?;
    data.set("status", response.status.as_str())?;
    data.set("responseTime", response.response_time.as_millis() as f64)?;
    data.set("bodySize", response.body_size() as f64)?;
    data.set("headerSize", response.header_size() as f64)?;
    data.set("body", response.text().as_ref())?;
    Ok(data)
}

/// A response's headers as `[{key, value}]`.
pub fn header_list<'js>(
    ctx: &Ctx<'js>,
    response: &Response,
) -> rquickjs::Result<rquickjs::Array<'js>> {
    let headers = rquickjs::Array::new(ctx.clone())?;
    for (index, (key, value)) in response.headers.iter().enumerate() {
        let header = Object::new(ctx.clone())?;
        header.set("key", key.as_str())?;
        header.set("value", value.as_str())?;
        headers.set(index, header)?;
    }
    Ok(headers)
}

pub fn cookie_json(c: &CookieRecord) -> Json {
    json!({"name": c.name, "value": c.value, "domain": c.domain, "path": c.path,
           "secure": c.secure, "httpOnly": c.http_only, "expires": c.expires})
}

/// A resolved text, or a `RangeError` in the script when its variables expand without bound.
fn resolved_or_throw(
    ctx: &Ctx<'_>,
    resolved: Result<String, ExpansionTooLong>,
) -> rquickjs::Result<String> {
    resolved.map_err(|error| rquickjs::Exception::throw_range(ctx, &error.to_string()))
}

fn btoa(ctx: Ctx<'_>, text: rquickjs::Coerced<String>) -> rquickjs::Result<String> {
    use base64::Engine;
    let mut bytes = Vec::with_capacity(text.0.len());
    for c in text.0.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => bytes.push(b),
            Err(_) => {
                return Err(rquickjs::Exception::throw_message(
                    &ctx,
                    "Invalid character: btoa accepts Latin-1 text only",
                ));
            }
        }
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn atob(ctx: Ctx<'_>, text: rquickjs::Coerced<String>) -> rquickjs::Result<String> {
    use base64::Engine;
    let cleaned: String = text
        .0
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let trimmed = cleaned.trim_end_matches('=');
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::general_purpose::NO_PAD
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    match engine.decode(trimmed) {
        Ok(bytes) => Ok(bytes.into_iter().map(char::from).collect()),
        Err(_) => Err(rquickjs::Exception::throw_message(
            &ctx,
            "The string to be decoded is not correctly encoded.",
        )),
    }
}

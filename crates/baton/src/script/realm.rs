//! The realm: one QuickJS runtime and context for the whole run, the prelude that builds the pm
//! API once, compiling scripts (cached by source), and the event loop that settles a script's
//! promises, timers, cookie-jar calls and `pm.sendRequest` calls before the next script runs.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use rquickjs::context::EvalOptions;
use rquickjs::function::Args;
use rquickjs::promise::PromiseState;
use rquickjs::{Context, Ctx, Function, Object, Persistent, Promise, Runtime, Value};
use serde_json::Value as Json;
use url::Url;

use super::convert::to_js;
use super::host::{HostOp, SharedHost, cookie_json, header_list, response_data};
use super::libraries::LibraryLoader;
use super::types::{
    ScriptErrorKind, ScriptFailure, ScriptInfo, ScriptJob, ScriptOutcome, ScriptRun, ScriptSource,
    SentRequest,
};
use super::{DEFAULT_MEMORY_LIMIT, ScriptOptions};
use crate::collection::LoadError;
use crate::collection::{Listen, Request, request_from_json};
use crate::http::{CookieError, CookieJar, HttpError, Response};
use crate::script::types::{RequestSender, SendFuture};

/// The heap size at which QuickJS first collects cycles (see `Realm::new`).
const GC_THRESHOLD: usize = 4 * 1024 * 1024;

/// How long describing a thrown value may take (its `message` getter, `toString`, Proxy traps).
const DESCRIBE_BUDGET: Duration = Duration::from_millis(1000);

/// Every script is wrapped on its own first line so error lines need no mapping (columns on
/// line 1 are shifted back by the prefix length in the prelude's `describe`). This async wrapper
/// is used only where top-level `await` is allowed (`--top-level-await`) and the script mentions
/// `await`; every other script gets [`PLAIN_WRAP_START`].
///
/// The `try` lets a script end quietly on `throw null` or `throw undefined`, as Newman's sandbox
/// does, while QuickJS's own empty throw (out of memory so completely that it cannot build an
/// error) still fails the script: the prelude's `__batonThrewNothing` finds no room for a small
/// buffer.
const WRAP_START: &str = "(async function () { try {";
const WRAP_END: &str = "\n} catch (batonThrown) { if (batonThrown == null && __batonThrewNothing()) { return; } throw batonThrown; } })";

/// The wrapper of every other script: a plain function, as Newman's sandbox compiles a script
/// (so `await` can name a variable, and a script that compiles only as an async function's body
/// uses `await` outside any function). Padded to [`WRAP_START`]'s length so that columns on
/// line 1 read the same.
const PLAIN_WRAP_START: &str = "(      function () { try {";

/// How a script's function call ended.
enum Ran {
    /// It returned (a plain function, as most scripts are); `quiet` when it left no timer.
    Returned { quiet: bool },
    /// It threw: the failure, reported once its timers and requests have settled.
    Threw(ScriptFailure),
    /// An async function's promise (a script with top-level `await`), settled later.
    Pending(Persistent<Promise<'static>>),
}

/// What Newman's sandbox (V8) reports for `await` outside an async function.
const AWAIT_OUTSIDE_ASYNC: &str =
    "await is only valid in async functions and the top level bodies of modules";

pub struct Realm {
    // Field order matters: the context must be dropped before the runtime.
    persistent: Option<Persistents>,
    context: Context,
    runtime: Runtime,
    host: SharedHost,
    deadline: Rc<Cell<Option<Instant>>>,
    interrupted: Rc<Cell<bool>>,
    stop: Arc<AtomicBool>,
    stop_signal: tokio::sync::watch::Receiver<bool>,
    run_deadline: Option<Instant>,
    timeout: Option<Duration>,
    memory_limit: usize,
    top_level_await: bool,
    /// By the script's text, hashed with foldhash: every script run looks its text up, and
    /// std's SipHash spent more on a typical script than foldhash.
    compiled: foldhash::HashMap<Rc<str>, Compiled>,
}

/// A script compiled once per run: its function and file name, or the failure Newman's sandbox
/// reports for it before running any of it (`await` outside a function).
enum Compiled {
    Function(Persistent<Function<'static>>, Rc<str>),
    Refused(ScriptFailure),
}

/// The prelude's control object and the functions of it called for every job and script, kept
/// as handles so that no call looks them up by name.
struct Persistents {
    baton: Persistent<Object<'static>>,
    run_script: Persistent<Function<'static>>,
    end_job: Persistent<Function<'static>>,
    end_script: Persistent<Function<'static>>,
    fire_timers: Persistent<Function<'static>>,
    next_timer: Persistent<Function<'static>>,
}

/// The prelude functions kept in [`Persistents`].
#[derive(Clone, Copy)]
enum Control {
    RunScript,
    EndJob,
    EndScript,
    FireTimers,
    NextTimer,
}

/// What the prelude is told when a job begins, with the job's first script that runs.
struct JobStart<'a> {
    listen: Listen,
    info: &'a ScriptInfo,
}

/// A `pm.sendRequest` waiting for its response.
struct InFlight<'a> {
    id: u32,
    request: Request,
    future: SendFuture<'a>,
}

enum Idle {
    /// Nothing left to do.
    Done,
    /// The script ran past its deadline.
    TimedOut,
}

/// Why the JavaScript engine could not start (QuickJS could not allocate, or the prelude failed).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RealmSetupError(String);

impl Realm {
    pub fn new(options: &ScriptOptions) -> Result<Realm, RealmSetupError> {
        let failed = |e: &dyn std::fmt::Display| RealmSetupError(e.to_string());
        let runtime = Runtime::new().map_err(|e| failed(&e))?;
        let memory_limit = if options.memory_limit == 0 {
            DEFAULT_MEMORY_LIMIT
        } else {
            options.memory_limit
        };
        runtime.set_memory_limit(memory_limit);
        runtime.set_max_stack_size(768 * 1024);
        // QuickJS collects cycles when its heap has grown by half since the last collection,
        // starting at 256 KiB: loading the pm API and chai (about 2 MiB) then collected four
        // times, for nothing, since they are all kept. The first collection waits for this.
        runtime.set_gc_threshold(GC_THRESHOLD);
        runtime.set_loader(LibraryLoader, LibraryLoader);
        let deadline: Rc<Cell<Option<Instant>>> = Rc::default();
        let interrupted: Rc<Cell<bool>> = Rc::default();
        {
            let deadline = deadline.clone();
            let interrupted = interrupted.clone();
            let stop = options.stop.clone();
            let run_deadline = options.run_deadline;
            runtime.set_interrupt_handler(Some(Box::new(move || {
                let now = Instant::now();
                let late = deadline.get().is_some_and(|d| now >= d)
                    || run_deadline.is_some_and(|d| now >= d)
                    || stop.load(Ordering::Relaxed);
                if late {
                    interrupted.set(true);
                }
                late
            })));
        }
        let context = Context::full(&runtime).map_err(|e| failed(&e))?;
        let host = SharedHost::default();
        let persistent = context.with(|ctx| -> Result<_, RealmSetupError> {
            let raw = |e: rquickjs::Error| RealmSetupError(describe_raw(&ctx, e));
            let natives = super::host::natives(&ctx, &host).map_err(|e| failed(&e))?;
            let install = |file: &str| super::libraries::api(&ctx, file).map_err(raw);
            let sdk = install("sdk.js")?;
            let chai_fast = install("chai_fast.js")?;
            let assertions = install("assertions.js")?;
            let prelude = install("prelude.js")?;
            let scope_indices = Object::new(ctx.clone()).map_err(raw)?;
            for (index, name) in super::host::SCOPE_NAMES.iter().enumerate() {
                scope_indices.set(*name, index as u8).map_err(raw)?;
            }
            let baton: Object = prelude
                .call((
                    natives,
                    sdk,
                    chai_fast,
                    assertions,
                    WRAP_START.len(),
                    scope_indices,
                ))
                .map_err(raw)?;
            let sugar_access: Function = baton.get("sugarAccess").map_err(raw)?;
            super::sugar::stub(&ctx, &host, sugar_access).map_err(raw)?;
            let function = |name: &str| -> Result<Persistent<Function<'static>>, RealmSetupError> {
                let f: Function = baton.get(name).map_err(raw)?;
                Ok(Persistent::save(&ctx, f))
            };
            Ok(Persistents {
                run_script: function("runScript")?,
                end_job: function("endJob")?,
                end_script: function("endScript")?,
                fire_timers: function("fireTimers")?,
                next_timer: function("nextTimer")?,
                baton: Persistent::save(&ctx, baton),
            })
        })?;
        Ok(Realm {
            persistent: Some(persistent),
            context,
            runtime,
            host,
            deadline,
            interrupted,
            stop: options.stop.clone(),
            stop_signal: options.stop_signal.clone(),
            run_deadline: options.run_deadline,
            timeout: options.timeout,
            memory_limit,
            top_level_await: options.top_level_await,
            compiled: foldhash::HashMap::default(),
        })
    }

    fn baton<'js>(&self, ctx: &Ctx<'js>) -> Object<'js> {
        let persistent = self.persistent.as_ref().expect("realm is initialised");
        persistent
            .baton
            .clone()
            .restore(ctx)
            .expect("the realm's own runtime")
    }

    fn control<'js>(&self, ctx: &Ctx<'js>, which: Control) -> Function<'js> {
        let p = self.persistent.as_ref().expect("realm is initialised");
        let function = match which {
            Control::RunScript => &p.run_script,
            Control::EndJob => &p.end_job,
            Control::EndScript => &p.end_script,
            Control::FireTimers => &p.fire_timers,
            Control::NextTimer => &p.next_timer,
        };
        function
            .clone()
            .restore(ctx)
            .expect("the realm's own runtime")
    }

    /// Loads chai now, as the first script that uses it would (`warm.rs` does it ahead of that
    /// script). A failure is left for that script to meet and report.
    pub fn load_chai(&self) {
        self.context.with(|ctx| {
            let load: rquickjs::Result<Function> = self.baton(&ctx).get("loadChai");
            if load.and_then(|load| load.call::<_, ()>(())).is_err() {
                let _ = ctx.catch();
            }
        });
    }

    /// Makes the calling thread the realm's own. QuickJS finds a runaway recursion by how far
    /// the stack has grown from where it stood when the runtime was made, so a realm made on
    /// another thread (`warm.rs`) must be shown this thread's stack before it runs anything.
    pub fn adopt_thread(&self) {
        self.context.with(|ctx| {
            // SAFETY: the context is alive for the call, and its runtime with it; this thread
            // holds the realm alone (it was moved here whole).
            #[allow(unsafe_code)]
            unsafe {
                let runtime = rquickjs::qjs::JS_GetRuntime(ctx.as_raw().as_ptr());
                rquickjs::qjs::JS_UpdateStackTop(runtime);
            }
        });
    }

    pub async fn run_job(&mut self, mut job: ScriptJob<'_>) -> ScriptOutcome {
        let prerequest = job.listen == Listen::Prerequest;
        let cookies = page_cookies(job.cookies, job.response.as_ref(), job.request, job.scopes);
        self.host.borrow_mut().begin_job(&mut job, cookies);
        let mut outcome = ScriptOutcome::default();
        // The job begins in the prelude with its first script that runs (see `runScript`).
        let mut begin = Some(JobStart {
            listen: job.listen,
            info: &job.info,
        });
        for script in job.scripts {
            let run = self
                .run_script(
                    script,
                    &mut begin,
                    job.sender,
                    job.cookies,
                    &mut outcome.sent,
                )
                .await;
            outcome.runs.push(run);
            self.host.borrow_mut().scopes.settle_undefined();
            if prerequest && self.host.borrow().skip_request {
                // Postman runs none of the remaining pre-request scripts of a skipped request.
                break;
            }
        }
        // Only a pre-request job that ran a script can have changed its request.
        let changed = match prerequest && begin.is_none() {
            true => self.context.with(|ctx| {
                let value: Value = self.control(&ctx, Control::EndJob).call(()).ok()?;
                if value.is_undefined() {
                    return None;
                }
                super::convert::from_js(&ctx, value).ok()
            }),
            false => None,
        };
        let mut h = self.host.borrow_mut();
        std::mem::swap(job.scopes, &mut h.scopes);
        *job.request = h.request.take().unwrap_or_default();
        if let Some(json) = changed {
            if let Ok(request) = request_from_json(&json) {
                if request != *job.request {
                    *job.request = request;
                }
            }
        }
        outcome.next_request = h.next_request.take();
        outcome.skip_request = h.skip_request;
        *job.response = h.response.take();
        h.cookies.clear();
        outcome
    }

    /// The script's function, compiled on first use; `Err` holds the failure to report instead
    /// of running it (a syntax error, or `await` outside a function).
    fn compile<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        code: &Rc<str>,
    ) -> Result<(Function<'js>, Rc<str>), ScriptFailure> {
        match self.compiled.get(code) {
            Some(Compiled::Function(function, file)) => {
                let restored = function.clone().restore(ctx);
                return restored
                    .map(|f| (f, file.clone()))
                    .map_err(|e| self.failure(ctx, e, None));
            }
            Some(Compiled::Refused(failure)) => return Err(failure.clone()),
            None => {}
        }
        let file: Rc<str> = Rc::from(format!("script-{}", self.compiled.len() + 1));
        let wrapped = |start: &str| {
            let mut source = String::with_capacity(code.len() + start.len() + WRAP_END.len());
            source.push_str(start);
            source.push_str(code);
            source.push_str(WRAP_END);
            source
        };
        // A script is a plain function, as in Newman's sandbox, unless top-level `await` is
        // allowed and it may use it: an async function costs a promise per run.
        let mentions_await = code.contains("await");
        let top_level_await = self.top_level_await && mentions_await;
        let start = match top_level_await {
            true => WRAP_START,
            false => PLAIN_WRAP_START,
        };
        let compiled: rquickjs::Result<Function> =
            ctx.eval_with_options(wrapped(start), eval_options(&file));
        let function = match compiled {
            Ok(function) => function,
            Err(e) => {
                let failure = as_syntax_error(self.failure(ctx, e, None));
                if top_level_await || !mentions_await {
                    return Err(failure);
                }
                // What compiles only as an async function's body uses `await` outside one.
                let as_async: rquickjs::Result<Function> =
                    ctx.eval_with_options(wrapped(WRAP_START), eval_options(&file));
                if as_async.is_err() {
                    let _ = ctx.catch();
                    return Err(failure);
                }
                let failure = ScriptFailure {
                    name: "SyntaxError".into(),
                    message: AWAIT_OUTSIDE_ASYNC.into(),
                    column: None,
                    ..failure
                };
                self.compiled
                    .insert(code.clone(), Compiled::Refused(failure.clone()));
                return Err(failure);
            }
        };
        self.compiled.insert(
            code.clone(),
            Compiled::Function(Persistent::save(ctx, function.clone()), file.clone()),
        );
        Ok((function, file))
    }

    async fn run_script(
        &mut self,
        script: &ScriptSource,
        begin: &mut Option<JobStart<'_>>,
        sender: &dyn RequestSender,
        jar: &CookieJar,
        sent: &mut Vec<SentRequest>,
    ) -> ScriptRun {
        self.interrupted.set(false);
        self.deadline.set(self.timeout.map(|t| Instant::now() + t));
        // The last name of the location: the item's or the folder's whose script this is.
        let current = match script.location.rsplit_once(" > ") {
            Some((_, last)) => last,
            None => &script.location,
        };
        // A script that does not compile never begins, so it does not end either: ending it
        // would end the previous script again (and count its legacy `tests` twice).
        let mut begun = false;
        let started = self.context.clone().with(|ctx| {
            let (function, file) = self.compile(&ctx, &script.code)?;
            let called = self.call_run_script(&ctx, function, &file, current, begin.take());
            begun = true;
            let ran = match called {
                Ok(value) if value.is_promise() => match Promise::from_value(value) {
                    Ok(promise) => Ran::Pending(Persistent::save(&ctx, promise)),
                    Err(e) => Ran::Threw(self.failure(&ctx, e, Some(&*file))),
                },
                // `false`: no timer is pending.
                Ok(value) => Ran::Returned {
                    quiet: value.as_bool() == Some(false),
                },
                Err(e) => Ran::Threw(self.failure(&ctx, e, Some(&*file))),
            };
            Ok((ran, file))
        });
        let error = match started {
            Err(failure) => Some(failure),
            Ok((ran, file)) => {
                let idle = match matches!(ran, Ran::Returned { quiet: true }) && self.is_idle() {
                    true => Idle::Done,
                    false => self.settle(sender, jar, sent).await,
                };
                self.deadline.set(None);
                self.context.clone().with(|ctx| {
                    if matches!(idle, Idle::TimedOut) || self.interrupted.get() {
                        let abandon: Function = self.baton(&ctx).get("abandon").expect("prelude");
                        let _: rquickjs::Result<Value> = abandon.call(());
                        while ctx.execute_pending_job() {}
                        return Some(self.timeout_failure());
                    }
                    // A script that threw still had its timers and requests settled first, as
                    // one whose promise rejected does.
                    let promise = match ran {
                        Ran::Returned { .. } => return None,
                        Ran::Threw(failure) => return Some(failure),
                        Ran::Pending(promise) => promise.restore(&ctx).ok()?,
                    };
                    match promise.state() {
                        PromiseState::Rejected => {
                            let reason = promise
                                .result::<Value>()
                                .map(|r| r.unwrap_or_else(|_| ctx.catch()))?;
                            // The wrapper returns on a script's own `throw null`; an empty
                            // rejection is QuickJS out of memory (see `WRAP_START`).
                            if reason.is_null() || reason.is_undefined() {
                                return Some(self.out_of_memory());
                            }
                            Some(self.describe(&ctx, reason, Some(&*file)))
                        }
                        _ => None,
                    }
                })
            }
        };
        self.deadline.set(None);
        let async_error = self.context.with(|ctx| {
            if !begun {
                return None;
            }
            let end = self.control(&ctx, Control::EndScript);
            let value: Value = end.call(()).ok()?;
            let object = value.as_object()?;
            Some(failure_from(object))
        });
        if self.interrupted.get()
            || error
                .as_ref()
                .is_some_and(|e| e.kind == ScriptErrorKind::MemoryLimit)
        {
            self.runtime.run_gc();
        }
        let mut h = self.host.borrow_mut();
        ScriptRun {
            location: script.location.clone(),
            assertions: std::mem::take(&mut h.assertions),
            console: h.take_console(),
            error: error.or(async_error),
        }
    }

    /// Runs jobs, timers, cookie calls and requests until the script has nothing left to do.
    async fn settle<'a>(
        &mut self,
        sender: &'a dyn RequestSender,
        jar: &CookieJar,
        sent: &mut Vec<SentRequest>,
    ) -> Idle {
        let mut in_flight: Vec<InFlight<'a>> = Vec::new();
        loop {
            let next_timer = self.context.clone().with(|ctx| {
                let fire = self.control(&ctx, Control::FireTimers);
                loop {
                    while ctx.execute_pending_job() {}
                    if self.late() {
                        return None;
                    }
                    // One timer fired; none is due; or (the usual case) there is none at all.
                    match fire.call::<_, i32>(()) {
                        Ok(n) if n > 0 => continue,
                        Ok(n) if n < 0 => return Some(-1.0),
                        _ => break,
                    }
                }
                let next: f64 = self
                    .control(&ctx, Control::NextTimer)
                    .call(())
                    .unwrap_or(-1.0);
                Some(next)
            });
            let Some(next_timer) = next_timer else {
                return Idle::TimedOut;
            };
            let ops = std::mem::take(&mut self.host.borrow_mut().ops);
            let mut deliveries: Vec<(u32, Result<Json, HostCallError>, Option<Response>)> =
                Vec::new();
            for (id, op) in ops {
                match op {
                    HostOp::Cookie(method, url, name, value) => {
                        deliveries.push((id, cookie_call(jar, &method, &url, name, value), None));
                    }
                    HostOp::Send(json) => match request_from_json(&json) {
                        Ok(request) => in_flight.push(InFlight {
                            id,
                            future: sender.send_request(request.clone()),
                            request,
                        }),
                        Err(e) => deliveries.push((id, Err(e.into()), None)),
                    },
                }
            }
            if !deliveries.is_empty() {
                self.deliver(deliveries);
                continue;
            }
            if in_flight.is_empty() && next_timer < 0.0 {
                return Idle::Done;
            }
            let mut wake = self.deadline.get();
            if let Some(run_deadline) = self.run_deadline {
                wake = Some(wake.map_or(run_deadline, |w| w.min(run_deadline)));
            }
            if next_timer >= 0.0 {
                // The prelude keeps delays within Node's range; a far-off time still never
                // overflows the clock.
                let wait =
                    Duration::try_from_secs_f64(next_timer / 1000.0).unwrap_or(Duration::MAX);
                let at = Instant::now()
                    .checked_add(wait)
                    .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365));
                wake = Some(wake.map_or(at, |w| w.min(at)));
            }
            let mut sleep = wake.map(|w| Box::pin(tokio::time::sleep_until(w.into())));
            let mut signal = self.stop_signal.clone();
            let mut stopped = Box::pin(async move {
                while !*signal.borrow_and_update() {
                    if signal.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
            });
            let finished = std::future::poll_fn(|cx| {
                if stopped.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                for (index, request) in in_flight.iter_mut().enumerate() {
                    if let Poll::Ready(result) = request.future.as_mut().poll(cx) {
                        return Poll::Ready(Some((index, result)));
                    }
                }
                match sleep.as_mut() {
                    Some(sleep) => sleep.as_mut().poll(cx).map(|()| None),
                    None => Poll::Pending,
                }
            })
            .await;
            if let Some((index, (headers, result))) = finished {
                let request = in_flight.swap_remove(index);
                let delivery = match &result {
                    Ok(response) => (request.id, Ok(Json::Null), Some(response.clone())),
                    Err(error) => (request.id, Err(error.clone().into()), None),
                };
                sent.push(SentRequest {
                    request: request.request,
                    headers,
                    response: result,
                });
                self.deliver(vec![delivery]);
            } else if self.late() {
                return Idle::TimedOut;
            }
        }
    }

    /// Calls the prelude's `runScript` with the script's function, file and location, and the
    /// job's facts when the job begins with it; gives what `runScript` returned.
    fn call_run_script<'js>(
        &self,
        ctx: &Ctx<'js>,
        function: Function<'js>,
        file: &str,
        current: &str,
        job: Option<JobStart<'_>>,
    ) -> rquickjs::Result<Value<'js>> {
        let mut args = Args::new(ctx.clone(), 8);
        args.push_arg(function)?;
        args.push_arg(file)?;
        args.push_arg(current)?;
        if let Some(job) = job {
            args.push_arg(job.listen.as_str())?;
            args.push_arg(job.info.iteration as f64)?;
            args.push_arg(job.info.iteration_count as f64)?;
            args.push_arg(job.info.request_name.as_str())?;
            args.push_arg(job.info.request_id.as_str())?;
        }
        self.control(ctx, Control::RunScript).call_arg(args)
    }

    /// Whether a script that left no timer has nothing else to settle either: no promise job,
    /// no request or cookie call, and no deadline or stop reached.
    fn is_idle(&self) -> bool {
        !self.runtime.is_job_pending() && self.host.borrow().ops.is_empty() && !self.late()
    }

    fn late(&self) -> bool {
        let now = Instant::now();
        self.interrupted.get()
            || self.deadline.get().is_some_and(|d| now >= d)
            || self.run_deadline.is_some_and(|d| now >= d)
            || self.stop.load(Ordering::Relaxed)
    }

    fn deliver(&self, deliveries: Vec<(u32, Result<Json, HostCallError>, Option<Response>)>) {
        self.context.with(|ctx| {
            let deliver: Function = self.baton(&ctx).get("deliver").expect("prelude");
            for (id, result, response) in deliveries {
                let undefined = || Value::new_undefined(ctx.clone());
                let (error, data) = match (result, response) {
                    // A request that got no response: the fields of Node's error object.
                    (Err(HostCallError::Request(error)), _) => (
                        to_js(&ctx, &error.node_fields()).unwrap_or_else(|_| undefined()),
                        undefined(),
                    ),
                    (Err(error), _) => (
                        rquickjs::String::from_str(ctx.clone(), &error.to_string())
                            .map(Value::from)
                            .unwrap_or_else(|_| undefined()),
                        undefined(),
                    ),
                    (Ok(_), Some(response)) => (
                        undefined(),
                        response_data(&ctx, &response)
                            .and_then(|data| {
                                data.set("headers", header_list(&ctx, &response)?)?;
                                Ok(data.into_value())
                            })
                            .unwrap_or_else(|_| undefined()),
                    ),
                    (Ok(json), None) => (
                        undefined(),
                        to_js(&ctx, &json).unwrap_or_else(|_| undefined()),
                    ),
                };
                let _: rquickjs::Result<Value> = deliver.call((id, error, data));
            }
        });
    }

    fn timeout_failure(&self) -> ScriptFailure {
        let run_over = self.run_deadline.is_some_and(|d| Instant::now() >= d);
        if self.stop.load(Ordering::Relaxed) || run_over {
            return ScriptFailure {
                kind: ScriptErrorKind::Interrupted,
                name: "Interrupted".into(),
                message: "the run was stopped while this script was running".into(),
                line: None,
                column: None,
            };
        }
        let ms = self.timeout.map_or(0, |t| t.as_millis());
        ScriptFailure {
            kind: ScriptErrorKind::Timeout,
            name: "TimeoutError".into(),
            message: format!("script exceeded the {ms} ms timeout"),
            line: None,
            column: None,
        }
    }

    /// The failure for an error that came out of a call into JavaScript.
    fn failure(&self, ctx: &Ctx<'_>, error: rquickjs::Error, file: Option<&str>) -> ScriptFailure {
        if self.interrupted.get() {
            let _ = ctx.catch();
            return self.timeout_failure();
        }
        let value = match error {
            rquickjs::Error::Exception => match ctx.catch() {
                // An exception slot left empty: QuickJS could not even allocate the error.
                value if value.is_null() => return self.out_of_memory(),
                value => value,
            },
            other => {
                return ScriptFailure {
                    kind: ScriptErrorKind::Runtime,
                    name: "Error".into(),
                    message: other.to_string(),
                    line: None,
                    column: None,
                };
            }
        };
        self.describe(ctx, value, file)
    }

    /// The failure a thrown value describes, found by the prelude's `describe` within
    /// [`DESCRIBE_BUDGET`]: a `message` getter that never returns cannot hold the run.
    fn describe<'js>(
        &self,
        ctx: &Ctx<'js>,
        value: Value<'js>,
        file: Option<&str>,
    ) -> ScriptFailure {
        if self.interrupted.get() {
            return self.timeout_failure();
        }
        if value.is_uncatchable_error() {
            return self.out_of_memory();
        }
        let outer = self
            .deadline
            .replace(Some(Instant::now() + DESCRIBE_BUDGET));
        let described = self
            .baton(ctx)
            .get::<_, Function>("describe")
            .and_then(|f| f.call::<_, Object>((value, file)));
        self.deadline.set(outer);
        match described {
            Ok(object) => {
                let failure = failure_from(&object);
                if failure.message.contains("out of memory") {
                    self.out_of_memory()
                } else {
                    failure
                }
            }
            Err(_) if self.interrupted.get() => {
                let _ = ctx.catch();
                if self.stop.load(Ordering::Relaxed)
                    || self.run_deadline.is_some_and(|d| Instant::now() >= d)
                {
                    return self.timeout_failure();
                }
                self.interrupted.set(false);
                ScriptFailure {
                    kind: ScriptErrorKind::Runtime,
                    name: "Error".into(),
                    message: format!(
                        "the thrown value could not be described within {} ms",
                        DESCRIBE_BUDGET.as_millis()
                    ),
                    line: None,
                    column: None,
                }
            }
            Err(_) => {
                let _ = ctx.catch();
                self.out_of_memory()
            }
        }
    }

    fn out_of_memory(&self) -> ScriptFailure {
        ScriptFailure {
            kind: ScriptErrorKind::MemoryLimit,
            name: "MemoryError".into(),
            message: format!(
                "script exceeded the memory limit of {} MiB",
                self.memory_limit / (1024 * 1024)
            ),
            line: None,
            column: None,
        }
    }
}

impl Drop for Realm {
    fn drop(&mut self) {
        // Persistent handles must go before the runtime they point into.
        self.compiled.clear();
        self.persistent = None;
        self.host.borrow_mut().sugar = None;
    }
}

fn failure_from(object: &Object<'_>) -> ScriptFailure {
    ScriptFailure {
        kind: ScriptErrorKind::Runtime,
        name: object
            .get::<_, Option<String>>("name")
            .ok()
            .flatten()
            .unwrap_or_else(|| "Error".into()),
        message: object
            .get::<_, Option<String>>("message")
            .ok()
            .flatten()
            .unwrap_or_default(),
        line: object.get::<_, Option<u32>>("line").ok().flatten(),
        column: object.get::<_, Option<u32>>("column").ok().flatten(),
    }
}

/// A failure met while compiling: a thrown error there is a syntax error, whatever QuickJS
/// named it; running out of memory or time stays what it is.
fn as_syntax_error(failure: ScriptFailure) -> ScriptFailure {
    match failure.kind {
        ScriptErrorKind::Runtime => ScriptFailure {
            kind: ScriptErrorKind::Syntax,
            ..failure
        },
        _ => failure,
    }
}

fn eval_options(file: &str) -> EvalOptions {
    let mut options = EvalOptions::default();
    options.global = true;
    options.strict = false;
    options.filename = Some(file.to_string());
    options
}

/// An error while building the realm, as text.
fn describe_raw(ctx: &Ctx<'_>, error: rquickjs::Error) -> String {
    if let rquickjs::Error::Exception = error {
        let value = ctx.catch();
        if let Some(exception) = value.as_exception() {
            return format!(
                "{} {}",
                exception.message().unwrap_or_default(),
                exception.stack().unwrap_or_default()
            );
        }
        return format!("{value:?}");
    }
    error.to_string()
}

/// The cookies `pm.cookies` shows: those the jar holds for the URL that answered (tests) or the
/// URL about to be called (pre-request).
fn page_cookies(
    jar: &CookieJar,
    response: Option<&Response>,
    request: &Request,
    scopes: &crate::vars::Scopes,
) -> Vec<crate::http::CookieRecord> {
    if jar.is_empty() {
        return Vec::new();
    }
    let target = match response {
        Some(r) if !r.url.is_empty() => r.url.clone(),
        _ => match scopes.resolve(&request.url.to_unresolved_string()) {
            Ok(url) => url,
            Err(_) => return Vec::new(),
        },
    };
    match Url::parse(&target) {
        Ok(url) => jar.cookies_for(&url),
        Err(_) => Vec::new(),
    }
}

/// Why a call a script made into the host (`pm.cookies.jar()`, `pm.sendRequest`) failed; its
/// text is the error the script's callback receives.
#[derive(Debug, thiserror::Error)]
pub enum HostCallError {
    /// The URL given to the cookie jar is not a URL.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What the parser said.
        reason: String,
    },
    /// The jar refused the cookie.
    #[error(transparent)]
    Cookie(#[from] CookieError),
    /// A jar method the sandbox does not have.
    #[error("unknown cookie jar method `{0}`")]
    UnknownMethod(String),
    /// The request given to `pm.sendRequest` is not one.
    #[error(transparent)]
    InvalidRequest(#[from] LoadError),
    /// The request failed.
    #[error(transparent)]
    Request(#[from] HttpError),
}

/// Performs one `pm.cookies.jar()` call against the run's jar.
fn cookie_call(
    jar: &CookieJar,
    method: &str,
    url: &str,
    name: Option<String>,
    value: Option<Json>,
) -> Result<Json, HostCallError> {
    let parsed = Url::parse(url).or_else(|_| Url::parse(&format!("http://{url}")));
    let url = parsed.map_err(|e| HostCallError::InvalidUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    let name = name.unwrap_or_default();
    match method {
        "set" => {
            let text = match value {
                Some(Json::String(s)) => s,
                Some(Json::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            jar.set(&url, &name, &text)?;
            Ok(Json::Null)
        }
        "get" => Ok(jar
            .cookies_for(&url)
            .into_iter()
            .find(|c| c.name == name)
            .map_or(Json::Null, |c| Json::String(c.value))),
        "getAll" => Ok(Json::Array(
            jar.cookies_for(&url).iter().map(cookie_json).collect(),
        )),
        "unset" => {
            jar.unset(&url, &name);
            Ok(Json::Null)
        }
        "clear" => {
            jar.clear_for(&url);
            Ok(Json::Null)
        }
        other => Err(HostCallError::UnknownMethod(other.to_string())),
    }
}

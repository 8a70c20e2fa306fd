//! Behaviour of the sandbox, driven through `ScriptEngine::run` with inline scripts.

use std::rc::Rc;
use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::collection::{Listen, Request, Url};
use crate::http::{CookieJar, Response};
use crate::vars::{Scopes, Variable, VariableScope};

/// A sender that answers every request with the same canned response.
struct Canned(Response);

impl RequestSender for Canned {
    fn send_request(&self, _request: Request) -> SendFuture<'_> {
        let response = self.0.clone();
        Box::pin(async move { (Vec::new(), Ok(response)) })
    }
}

fn response(code: u16, body: &str) -> Response {
    Response {
        code,
        status: crate::http::response::reason_phrase(code).to_string(),
        headers: vec![
            (
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ),
            ("X-Trace".into(), "abc".into()),
        ],
        body: body.as_bytes().to_vec(),
        response_time: Duration::from_millis(12),
        url: "http://api.test/items".into(),
        replays: 0,
        auth_warning: None,
        replay_authorization: None,
        sent_headers: Vec::new(),
    }
}

fn request() -> Request {
    Request {
        url: Url::parse("http://api.test/items?limit=10"),
        method: "POST".into(),
        headers: vec![crate::collection::KeyValue::new(
            "Content-Type",
            "application/json",
        )],
        body: None,
        auth: None,
        description: Some("Creates an item".into()),
    }
}

struct Fixture {
    engine: ScriptEngine,
    scopes: Scopes,
    request: Request,
    response: Option<Response>,
    jar: CookieJar,
    sender: Canned,
}

impl Fixture {
    fn new() -> Self {
        Self::with(ScriptOptions::default())
    }

    fn with(options: ScriptOptions) -> Self {
        Fixture {
            engine: ScriptEngine::new(options),
            scopes: Scopes::default(),
            request: request(),
            response: Some(response(
                200,
                r#"{"id":"abc","items":[1,2,3],"nested":{"ok":true}}"#,
            )),
            jar: CookieJar::new(),
            sender: Canned(response(201, r#"{"created":true}"#)),
        }
    }

    async fn run_many(&mut self, listen: Listen, codes: &[&str]) -> ScriptOutcome {
        let scripts: Vec<ScriptSource> = codes
            .iter()
            .enumerate()
            .map(|(i, code)| ScriptSource {
                code: Rc::from(*code),
                location: format!("Collection > Item {i}"),
            })
            .collect();
        let job = ScriptJob {
            listen,
            scripts: &scripts,
            scopes: &mut self.scopes,
            request: &mut self.request,
            response: match listen {
                Listen::Test => &mut self.response,
                Listen::Prerequest => &mut None,
            },
            info: ScriptInfo {
                iteration: 0,
                iteration_count: 1,
                request_name: "Item".into(),
                request_id: "id-1".into(),
                location: vec!["Folder".into(), "Item".into()],
            },
            cookies: &self.jar,
            sender: &self.sender,
        };
        self.engine.run(job).await
    }

    async fn test(&mut self, code: &str) -> ScriptRun {
        self.run_many(Listen::Test, &[code]).await.runs.remove(0)
    }

    async fn pre(&mut self, code: &str) -> ScriptOutcome {
        self.run_many(Listen::Prerequest, &[code]).await
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn messages(run: &ScriptRun) -> Vec<String> {
    run.console.iter().map(|c| c.message.clone()).collect()
}

fn failures(run: &ScriptRun) -> Vec<(String, String)> {
    run.assertions
        .iter()
        .filter_map(|a| {
            a.error
                .as_ref()
                .map(|e| (a.name.clone(), e.message.clone()))
        })
        .collect()
}

fn env(scopes: &Scopes, key: &str) -> Option<Value> {
    scopes.environment.get(key).cloned()
}

#[test]
fn capture_script_sets_environment_variable() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "const body = pm.response.json();\n\
                 pm.test('has id', () => pm.expect(body.id).to.eql('abc'));\n\
                 pm.environment.set('itemId', body.id);\n\
                 pm.environment.set('count', body.items.length);",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(run.assertions.len(), 1);
        assert_eq!(run.assertions[0].error, None);
        assert_eq!(env(&f.scopes, "itemId"), Some(json!("abc")));
        assert_eq!(env(&f.scopes, "count"), Some(json!(3)));
    });
}

#[test]
fn variables_follow_precedence_and_set_writes_local() {
    block_on(async {
        let mut f = Fixture::new();
        f.scopes.globals = VariableScope::from_values(vec![Variable::new("a", json!("global"))]);
        f.scopes.environment = VariableScope::from_values(vec![Variable::new("a", json!("env"))]);
        f.scopes.collection = VariableScope::from_values(vec![Variable::new("b", json!("coll"))]);
        let run = f
            .test(
                "console.log(pm.variables.get('a'), pm.variables.get('b'), pm.variables.has('zz'));\n\
                 pm.variables.set('a', 'local');\n\
                 console.log(pm.variables.get('a'), pm.environment.get('a'), pm.globals.get('a'));\n\
                 console.log(pm.variables.replaceIn('{{a}}-{{b}}-{{c}}'));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            messages(&run),
            ["env coll false", "local env global", "local-coll-{{c}}"]
        );
        assert_eq!(f.scopes.local.get("a"), Some(&json!("local")));
    });
}

#[test]
fn failing_expect_reports_chai_message_and_line() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "pm.test('passes', function () { pm.expect(1).to.equal(1); });\n\
                 \n\
                 pm.test('fails', function () {\n\
                 \x20 pm.expect(pm.response.code).to.equal(201);\n\
                 });\n\
                 pm.test('status', () => pm.response.to.have.status(201));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            failures(&run),
            [
                ("fails".to_string(), "expected 200 to equal 201".to_string()),
                (
                    "status".to_string(),
                    "expected response to have status code 201 but got 200".to_string()
                ),
            ]
        );
        let fails = &run.assertions[1];
        assert_eq!(fails.error.as_ref().unwrap().name, "AssertionError");
        assert_eq!(fails.error.as_ref().unwrap().line, Some(3));
        assert_eq!(run.assertions[2].error.as_ref().unwrap().line, Some(6));
    });
}

#[test]
fn chai_keeps_its_property_checks_and_positions_behind_the_shared_proxy() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "pm.test('typo', () => pm.expect(1).to.be.ture);\n\
                 pm.test('typo on the response', () => pm.response.to.be.okk);\n\
                 pm.test('negated', () => pm.response.to.not.have.status(201));\n\
                 pm.test('header', () => pm.response.to.have.header('x-trace', 'abc'));\n\
                 console.log(Object.keys(pm.response).join(','), pm.response.headers.count());\n\
                 pm.expect(pm.response.json().id).to.equal('nope');",
            )
            .await;
        assert_eq!(
            failures(&run),
            [
                (
                    "typo".to_string(),
                    "Invalid Chai property: ture. Did you mean \"true\"?".to_string()
                ),
                (
                    "typo on the response".to_string(),
                    "Invalid Chai property: okk. Did you mean \"ok\"?".to_string()
                ),
            ]
        );
        assert_eq!(run.assertions.len(), 4);
        assert_eq!(
            messages(&run),
            ["code,status,headers,responseTime,responseSize 2"]
        );
        let error = run.error.expect("the uncaught assertion");
        assert_eq!(error.message, "expected 'abc' to equal 'nope'");
        assert_eq!(error.line, Some(6));
    });
}

#[test]
fn the_hosts_response_is_shaped_as_the_response_class_makes_one() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "const describe = (o) => Object.getOwnPropertyNames(o).map((k) => {\n\
                   const d = Object.getOwnPropertyDescriptor(o, k);\n\
                   return [k, 'get' in d, d.enumerable, d.configurable, d.writable].join(':');\n\
                 }).join(' ');\n\
                 const r = pm.response, Made = r.constructor;\n\
                 const made = new Made({ code: 200, status: 'OK', responseTime: 1, bodySize: 2, body: '{}', headers: [] });\n\
                 console.log(describe(r) === describe(made), Object.getPrototypeOf(r) === Made.prototype, Made.name);\n\
                 console.log(describe(r));\n\
                 const hidden = Object.getOwnPropertySymbols(r);\n\
                 console.log(hidden.length, r.propertyIsEnumerable(hidden[0]), JSON.stringify(Object.keys(r)));\n\
                 console.log(r.text().length, made.text(), r.headers.get('x-trace'), describe(r).split(' ')[2]);",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            messages(&run),
            [
                "true true PostmanResponse",
                "code:false:true:true:true status:false:true:true:true headers:true:true:true: \
                 responseTime:false:true:true:true responseSize:false:true:true:true",
                r#"1 false ["code","status","headers","responseTime","responseSize"]"#,
                "49 {} abc headers:false:true:true:true",
            ]
        );
    });
}

#[test]
fn a_job_begins_with_its_first_script_that_compiles() {
    block_on(async {
        let mut f = Fixture::new();
        let outcome = f
            .run_many(
                Listen::Test,
                &[
                    "this does not compile (",
                    "console.log(pm.info.eventName, pm.info.requestName, pm.response.code)",
                ],
            )
            .await;
        assert_eq!(
            outcome.runs[0].error.as_ref().unwrap().kind,
            super::ScriptErrorKind::Syntax
        );
        assert_eq!(messages(&outcome.runs[1]), ["test Item 200"]);
    });
}

#[test]
fn a_script_that_returns_still_has_its_timers_and_promises_settled() {
    block_on(async {
        let mut f = Fixture::new();
        for (script, key) in [
            (
                "setTimeout(() => pm.environment.set('t1', 1), 1); return false;",
                "t1",
            ),
            (
                "setTimeout(() => pm.environment.set('t2', 1), 1); return 0;",
                "t2",
            ),
            (
                "Promise.resolve().then(() => pm.environment.set('t3', 1)); return true;",
                "t3",
            ),
            (
                "setTimeout(() => pm.environment.set('t4', 1), 1); return { then: 1 };",
                "t4",
            ),
        ] {
            let run = f.test(script).await;
            assert_eq!(run.error, None, "{script}");
            assert_eq!(env(&f.scopes, key), Some(json!(1)), "{script}");
        }
    });
}

#[test]
fn a_test_jobs_request_changes_do_not_reach_the_next_pre_request_job() {
    block_on(async {
        let mut f = Fixture::new();
        let before = f.request.clone();
        let test = f
            .test("pm.request.headers.add({ key: 'x-test', value: '1' }); pm.request.url.query.add('t=1');")
            .await;
        assert_eq!(test.error, None);
        // A pre-request job whose only script does not compile, then one that does not touch
        // the request: neither hands back a changed request.
        let refused = f.pre("this does not compile (").await;
        assert!(refused.runs[0].error.is_some());
        assert_eq!(f.request, before);
        let quiet = f.pre("pm.environment.set('ran', true);").await;
        assert_eq!(quiet.runs[0].error, None);
        assert_eq!(f.request, before);
    });
}

#[test]
fn a_test_that_returns_an_assertion_or_a_thenable_is_recorded_once() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "pm.test('assertion', () => pm.response.to.have.status(200));\n\
                 pm.test('failing assertion', () => pm.expect(1).to.not.equal(1));\n\
                 pm.test('thenable', () => ({ then(ok, fail) { setTimeout(() => fail(new RangeError('late')), 1); } }));\n\
                 pm.test('object', () => ({ then: 1 }));",
            )
            .await;
        assert_eq!(run.error, None);
        let summary: Vec<(&str, Option<&str>)> = run
            .assertions
            .iter()
            .map(|a| (a.name.as_str(), a.error.as_ref().map(|e| e.name.as_str())))
            .collect();
        assert_eq!(
            summary,
            [
                ("assertion", None),
                ("failing assertion", Some("AssertionError")),
                ("object", None),
                ("thenable", Some("RangeError")),
            ]
        );
    });
}

#[test]
fn response_json_reads_every_text_as_json_parse_does() {
    // Each body is read by `pm.response.json()` (the host's reader, or JSON.parse where the
    // host's does not read it the same) and by JSON.parse, and shown with key order, -0 and
    // prototypes.
    let bodies = [
        r#"{"id":"abc","n":42,"ok":true,"none":null,"list":[1,"two",{"three":3}]}"#,
        r#"{"__proto__":{"polluted":1},"a":1}"#,
        r#"{"b":1,"a":2,"b":3}"#,
        r#"{"2":"x","1":"y","a":1,"10":"z"}"#,
        r#"[-0,0,-1,1e400,-1e400,5e-324,2.2250738585072011e-308,7.038531e-26,0.1]"#,
        r#"[9007199254740993,123456789012345678901234567890,-9223372036854775809,4294967296]"#,
        r#"[1.00000000000000011102230246251565404236316680908203125,1.7976931348623157e308]"#,
        r#"["\ud800","\u00e9\n\"","é ✓ 😀","\ud83d\ude00"]"#,
        " \t\r\n{ \"spaced\" : [ ] } \n",
        "\"just a string\"",
    ];
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    block_on(async {
        let mut f = Fixture::new();
        for body in bodies.iter().copied().chain([deep.as_str()]) {
            f.response = Some(response(200, body));
            let run = f
                .test(
                    "const show = (v) => typeof v === 'number' ? (Object.is(v, -0) ? '-0' : String(v))\n\
                       : typeof v !== 'object' || v === null ? JSON.stringify(v)\n\
                       : Array.isArray(v) ? '[' + v.map(show).join(',') + ']'\n\
                       : '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + show(v[k])).join(',') + '}'\n\
                         + (Object.getPrototypeOf(v) === Object.prototype ? '' : ' with another prototype');\n\
                     const a = show(pm.response.json()), b = show(JSON.parse(pm.response.text()));\n\
                     console.log(a === b ? 'same' : a + ' <> ' + b);",
                )
                .await;
            assert_eq!(run.error, None, "{body}");
            assert_eq!(messages(&run), ["same"], "{body}");
        }
        f.response = Some(response(200, r#"{"a":}"#));
        let run = f.test("pm.response.json();").await;
        assert_eq!(run.error.unwrap().name, "JSONError");
    });
}

#[test]
fn syntax_error_is_a_failure_with_position() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f.test("var a = 1;\nvar b = ;\n").await;
        let error = run.error.unwrap();
        assert_eq!(error.name, "SyntaxError");
        assert_eq!(error.line, Some(2));
        assert!(error.column.is_some());
    });
}

#[test]
fn a_script_that_does_not_compile_leaves_the_scripts_before_it_counted_once() {
    block_on(async {
        let mut f = Fixture::new();
        let outcome = f
            .run_many(Listen::Test, &["tests['legacy'] = true;", "var b = ;"])
            .await;
        let names: Vec<&str> = outcome
            .runs
            .iter()
            .flat_map(|run| run.assertions.iter().map(|a| a.name.as_str()))
            .collect();
        assert_eq!(names, ["legacy"], "as Newman reports it");
        let error = outcome.runs[1].error.as_ref().expect("the syntax error");
        assert_eq!(error.name, "SyntaxError");
    });
}

#[test]
fn top_level_await_is_newmans_syntax_error_unless_asked_for() {
    let script = "pm.environment.set('ran', 1);\nconst v = await Promise.resolve(2);\npm.environment.set('v', v);";
    block_on(async {
        let mut f = Fixture::new();
        for _ in 0..2 {
            // The second run meets the refusal kept with the compiled scripts.
            let error = f.test(script).await.error.unwrap();
            assert_eq!(error.kind, super::ScriptErrorKind::Syntax);
            assert_eq!(
                error.message,
                "await is only valid in async functions and the top level bodies of modules"
            );
            assert_eq!(error.line, Some(2));
            assert_eq!(f.scopes.environment.get("ran"), None, "nothing of it ran");
        }
        let inside = f
            .test("(async () => pm.environment.set('v', await Promise.resolve(3)))(); const await_ = 1;")
            .await;
        assert!(inside.error.is_none(), "{:?}", inside.error);
        assert_eq!(f.scopes.environment.get("v"), Some(&json!(3)));

        let mut allowed = Fixture::with(ScriptOptions {
            top_level_await: true,
            ..ScriptOptions::default()
        });
        assert!(allowed.test(script).await.error.is_none());
        assert_eq!(allowed.scopes.environment.get("v"), Some(&json!(2)));
    });
}

#[test]
fn runtime_error_has_line_and_column() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f.test("var a = 1;\n  undefinedFunction();").await;
        let error = run.error.unwrap();
        assert_eq!(error.name, "ReferenceError");
        assert_eq!(error.message, "undefinedFunction is not defined");
        assert_eq!((error.line, error.column), (Some(2), Some(3)));
        let first_line = f.test("null.x").await.error.unwrap();
        assert_eq!((first_line.line, first_line.column), (Some(1), Some(1)));
    });
}

#[test]
fn endless_loop_times_out_and_realm_recovers() {
    block_on(async {
        let mut f = Fixture::with(ScriptOptions {
            timeout: Some(Duration::from_millis(100)),
            ..ScriptOptions::default()
        });
        let run = f.test("while (true) {}").await;
        let error = run.error.unwrap();
        assert_eq!(error.name, "TimeoutError");
        assert_eq!(error.message, "script exceeded the 100 ms timeout");
        let after = f.test("console.log('alive')").await;
        assert_eq!(
            (after.error.clone(), messages(&after)),
            (None, vec!["alive".to_string()])
        );
        let pending = f.test("setTimeout(() => console.log('never'), 5000)").await;
        assert_eq!(pending.error.unwrap().name, "TimeoutError");
        assert!(pending.console.is_empty());
    });
}

#[test]
fn a_realm_made_on_its_own_thread_runs_on_the_runs_thread() {
    block_on(async {
        let mut f = Fixture::new();
        f.engine.warm_up(ScriptUse {
            any: true,
            chai: true,
        });
        // QuickJS measures recursion from the stack it was made on: unless the realm was shown
        // this thread's stack, a runaway recursion would either fail at once or overrun it.
        let run = f
            .test(
                "function down(n) { return down(n + 1) + 1; }\n\
                 try { down(0); } catch (e) { pm.environment.set('caught', e.name + ': ' + e.message); }\n\
                 pm.test('chai was loaded with the realm', () => pm.expect([1, 2]).to.have.lengthOf(2));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            env(&f.scopes, "caught"),
            Some(json!("RangeError: Maximum call stack size exceeded"))
        );
        assert_eq!(run.assertions.len(), 1);
        assert_eq!(run.assertions[0].error, None);
        let after = f.test("console.log(typeof pm.expect(1).to.equal)").await;
        assert_eq!(messages(&after), ["function"]);
    });
}

#[test]
fn each_script_failure_has_its_kind() {
    use super::ScriptErrorKind::{MemoryLimit, Runtime, Syntax, Timeout};
    block_on(async {
        let mut f = Fixture::with(ScriptOptions {
            memory_limit: 32 * 1024 * 1024,
            ..ScriptOptions::default()
        });
        for (code, kind) in [
            ("let x = ;", Syntax),
            ("eval('let y = ;')", Runtime),
            ("null.x", Runtime),
            (
                "let a = []; while (true) a.push('x'.repeat(1000) + a.length)",
                MemoryLimit,
            ),
        ] {
            let run = f.test(code).await;
            assert_eq!(run.error.map(|e| e.kind), Some(kind), "{code}");
        }
        let mut timed = Fixture::with(ScriptOptions {
            timeout: Some(std::time::Duration::from_millis(50)),
            ..ScriptOptions::default()
        });
        let run = timed.test("while (true) {}").await;
        assert_eq!(run.error.map(|e| e.kind), Some(Timeout));
    });
}

#[test]
fn thrown_values_keep_their_own_type() {
    let unreadable = "a thrown value that cannot be shown (reading it threw)";
    let slow = "the thrown value could not be described within 1000 ms";
    let cases: [(&str, Option<(&str, &str)>); 8] = [
        // Newman counts no failure for these two.
        ("throw null", None),
        ("throw undefined", None),
        ("throw 42", Some(("Error", "42"))),
        (
            "throw {toString() { throw new Error('inner') }}",
            Some(("Error", unreadable)),
        ),
        (
            "throw new Proxy({}, {get() { throw new Error('trap') }})",
            Some(("Error", unreadable)),
        ),
        (
            "throw {name: 'Custom', message: 'm'}",
            Some(("Custom", "m")),
        ),
        (
            "const e = new TypeError('x');\
             Object.defineProperty(e, 'message', {get() { while (true) {} }}); throw e",
            Some(("Error", slow)),
        ),
        ("console.log('the realm is still usable')", None),
    ];
    block_on(async {
        let mut f = Fixture::new();
        for (code, expected) in cases {
            let run = f.test(code).await;
            let got = run.error.map(|e| (e.name, e.message));
            let expected = expected.map(|(n, m)| (n.to_string(), m.to_string()));
            assert_eq!(got, expected, "{code}");
        }
    });
}

#[test]
fn a_value_nested_too_deep_to_keep_is_refused_aloud() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "let o = {}; for (let i = 0; i < 200; i++) o = {o};\
                 try { pm.environment.set('deep', o) } catch (e) { console.log(e.name) }\
                 let shallow = {}; for (let i = 0; i < 100; i++) shallow = {shallow};\
                 pm.environment.set('shallow', shallow)",
            )
            .await;
        assert_eq!(
            (run.error.clone(), messages(&run)),
            (None, vec!["RangeError".into()])
        );
        assert!(!f.scopes.environment.has("deep"));
        assert!(f.scopes.environment.get("shallow").unwrap().is_object());
    });
}

#[test]
fn console_output_is_kept_up_to_a_limit_per_script() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test("for (let i = 0; i < 10005; i++) console.log('line', i)")
            .await;
        let lines = messages(&run);
        assert_eq!(lines.len(), super::host::MAX_CONSOLE_LINES + 1);
        assert_eq!(lines[9_999], "line 9999");
        assert_eq!(
            lines.last().unwrap(),
            "... 5 more console lines not kept (at most 10000 per script)"
        );
        let next = f.test("console.log('fresh')").await;
        assert_eq!(messages(&next), ["fresh"], "the count starts again");
    });
}

#[test]
fn runaway_allocation_hits_memory_limit_and_realm_recovers() {
    block_on(async {
        let mut f = Fixture::with(ScriptOptions {
            memory_limit: 32 * 1024 * 1024,
            ..ScriptOptions::default()
        });
        let run = f
            .test("var a = []; while (true) { a.push('x'.repeat(1000) + a.length); }")
            .await;
        let error = run.error.unwrap();
        assert_eq!(error.name, "MemoryError");
        assert_eq!(error.message, "script exceeded the memory limit of 32 MiB");
        let after = f.test("console.log([1, 2].map(x => x * 2).join())").await;
        assert_eq!(
            (after.error.clone(), messages(&after)),
            (None, vec!["2,4".to_string()])
        );
    });
}

#[test]
fn object_prototype_patch_in_one_script_is_visible_in_a_later_one() {
    block_on(async {
        let mut f = Fixture::new();
        let outcome = f
            .run_many(
                Listen::Prerequest,
                &[
                    "Object.prototype.shout = function () { return String(this.v).toUpperCase(); };\n\
                     var scoped = 1; implicitGlobal = 2;",
                    "console.log(({ v: 'hi' }).shout(), typeof scoped, implicitGlobal);",
                ],
            )
            .await;
        assert_eq!(outcome.runs[1].error, None);
        assert_eq!(messages(&outcome.runs[1]), ["HI undefined 2"]);
    });
}

#[test]
fn top_level_await_and_timers_settle_in_order() {
    block_on(async {
        let mut f = Fixture::with(ScriptOptions {
            top_level_await: true,
            ..ScriptOptions::default()
        });
        let run = f
            .test(
                "setTimeout(() => console.log('t20'), 20);\n\
                 setTimeout(() => console.log('t0'), 0);\n\
                 Promise.resolve().then(() => console.log('micro'));\n\
                 await new Promise(r => setTimeout(r, 5));\n\
                 console.log('after await');\n\
                 const id = setInterval(() => { console.log('tick'); clearInterval(id); }, 1);",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            messages(&run),
            ["micro", "t0", "after await", "tick", "t20"]
        );
    });
}

#[test]
fn timer_delays_outside_nodes_range_are_one_millisecond() {
    block_on(async {
        let mut f = Fixture::new();
        // Node treats each of these as 1 ms; none may wait, overflow the clock or panic.
        let run = f
            .test(
                "[Infinity, 1e300, 2 ** 31, NaN, -5, 'soon'].forEach((ms, i) =>\n\
                   setTimeout(() => console.log('fired ' + i), ms));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            messages(&run),
            [
                "fired 0", "fired 1", "fired 2", "fired 3", "fired 4", "fired 5"
            ]
        );
    });
}

#[test]
fn errors_in_timer_callbacks_fail_the_script() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f.test("setTimeout(function () {\n  nope();\n}, 1);").await;
        let error = run.error.unwrap();
        assert_eq!(
            (error.name.as_str(), error.line),
            ("ReferenceError", Some(2))
        );
    });
}

#[test]
fn send_request_calls_back_and_resolves_a_promise() {
    block_on(async {
        let mut f = Fixture::with(ScriptOptions {
            top_level_await: true,
            ..ScriptOptions::default()
        });
        let outcome = f
            .pre(
                "pm.sendRequest('http://other.test/{{notResolved}}', function (err, res) {\n\
                 \x20 console.log('cb', err, res.code, res.json().created);\n\
                 });\n\
                 const res = await pm.sendRequest({ url: 'http://other.test/x', method: 'post',\n\
                 \x20 header: { 'X-A': '1' }, body: { mode: 'raw', raw: { a: 1 } } });\n\
                 console.log('await', res.code, res.reason());\n\
                 pm.test('sent', () => pm.expect(res).to.have.status(201));",
            )
            .await;
        let run = &outcome.runs[0];
        assert_eq!(run.error, None);
        assert_eq!(messages(run), ["cb null 201 true", "await 201 Created"]);
        assert_eq!(failures(run), []);
        assert_eq!(outcome.sent.len(), 2);
        assert_eq!(
            outcome.sent[0].request.url.to_unresolved_string(),
            "http://other.test/{{notResolved}}"
        );
        let second = &outcome.sent[1].request;
        assert_eq!(second.method, "POST");
        assert_eq!(second.headers[0].key, "X-A");
        assert_eq!(
            second.body,
            Some(crate::collection::Body::Raw {
                raw: r#"{"a":1}"#.into(),
                language: None
            })
        );
    });
}

#[test]
fn next_request_and_skip_request_are_reported() {
    block_on(async {
        let mut f = Fixture::new();
        let outcome = f
            .pre("pm.execution.setNextRequest('Login'); pm.execution.skipRequest();")
            .await;
        assert_eq!(
            outcome.next_request,
            Some(NextRequest::Item("Login".into()))
        );
        assert!(outcome.skip_request);
        let outcome = f
            .run_many(
                Listen::Test,
                &["postman.setNextRequest(null); pm.execution.skipRequest();"],
            )
            .await;
        assert_eq!(outcome.next_request, Some(NextRequest::Stop));
        assert!(!outcome.skip_request);
        let outcome = f.run_many(Listen::Test, &["1"]).await;
        assert_eq!(outcome.next_request, None);
    });
}

#[test]
fn request_changes_in_prerequest_are_written_back() {
    block_on(async {
        let mut f = Fixture::new();
        let outcome = f
            .pre(
                "pm.request.headers.add({ key: 'X-Signature', value: 'sig' });\n\
                 pm.request.headers.upsert({ key: 'content-type', value: 'text/plain' });\n\
                 pm.request.url.query.upsert({ key: 'limit', value: '5' });\n\
                 pm.request.url.query.add({ key: 'page', value: '2' });\n\
                 pm.request.body = { mode: 'raw', raw: 'hello' };\n\
                 pm.request.method = 'PUT';\n\
                 console.log(pm.request.url.toString(), pm.request.headers.get('CONTENT-TYPE'));",
            )
            .await;
        assert_eq!(outcome.runs[0].error, None);
        assert_eq!(
            messages(&outcome.runs[0]),
            ["http://api.test/items?limit=5&page=2 text/plain"]
        );
        let r = &f.request;
        assert_eq!(r.method, "PUT");
        assert_eq!(
            r.url.to_unresolved_string(),
            "http://api.test/items?limit=5&page=2"
        );
        assert_eq!(r.headers.len(), 2);
        assert_eq!(r.headers[0].value.as_deref(), Some("text/plain"));
        assert_eq!(r.headers[1].key, "X-Signature");
        assert!(
            matches!(&r.body, Some(crate::collection::Body::Raw { raw, .. }) if raw == "hello")
        );
        let untouched = request();
        f.request = untouched.clone();
        f.pre("console.log(pm.request.method)").await;
        assert_eq!(f.request, untouched);
    });
}

#[test]
fn legacy_globals_work() {
    block_on(async {
        let mut f = Fixture::new();
        f.scopes.globals = VariableScope::from_values(vec![Variable::new("g1", json!("0"))]);
        let run = f
            .test(
                "tests['status'] = responseCode.code === 200;\n\
                 tests['global'] = globals.g1 == '0';\n\
                 tests['fails'] = false;\n\
                 postman.setEnvironmentVariable('e1', 'v');\n\
                 tests['env live'] = environment.e1 === 'v';\n\
                 tests['header'] = postman.getResponseHeader('content-TYPE').startsWith('application/json');\n\
                 tests['body'] = JSON.parse(responseBody).id === 'abc';\n\
                 tests['time'] = responseTime === 12 && iteration === 0;\n\
                 tests['request'] = request.method === 'POST' && request.name === 'Item' && request.description === 'Creates an item' && request.headers['content-type'] === 'application/json';\n\
                 console.log(JSON.stringify(environment), responseHeaders['X-Trace']);\n\
                 postman.clearGlobalVariables();\n\
                 postman.setEnvironmentVariable('n', 5); pm.environment.set('m', 5);",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(run.assertions.len(), 8);
        assert_eq!(failures(&run).len(), 1, "{:?}", failures(&run));
        assert_eq!(
            failures(&run)[0],
            (
                "fails".to_string(),
                "expected false to be truthy".to_string()
            )
        );
        assert_eq!(messages(&run), [r#"{"e1":"v"} abc"#]);
        assert!(f.scopes.globals.values().is_empty());
        assert_eq!(env(&f.scopes, "n"), Some(json!("5")));
        assert_eq!(env(&f.scopes, "m"), Some(json!(5)));
    });
}

#[test]
fn unknown_require_names_the_module() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f.test("\nrequire('left-pad');").await;
        let error = run.error.unwrap();
        assert_eq!(error.message, "Cannot find module 'left-pad'");
        assert_eq!(error.line, Some(2));
        let internal = f.test("require('sugar')").await.error.unwrap();
        assert_eq!(internal.message, "Cannot find module 'sugar'");
    });
}

#[test]
fn libraries_load_and_work() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                r#"
console.log(_.chunk([1, 2, 3], 2).length, require('lodash').VERSION, _.VERSION, typeof Backbone.Model);
console.log('diabetes'.has('betes'), [1, 2, 3].sum(), typeof require('uuid').v4);
console.log(CryptoJS.MD5('jasonpurse').toString());
console.log(require('crypto-js').HmacSHA256('a', 'k').toString(CryptoJS.enc.Base64));
console.log(require('moment')('2024-01-02T03:04:05Z').utc().format('YYYY/MM/DD'));
console.log(require('uuid').v4().length, require('uuid')().length);
const chai = require('chai'); chai.expect(1).to.equal(1); console.log('chai ok');
const Ajv = require('ajv'); console.log(new Ajv().validate({ type: 'string' }, 'x'));
console.log(tv4.validate(1, { type: 'number' }), require('tv4') === tv4);
console.log(JSON.stringify(xml2Json('<a><b>1</b><b>2</b></a>')));
require('xml2js').parseString('<r x="1">t</r>', (e, r) => console.log(JSON.stringify(r)));
const $ = cheerio.load('<ul><li class="x">one</li><li>two</li></ul>'); console.log($('li.x').text(), $('li').length);
console.log(JSON.stringify(require('csv-parse/lib/sync')('a,b\n1,2', { columns: true })));
console.log(atob(btoa('hi')), require('atob')('aGk='), require('btoa')('hi'));
console.log(Buffer.from('hi').toString('base64'), require('buffer').Buffer.byteLength('é'));
console.log(require('url').parse('http://h.test:8/p?q=1').port, require('querystring').stringify({ a: [1, 2] }));
console.log(require('util').format('%s=%d', 'n', 5), require('path').join('/a', '../b'));
const E = require('events'); const e = new E(); e.on('x', v => console.log('event', v)); e.emit('x', 1);
try { require('assert').strictEqual(1, 2); } catch (err) { console.log(err.name); }
require('timers').setTimeout(() => console.log('timer'), 1);
"#,
            )
            .await;
        assert_eq!(run.error, None, "{:?}", run.console);
        assert_eq!(
            messages(&run),
            [
                "2 4.17.21 3.10.2 function",
                "true 6 function",
                "288d14f08b5ad40da43dbe06467729c9",
                "eNqRUR5nVYf1ud94vt669VYNoqu4gWLuh13N90SVHZ4=",
                "2024/01/02",
                "36 36",
                "chai ok",
                "true",
                "true true",
                r#"{"a":{"b":["1","2"]}}"#,
                r#"{"r":{"_":"t","$":{"x":"1"}}}"#,
                "one 2",
                r#"[{"a":"1","b":"2"}]"#,
                "hi hi aGk=",
                "aGk= 2",
                "8 a=1&a=2",
                "n=5 /b",
                "event 1",
                "AssertionError",
                "timer",
            ]
        );
    });
}

/// chai's inspector reads `require('util').inspect.custom` as it loads. The prelude spares chai
/// loading util for that (`chaiRequire`), which keeps Newman's behaviour only while the bundled
/// util does not define `custom`: chai must inspect the same whether a script loaded util first.
#[test]
fn chai_inspects_the_same_whether_or_not_util_was_loaded_before_it() {
    let inspect = |loads: &str| {
        block_on(async {
            let mut f = Fixture::new();
            let run = f
                .test(&format!(
                    r#"{loads}
console.log(typeof util.inspect, String(util.inspect.custom));
const value = {{ a: 1, [Symbol.for('nodejs.util.inspect.custom')]: () => 'custom' }};
console.log(chai.util.inspect(value));
"#
                ))
                .await;
            assert_eq!(run.error, None, "{:?}", run.console);
            messages(&run)
        })
    };
    let spared = inspect("const chai = require('chai'), util = require('util');");
    assert_eq!(spared[0], "function undefined");
    assert!(spared[1].contains("a: 1"), "{spared:?}");
    assert_eq!(
        inspect("const util = require('util'), chai = require('chai');"),
        spared
    );
}

#[test]
fn response_assertions_pass_and_fail_with_chai_postman_messages() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                r#"
const schema = { properties: { id: { type: 'number' } } };
const cases = {
  ok: () => pm.response.to.be.ok,
  success: () => pm.response.to.be.success,
  json: () => pm.response.to.be.json,
  header: () => pm.response.to.have.header('x-trace', 'abc'),
  body: () => pm.response.to.have.body(/items/),
  jsonBody: () => pm.response.to.have.jsonBody('nested.ok', true),
  notFound: () => pm.response.to.not.be.notFound,
  withBody: () => pm.response.to.be.withBody,
  time: () => pm.response.to.have.responseTime.below(100),
  reason: () => pm.response.to.have.status('OK'),
  created: () => pm.response.to.have.status(201),
  clientError: () => pm.response.to.be.clientError,
  badRequest: () => pm.response.to.be.badRequest,
  missingHeader: () => pm.response.to.have.header('X-Nope'),
  headerValue: () => pm.response.to.have.header('X-Trace', 'zzz'),
  schema: () => pm.response.to.have.jsonSchema(schema),
  expectMsg: () => pm.expect(1, 'custom').to.equal(2),
  include: () => pm.expect([1, 2]).to.include(3),
  property: () => pm.expect({ a: 1 }).to.have.property('b'),
  fail: () => pm.expect.fail('boom'),
  isRequest: () => pm.request.to.have.header('content-type'),
};
Object.keys(cases).forEach(name => pm.test(name, cases[name]));
"#,
            )
            .await;
        assert_eq!(run.error, None);
        let failed = failures(&run);
        let expected = [
            (
                "created",
                "expected response to have status code 201 but got 200",
            ),
            (
                "clientError",
                "expected response code to be 4XX but found 200",
            ),
            (
                "badRequest",
                "expected response to have status reason 'BAD REQUEST' but got 'OK'",
            ),
            (
                "missingHeader",
                "expected response to have header with key 'X-Nope'",
            ),
            (
                "headerValue",
                "expected 'X-Trace' response header to be 'zzz' but got 'abc'",
            ),
            (
                "schema",
                "expected data to satisfy schema but found following errors: \ndata.id should be number",
            ),
            ("expectMsg", "custom: expected 1 to equal 2"),
            ("include", "expected [ 1, 2 ] to include 3"),
            ("property", "expected { a: 1 } to have property 'b'"),
            ("fail", "boom"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(failed, expected);
        assert_eq!(run.assertions.len(), 21);
    });
}

#[test]
fn pm_test_forms_record_results() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "pm.test('done ok', function (done) { setTimeout(done, 1); });\n\
                 pm.test('done err', function (done) { setTimeout(() => done(new Error('late')), 2); });\n\
                 pm.test('async', async function () { await null; throw new TypeError('bad'); });\n\
                 pm.test.skip('skipped', function () { throw 1; });\n\
                 pm.test('throws', function () { throw new Error('x'); });\n\
                 pm.test('no function');\n\
                 console.log('still runs');",
            )
            .await;
        assert_eq!(run.error, None);
        let summary: Vec<(String, bool, Option<String>)> = run
            .assertions
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.skipped,
                    a.error.as_ref().map(|e| e.name.clone()),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("skipped".to_string(), true, None),
                ("throws".to_string(), false, Some("Error".to_string())),
                ("no function".to_string(), false, None),
                ("async".to_string(), false, Some("TypeError".to_string())),
                ("done ok".to_string(), false, None),
                ("done err".to_string(), false, Some("Error".to_string())),
            ]
        );
        assert_eq!(run.assertions[5].error.as_ref().unwrap().line, Some(2));
        assert_eq!(messages(&run), ["still runs"]);
    });
}

#[test]
fn info_console_format_and_cookies() {
    block_on(async {
        let mut f = Fixture::new();
        let site = url::Url::parse("http://api.test/").unwrap();
        f.jar.set(&site, "ST", "session").unwrap();
        let run = f
            .test(
                "console.log(pm.info.eventName, pm.info.requestName, pm.info.iteration, pm.info.iterationCount);\n\
                 console.log({ a: 1, b: 'two', c: [1, { d: null }], 'e-f': undefined }, [], 'x', 5);\n\
                 console.log(pm.execution.location.join('/'), pm.execution.location.current);\n\
                 console.log(pm.cookies.get('ST'), pm.cookies.has('nope'), JSON.stringify(pm.cookies.toObject()));\n\
                 const jar = pm.cookies.jar();\n\
                 jar.set('http://api.test/', 'k', 'v', (err) => {\n\
                 \x20 jar.get('http://api.test/', 'k', (err, value) => console.log('jar', err, value));\n\
                 });\n\
                 console.warn('%s is %d', 'n', 42);\n\
                 console.log(new TypeError('boom'));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            messages(&run),
            [
                "test Item 0 1",
                "{ a: 1, b: 'two', c: [ 1, { d: null } ], 'e-f': undefined } [] x 5",
                "Folder/Item Item 0",
                r#"session false {"ST":"session"}"#,
                "n is 42",
                "{ type: 'TypeError', name: 'TypeError', message: 'boom' }",
                "jar null v",
            ]
        );
        assert_eq!(run.console[4].level, "warn");
        assert_eq!(f.jar.cookies_for(&site).len(), 2);
    });
}

#[test]
fn request_and_response_objects_expose_the_sdk_api() {
    block_on(async {
        let mut f = Fixture::new();
        let run = f
            .test(
                "const u = pm.request.url;\n\
                 console.log(u.getHost(), u.getPath(), u.getQueryString(), JSON.stringify(u.query.toObject()));\n\
                 console.log(pm.response.code, pm.response.status, pm.response.responseTime, pm.response.responseSize);\n\
                 console.log(pm.response.headers.get('x-trace'), JSON.stringify(pm.response.headers.toObject()));\n\
                 console.log(pm.response.text().length, pm.response.json().items[2]);\n\
                 console.log(pm.response.size().body, pm.iterationData.toObject());",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(
            messages(&run),
            [
                r#"api.test /items limit=10 {"limit":"10"}"#,
                "200 OK 12 49",
                r#"abc {"content-type":"application/json; charset=utf-8","x-trace":"abc"}"#,
                "49 3",
                "49 {}",
            ]
        );
    });
}

/// Not a timed test: prints the per-execution cost of a typical capture script after warm-up.
/// `cargo test --release --lib measure_capture_script_cost -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_capture_script_cost() {
    block_on(async {
        let mut f = Fixture::new();
        for (label, code) in [
            ("realm + empty script", "1"),
            ("first Sugar method", "'ab'.has('b')"),
            ("first pm.expect (chai)", "pm.expect(1).to.equal(1)"),
            ("first _ (lodash 3)", "_.VERSION"),
            ("first require('lodash')", "require('lodash')"),
            ("first CryptoJS", "CryptoJS.MD5('a')"),
        ] {
            let started = std::time::Instant::now();
            f.test(code).await;
            println!("{label}: {:?}", started.elapsed());
        }
        let code = "const body = pm.response.json();\n\
                    pm.test('status is 200', function () { pm.response.to.have.status(200); });\n\
                    pm.environment.set('itemId', body.id);";
        for _ in 0..200 {
            f.test(code).await;
        }
        let rounds = 5000;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            let run = f.test(code).await;
            assert!(run.error.is_none() && run.assertions[0].error.is_none());
        }
        let per = started.elapsed() / rounds;
        println!("capture script: {per:?} per execution");
        for code in [
            "1",
            "pm.response",
            "pm.response.json()",
            "pm.environment.set('a', 1)",
            "pm.test('x', function () {})",
            "pm.test('x', function () { pm.expect(1).to.equal(1); })",
            "pm.test('x', function () { pm.response.to.have.status(200); })",
        ] {
            let started = std::time::Instant::now();
            for _ in 0..rounds {
                f.test(code).await;
            }
            println!("{code}: {:?}", started.elapsed() / rounds);
        }
    });
}

/// The scripts of Newman's `sandbox-libraries` integration collection (ajv, chai-postman, pm api).
#[test]
fn newman_sandbox_libraries_scripts_pass() {
    block_on(async {
        let mut f = Fixture::new();
        f.response = Some(response(
            200,
            r#"{"args":{},"url":"https://postman-echo.com/get"}"#,
        ));
        let run = f
            .test(
                r#"
var Ajv = require('ajv'), schema = { "properties": { "alpha": { "type": "boolean" } } };
pm.test("ajv.validate", function () {
    var ajv = new Ajv({ logger: false });
    pm.expect(ajv.validate(schema, { alpha: true })).to.be.true;
    pm.expect(ajv.validate(schema, { alpha: 123 })).to.be.false;
});
pm.test("ajv.compile", function () {
    var validate = new Ajv({ logger: false }).compile(schema);
    pm.expect(validate({ alpha: true })).to.be.true;
    pm.expect(validate({ alpha: 123 })).to.be.false;
});
pm.test("0: valid schema", function () {
    pm.expect({ alpha: true }).to.be.jsonSchema(schema);
    pm.expect('POSTMAN').to.be.jsonSchema({ "type": "string" });
});
pm.test("1: negated assertions", function () {
    pm.expect({ alpha: 123 }).to.not.be.jsonSchema(schema);
    pm.expect(123).to.not.be.jsonSchema({ "type": "string" });
});
pm.test("2: incorrect assertions", function () {
    pm.expect(function () { pm.expect({ alpha: 123 }).to.be.jsonSchema(schema); })
        .to.throw('expected data to satisfy schema but found following errors: \ndata.alpha should be boolean');
});
pm.test("3: incorrect negated assertions", function () {
    pm.expect(function () { pm.expect({ alpha: true }).to.not.be.jsonSchema(schema); })
        .to.throw('expected data to not satisfy schema');
});
pm.test("4: pm.response.to", function () {
    pm.response.to.have.jsonSchema({ properties: { url: { type: 'string' } } });
});
pm.test("5: pm.response.to.not", function () {
    pm.response.to.not.have.jsonSchema({ properties: { url: { type: 'number' } } });
});
pm.test("pre-assert request", function () {
    pm.expect(pm.request).to.have.property('to');
    pm.expect(pm.request.to).to.be.an('object');
    pm.request.to.be.ok;
    pm.request.to.not.be.a.postmanResponse;
    pm.request.to.not.have.header('Foo-Bar');
    pm.request.to.be.a.postmanRequestOrResponse;
});
pm.test("pre-assert response", function () {
    pm.response.to.be.ok;
    pm.response.to.not.be.a.postmanRequest;
    pm.response.to.not.be.serverError;
    pm.response.to.not.have.statusCode(400);
    pm.response.to.have.statusCode(200);
    pm.response.to.have.statusReason('OK');
});
"#,
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(run.assertions.len(), 10);
        assert_eq!(failures(&run), []);
    });
}

#[test]
fn response_globals_exist_only_in_test_scripts() {
    block_on(async {
        let mut f = Fixture::new();
        let pre = f
            .pre("console.log(typeof responseBody); responseCode.code")
            .await;
        let error = pre.runs[0].error.as_ref().unwrap();
        assert_eq!(messages(&pre.runs[0]), ["undefined"]);
        assert_eq!(error.message, "responseCode is not defined");
        let test = f
            .test("console.log(responseCode.code, typeof request)")
            .await;
        assert_eq!(messages(&test), ["200 object"]);
    });
}

#[test]
fn a_second_realm_loads_libraries_from_cached_bytecode() {
    block_on(async {
        for _ in 0..2 {
            let mut f = Fixture::new();
            let run = f
                .test("console.log(require('moment').utc(0).format('YYYY'), typeof require('tv4').validate)")
                .await;
            assert_eq!(
                (run.error.clone(), messages(&run)),
                (None, vec!["1970 function".to_string()])
            );
        }
    });
}

#[test]
fn undefined_set_on_a_shared_scope_reads_undefined_until_the_script_ends_then_null() {
    block_on(async {
        let mut f = Fixture::new();
        let outcome = f
            .run_many(
                Listen::Prerequest,
                &[
                    "pm.collectionVariables.set('token', undefined);\n\
                     pm.environment.set('env', undefined);\n\
                     console.log(typeof pm.collectionVariables.get('token'), typeof pm.environment.get('env'));",
                    "console.log(pm.collectionVariables.get('token'), pm.environment.get('env'));",
                ],
            )
            .await;
        assert_eq!(messages(&outcome.runs[0]), ["undefined undefined"]);
        assert_eq!(messages(&outcome.runs[1]), ["null null"]);
    });
}

#[test]
fn a_response_that_never_came_fails_status_checks_for_its_missing_code() {
    block_on(async {
        let mut f = Fixture::new();
        f.response = None;
        let run = f
            .test(
                "console.log('code' in pm.response, Object.keys(pm.response).join(','), pm.response.constructor.name);\n\
                 pm.test('status', () => pm.response.to.have.status(200));\n\
                 pm.test('class', () => pm.response.to.be.success);\n\
                 pm.test('code', () => pm.response.to.have.statusCode(200));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(messages(&run), ["false headers PostmanResponse"]);
        let failures = failures(&run);
        assert_eq!(failures.len(), 3);
        for (name, message) in failures {
            assert!(
                message.starts_with("expected PostmanResponse{")
                    && message.ends_with("} to have property 'code'"),
                "{name}: {message}"
            );
        }
    });
}

#[test]
fn a_script_is_a_plain_function_that_still_settles_its_timers_when_it_throws() {
    block_on(async {
        let mut f = Fixture::new();
        // As in Newman, where a script is a plain function: `await` can name a variable.
        let run = f
            .test(
                "var await = 1;\n\
                 pm.test('await as a name', () => pm.expect(await).to.equal(1));\n\
                 setTimeout(() => pm.test('timer', () => {}), 0);\n\
                 throw new Error('boom');",
            )
            .await;
        let names: Vec<&str> = run.assertions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["await as a name", "timer"]);
        assert!(run.assertions.iter().all(|a| a.error.is_none()));
        let error = run.error.expect("the thrown error");
        assert_eq!((error.message.as_str(), error.line), ("boom", Some(4)));
    });
}

/// Sugar loads when a script first touches any name it adds to the built-ins, and a name a
/// script assigns before that keeps the script's value: the stubs stand in for every name.
#[test]
fn sugar_loads_on_the_first_touch_of_any_of_its_names() {
    block_on(async {
        let mut f = Fixture::new();
        let assigned = f
            .test("String.prototype.has = function () { return 'mine'; }; console.log('ab'.has('b'));")
            .await;
        assert_eq!(messages(&assigned), ["mine"]);
        let mut f = Fixture::new();
        let run = f
            .test(
                "console.log(typeof Number.prototype.hours, typeof Array.prototype.unique);\n\
                 console.log((2).hours(), [1, 1, 2].unique().join(), 'abc'.has('z'));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(messages(&run), ["function function", "7200000 1,2 false"]);
        // Before Sugar loads, its names are stubs that no loop over a built-in sees and that
        // Sugar can define over; reading the descriptor does not load it.
        let mut f = Fixture::new();
        let run = f
            .test(
                "const d = Object.getOwnPropertyDescriptor(Array.prototype, 'unique');\n\
                 const seen = []; for (const k in [7]) seen.push(k);\n\
                 console.log(d.enumerable, d.configurable, 'value' in d, seen.join());\n\
                 console.log(Object.keys(Array.prototype).length, JSON.stringify({s: 'x'}));",
            )
            .await;
        assert_eq!(run.error, None);
        assert_eq!(messages(&run), ["false true false 0", "0 {\"s\":\"x\"}"]);
    });
}

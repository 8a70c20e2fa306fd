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
        Box::pin(async move { Ok(response) })
    }
}

fn response(code: u16, body: &str) -> Response {
    Response {
        code,
        status: crate::http::reason_phrase(code).to_string(),
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
            response: if listen == Listen::Test {
                self.response.as_ref()
            } else {
                None
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

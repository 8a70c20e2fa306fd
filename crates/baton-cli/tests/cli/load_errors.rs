//! Bad input: each kind gives exit 2 and one message naming the file, the place and what was expected.

use serde_json::json;

use crate::server::TestServer;
use crate::support::{Scratch, baton, collection};

#[test]
fn invalid_json_names_line_and_column() {
    let s = Scratch::new("invalid-json");
    s.write("c.json", "{\n  \"info\": {,\n}");
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: c.json:2:12: invalid JSON: "),
        "{}",
        run.stderr
    );
}

#[test]
fn empty_file_is_explained() {
    let s = Scratch::new("empty");
    s.write("c.json", "\n");
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(
        (run.code, run.stderr.trim()),
        (2, "error: c.json: the file is empty, expected JSON")
    );
}

#[test]
fn v1_collection_is_refused_with_advice() {
    let s = Scratch::new("v1");
    s.json(
        "c.json",
        &json!({"id": "1", "name": "old", "order": [], "requests": []}),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("Postman v1 collection"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("v2.1"));
}

#[test]
fn wrong_type_names_the_json_path() {
    let s = Scratch::new("wrong-type");
    s.json(
        "c.json",
        &collection(json!([{}, {}, {"name": "x", "request": {"url": 5}}])),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "error: c.json: item[2].request.url: expected a string or an object, found a number"
    );
}

#[test]
fn bad_csv_names_the_line() {
    let s = Scratch::new("bad-csv");
    s.json("c.json", &collection(json!([])));
    s.write("d.csv", "a,b\n1,2\n3,4,5\n");
    let run = baton(&s.dir, &["run", "c.json", "-d", "d.csv"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "error: d.csv:3: invalid CSV: the row has 3 fields but the header names 2 columns"
    );
}

#[test]
fn unknown_reporter_is_a_usage_error_with_a_suggestion() {
    let s = Scratch::new("reporter");
    s.json("c.json", &collection(json!([])));
    let run = baton(&s.dir, &["run", "c.json", "-r", "junt"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown reporter `junt`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `junit`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_bail_modifier_is_a_usage_error_with_a_suggestion() {
    let s = Scratch::new("bail-modifier");
    s.json("c.json", &collection(json!([])));
    let run = baton(&s.dir, &["run", "c.json", "--bail", "foldr"]);
    assert_eq!(run.code, 2);
    // A usage error renders as every error does: the command line, a caret under the fault.
    assert_eq!(
        run.stderr,
        "error: --bail: unknown modifier `foldr` (known: failure, folder); did you mean `folder`?\n  \
         --> command line\n   |\n \
         1 | baton run c.json --bail foldr\n   |                         ^\n"
    );
}

#[test]
fn env_var_without_equals_is_rejected() {
    let s = Scratch::new("env-var");
    s.json("c.json", &collection(json!([])));
    let run = baton(&s.dir, &["run", "c.json", "--env-var", "tld"]);
    assert_eq!(
        (run.code, run.stderr.trim()),
        (
            2,
            "error: --env-var #1 (its text is not shown: it may hold a secret): expected \
             KEY=VALUE, found no `=`"
        )
    );
}

#[test]
fn directory_instead_of_file() {
    let s = Scratch::new("directory");
    std::fs::create_dir_all(s.dir.join("env")).unwrap();
    s.json("c.json", &collection(json!([])));
    let run = baton(&s.dir, &["run", "c.json", "-e", "env"]);
    assert_eq!(
        (run.code, run.stderr.trim()),
        (2, "error: env: expected a file, found a directory")
    );
}

#[test]
fn unreadable_file_names_the_os_error() {
    let s = Scratch::new("unreadable");
    s.json("c.json", &collection(json!([])));
    let run = baton(&s.dir, &["run", "c.json/inside.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: c.json/inside.json: cannot read the file: "),
        "{}",
        run.stderr
    );
}

#[test]
fn environment_with_wrong_shape() {
    let s = Scratch::new("env-shape");
    s.json("c.json", &collection(json!([])));
    s.json("e.json", &json!({"name": "dev", "values": {"tld": "com"}}));
    let run = baton(&s.dir, &["run", "c.json", "-e", "e.json"]);
    assert_eq!(
        (run.code, run.stderr.trim()),
        (
            2,
            "error: e.json: values: expected an array, found an object"
        )
    );
}

#[test]
fn unknown_folder_suggests_the_closest_name() {
    let s = Scratch::new("folder");
    s.json(
        "c.json",
        &collection(json!([{"name": "Admin token", "request": "http://127.0.0.1:1/"}])),
    );
    let run = baton(&s.dir, &["run", "c.json", "--folder", "Admin tokn"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `Admin token`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_url_after_resolution_fails_that_request_and_the_run_goes_on() {
    let server = TestServer::start();
    let s = Scratch::new("invalid-url");
    s.json(
        "c.json",
        &collection(json!([
            {"name": "Token", "request": {"url": "{{authPath}}/as/token", "method": "POST"}},
            {"name": "Next", "request": server.url("/next")}
        ])),
    );
    let run = baton(&s.dir, &["run", "c.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "invalid URL `{{authPath}}/as/token`: `{{authPath}}` is not defined in any scope"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        server.requests().len(),
        1,
        "the run went on to the next item"
    );
}

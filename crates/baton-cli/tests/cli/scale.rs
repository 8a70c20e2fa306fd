//! Scale-out: `--parallel N` in one process, `--shard K/N` across processes (with
//! `JOB_COMPLETION_INDEX` as a Kubernetes Indexed Job sets it), and `baton merge`.

use serde_json::{Value, json};

use crate::server::TestServer;
use crate::support::{Scratch, baton, baton_with_env, collection};

/// Two requests per iteration against `/slow`, each answered after the row's `delay` ms, so
/// that in a parallel run later iterations may finish first. The tests check the row and
/// `pm.info.iteration`; row 4 fails one on purpose, so failures are compared too.
fn data_driven(server: &TestServer) -> Value {
    let slow = server.url("/slow?ms={{delay}}");
    let tests = "pm.test('row ' + pm.iterationData.get('row'), () => {\n\
                   pm.expect(pm.info.iteration).to.equal(pm.iterationData.get('row'));\n\
                 });\n\
                 pm.test('not row 4', () => pm.expect(pm.iterationData.get('row')).to.not.equal(4));\n\
                 pm.environment.set('last', pm.iterationData.get('row'));\n\
                 pm.environment.set('seen', (pm.environment.get('seen') || '') + pm.iterationData.get('row') + ',');";
    collection(json!([
        {"name": "First", "request": {"url": slow, "header": [{"key": "X-Row", "value": "{{row}}"}]},
         "event": [{"listen": "test", "script": {"exec": [tests]}}]},
        {"name": "Second", "request": {"url": slow, "header": [{"key": "X-Row", "value": "{{row}}"}]},
         "event": [{"listen": "test", "script": {"exec": ["pm.test('second', () => pm.response.to.have.status(200));"]}}]}
    ]))
}

/// `rows` data rows; earlier rows answer more slowly.
fn rows(rows: u64) -> Value {
    Value::Array(
        (0..rows)
            .map(|row| json!({"row": row, "delay": (rows - row) * 3}))
            .collect(),
    )
}

/// Each execution as `iteration item [assertions]`, in report order.
fn executions(report: &Value) -> Vec<String> {
    report["run"]["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let assertions: Vec<String> = e["assertions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| format!("{}={}", a["assertion"], a.get("error").is_none()))
                .collect();
            format!(
                "{} {} {}",
                e["cursor"]["iteration"],
                e["item"]["name"],
                assertions.join(",")
            )
        })
        .collect()
}

/// Each failure as `iteration test message`.
fn failures(report: &Value) -> Vec<String> {
    report["run"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["cursor"]["iteration"], f["error"]["test"], f["error"]["message"]
            )
        })
        .collect()
}

/// A JUnit report's names and counts, in order, without its times and ids.
fn junit_outline(xml: &str) -> Vec<String> {
    let keys = [
        " name=\"",
        " tests=\"",
        " failures=\"",
        " errors=\"",
        "<failure ",
    ];
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some((at, key)) = keys
        .iter()
        .filter_map(|key| rest.find(key).map(|at| (at, *key)))
        .min()
    {
        rest = &rest[at + key.len()..];
        let value = rest.split('"').next().unwrap_or_default();
        out.push(format!("{}{value}\"", key.trim()));
    }
    out
}

/// The rows the server saw, by the `X-Row` header of the first request of each iteration.
fn rows_seen(server: &TestServer, since: usize) -> Vec<u64> {
    let mut seen: Vec<u64> = server.requests()[since..]
        .iter()
        .filter_map(|r| r.header("x-row").and_then(|row| row.parse().ok()))
        .collect();
    seen.sort_unstable();
    seen
}

#[test]
fn shards_run_by_job_completion_index_merge_into_the_single_run() {
    let server = TestServer::start();
    let scratch = Scratch::new("shards");
    scratch.json("c.json", &data_driven(&server));
    scratch.json("rows.json", &rows(10));
    let common = ["run", "c.json", "-d", "rows.json", "-r", "json"];

    let single = baton(
        &scratch.dir,
        &[
            &common[..],
            &["-r", "json,junit", "--reporter-json-export", "single.json"],
            &["--reporter-junit-export", "single.xml"],
        ]
        .concat(),
    );
    assert_eq!(single.code, 1, "row 4 fails: {}", single.stderr);
    let before_shards = server.requests().len();
    for index in 0..3 {
        let export = format!("shard-{index}.json");
        let run = baton_with_env(
            &scratch.dir,
            &[
                &common[..],
                // Shards combine with --parallel; the merge still equals the serial single run.
                &["--shard", "auto/3", "--parallel", "2"],
                &["--reporter-json-export", &export],
            ]
            .concat(),
            &[("JOB_COMPLETION_INDEX", &index.to_string())],
        );
        // Rows 0-2, 3-5 and 6-9: only the second shard holds the failing row 4.
        assert_eq!(run.code, i32::from(index == 1), "{}", run.stderr);
    }
    let every_row_twice: Vec<u64> = (0..10).flat_map(|row| [row, row]).collect();
    assert_eq!(
        rows_seen(&server, before_shards),
        every_row_twice,
        "each row exactly once over the shards (two requests each)"
    );

    // Given in any order.
    let merge = baton(
        &scratch.dir,
        &[
            "merge",
            "shard-2.json",
            "shard-0.json",
            "shard-1.json",
            "-o",
            "merged.json",
            "--junit",
            "merged.xml",
        ],
    );
    assert_eq!(
        merge.code, 1,
        "row 4 failed, as in the single run: {}",
        merge.stderr
    );
    assert!(
        merge.stdout.contains("merged 3 reports: 10 iterations"),
        "{}",
        merge.stdout
    );
    let single = scratch.read_json("single.json");
    let merged = scratch.read_json("merged.json");
    assert_eq!(merged["run"]["stats"], single["run"]["stats"]);
    assert_eq!(merged["run"]["stats"]["iterations"]["total"], 10);
    assert_eq!(merged["run"]["stats"]["assertions"]["total"], 30);
    assert_eq!(executions(&merged), executions(&single));
    assert_eq!(failures(&merged), failures(&single));
    assert_eq!(failures(&merged).len(), 1);
    // The environment is the last shard's, and with --parallel its last iteration's: each
    // starts from the loaded one.
    let last = |report: &Value| report["environment"]["values"][0].clone();
    assert_eq!(last(&merged), last(&single));
    assert_eq!(merged["environment"]["values"][1]["value"], "9,");
    let first = &merged["run"]["executions"][0]["cursor"];
    assert_eq!(first["iteration"], 0);
    assert_eq!(
        first["cycles"], 10,
        "the cursor counts the whole run's iterations"
    );
    let junit =
        |name: &str| junit_outline(&std::fs::read_to_string(scratch.dir.join(name)).unwrap());
    assert_eq!(junit("merged.xml"), junit("single.xml"));
    assert!(junit("merged.xml").contains(&"name=\"not row 4\"".to_string()));
}

#[test]
fn a_parallel_run_reports_and_exports_what_a_serial_run_does() {
    let server = TestServer::start();
    let scratch = Scratch::new("parallel");
    scratch.json("c.json", &data_driven(&server));
    scratch.json("rows.json", &rows(12));
    let run = |parallel: &str, name: &str| {
        baton(
            &scratch.dir,
            &[
                "run",
                "c.json",
                "-d",
                "rows.json",
                "--parallel",
                parallel,
                "-r",
                "cli,json",
                "--reporter-json-export",
                &format!("{name}.json"),
                "--export-environment",
                &format!("{name}-env.json"),
            ],
        )
    };
    let serial = run("1", "serial");
    let before = server.requests().len();
    let parallel = run("5", "parallel");
    assert_eq!((serial.code, parallel.code), (1, 1), "{}", parallel.stderr);
    let every_row_twice: Vec<u64> = (0..12).flat_map(|row| [row, row]).collect();
    assert_eq!(rows_seen(&server, before), every_row_twice);

    let serial_report = scratch.read_json("serial.json");
    let parallel_report = scratch.read_json("parallel.json");
    assert_eq!(
        parallel_report["run"]["stats"],
        serial_report["run"]["stats"]
    );
    assert_eq!(executions(&parallel_report), executions(&serial_report));
    assert_eq!(failures(&parallel_report), failures(&serial_report));

    // Each iteration starts from the run's starting scopes: `seen` holds its own row only, and
    // the export is the last iteration's, which a serial run of independent rows also ends with.
    let value = |env: &Value, key: &str| {
        env["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == key)
            .map(|v| v["value"].clone())
    };
    let exported = scratch.read_json("parallel-env.json");
    assert_eq!(value(&exported, "last"), Some(json!(11)));
    assert_eq!(value(&exported, "seen"), Some(json!("11,")));
    let serial_env = scratch.read_json("serial-env.json");
    assert_eq!(value(&serial_env, "last"), value(&exported, "last"));

    // The cli reporter prints each iteration's block whole, in order.
    let (iterations, _table) = parallel.stdout.split_once('┌').unwrap();
    let blocks: Vec<&str> = iterations.split("\nIteration ").skip(1).collect();
    assert_eq!(blocks.len(), 12, "{}", parallel.stdout);
    for (index, block) in blocks.iter().enumerate() {
        assert!(block.starts_with(&format!("{}/12", index + 1)), "{block}");
        assert_eq!(block.matches("First").count(), 1, "{block}");
        assert_eq!(block.matches("Second").count(), 1, "{block}");
    }
}

#[test]
fn bail_stops_every_parallel_worker() {
    let server = TestServer::start();
    let scratch = Scratch::new("parallel-bail");
    scratch.json("c.json", &data_driven(&server));
    scratch.json("rows.json", &rows(40));
    let run = baton(
        &scratch.dir,
        &[
            "run",
            "c.json",
            "-d",
            "rows.json",
            "--parallel",
            "4",
            "--bail",
            "-r",
            "json",
            "--reporter-json-export",
            "bail.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = scratch.read_json("bail.json");
    let iterations = report["run"]["stats"]["iterations"]["total"]
        .as_u64()
        .unwrap();
    assert!((5..40).contains(&iterations), "{iterations} iterations ran");
    assert!(
        report["run"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("--bail")),
        "{}",
        report["run"]["error"]
    );
    assert_eq!(failures(&report).len(), 1, "only row 4 fails");
    // What ran is delivered in index order, without gaps.
    let mut seen: Vec<u64> = report["run"]["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"]["iteration"].as_u64().unwrap())
        .collect();
    seen.dedup();
    assert_eq!(seen, (0..iterations).collect::<Vec<_>>());
}

#[test]
fn an_empty_shard_is_a_no_op_that_merges() {
    let server = TestServer::start();
    let scratch = Scratch::new("empty-shard");
    scratch.json(
        "c.json",
        &collection(json!([{"name": "Only", "request": server.url("/ok")}])),
    );
    let shard = |k: &str| {
        baton(
            &scratch.dir,
            &[
                "run",
                "c.json",
                "-n",
                "2",
                "--shard",
                &format!("{k}/3"),
                "-r",
                "json",
                "--reporter-json-export",
                &format!("{k}.json"),
            ],
        )
    };
    // 2 iterations over 3 shards: 0..0, 0..1, 1..2.
    let empty = shard("1");
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    assert!(
        empty.stderr.contains("shard 1/3 has no iterations to run"),
        "{}",
        empty.stderr
    );
    assert_eq!(
        scratch.read_json("1.json")["run"]["stats"]["iterations"]["total"],
        0
    );
    assert_eq!(shard("2").code, 0);
    assert_eq!(shard("3").code, 0);
    assert_eq!(server.requests().len(), 2);
    let merge = baton(
        &scratch.dir,
        &["merge", "1.json", "2.json", "3.json", "-o", "m.json"],
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    let merged = scratch.read_json("m.json");
    assert_eq!(merged["run"]["stats"]["iterations"]["total"], 2);
    assert_eq!(merged["run"]["stats"]["requests"]["total"], 2);
}

#[test]
fn merge_refuses_other_collections_repeated_shards_and_malformed_reports() {
    let server = TestServer::start();
    let scratch = Scratch::new("merge-errors");
    for (name, item) in [("a", "One"), ("b", "Two")] {
        scratch.json(
            &format!("{name}.json"),
            &collection(json!([{"name": item, "request": server.url("/ok")}])),
        );
        let run = baton(
            &scratch.dir,
            &[
                "run",
                &format!("{name}.json"),
                "-r",
                "json",
                "--reporter-json-export",
                &format!("{name}-report.json"),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let other = baton(
        &scratch.dir,
        &["merge", "a-report.json", "b-report.json", "-o", "m.json"],
    );
    assert_eq!(other.code, 2);
    assert!(
        other.stderr.contains("reports of different collections")
            && other.stderr.contains("--> b-report.json"),
        "{}",
        other.stderr
    );
    let twice = baton(
        &scratch.dir,
        &["merge", "a-report.json", "a-report.json", "-o", "m.json"],
    );
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("iteration 1 is also in"),
        "{}",
        twice.stderr
    );

    scratch.write("broken.json", "{\n  \"run\": {,\n}");
    let broken = baton(
        &scratch.dir,
        &["merge", "a-report.json", "broken.json", "-o", "m.json"],
    );
    assert_eq!(broken.code, 2);
    assert!(
        broken.stderr.contains("--> broken.json:2:11"),
        "{}",
        broken.stderr
    );
    scratch.json(
        "shape.json",
        &json!({"collection": {"info": {}}, "run": {"stats": {}}}),
    );
    let shape = baton(&scratch.dir, &["merge", "shape.json", "-o", "m.json"]);
    assert_eq!(shape.code, 2);
    assert!(
        shape.stderr.contains("--> shape.json > run.timings"),
        "{}",
        shape.stderr
    );
    assert!(
        !scratch.dir.join("m.json").exists(),
        "nothing written on an error"
    );

    let no_index = baton(&scratch.dir, &["run", "a.json", "--shard", "auto/3"]);
    assert_eq!(no_index.code, 2);
    assert!(
        no_index.stderr.contains("JOB_COMPLETION_INDEX"),
        "{}",
        no_index.stderr
    );
}

#[test]
fn a_timeout_ends_every_parallel_worker_and_the_reports_keep_what_ran() {
    let server = TestServer::start();
    let scratch = Scratch::new("parallel-timeout");
    scratch.json("c.json", &data_driven(&server));
    // Every answer takes 30 s: only the run's --timeout can end the requests in flight.
    let slow: Vec<Value> = (0..20)
        .map(|row| json!({"row": row, "delay": 30_000}))
        .collect();
    scratch.json("rows.json", &Value::Array(slow));
    let run = baton(
        &scratch.dir,
        &[
            "run",
            "c.json",
            "-d",
            "rows.json",
            "--parallel",
            "4",
            "--timeout",
            "500",
            "-r",
            "json",
            "--reporter-json-export",
            "stopped.json",
            "--export-environment",
            "env.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = scratch.read_json("stopped.json");
    assert_eq!(
        report["run"]["stats"]["iterations"]["total"], 4,
        "the 4 in flight, and no new one"
    );
    assert!(
        report["run"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("--timeout of 500 ms")),
        "{}",
        report["run"]["error"]
    );
    let iterations: Vec<u64> = report["run"]["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"]["iteration"].as_u64().unwrap())
        .collect();
    assert_eq!(
        iterations,
        [0, 1, 2, 3],
        "one interrupted item each, in order"
    );
    assert!(scratch.dir.join("env.json").exists());
}

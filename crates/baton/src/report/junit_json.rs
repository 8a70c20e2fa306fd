//! JUnit XML made from a Newman-shape JSON report, for `baton merge --junit`: the merged report
//! is all there is of a sharded run, so its JUnit report is made from it, in the layout of
//! [`junit_report`](super::junit_report): one `<testsuite>` per item (all iterations together)
//! named `Folder / Request`, one `<testcase>` per distinct test name, failures of type
//! `AssertionFailure`, request and script errors in the suite's `<system-err>`.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

use super::junit::{Suite, class_name, escape, iso_time};

/// The JUnit XML text of a JSON report (as `write_json_report` or `baton merge` writes it).
pub fn junit_from_json_report(report: &Value) -> String {
    let collection = &report["collection"];
    let collection_name = collection["info"]["name"].as_str().unwrap_or_default();
    let collection_id = collection["info"]["_postman_id"]
        .as_str()
        .unwrap_or_default();
    let mut paths = HashMap::new();
    item_paths(collection, &[], &mut paths);
    let run = &report["run"];
    let timestamp = iso_time(run["timings"]["started"].as_u64().unwrap_or(0));
    let fallback_class = class_name(collection_name);

    // Executions grouped by item, in order of first appearance.
    let mut groups: Vec<(&str, Vec<&Value>)> = Vec::new();
    for execution in run["executions"].as_array().into_iter().flatten() {
        let id = execution["item"]["id"].as_str().unwrap_or_default();
        match groups.iter_mut().find(|(k, _)| *k == id) {
            Some((_, group)) => group.push(execution),
            None => groups.push((id, vec![execution])),
        }
    }
    let mut total_time = 0.0;
    let mut suites = String::new();
    for (id, group) in groups {
        let name = paths.get(id).cloned().unwrap_or_else(|| {
            group[0]["item"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        let mut tests: Vec<(String, Vec<(String, String)>)> = Vec::new();
        let (mut failures, mut errors, mut last_count) = (0, 0, 0);
        let mut system_err = String::new();
        let mut times = Vec::new();
        for execution in &group {
            let iteration = execution["cursor"]["iteration"].as_u64().unwrap_or(0);
            let mut message = format!("Iteration: {iteration}\n");
            let mut errored = false;
            if let Some(error) = execution.get("requestError") {
                errors += 1;
                errored = true;
                let code = error["code"].as_str().unwrap_or("the request failed");
                let _ = writeln!(message, "RequestError: {code}");
            }
            message.push_str("\n---\n");
            for label in ["testScript", "prerequestScript"] {
                for entry in execution[label].as_array().into_iter().flatten() {
                    errors += 1;
                    errored = true;
                    let error = &entry["error"];
                    let _ = writeln!(
                        message,
                        "{label}Error: {}: {}\n---",
                        error["name"].as_str().unwrap_or("Error"),
                        error["message"].as_str().unwrap_or_default()
                    );
                }
            }
            if errored {
                system_err.push_str(&message);
            }
            last_count = 0;
            for assertion in execution["assertions"].as_array().into_iter().flatten() {
                last_count += 1;
                let test = assertion["assertion"].as_str().unwrap_or_default();
                let entry = match tests.iter_mut().position(|(n, _)| n == test) {
                    Some(index) => &mut tests[index],
                    None => {
                        tests.push((test.to_string(), Vec::new()));
                        tests.last_mut().expect("just pushed")
                    }
                };
                match assertion.get("error") {
                    Some(error) => {
                        failures += 1;
                        let message = error["message"].as_str().unwrap_or_default().to_string();
                        let stack = error["stack"].as_str().unwrap_or_default().to_string();
                        entry.1.push((message, stack));
                    }
                    None => entry.1.clear(),
                }
            }
            times.push(
                execution["response"]["responseTime"]
                    .as_f64()
                    .unwrap_or(0.0)
                    / 1000.0,
            );
        }
        total_time += times.iter().sum::<f64>();
        // `--retry`: the `attempts` key of a retried execution.
        let attempts = group
            .iter()
            .filter_map(|e| {
                let attempts = e.get("attempts")?.as_u64()?;
                let iteration = e["cursor"]["iteration"].as_u64()?;
                Some((iteration as usize, attempts as u32))
            })
            .collect();
        let suite = Suite {
            name: &name,
            id,
            timestamp: &timestamp,
            tests,
            last_count,
            failures,
            errors,
            system_err: &system_err,
            times: &times,
            attempts,
            fallback_class: &fallback_class,
            collection_id,
            collection_name,
        };
        // The JSON report's texts are masked already.
        suite.write(&mut suites, &|text| text.to_string());
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{}\" tests=\"{}\" time=\"{total_time:.3}\">\n{suites}</testsuites>\n",
        escape(collection_name),
        run["stats"]["tests"]["total"].as_u64().unwrap_or(0)
    )
}

/// Each request's id with its `Folder / Request` path.
fn item_paths(node: &Value, prefix: &[&str], out: &mut HashMap<String, String>) {
    for item in node["item"].as_array().into_iter().flatten() {
        let mut path = prefix.to_vec();
        path.push(item["name"].as_str().unwrap_or_default());
        if item.get("item").is_some() {
            item_paths(item, &path, out);
        } else if let Some(id) = item["id"].as_str() {
            out.insert(id.to_string(), path.join(" / "));
        }
    }
}

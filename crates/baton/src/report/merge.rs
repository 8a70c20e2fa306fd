//! `baton merge`: the JSON reports of the shards of one run (`--shard K/N`) joined into the report
//! a single run would have written.
//!
//! A sharded run already numbers its iterations globally (`cursor.iteration` of its executions and
//! failures is the iteration's index in the whole run), so merging renumbers nothing: it checks
//! that the reports are of one collection and that no iteration is in two of them, orders them by
//! their first iteration, concatenates executions and failures, sums the counters and the
//! transferred bytes, and takes the earliest start and the latest completion. Response-time
//! figures are computed again over all executions. The environment and globals are those of the
//! report holding the last iteration, as a parallel or serial run ends with the last iteration's.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::json::mean_and_sd;
use super::render::Located;

/// A shard's report, read.
#[derive(Debug, Clone, Copy)]
pub struct ShardReport<'a> {
    /// The file it came from, as errors name it.
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// Why reports cannot be merged. Each names the report it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Not JSON.
    #[error("{file}:{line}:{column}: not a JSON report: {message}")]
    Syntax {
        /// The report.
        file: String,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
        /// The text of that line.
        source_line: String,
        /// What the parser expected.
        message: String,
    },
    /// JSON, but not Newman's report shape.
    #[error("{file}: `{path}` should be {expected}")]
    Shape {
        /// The report.
        file: String,
        /// The JSON path of the wrong or missing member.
        path: String,
        /// What it should have been.
        expected: &'static str,
    },
    /// A report of another collection than the first report's.
    #[error(
        "{file} is a report of {found}, but {first} is a report of {expected}: only the shards of one run can be merged"
    )]
    OtherCollection {
        /// The report that differs.
        file: String,
        /// What it is a report of.
        found: String,
        /// The first report.
        first: String,
        /// What the first report is a report of.
        expected: String,
    },
    /// The same iteration in two reports (a shard given twice, or shards of different splits).
    #[error(
        "iteration {iteration} is in both {first} and {file}: each shard's report may be given once"
    )]
    Overlap {
        /// The report that repeats it.
        file: String,
        /// The report that had it first.
        first: String,
        /// The iteration, one-based as the cli reporter shows it.
        iteration: u64,
    },
}

impl MergeError {
    /// The error as a located block, as every Baton error is shown.
    pub fn located(&self) -> Located {
        let (title, location, source, caret, message) = match self {
            MergeError::Syntax {
                file,
                line,
                column,
                source_line,
                message,
            } => (
                "invalid JSON report",
                format!("{file}:{line}:{column}"),
                Some((*line as u32, source_line.clone())),
                Some(*column as u32),
                message.clone(),
            ),
            MergeError::Shape {
                file,
                path,
                expected,
            } => (
                "not a Newman-shape JSON report",
                format!("{file} > {path}"),
                None,
                None,
                format!("expected {expected}"),
            ),
            MergeError::OtherCollection {
                file,
                found,
                first,
                expected,
            } => (
                "reports of different collections",
                file.clone(),
                None,
                None,
                format!(
                    "this is a report of {found}, but {first} is a report of {expected}; only \
                     the shards of one run can be merged"
                ),
            ),
            MergeError::Overlap {
                file,
                first,
                iteration,
            } => (
                "the same iteration in two reports",
                file.clone(),
                None,
                None,
                format!("iteration {iteration} is also in {first}; give each shard's report once"),
            ),
        };
        Located {
            title: title.to_string(),
            location: vec![location],
            while_running: None,
            source,
            caret,
            message,
        }
    }
}

/// The counters of `run.stats`, in Newman's order.
const COUNTERS: [&str; 9] = [
    "iterations",
    "items",
    "scripts",
    "prerequests",
    "requests",
    "tests",
    "assertions",
    "testScripts",
    "prerequestScripts",
];

/// One report, checked.
struct Parsed<'a> {
    name: &'a str,
    report: Value,
    /// The iterations its executions ran, in order of appearance.
    iterations: Vec<u64>,
}

/// Merges the reports of the shards of one run into one report.
pub fn merge_json_reports(reports: &[ShardReport<'_>]) -> Result<Value, MergeError> {
    let mut parsed = reports.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
    let Some(first) = parsed.first() else {
        return Ok(json!({}));
    };
    let expected = identity(&first.report["collection"]);
    let first_name = first.name.to_string();
    for other in &parsed[1..] {
        let found = identity(&other.report["collection"]);
        if found != expected {
            return Err(MergeError::OtherCollection {
                file: other.name.to_string(),
                found: found.describe(),
                first: first_name,
                expected: expected.describe(),
            });
        }
    }
    let mut owner: BTreeMap<u64, usize> = BTreeMap::new();
    for (index, report) in parsed.iter().enumerate() {
        for &iteration in &report.iterations {
            let seen = *owner.entry(iteration).or_insert(index);
            if seen != index {
                return Err(MergeError::Overlap {
                    file: report.name.to_string(),
                    first: parsed[seen].name.to_string(),
                    iteration: iteration + 1,
                });
            }
        }
    }
    // Shards in the order of their iterations; an empty shard has none and adds only zeros.
    parsed.sort_by_key(|p| p.iterations.first().copied().unwrap_or(u64::MAX));
    let last_with_runs = parsed
        .iter()
        .rposition(|p| !p.iterations.is_empty())
        .unwrap_or(0);

    // A collection without ids gets fresh ones in every run: the other shards' are made the
    // first one's, so that the merged report names each item by one id.
    let base_ids = ids(&parsed[0].report["collection"]);
    for report in &mut parsed[1..] {
        let renamed: HashMap<String, String> = ids(&report.report["collection"])
            .into_iter()
            .zip(base_ids.iter().cloned())
            .filter(|(own, base)| !own.is_empty() && own != base)
            .collect();
        if !renamed.is_empty() {
            for key in ["executions", "failures"] {
                rename(&mut report.report["run"][key], &renamed);
            }
        }
    }
    let mut merged = parsed[0].report.clone();
    let mut executions = Vec::new();
    let mut failures = Vec::new();
    let mut stats: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    let (mut started, mut completed, mut transferred) = (u64::MAX, 0, 0);
    let mut error = Value::Null;
    for report in &parsed {
        let run = &report.report["run"];
        for counter in COUNTERS {
            let sum = stats.entry(counter).or_default();
            for (slot, key) in sum.iter_mut().zip(["total", "pending", "failed"]) {
                *slot += run["stats"][counter][key].as_u64().unwrap_or(0);
            }
        }
        executions.extend(run["executions"].as_array().into_iter().flatten().cloned());
        failures.extend(run["failures"].as_array().into_iter().flatten().cloned());
        started = started.min(run["timings"]["started"].as_u64().unwrap_or(u64::MAX));
        completed = completed.max(run["timings"]["completed"].as_u64().unwrap_or(0));
        transferred += run["transfers"]["responseTotal"].as_u64().unwrap_or(0);
        if error.is_null() {
            error = run["error"].clone();
        }
    }
    let last = &parsed[last_with_runs].report;
    for key in ["environment", "globals"] {
        if let Some(scope) = last.get(key) {
            merged[key] = scope.clone();
        }
    }
    if let Some(report_error) = parsed.iter().find_map(|p| p.report.get("error")) {
        merged["error"] = report_error.clone();
    }
    let times: Vec<u64> = executions
        .iter()
        .filter_map(|e| e["response"]["responseTime"].as_u64())
        .collect();
    let (average, sd) = mean_and_sd(&times);
    let run = &mut merged["run"];
    for (counter, [total, pending, failed]) in stats {
        run["stats"][counter] = json!({"total": total, "pending": pending, "failed": failed});
    }
    let timings = &mut run["timings"];
    timings["responseAverage"] = average;
    timings["responseMin"] = json!(times.iter().min().copied().unwrap_or(0));
    timings["responseMax"] = json!(times.iter().max().copied().unwrap_or(0));
    timings["responseSd"] = sd;
    timings["started"] = json!(started);
    timings["completed"] = json!(completed.max(started));
    run["executions"] = Value::Array(executions);
    run["transfers"] = json!({"responseTotal": transferred});
    run["failures"] = Value::Array(failures);
    run["error"] = error;
    Ok(merged)
}

/// Reads one report and checks the members merging uses.
fn parse<'a>(input: &ShardReport<'a>) -> Result<Parsed<'a>, MergeError> {
    let report: Value = serde_json::from_str(input.text).map_err(|error| MergeError::Syntax {
        file: input.name.to_string(),
        line: error.line(),
        column: error.column(),
        source_line: input
            .text
            .lines()
            .nth(error.line().saturating_sub(1))
            .unwrap_or_default()
            .to_string(),
        // serde_json ends its message with the position, which the location already gives.
        message: match error.to_string().rsplit_once(" at line ") {
            Some((message, _)) => message.to_string(),
            None => error.to_string(),
        },
    })?;
    let shape = |path: String, expected| MergeError::Shape {
        file: input.name.to_string(),
        path,
        expected,
    };
    let object = |value: &Value, path: &str| {
        value
            .is_object()
            .then_some(())
            .ok_or_else(|| shape(path.to_string(), "an object"))
    };
    object(&report, "(root)")?;
    object(&report["collection"], "collection")?;
    object(&report["collection"]["info"], "collection.info")?;
    object(&report["run"], "run")?;
    object(&report["run"]["stats"], "run.stats")?;
    object(&report["run"]["timings"], "run.timings")?;
    for counter in COUNTERS {
        let at = &report["run"]["stats"][counter];
        for key in ["total", "pending", "failed"] {
            if !at[key].is_u64() {
                return Err(shape(
                    format!("run.stats.{counter}.{key}"),
                    "a whole number",
                ));
            }
        }
    }
    for key in ["started", "completed"] {
        if !report["run"]["timings"][key].is_u64() {
            return Err(shape(
                format!("run.timings.{key}"),
                "a time in milliseconds",
            ));
        }
    }
    for key in ["executions", "failures"] {
        if !report["run"][key].is_array() {
            return Err(shape(format!("run.{key}"), "an array"));
        }
    }
    let mut iterations = Vec::new();
    for (index, execution) in report["run"]["executions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(iteration) = execution["cursor"]["iteration"].as_u64() else {
            return Err(shape(
                format!("run.executions[{index}].cursor.iteration"),
                "a whole number",
            ));
        };
        if iterations.last() != Some(&iteration) {
            iterations.push(iteration);
        }
    }
    Ok(Parsed {
        name: input.name,
        report,
        iterations,
    })
}

/// What makes two reports reports of one collection: its name and its tree of folders and
/// requests by name. Ids are not compared: a collection without them gets fresh ones in every
/// run, as in Newman, so two shards of one run may differ there.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    name: String,
    items: Vec<String>,
}

impl Identity {
    fn describe(&self) -> String {
        format!(
            "collection `{}` ({} folders and requests)",
            self.name,
            self.items.len()
        )
    }
}

fn identity(collection: &Value) -> Identity {
    let mut items = Vec::new();
    item_paths(collection, "", &mut items);
    Identity {
        name: collection["info"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        items,
    }
}

/// Every folder and request under `node`, as `Folder / Request`.
fn item_paths(node: &Value, prefix: &str, out: &mut Vec<String>) {
    for item in node["item"].as_array().into_iter().flatten() {
        let name = item["name"].as_str().unwrap_or_default();
        let path = match prefix {
            "" => name.to_string(),
            _ => format!("{prefix} / {name}"),
        };
        item_paths(item, &path, out);
        out.push(path);
    }
}

/// The collection's id and its folders' and requests' ids, in the order of its tree.
fn ids(collection: &Value) -> Vec<String> {
    fn walk(node: &Value, out: &mut Vec<String>) {
        for item in node["item"].as_array().into_iter().flatten() {
            out.push(item["id"].as_str().unwrap_or_default().to_string());
            walk(item, out);
        }
    }
    let mut out = vec![
        collection["info"]["_postman_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ];
    walk(collection, &mut out);
    out
}

/// Replaces every string of `value` that is a key of `renamed` (ids are UUIDs, so no other text
/// is one).
fn rename(value: &mut Value, renamed: &HashMap<String, String>) {
    match value {
        Value::String(text) => {
            if let Some(new) = renamed.get(text.as_str()) {
                *text = new.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, renamed)),
        Value::Object(map) => map.values_mut().for_each(|v| rename(v, renamed)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plain;

    /// A report of collection `name` with one request `R` run in `iterations`, each with one
    /// response of `ms` milliseconds.
    fn report(name: &str, item_id: &str, iterations: &[u64], ms: u64, started: u64) -> String {
        let counter = |n: usize| json!({"total": n, "pending": 0, "failed": 0});
        let stats: serde_json::Map<String, Value> = COUNTERS
            .iter()
            .map(|c| (c.to_string(), counter(iterations.len())))
            .collect();
        let executions: Vec<Value> = iterations
            .iter()
            .map(|i| {
                json!({"cursor": {"iteration": i, "ref": item_id}, "item": {"id": item_id},
                           "response": {"responseTime": ms}})
            })
            .collect();
        json!({
            "collection": {"info": {"_postman_id": format!("c-{item_id}"), "name": name},
                           "item": [{"id": item_id, "name": "R"}]},
            "environment": {"values": [{"key": "last", "value": iterations.last()}]},
            "run": {"stats": stats, "executions": executions, "failures": [],
                    "timings": {"started": started, "completed": started + 10},
                    "transfers": {"responseTotal": 5 * iterations.len()}, "error": null}
        })
        .to_string()
    }

    fn merge(reports: &[(&str, &str)]) -> Result<Value, MergeError> {
        let inputs: Vec<ShardReport<'_>> = reports
            .iter()
            .map(|&(name, text)| ShardReport { name, text })
            .collect();
        merge_json_reports(&inputs)
    }

    #[test]
    fn shards_given_in_any_order_join_in_iteration_order_with_summed_counters() {
        let (first, second) = (
            report("C", "a", &[0, 1], 10, 100),
            report("C", "b", &[2], 40, 90),
        );
        let merged = merge(&[("2.json", &second), ("1.json", &first)]).unwrap();
        let iterations: Vec<&Value> = merged["run"]["executions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["cursor"]["iteration"])
            .collect();
        assert_eq!(iterations, [0, 1, 2]);
        assert_eq!(merged["run"]["stats"]["requests"]["total"], 3);
        assert_eq!(merged["run"]["transfers"]["responseTotal"], 15);
        assert_eq!(merged["run"]["timings"]["started"], 90);
        assert_eq!(merged["run"]["timings"]["completed"], 110);
        assert_eq!(merged["run"]["timings"]["responseAverage"], 20);
        assert_eq!(merged["run"]["timings"]["responseMax"], 40);
        assert_eq!(merged["environment"]["values"][0]["value"], 2);
        // The second shard's generated ids are the first one's.
        assert_eq!(merged["run"]["executions"][2]["item"]["id"], "a");
        assert_eq!(merged["run"]["executions"][2]["cursor"]["ref"], "a");
    }

    #[test]
    fn reports_of_another_collection_or_with_the_same_iteration_are_refused() {
        let (c, d) = (report("C", "a", &[0], 1, 0), report("D", "a", &[1], 1, 0));
        let error = merge(&[("c.json", &c), ("d.json", &d)]).unwrap_err();
        assert!(matches!(&error, MergeError::OtherCollection { file, .. } if file == "d.json"));
        assert!(error.to_string().contains("collection `D`"), "{error}");
        let again = merge(&[("c.json", &c), ("c2.json", &c)]).unwrap_err();
        assert_eq!(
            again,
            MergeError::Overlap {
                file: "c2.json".into(),
                first: "c.json".into(),
                iteration: 1
            }
        );
    }

    #[test]
    fn malformed_reports_name_the_file_and_the_place() {
        let error = merge(&[("s.json", "{\n  \"run\": [1,,2]\n}")]).unwrap_err();
        let block = error.located().render("error:", &plain);
        assert!(block.contains("--> s.json:2:13"), "{block}");
        assert!(block.ends_with("|   expected value\n"), "{block}");
        assert!(block.contains(" 2 |   \"run\": [1,,2]"), "{block}");
        let shape = merge(&[(
            "s.json",
            r#"{"collection": {"info": {}}, "run": {"stats": 3}}"#,
        )]);
        assert_eq!(
            shape.unwrap_err().to_string(),
            "s.json: `run.stats` should be an object"
        );
    }
}

//! `baton merge`: reads the shards' JSON reports, merges them (`baton::report::merge_json_reports`)
//! and writes the merged JSON report, and the JUnit report made from it when asked.

use std::io::Write;

use baton::report::{
    Located, ShardReport, junit_from_json_report, merge_json_reports, plain, write_atomically,
};

use super::Exit;
use super::args::MergeArgs;

/// Runs `baton merge`; errors go to `err`, a one-line summary to `out`. Like `baton run`, it
/// exits 1 when the merged run has a failure, so a CI job that merges decides the pipeline.
pub fn execute_merge(args: &MergeArgs, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let mut texts = Vec::new();
    for path in &args.reports {
        match std::fs::read_to_string(path) {
            Ok(text) => texts.push((path.display().to_string(), text)),
            Err(error) => {
                let located = Located {
                    title: "cannot read the report".into(),
                    location: vec![path.display().to_string()],
                    while_running: None,
                    source: None,
                    caret: None,
                    message: error.to_string(),
                };
                let _ = write!(err, "{}", located.render("error:", &plain));
                return Exit::Usage;
            }
        }
    }
    let reports: Vec<ShardReport<'_>> = texts
        .iter()
        .map(|(name, text)| ShardReport { name, text })
        .collect();
    let merged = match merge_json_reports(&reports) {
        Ok(merged) => merged,
        Err(error) => {
            let _ = write!(err, "{}", error.located().render("error:", &plain));
            return Exit::Usage;
        }
    };
    let mut outputs = vec![(
        &args.output,
        serde_json::to_vec(&merged).unwrap_or_default(),
    )];
    if let Some(path) = &args.junit {
        outputs.push((path, junit_from_json_report(&merged).into_bytes()));
    }
    for (path, bytes) in outputs {
        if let Err(error) = write_atomically(path, &bytes) {
            let _ = writeln!(err, "error: {}: cannot write: {error}", path.display());
            return Exit::Usage;
        }
    }
    let stats = &merged["run"]["stats"];
    let _ = writeln!(
        out,
        "merged {} reports: {} iterations, {} requests, {} assertions ({} failed) into {}",
        reports.len(),
        stats["iterations"]["total"],
        stats["requests"]["total"],
        stats["assertions"]["total"],
        stats["assertions"]["failed"],
        args.output.display()
    );
    let failed = merged["run"]["failures"]
        .as_array()
        .is_some_and(|failures| !failures.is_empty());
    if failed { Exit::Failure } else { Exit::Success }
}

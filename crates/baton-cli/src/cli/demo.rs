//! `baton demo`: the five shipped workflows (`collections/`, embedded in the binary so an
//! installed `baton` has them: one per client authentication method, and one declaring all four
//! methods in `oauth2` auth blocks), run one after another against the local PingOne stand-in
//! started in-process on an ephemeral port. Each goes through the same path as `baton run`
//! with the cli reporter; the demo passes only if all five do.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::SetupError;
use super::{Exit, Prepared, RunConfig, Terminal, prepare_loaded, run_prepared};
use baton::collection::{
    Environment, collection_from_document, document_from_bytes, environment_from_document,
};
use baton::report::plain;
use baton::runner::Stop;
use baton::vars::Variable;
use baton_pingone::{PingOneOptions, start};

/// The shipped workflows, by file name, in the order the demo runs them.
const WORKFLOWS: [(&str, &str); 5] = [
    (
        "client-secret-post.postman_collection.json",
        include_str!("../../../../collections/client-secret-post.postman_collection.json"),
    ),
    (
        "client-secret-basic.postman_collection.json",
        include_str!("../../../../collections/client-secret-basic.postman_collection.json"),
    ),
    (
        "client-secret-jwt.postman_collection.json",
        include_str!("../../../../collections/client-secret-jwt.postman_collection.json"),
    ),
    (
        "private-key-jwt.postman_collection.json",
        include_str!("../../../../collections/private-key-jwt.postman_collection.json"),
    ),
    (
        "oauth2-auth-blocks.postman_collection.json",
        include_str!("../../../../collections/oauth2-auth-blocks.postman_collection.json"),
    ),
];

/// The RSA key the PRIVATE_KEY_JWT workflows sign with in the demo. Test-only: it is public.
const TEST_ONLY_PRIVATE_KEY: &str =
    include_str!("../../../../environments/test-only-private-key-jwt.pem");

/// Runs `baton demo`. Each workflow's cli report goes to a writer from `out`; the demo's own
/// lines too. `stop` turning true ends the demo after the current workflow's interruption.
pub async fn execute_demo(
    terminal: Terminal,
    out: &dyn Fn() -> Box<dyn Write>,
    err: &mut dyn Write,
    stop: Stop,
) -> Exit {
    let server = match start(PingOneOptions::default()).await {
        Ok(server) => server,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start the PingOne stand-in: {e}");
            return Exit::Usage;
        }
    };
    let base_url = server.base_url().to_owned();
    let _ = writeln!(
        out(),
        "baton demo: the five PingOne workflows against the local PingOne at {base_url}\n"
    );
    let mut outcomes = Vec::new();
    for (file_name, text) in WORKFLOWS {
        if stop.requested() {
            break;
        }
        let exit = match demo_inputs(file_name, text, server.environment(), terminal) {
            Ok((config, prepared)) => {
                run_prepared(config, prepared, out(), err, stop.clone()).await
            }
            Err(error) => {
                let _ = write!(err, "{}", error.render(&plain, None));
                Exit::Usage
            }
        };
        outcomes.push((file_name, exit));
    }
    // Best effort: the demo's result does not depend on a clean stop of the stand-in.
    let _ = server.shutdown().await;

    let mut summary = out();
    let _ = writeln!(summary, "\nbaton demo against {base_url}:");
    for (file_name, exit) in &outcomes {
        let verdict = if *exit == Exit::Success {
            "passed"
        } else {
            "FAILED"
        };
        let _ = writeln!(summary, "  {verdict}  {file_name}");
    }
    let passed = outcomes.iter().filter(|(_, e)| *e == Exit::Success).count();
    let _ = writeln!(summary, "{passed} of {} workflows passed", WORKFLOWS.len());
    let _ = summary.flush();
    if outcomes.iter().any(|(_, e)| *e == Exit::Usage) {
        Exit::Usage
    } else if passed == WORKFLOWS.len() {
        Exit::Success
    } else {
        Exit::Failure
    }
}

/// The configuration (`baton run <file>`'s) and loaded inputs of one demo workflow: the
/// embedded collection, and the stand-in's environment plus the test-only private key.
fn demo_inputs(
    file_name: &str,
    text: &str,
    environment: Value,
    terminal: Terminal,
) -> Result<(RunConfig, Prepared), SetupError> {
    let config = RunConfig::new(PathBuf::from(file_name), terminal);
    let path = Path::new(file_name);
    let document = document_from_bytes(text.as_bytes(), path)?;
    let collection = collection_from_document(&document, path)?;
    let mut environment: Environment =
        environment_from_document(&environment, Path::new("<local PingOne>"))?;
    environment.values.push(Variable {
        kind: Some("secret".into()),
        ..Variable::new("privateKey", Value::String(TEST_ONLY_PRIVATE_KEY.into()))
    });
    let prepared = prepare_loaded(&config, collection, environment)?;
    Ok((config, prepared))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_workflow_loads_with_the_test_key_as_a_secret() {
        let environment =
            serde_json::json!({"values": [{"key": "authPath", "value": "http://127.0.0.1:1"}]});
        for (file_name, text) in WORKFLOWS {
            let (config, prepared) =
                demo_inputs(file_name, text, environment.clone(), Terminal::default())
                    .expect(file_name);
            assert_eq!(config.sources.collection, Path::new(file_name));
            assert_eq!(
                prepared.inputs.collection.name,
                file_name.trim_end_matches(".postman_collection.json")
            );
            let key = prepared
                .inputs
                .environment
                .values
                .iter()
                .find(|v| v.key == "privateKey")
                .expect("privateKey");
            assert_eq!(key.kind.as_deref(), Some("secret"));
        }
    }
}

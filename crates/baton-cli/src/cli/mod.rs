//! The command line layer: flags to one run configuration, loading the inputs, running, and
//! writing reports and exports. The binary only parses, wires the terminal and exits.

mod args;
mod config;
mod demo;
mod error;
mod exit;
mod merge;
mod progress;
mod usage;
mod watchdog;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

pub use args::{Cli, Command, PingOneCommand, RunArgs, ServeArgs};
use config::{ReportFormat, RunConfig};
pub use demo::execute_demo;
use error::{SetupError, WriteError, WriteErrors};
pub use exit::Exit;
pub use merge::execute_merge;
pub use progress::ProgressReporter;
pub use usage::{is_requested_output, render_usage_error};
use watchdog::Watchdog;

use baton::collection::{Collection, DataRow, Environment};
use baton::http::{CookieJar, HttpClient};
use baton::inputs::{InputLoader, InputOptions, LoadedCollection};
use baton::report::{
    CliReporter, junit_report, plain, scope_json, write_atomically, write_atomically_with,
    write_html_report, write_json_report,
};
use baton::runner::{Reporter, Reporters, RunOptions, RunScopes, RunSummary, Stop, plan, run};
use baton::vars::{Variable, VariableScope};

/// What the binary knows about its terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// stdout is a terminal.
    pub stdout_tty: bool,
    /// stderr is a terminal.
    pub stderr_tty: bool,
    /// `NO_COLOR` is set.
    pub no_color: bool,
}

/// Runs `baton run`; output goes to `out`, errors to `err`. `stop` turning true interrupts the run.
pub async fn execute_run(
    args: &RunArgs,
    terminal: Terminal,
    out: Box<dyn Write>,
    err: &mut dyn Write,
    stop: Stop,
) -> Exit {
    let config = RunConfig::from_args(args, terminal);
    let prepared = match prepare(&config).await {
        Ok(prepared) => prepared,
        Err(error) => {
            // The key never reaches an error on purpose; this keeps it out of one by accident.
            let key = config.sources.postman_api_key.as_deref();
            let _ = write!(err, "{}", error.render(&plain, key));
            return Exit::Usage;
        }
    };
    run_prepared(config, prepared, out, err, stop).await
}

/// Runs already loaded inputs as `config` says, then writes reports and exports: the part of
/// `baton run` after loading, shared with `baton demo`.
async fn run_prepared(
    config: RunConfig,
    prepared: Prepared,
    out: Box<dyn Write>,
    err: &mut dyn Write,
    stop: Stop,
) -> Exit {
    let Prepared {
        inputs:
            Inputs {
                collection,
                environment,
                globals,
                data,
            },
        client,
    } = prepared;
    let planned = match plan(&collection, &config.items) {
        Ok(planned) => planned,
        Err(error) => {
            let _ = write!(err, "{}", SetupError::from(error).render(&plain, None));
            return Exit::Usage;
        }
    };

    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    if let Some(options) = &config.cli {
        reporters.push(Box::new(CliReporter::new(out, options.clone())));
    }
    if config.progress {
        reporters.push(Box::new(ProgressReporter::new()));
    }
    let mut reporters = Reporters(reporters);
    let scopes = RunScopes {
        environment: environment.values.clone(),
        globals: globals.values.clone(),
    };
    let options = RunOptions {
        data,
        ..config.run.clone()
    };
    if let Some(shard) = options.shard {
        let iterations = options
            .iterations
            .unwrap_or_else(|| options.data.len().max(1));
        if shard.range(iterations).is_empty() {
            // Not an error: a fixed number of shards may outnumber a small data file.
            let _ = writeln!(
                err,
                "shard {shard} has no iterations to run ({iterations} over {} shards): nothing to do",
                shard.count()
            );
        }
    }
    let outputs = Arc::new(Outputs::new(
        config,
        collection,
        environment,
        globals,
        client.jar().clone(),
    ));
    let watchdog = Watchdog::start(
        stop.clone(),
        options.timeout.map(|timeout| Instant::now() + timeout),
        options.checkpoint.clone(),
        {
            let outputs = outputs.clone();
            move |summary| {
                if let Err(message) = outputs.write(summary) {
                    eprintln!("error: {message}");
                }
            }
        },
    );
    let summary = run(
        &outputs.collection,
        &planned,
        scopes,
        &options,
        &client,
        &mut reporters,
        stop,
    )
    .await;
    drop(reporters);
    if !watchdog.run_finished() {
        // The watchdog writes the outputs and ends the process.
        std::future::pending::<()>().await;
    }

    if let Err(message) = outputs.write(&summary) {
        let _ = writeln!(err, "error: {message}");
        // A failing run stays a failure (1): a report that could not be written must not make a
        // failing API look like a broken setup.
        return if summary.failed() {
            Exit::Failure
        } else {
            Exit::Usage
        };
    }
    if (summary.failed() || summary.stopped.is_some()) && !outputs.config.suppress_exit_code {
        Exit::Failure
    } else {
        Exit::Success
    }
}

/// What the reports and exports are written from, shared with the watchdog.
struct Outputs {
    config: RunConfig,
    /// Each file report with the path it is written to.
    reports: Vec<(ReportFormat, PathBuf)>,
    collection: Collection,
    environment: Environment,
    globals: Environment,
    jar: Arc<CookieJar>,
}

impl Outputs {
    /// The outputs of a run as `config` says; a file report without an export path gets its
    /// default path here, once, for the run and the watchdog alike.
    fn new(
        config: RunConfig,
        collection: Collection,
        environment: Environment,
        globals: Environment,
        jar: Arc<CookieJar>,
    ) -> Outputs {
        let reports = config
            .reports
            .iter()
            .map(|report| {
                let path = match &report.path {
                    Some(path) => path.clone(),
                    None => report.default_path(&collection.name),
                };
                (report.format, path)
            })
            .collect();
        Outputs {
            config,
            reports,
            collection,
            environment,
            globals,
            jar,
        }
    }

    /// Writes every report and export the configuration asks for from `summary`.
    fn write(&self, summary: &RunSummary) -> Result<(), WriteErrors> {
        write_outputs(self, summary)
    }
}

/// Loaded inputs and the client that runs them.
struct Prepared {
    inputs: Inputs,
    client: HttpClient,
}

/// Runs `baton pingone serve` until `stop` turns true.
pub async fn execute_serve(
    args: &ServeArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut stop: Stop,
) -> Exit {
    let options = baton_pingone::PingOneOptions {
        port: args.port,
        seed: None,
        token_lifetime_seconds: args.token_lifetime,
    };
    let server = match baton_pingone::start(options).await {
        Ok(server) => server,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start the PingOne stand-in: {e}");
            return Exit::Usage;
        }
    };
    let _ = writeln!(out, "PingOne stand-in listening on {}", server.base_url());
    if let Some(path) = &args.write_env {
        if let Err(e) = server.write_environment(path) {
            let _ = writeln!(
                err,
                "error: {}: cannot write the environment: {e}",
                path.display()
            );
            return Exit::Usage;
        }
        let _ = writeln!(out, "environment written to {}", path.display());
    }
    let _ = out.flush();
    stop.wait().await;
    let _ = server.shutdown().await;
    Exit::Success
}

/// Loads the inputs the configuration names, with the `--env-var`/`--global-var` overrides.
/// Inputs given as URLs or Postman API UIDs are fetched with the run's own client.
async fn prepare(config: &RunConfig) -> Result<Prepared, SetupError> {
    let client = build_client(config)?;
    let sources = &config.sources;
    let loader = InputLoader::new(
        &client,
        InputOptions {
            postman_api_key: sources.postman_api_key.clone(),
            ..InputOptions::default()
        },
    );
    let LoadedCollection {
        collection,
        environment: linked,
    } = loader.load_collection(&sources.collection).await?;
    // A "Run in Postman" link's environment stands in only when no `-e` is given.
    let environment = match &sources.environment {
        Some(input) => loader.load_environment(input).await?,
        None => linked.unwrap_or_default(),
    };
    let globals = match &sources.globals {
        Some(input) => loader.load_globals(input).await?,
        None => Environment::default(),
    };
    let data = match &sources.iteration_data {
        Some(input) => loader.load_data(input).await?,
        None => Vec::new(),
    };
    let inputs = Inputs {
        collection,
        environment,
        globals,
        data,
    };
    finish_prepare(config, inputs, client)
}

/// The loaded inputs of a run.
struct Inputs {
    collection: Collection,
    environment: Environment,
    globals: Environment,
    data: Vec<DataRow>,
}

/// The rest of [`prepare`] for inputs already in hand (`baton demo`): no globals or data.
fn prepare_loaded(
    config: &RunConfig,
    collection: Collection,
    environment: Environment,
) -> Result<Prepared, SetupError> {
    let client = build_client(config)?;
    let inputs = Inputs {
        collection,
        environment,
        globals: Environment::default(),
        data: Vec::new(),
    };
    finish_prepare(config, inputs, client)
}

/// The `--env-var`/`--global-var` overrides, over loaded inputs.
fn finish_prepare(
    config: &RunConfig,
    mut inputs: Inputs,
    client: HttpClient,
) -> Result<Prepared, SetupError> {
    apply_overrides(&mut inputs.environment, &config.env_vars, "--env-var")?;
    apply_overrides(&mut inputs.globals, &config.global_vars, "--global-var")?;
    Ok(Prepared { inputs, client })
}

/// The run's HTTP client with the cookie jar from `--cookie-jar`; it also fetches remote inputs.
fn build_client(config: &RunConfig) -> Result<HttpClient, SetupError> {
    let jar = Arc::new(CookieJar::new());
    if let Some(path) = &config.cookie_jar {
        let document = baton::collection::load_environment_document(path)?;
        jar.load_json(&document)
            .map_err(|reason| SetupError::CookieJar {
                path: path.clone(),
                reason,
            })?;
    }
    Ok(HttpClient::new(config.client.clone(), jar)?)
}

/// Applies `key=value` overrides; values may contain `=`.
/// The error never shows the argument: a mistyped `password:hunter2` holds a secret.
fn apply_overrides(
    target: &mut Environment,
    pairs: &[String],
    flag: &str,
) -> Result<(), SetupError> {
    let mut scope = VariableScope::from_values(std::mem::take(&mut target.values));
    for (index, pair) in pairs.iter().enumerate() {
        let which = format!(
            "{flag} #{} (its text is not shown: it may hold a secret)",
            index + 1
        );
        let Some((key, value)) = pair.split_once('=') else {
            return Err(SetupError::Override(format!(
                "{which}: expected KEY=VALUE, found no `=`"
            )));
        };
        if key.is_empty() {
            return Err(SetupError::Override(format!(
                "{which}: the key before `=` is empty"
            )));
        }
        scope.set(key, Value::String(value.to_string()));
    }
    target.values = scope.into_values();
    Ok(())
}

/// Collection variables as Newman exports them: as they were loaded (typed values converted,
/// each with its type), not as the run's scripts left them.
fn loaded_variables(variables: &[Variable]) -> Vec<Value> {
    variables
        .iter()
        .map(|v| {
            let mut entry = serde_json::json!({"key": v.key});
            if !v.undefined {
                entry["value"] = v.value.clone();
            }
            entry["type"] = Value::String(v.kind.clone().unwrap_or_else(|| "any".into()));
            if !v.enabled {
                entry["disabled"] = Value::Bool(true);
            }
            entry
        })
        .collect()
}

/// Writes the exports, then the file reports; every failure is named, none stops the others.
fn write_outputs(outputs: &Outputs, summary: &RunSummary) -> Result<(), WriteErrors> {
    let Outputs {
        config,
        reports,
        collection,
        environment,
        globals,
        jar,
    } = outputs;
    let exports = &config.exports;
    let write_json = |path: &Path, value: &Value| {
        serde_json::to_string_pretty(value)
            .map_err(std::io::Error::other)
            .and_then(|text| write_atomically(path, text.as_bytes()))
    };
    let mut errors = Vec::new();
    let mut attempt = |path: &Path, result: std::io::Result<()>| {
        if let Err(source) = result {
            errors.push(WriteError {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if let Some(path) = &exports.environment {
        attempt(
            path,
            write_json(
                path,
                &scope_json(
                    &environment.id,
                    &environment.name,
                    &summary.scopes.environment,
                    "environment",
                    None,
                ),
            ),
        );
    }
    if let Some(path) = &exports.globals {
        attempt(
            path,
            write_json(
                path,
                &scope_json(
                    &globals.id,
                    &globals.name,
                    &summary.scopes.globals,
                    "globals",
                    None,
                ),
            ),
        );
    }
    if let Some(path) = &exports.collection {
        let written = collection
            .document
            .value()
            .map_err(std::io::Error::other)
            .and_then(|mut document| {
                document["variable"] = Value::Array(loaded_variables(&collection.variables));
                write_json(path, &document)
            });
        attempt(path, written);
    }
    if let Some(path) = &exports.cookie_jar {
        attempt(path, write_json(path, &jar.to_json()));
    }
    for (format, path) in reports {
        let written = match format {
            ReportFormat::Json => write_atomically_with(path, |out| {
                write_json_report(out, collection, environment, globals, summary)
            }),
            ReportFormat::Junit => {
                write_atomically(path, junit_report(collection, summary).as_bytes())
            }
            ReportFormat::Html(options) => write_atomically_with(path, |out| {
                write_html_report(out, collection, summary, options)
            }),
        };
        attempt(path, written);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(WriteErrors(errors))
    }
}

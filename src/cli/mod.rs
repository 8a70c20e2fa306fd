//! The command line layer: flags to options in one function, loading the inputs, running, and
//! writing reports and exports. The binary only parses, wires the terminal and exits.

mod args;
mod demo;
mod exit;
mod progress;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

pub use args::{Cli, ColorChoice, Command, PingOneCommand, RunArgs, ServeArgs};
pub use demo::execute_demo;
pub use exit::Exit;
pub use progress::ProgressReporter;

use baton::collection::{Collection, DataRow, Environment, LoadError};
use baton::http::{ClientOptions, CookieJar, FileAccess, HttpClient};
use baton::inputs::{InputLoader, InputOptions, LoadedCollection};
use baton::report::{
    CliOptions, CliReporter, junit_report, scope_json, write_atomically, write_atomically_with,
    write_json_report,
};
use baton::runner::{Reporter, Reporters, RunOptions, RunScopes, RunSummary, Stop, plan, run};
use baton::script::ScriptOptions;
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

/// Reporter names Baton knows.
const REPORTERS: [&str; 4] = ["cli", "json", "junit", "progress"];

/// Runs `baton run`; output goes to `out`, errors to `err`. `stop` turning true interrupts the run.
pub async fn execute_run(
    args: &RunArgs,
    terminal: Terminal,
    out: Box<dyn Write>,
    err: &mut dyn Write,
    stop: Stop,
) -> Exit {
    let prepared = match prepare(args).await {
        Ok(prepared) => prepared,
        Err(message) => {
            // The key never reaches an error on purpose; this keeps it out of one by accident.
            let message = match args.postman_api_key.as_deref() {
                Some(key) if !key.is_empty() => message.replace(key, "********"),
                _ => message,
            };
            let _ = writeln!(err, "error: {message}");
            return Exit::Usage;
        }
    };
    run_prepared(args, prepared, terminal, out, err, stop).await
}

/// Runs already loaded inputs with the flags in `args`, then writes reports and exports: the
/// part of `baton run` after loading, shared with `baton demo`.
async fn run_prepared(
    args: &RunArgs,
    prepared: Prepared,
    terminal: Terminal,
    out: Box<dyn Write>,
    err: &mut dyn Write,
    stop: Stop,
) -> Exit {
    let Prepared {
        collection,
        environment,
        globals,
        options,
        client,
    } = prepared;
    let planned = match plan(&collection, &args.folder) {
        Ok(planned) => planned,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Exit::Usage;
        }
    };

    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    let wants = |name: &str| args.reporters.iter().any(|r| r == name);
    if wants("cli") && !args.silent {
        let color = match args.color {
            ColorChoice::On => true,
            ColorChoice::Off => false,
            ColorChoice::Auto => terminal.stdout_tty && !terminal.no_color,
        };
        reporters.push(Box::new(CliReporter::new(
            out,
            CliOptions {
                color,
                ascii: args.disable_unicode,
                verbose: args.verbose,
                no_summary: args.cli_no_summary,
                no_failures: args.cli_no_failures,
                no_assertions: args.cli_no_assertions,
                no_success_assertions: args.cli_no_success_assertions,
                no_console: args.cli_no_console,
                no_banner: args.cli_no_banner,
                source_name: file_name(&args.collection),
            },
        )));
    }
    if !args.silent
        && (wants("progress") || (wants("cli") && terminal.stderr_tty && !terminal.stdout_tty))
    {
        reporters.push(Box::new(ProgressReporter::new()));
    }
    let mut reporters = Reporters(reporters);
    let scopes = RunScopes {
        environment: environment.values.clone(),
        globals: globals.values.clone(),
    };
    let summary = run(
        &collection,
        &planned,
        scopes,
        &options,
        &client,
        &mut reporters,
        stop,
    )
    .await;
    drop(reporters);

    let written = write_outputs(
        args,
        &collection,
        &environment,
        &globals,
        &summary,
        client.jar(),
    );
    if let Err(message) = written {
        let _ = writeln!(err, "error: {message}");
        // A failing run stays a failure (1): a report that could not be written must not make a
        // failing API look like a broken setup.
        return if summary.failed() {
            Exit::Failure
        } else {
            Exit::Usage
        };
    }
    if (summary.failed() || summary.stopped.is_some()) && !args.suppress_exit_code {
        Exit::Failure
    } else {
        Exit::Success
    }
}

struct Prepared {
    collection: Collection,
    environment: Environment,
    globals: Environment,
    options: RunOptions,
    client: HttpClient,
}

/// Runs `baton pingone serve` until `stop` turns true.
pub async fn execute_serve(
    args: &ServeArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut stop: Stop,
) -> Exit {
    let options = baton::pingone::PingOneOptions {
        port: args.port,
        seed: None,
        token_lifetime_seconds: args.token_lifetime,
    };
    let server = match baton::pingone::start(options).await {
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

/// Turns the flags into loaded inputs and run options (the one place flags become options).
/// Inputs given as URLs or Postman API UIDs are fetched with the run's own client.
async fn prepare(args: &RunArgs) -> Result<Prepared, String> {
    for reporter in &args.reporters {
        if !REPORTERS.contains(&reporter.as_str()) {
            let hint = baton::vars::did_you_mean(reporter, REPORTERS)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(format!(
                "-r: unknown reporter `{reporter}` (known: {}){hint}",
                REPORTERS.join(", ")
            ));
        }
    }
    if let Some(bail) = &args.bail {
        if let Some(bad) = bail
            .iter()
            .find(|b| !matches!(b.as_str(), "folder" | "failure"))
        {
            return Err(format!(
                "--bail: unknown option `{bad}` (expected folder or failure)"
            ));
        }
    }
    let client = build_client(args)?;
    let loader = InputLoader::new(
        &client,
        InputOptions {
            postman_api_key: args.postman_api_key.clone(),
            ..InputOptions::default()
        },
    );
    let text = |e: LoadError| e.to_string();
    let LoadedCollection {
        collection,
        environment: linked,
    } = loader
        .load_collection(&args.collection)
        .await
        .map_err(text)?;
    // A "Run in Postman" link's environment stands in only when no `-e` is given.
    let environment = match &args.environment {
        Some(input) => loader.load_environment(input).await.map_err(text)?,
        None => linked.unwrap_or_default(),
    };
    let globals = match &args.globals {
        Some(input) => loader.load_globals(input).await.map_err(text)?,
        None => Environment::default(),
    };
    let data = match &args.iteration_data {
        Some(input) => loader.load_data(input).await.map_err(text)?,
        None => Vec::new(),
    };
    let inputs = Inputs {
        collection,
        environment,
        globals,
        data,
    };
    finish_prepare(args, inputs, client)
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
    args: &RunArgs,
    collection: Collection,
    environment: Environment,
) -> Result<Prepared, String> {
    let client = build_client(args)?;
    let inputs = Inputs {
        collection,
        environment,
        globals: Environment::default(),
        data: Vec::new(),
    };
    finish_prepare(args, inputs, client)
}

/// `--env-var`/`--global-var` overrides and the run options, around loaded inputs.
fn finish_prepare(args: &RunArgs, inputs: Inputs, client: HttpClient) -> Result<Prepared, String> {
    let Inputs {
        collection,
        mut environment,
        mut globals,
        data,
    } = inputs;
    apply_overrides(&mut environment, &args.env_var, "--env-var")?;
    apply_overrides(&mut globals, &args.global_var, "--global-var")?;
    let working_dir = match &args.working_dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    let keep_executions = args.reporters.iter().any(|r| r == "json" || r == "junit");
    let options = RunOptions {
        iterations: args.iteration_count,
        data,
        delay: Duration::from_millis(args.delay_request),
        timeout: args.timeout.map(Duration::from_millis),
        // `--bail` alone or `--bail failure` stops at a failure; `--bail folder` only makes an
        // unknown `--folder` an error, which it always is in Baton.
        bail: args.bail.as_ref().is_some_and(|modifiers| {
            modifiers.is_empty() || modifiers.iter().any(|m| m == "failure")
        }),
        files: FileAccess {
            working_dir,
            restrict_to_working_dir: args.no_insecure_file_read,
        },
        script: ScriptOptions {
            timeout: args.timeout_script.map(Duration::from_millis),
            ..ScriptOptions::default()
        },
        keep_executions,
        warn_unresolved: args.verbose,
        show_secrets: args.show_secrets,
    };
    Ok(Prepared {
        collection,
        environment,
        globals,
        options,
        client,
    })
}

/// The run's HTTP client with the cookie jar from `--cookie-jar`; it also fetches remote inputs.
fn build_client(args: &RunArgs) -> Result<HttpClient, String> {
    let jar = Arc::new(CookieJar::new());
    if let Some(path) = &args.cookie_jar {
        let document =
            baton::collection::load_environment_document(path).map_err(|e| e.to_string())?;
        jar.load_json(&document)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    HttpClient::new(
        ClientOptions {
            insecure: args.insecure,
            extra_ca_certs: args.ssl_extra_ca_certs.iter().cloned().collect(),
            client_cert: args
                .ssl_client_cert
                .clone()
                .map(|cert| (cert, args.ssl_client_key.clone())),
            timeout: args.timeout_request.map(Duration::from_millis),
            ignore_redirects: args.ignore_redirects,
            client_key_passphrase: args.ssl_client_passphrase.clone(),
            connect_to: args
                .connect_to
                .iter()
                .chain(&args.resolve)
                .cloned()
                .collect(),
        },
        jar,
    )
    .map_err(|e| e.to_string())
}

/// Applies `key=value` overrides; values may contain `=`.
/// The error never shows the argument: a mistyped `password:hunter2` holds a secret.
fn apply_overrides(target: &mut Environment, pairs: &[String], flag: &str) -> Result<(), String> {
    let mut scope = VariableScope::from_values(std::mem::take(&mut target.values));
    for (index, pair) in pairs.iter().enumerate() {
        let which = format!(
            "{flag} #{} (its text is not shown: it may hold a secret)",
            index + 1
        );
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!("{which}: expected KEY=VALUE, found no `=`"));
        };
        if key.is_empty() {
            return Err(format!("{which}: the key before `=` is empty"));
        }
        scope.set(key, Value::String(value.to_string()));
    }
    target.values = scope.values;
    Ok(())
}

fn write_outputs(
    args: &RunArgs,
    collection: &Collection,
    environment: &Environment,
    globals: &Environment,
    summary: &RunSummary,
    jar: &CookieJar,
) -> Result<(), String> {
    let write_json = |path: &Path, value: &Value| {
        let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
        write_atomically(path, text.as_bytes())
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))
    };
    let mut errors = Vec::new();
    let mut attempt = |result: Result<(), String>| {
        if let Err(e) = result {
            errors.push(e);
        }
    };
    if let Some(path) = &args.export_environment {
        attempt(write_json(
            path,
            &scope_json(
                &environment.id,
                &environment.name,
                &summary.scopes.environment,
                "environment",
                None,
            ),
        ));
    }
    if let Some(path) = &args.export_globals {
        attempt(write_json(
            path,
            &scope_json(
                &globals.id,
                &globals.name,
                &summary.scopes.globals,
                "globals",
                None,
            ),
        ));
    }
    if let Some(path) = &args.export_collection {
        let mut document = collection.document.clone();
        let variables: Vec<Value> = summary
            .scopes
            .collection
            .values
            .iter()
            .map(|v: &Variable| serde_json::json!({"key": v.key, "value": v.value, "type": v.kind.clone().unwrap_or_else(|| "any".into())}))
            .collect();
        document["variable"] = Value::Array(variables);
        attempt(write_json(path, &document));
    }
    if let Some(path) = &args.export_cookie_jar {
        attempt(write_json(path, &jar.to_json()));
    }
    let wants = |name: &str| args.reporters.iter().any(|r| r == name);
    if wants("json") {
        let path = args
            .reporter_json_export
            .clone()
            .unwrap_or_else(|| default_report_path(&collection.name, "json"));
        attempt(
            write_atomically_with(&path, |out| {
                write_json_report(out, collection, environment, globals, summary)
            })
            .map_err(|e| format!("{}: cannot write: {e}", path.display())),
        );
    }
    if wants("junit") {
        let path = args
            .reporter_junit_export
            .clone()
            .unwrap_or_else(|| default_report_path(&collection.name, "xml"));
        attempt(
            write_atomically(&path, junit_report(collection, summary).as_bytes())
                .map_err(|e| format!("{}: cannot write: {e}", path.display())),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\nerror: "))
    }
}

/// Newman's default: `newman/<collection>-<timestamp>.<ext>`; Baton writes under `baton/`.
fn default_report_path(name: &str, extension: &str) -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from("baton").join(format!("{safe}-{stamp}.{extension}"))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

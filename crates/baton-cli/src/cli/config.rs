//! The run's one typed configuration. The flags as clap parsed them ([`RunArgs`]) are turned into
//! a [`RunConfig`] once, together with what the terminal allows (colour, the progress bar), as
//! ripgrep turns its low-level arguments into high-level ones; everything after that reads the
//! configuration, never the flags. `baton demo` builds one directly with [`RunConfig::new`].

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Terminal;
use super::args::{BailModifier, ColorChoice, ReporterName, RunArgs};
use baton::http::{ClientOptions, FileAccess};
use baton::report::{CliOptions, HtmlOptions};
use baton::runner::{Checkpoint, ItemFilter, RetryPolicy, RunOptions};
use baton::script::ScriptOptions;

/// Everything a run needs from the command line, decided once.
#[derive(Debug)]
pub struct RunConfig {
    /// Where the collection, environment, globals and iteration data come from.
    pub sources: Sources,
    /// `--folder` and `--exclude-folder`: the folders or requests to run.
    pub items: ItemFilter,
    /// `--env-var`: `key=value` pairs set over the environment.
    pub env_vars: Vec<String>,
    /// `--global-var`: `key=value` pairs set over the globals.
    pub global_vars: Vec<String>,
    /// `--cookie-jar`: cookies the run starts with.
    pub cookie_jar: Option<PathBuf>,
    /// The HTTP client's settings.
    pub client: ClientOptions,
    /// The library's run options; the iteration data is left empty, for the loaded rows.
    pub run: RunOptions,
    /// The cli reporter's options, when it shows (`-r cli` without `--silent`).
    pub cli: Option<CliOptions>,
    /// Whether the progress bar shows on stderr.
    pub progress: bool,
    /// The file reports, in the order they are written.
    pub reports: Vec<FileReport>,
    /// The `--export-*` files.
    pub exports: Exports,
    /// `-x`: exit 0 even when the run failed.
    pub suppress_exit_code: bool,
}

/// Where the run's inputs come from; each is a file, a URL or a Postman API reference.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The collection.
    pub collection: PathBuf,
    /// `-e`: the environment.
    pub environment: Option<String>,
    /// `-g`: the globals.
    pub globals: Option<PathBuf>,
    /// `-d`: the iteration data.
    pub iteration_data: Option<PathBuf>,
    /// `--postman-api-key`: the key for inputs given by Postman API reference.
    pub postman_api_key: Option<String>,
}

/// A report written to a file from the finished run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// What the file holds.
    pub format: ReportFormat,
    /// Where it goes (`--reporter-<name>-export`); without it, [`FileReport::default_path`].
    pub path: Option<PathBuf>,
}

/// The formats of file reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Newman's JSON report.
    Json,
    /// JUnit XML.
    Junit,
    /// One self-contained HTML page.
    Html(HtmlOptions),
}

/// The files `--export-environment`, `--export-globals`, `--export-collection` and
/// `--export-cookie-jar` name.
#[derive(Debug, Clone, Default)]
pub struct Exports {
    /// The final environment.
    pub environment: Option<PathBuf>,
    /// The final globals.
    pub globals: Option<PathBuf>,
    /// The collection with its final variables.
    pub collection: Option<PathBuf>,
    /// The final cookie jar.
    pub cookie_jar: Option<PathBuf>,
}

impl RunConfig {
    /// The configuration of `baton run <collection>` with no other flag.
    pub fn new(collection: PathBuf, terminal: Terminal) -> RunConfig {
        let reporters = Reporters::new(&[ReporterName::Cli], false, terminal);
        RunConfig {
            cli: reporters.cli.then(|| CliOptions {
                color: show_color(ColorChoice::default(), terminal),
                source_name: file_name(&collection),
                ..CliOptions::default()
            }),
            progress: reporters.progress,
            reports: reporters.files(None, None, None, HtmlOptions::default()),
            run: RunOptions {
                files: file_access(None, false, false),
                script: script_options(None, false),
                parallel: 1,
                ..RunOptions::default()
            },
            sources: Sources {
                collection,
                ..Sources::default()
            },
            items: ItemFilter::default(),
            env_vars: Vec::new(),
            global_vars: Vec::new(),
            cookie_jar: None,
            client: ClientOptions::default(),
            exports: Exports::default(),
            suppress_exit_code: false,
        }
    }

    /// Turns the flags into the configuration; `terminal` decides colour and the progress bar.
    pub fn from_args(args: &RunArgs, terminal: Terminal) -> RunConfig {
        let reporters = Reporters::new(&args.reporters, args.silent, terminal);
        let reports = reporters.files(
            args.reporter_json_export.clone(),
            args.reporter_junit_export.clone(),
            args.reporter_html_export.clone(),
            HtmlOptions {
                body_limit: usize::try_from(args.reporter_html_body_limit).unwrap_or(usize::MAX),
            },
        );
        RunConfig {
            sources: Sources {
                collection: args.collection.clone(),
                environment: args.environment.clone(),
                globals: args.globals.clone(),
                iteration_data: args.iteration_data.clone(),
                postman_api_key: args.postman_api_key.clone(),
            },
            items: ItemFilter {
                only: args.folder.clone(),
                except: args.exclude_folder.clone(),
            },
            env_vars: args.env_var.clone(),
            global_vars: args.global_var.clone(),
            cookie_jar: args.cookie_jar.clone(),
            client: ClientOptions {
                insecure: args.insecure,
                extra_ca_certs: args.ssl_extra_ca_certs.iter().cloned().collect(),
                client_cert: args
                    .ssl_client_cert
                    .clone()
                    .map(|cert| (cert, args.ssl_client_key.clone())),
                timeout: args.timeout_request.map(Duration::from_millis),
                ignore_redirects: args.ignore_redirects,
                client_key_passphrase: args.ssl_client_passphrase.clone(),
                max_response_size: args.max_response_size,
                connect_to: args
                    .connect_to
                    .iter()
                    .chain(&args.resolve)
                    .cloned()
                    .collect(),
            },
            run: RunOptions {
                iterations: args.iteration_count,
                data: Vec::new(),
                delay: Duration::from_millis(args.delay_request),
                timeout: args.timeout.map(Duration::from_millis),
                // `--bail` alone or `--bail failure` stops at a failure; `--bail folder` only makes
                // an unknown `--folder` an error, which it always is in Baton.
                bail: args.bail.as_ref().is_some_and(|modifiers| {
                    modifiers.is_empty() || modifiers.contains(&BailModifier::Failure)
                }),
                files: file_access(
                    args.working_dir.clone(),
                    args.no_insecure_file_read,
                    args.insecure_script_file_read,
                ),
                script: script_options(args.timeout_script, args.top_level_await),
                keep_executions: !reports.is_empty(),
                keep_console: reports
                    .iter()
                    .any(|report| matches!(report.format, ReportFormat::Html(_))),
                warn_unresolved: args.verbose,
                show_secrets: args.show_secrets,
                oauth2_no_fetch: args.oauth2_no_fetch,
                checkpoint: Checkpoint::new(),
                retry: RetryPolicy {
                    times: args.retry,
                    interval: Duration::from_millis(args.retry_interval),
                    max_wait: Duration::from_millis(args.retry_max_wait),
                    unsafe_methods: args.retry_unsafe,
                },
                shard: args.shard,
                parallel: usize::from(args.parallel),
            },
            cli: reporters.cli.then(|| CliOptions {
                color: show_color(args.color, terminal),
                ascii: args.disable_unicode,
                verbose: args.verbose,
                no_summary: args.cli_no_summary,
                no_failures: args.cli_no_failures,
                no_assertions: args.cli_no_assertions,
                no_success_assertions: args.cli_no_success_assertions,
                no_console: args.cli_no_console,
                no_banner: args.cli_no_banner,
                source_name: file_name(&args.collection),
            }),
            progress: reporters.progress,
            reports,
            exports: Exports {
                environment: args.export_environment.clone(),
                globals: args.export_globals.clone(),
                collection: args.export_collection.clone(),
                cookie_jar: args.export_cookie_jar.clone(),
            },
            suppress_exit_code: args.suppress_exit_code,
        }
    }
}

impl FileReport {
    /// Newman's default, `newman/<collection>-<timestamp>.<ext>`, under `baton/` instead: for a
    /// report without an export path, computed once the collection's name is known.
    pub fn default_path(&self, collection_name: &str) -> PathBuf {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let safe: String = collection_name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let extension = match self.format {
            ReportFormat::Json => "json",
            ReportFormat::Junit => "xml",
            ReportFormat::Html(_) => "html",
        };
        PathBuf::from("baton").join(format!("{safe}-{stamp}.{extension}"))
    }
}

/// Which reporters run, once `--silent` and the terminal are taken into account.
struct Reporters {
    cli: bool,
    progress: bool,
    json: bool,
    junit: bool,
    html: bool,
}

impl Reporters {
    /// `names` in any order, repeated or not. The progress bar also comes with the cli reporter
    /// when only stderr is a terminal, so a piped report still shows how far the run is.
    fn new(names: &[ReporterName], silent: bool, terminal: Terminal) -> Reporters {
        let mut reporters = Reporters {
            cli: false,
            progress: false,
            json: false,
            junit: false,
            html: false,
        };
        for name in names {
            match name {
                ReporterName::Cli => reporters.cli = !silent,
                ReporterName::Progress => reporters.progress = !silent,
                ReporterName::Json => reporters.json = true,
                ReporterName::Junit => reporters.junit = true,
                ReporterName::Html => reporters.html = true,
            }
        }
        reporters.progress |= reporters.cli && terminal.stderr_tty && !terminal.stdout_tty;
        reporters
    }

    /// The file reports, json, then junit, then html, with their export paths.
    fn files(
        &self,
        json: Option<PathBuf>,
        junit: Option<PathBuf>,
        html: Option<PathBuf>,
        html_options: HtmlOptions,
    ) -> Vec<FileReport> {
        let mut reports = Vec::new();
        if self.json {
            reports.push(FileReport {
                format: ReportFormat::Json,
                path: json,
            });
        }
        if self.junit {
            reports.push(FileReport {
                format: ReportFormat::Junit,
                path: junit,
            });
        }
        if self.html {
            reports.push(FileReport {
                format: ReportFormat::Html(html_options),
                path: html,
            });
        }
        reports
    }
}

/// Whether the cli reporter colours its output.
fn show_color(choice: ColorChoice, terminal: Terminal) -> bool {
    match choice {
        ColorChoice::On => true,
        ColorChoice::Off => false,
        ColorChoice::Auto => terminal.stdout_tty && !terminal.no_color,
    }
}

/// File bodies are read from `--working-dir`, or else the current directory.
fn file_access(
    working_dir: Option<PathBuf>,
    restrict_to_working_dir: bool,
    scripts_read_anywhere: bool,
) -> FileAccess {
    FileAccess {
        working_dir: working_dir
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))),
        restrict_to_working_dir,
        scripts_read_anywhere,
        by_script: false,
    }
}

fn script_options(timeout_ms: Option<u64>, top_level_await: bool) -> ScriptOptions {
    ScriptOptions {
        timeout: timeout_ms.map(Duration::from_millis),
        top_level_await,
        // One run per process: its end frees the heap at once.
        leave_heap_at_exit: true,
        ..ScriptOptions::default()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::{Parser, ValueEnum};

    fn parse(flags: &[&str]) -> RunArgs {
        let argv = ["baton", "run"].iter().chain(flags);
        match Cli::try_parse_from(argv).expect("flags parse").command {
            Command::Run(args) => *args,
            other => panic!("not a run: {other:?}"),
        }
    }

    const PIPED: Terminal = Terminal {
        stdout_tty: false,
        stderr_tty: false,
        no_color: false,
    };

    #[test]
    fn no_flags_give_the_same_configuration_as_new() {
        for terminal in [
            PIPED,
            Terminal {
                stdout_tty: true,
                stderr_tty: true,
                no_color: false,
            },
            Terminal {
                stdout_tty: false,
                stderr_tty: true,
                no_color: true,
            },
        ] {
            let parsed = RunConfig::from_args(&parse(&["c.json"]), terminal);
            let built = RunConfig::new(PathBuf::from("c.json"), terminal);
            assert_eq!(format!("{parsed:?}"), format!("{built:?}"));
        }
    }

    #[test]
    fn reporters_are_comma_separated_or_repeated_and_counted_once() {
        let comma = RunConfig::from_args(&parse(&["c.json", "-r", "junit,cli,json"]), PIPED);
        let repeated = RunConfig::from_args(
            &parse(&["c.json", "-r", "junit", "-r", "cli", "-r", "json,junit"]),
            PIPED,
        );
        for config in [comma, repeated] {
            assert!(config.cli.is_some());
            let formats: Vec<ReportFormat> = config.reports.iter().map(|r| r.format).collect();
            assert_eq!(formats, [ReportFormat::Json, ReportFormat::Junit]);
            assert!(config.run.keep_executions);
        }
    }

    #[test]
    fn executions_are_kept_only_for_a_file_report() {
        for name in ReporterName::value_variants() {
            let flag = name.to_possible_value().expect("a name");
            let config = RunConfig::from_args(&parse(&["c.json", "-r", flag.get_name()]), PIPED);
            assert_eq!(config.run.keep_executions, !config.reports.is_empty());
        }
    }

    #[test]
    fn silent_hides_the_live_reporters_but_not_the_files() {
        let args = parse(&["c.json", "-r", "cli,progress,json", "--silent"]);
        let config = RunConfig::from_args(&args, PIPED);
        assert!(config.cli.is_none());
        assert!(!config.progress);
        assert_eq!(config.reports.len(), 1);
    }

    #[test]
    fn the_progress_bar_joins_the_cli_reporter_when_only_stderr_is_a_terminal() {
        let stderr_only = Terminal {
            stderr_tty: true,
            ..PIPED
        };
        assert!(RunConfig::from_args(&parse(&["c.json"]), stderr_only).progress);
        assert!(!RunConfig::from_args(&parse(&["c.json"]), PIPED).progress);
        let json_only = parse(&["c.json", "-r", "json"]);
        assert!(!RunConfig::from_args(&json_only, stderr_only).progress);
    }

    #[test]
    fn bail_stops_at_failures_unless_only_folder_is_given() {
        let bail = |flags: &[&str]| RunConfig::from_args(&parse(flags), PIPED).run.bail;
        assert!(!bail(&["c.json"]));
        assert!(bail(&["c.json", "--bail"]));
        assert!(bail(&["c.json", "--bail", "failure"]));
        assert!(bail(&["c.json", "--bail", "folder,failure"]));
        assert!(!bail(&["c.json", "--bail", "folder"]));
    }

    #[test]
    fn export_paths_are_kept_and_the_default_is_under_baton() {
        let args = parse(&[
            "c.json",
            "-r",
            "json,junit",
            "--reporter-junit-export",
            "j.xml",
        ]);
        let config = RunConfig::from_args(&args, PIPED);
        assert_eq!(config.reports[0].path, None);
        assert_eq!(config.reports[1].path, Some(PathBuf::from("j.xml")));
        let default = config.reports[0].default_path("My API");
        assert!(default.starts_with("baton"));
        let name = default.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("My_API-") && name.ends_with(".json"),
            "{name}"
        );
    }

    #[test]
    fn the_html_report_takes_its_path_and_body_limit_and_defaults_to_html_under_baton() {
        let args = parse(&[
            "c.json",
            "-r",
            "html",
            "--reporter-html-export",
            "r.html",
            "--reporter-html-body-limit",
            "1KiB",
        ]);
        let config = RunConfig::from_args(&args, PIPED);
        assert_eq!(
            config.reports,
            [FileReport {
                format: ReportFormat::Html(HtmlOptions { body_limit: 1024 }),
                path: Some(PathBuf::from("r.html")),
            }]
        );
        let config = RunConfig::from_args(&parse(&["c.json", "-r", "html"]), PIPED);
        assert_eq!(
            config.reports[0].format,
            ReportFormat::Html(HtmlOptions::default())
        );
        let default = config.reports[0].default_path("My API");
        assert!(default.starts_with("baton"));
        assert_eq!(default.extension().unwrap(), "html");
    }

    #[test]
    fn a_misspelt_reporter_or_bail_modifier_is_named_with_a_suggestion() {
        let error = Cli::try_parse_from(["baton", "run", "c.json", "-r", "cli,junt"])
            .expect_err("junt is no reporter")
            .to_string();
        assert!(error.contains("-r: unknown reporter `junt`"), "{error}");
        assert!(error.contains("did you mean `junit`?"), "{error}");
        let error = Cli::try_parse_from(["baton", "run", "c.json", "--bail", "foldr"])
            .expect_err("foldr is no modifier")
            .to_string();
        assert!(
            error.contains("--bail: unknown modifier `foldr`"),
            "{error}"
        );
        assert!(error.contains("did you mean `folder`?"), "{error}");
    }
}

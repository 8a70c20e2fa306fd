//! The command line: Newman's `run` flags under the same names, plus Baton's own.

use std::ffi::OsStr;
use std::marker::PhantomData;
use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Args, Parser, Subcommand, ValueEnum};

use baton::http::ConnectTo;
use baton::runner::{Shard, ShardError};

const EXIT_CODES: &str = "Exit codes:
  0  the run passed
  1  a test, script or request failed (as Newman)
  2  usage or load error: bad flags, unreadable or malformed collection, environment, globals or data";

/// Baton: a fast, Newman-compatible runner for Postman collections.
#[derive(Debug, Parser)]
#[command(name = "baton", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Baton's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a collection (flags as `newman run`).
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// Print the licences of the JavaScript libraries built into Baton.
    Licenses,
    /// The local, in-memory PingOne stand-in.
    #[command(subcommand)]
    Pingone(PingOneCommand),
    /// Join the JSON reports of the shards of one run (`--shard K/N`) into one report, as if the
    /// run had not been split.
    #[command(after_help = MERGE_EXIT_CODES)]
    Merge(MergeArgs),
    /// Run the five shipped PingOne workflows (one per client authentication method, and one
    /// with all four in `oauth2` auth blocks) against the local PingOne stand-in, started
    /// in-process; exits 0 only if all five pass.
    #[command(after_help = EXIT_CODES)]
    Demo,
}

const MERGE_EXIT_CODES: &str = "Exit codes:
  0  the reports were merged, and the run they make up passed
  1  the reports were merged, and a test, script or request of the run failed (as `baton run`)
  2  a report could not be read, is not a Newman-shape JSON report, or is of another collection";

/// `baton merge` flags.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' JSON reports (`-r json`), in any order.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Where the merged JSON report goes.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: PathBuf,
    /// Also write the merged run as a JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
}

/// `baton pingone` subcommands.
#[derive(Debug, Subcommand)]
pub enum PingOneCommand {
    /// Serve the PingOne stand-in on 127.0.0.1 until Ctrl-C.
    Serve(ServeArgs),
}

/// `baton pingone serve` flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Write a filled-in Postman environment for this server here.
    #[arg(long = "write-env", value_name = "PATH")]
    pub write_env: Option<PathBuf>,
    /// Lifetime of the tokens it issues, in seconds (default 3600); a negative value issues
    /// tokens that are already expired, to rehearse a workflow failing on an expired token.
    #[arg(
        long = "token-lifetime",
        value_name = "SECONDS",
        allow_negative_numbers = true
    )]
    pub token_lifetime: Option<i64>,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal.
    #[default]
    Auto,
    /// Always colour.
    On,
    /// Never colour.
    Off,
}

/// A reporter `-r` names. Each variant is one name; the flag's help, its error messages and the
/// run configuration all follow this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReporterName {
    /// The live report on stdout.
    Cli,
    /// Newman's JSON report, written to a file.
    Json,
    /// A JUnit XML report, written to a file.
    Junit,
    /// A self-contained HTML page, written to a file.
    Html,
    /// A progress bar on stderr.
    Progress,
}

/// What `--bail` stops at (Newman's modifiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BailModifier {
    /// Stop the run at the first failure.
    Failure,
    /// An unknown `--folder` is an error (it always is in Baton).
    Folder,
}

/// `baton run` flags.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The collection (Postman v2.0 or v2.1): a file, an http(s) URL, or with --postman-api-key a
    /// UID, a Postman API URL or a "Run in Postman" link.
    pub collection: PathBuf,
    /// Environment: a file, an http(s) URL, a "Run in Postman" link or its base64 `env[...]`
    /// value, or with --postman-api-key a UID or a Postman API URL.
    #[arg(short = 'e', long)]
    pub environment: Option<String>,
    /// Globals: a file or an http(s) URL.
    #[arg(short = 'g', long)]
    pub globals: Option<PathBuf>,
    /// Iteration data (JSON array or CSV): a file or an http(s) URL.
    #[arg(short = 'd', long = "iteration-data")]
    pub iteration_data: Option<PathBuf>,
    /// Postman API key: loads a collection or environment given by its UID (or API URL) from the
    /// Postman API, sent as the `X-Api-Key` header and never printed.
    #[arg(long = "postman-api-key", value_name = "KEY")]
    pub postman_api_key: Option<String>,
    /// Number of iterations.
    #[arg(short = 'n', long = "iteration-count")]
    pub iteration_count: Option<usize>,
    /// Baton only: run up to N iterations at once in this process. Each iteration starts from
    /// the variables as the run began plus its data row; reports keep iteration order.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: u16,
    /// Baton only: run only the K-th of N contiguous blocks of the iterations (1-based, e.g.
    /// 2/4); `auto/N` takes K from `JOB_COMPLETION_INDEX` + 1, as a Kubernetes Indexed Job's pod
    /// has it. Reports keep the iterations' global numbers, for `baton merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Run only this folder or request (repeatable; name or id).
    #[arg(long)]
    pub folder: Vec<String>,
    /// Leave out this folder or request, wherever it is, with all it holds (repeatable; name or
    /// id), e.g. `--exclude-folder Cleanup`.
    #[arg(long = "exclude-folder", value_name = "NAME")]
    pub exclude_folder: Vec<String>,
    /// Set an environment variable: `key=value` (repeatable).
    #[arg(long = "env-var", value_name = "KEY=VALUE")]
    pub env_var: Vec<String>,
    /// Set a global variable: `key=value` (repeatable).
    #[arg(long = "global-var", value_name = "KEY=VALUE")]
    pub global_var: Vec<String>,
    /// Reporters, comma separated or repeated.
    #[arg(
        short = 'r',
        long,
        value_delimiter = ',',
        default_value = "cli",
        value_parser = Suggesting::<ReporterName>::new("-r", "reporter")
    )]
    pub reporters: Vec<ReporterName>,
    /// Where the json reporter writes.
    #[arg(long = "reporter-json-export", value_name = "PATH")]
    pub reporter_json_export: Option<PathBuf>,
    /// Where the junit reporter writes.
    #[arg(long = "reporter-junit-export", value_name = "PATH")]
    pub reporter_junit_export: Option<PathBuf>,
    /// Where the html reporter writes one self-contained page (default
    /// `baton/<collection>-<time>.html`), e.g. `-r cli,html --reporter-html-export report.html`.
    #[arg(long = "reporter-html-export", value_name = "PATH")]
    pub reporter_html_export: Option<PathBuf>,
    /// Cut request and response bodies in the html report after this many bytes (a number, or
    /// with a unit), e.g. `--reporter-html-body-limit 1MiB`.
    #[arg(long = "reporter-html-body-limit", value_name = "BYTES", default_value = "64KiB", value_parser = parse_size)]
    pub reporter_html_body_limit: u64,
    /// Hide the summary table.
    #[arg(long = "reporter-cli-no-summary")]
    pub cli_no_summary: bool,
    /// Hide the failure blocks.
    #[arg(long = "reporter-cli-no-failures")]
    pub cli_no_failures: bool,
    /// Hide test lines.
    #[arg(long = "reporter-cli-no-assertions")]
    pub cli_no_assertions: bool,
    /// Hide passing test lines.
    #[arg(long = "reporter-cli-no-success-assertions")]
    pub cli_no_success_assertions: bool,
    /// Hide console output of scripts.
    #[arg(long = "reporter-cli-no-console")]
    pub cli_no_console: bool,
    /// Hide the banner.
    #[arg(long = "reporter-cli-no-banner")]
    pub cli_no_banner: bool,
    /// Write the final environment here (atomically, also after a failed or interrupted run).
    #[arg(long = "export-environment", value_name = "PATH")]
    pub export_environment: Option<PathBuf>,
    /// Write the final globals here.
    #[arg(long = "export-globals", value_name = "PATH")]
    pub export_globals: Option<PathBuf>,
    /// Write the collection with its final variables here.
    #[arg(long = "export-collection", value_name = "PATH")]
    pub export_collection: Option<PathBuf>,
    /// Load cookies from this file (as written by --export-cookie-jar).
    #[arg(long = "cookie-jar", value_name = "PATH")]
    pub cookie_jar: Option<PathBuf>,
    /// Write the cookie jar here.
    #[arg(long = "export-cookie-jar", value_name = "PATH")]
    pub export_cookie_jar: Option<PathBuf>,
    /// Stop at the first failure (`folder` and `failure` are accepted as in Newman).
    #[arg(
        long,
        num_args = 0..=1,
        value_delimiter = ',',
        default_missing_value = "failure",
        value_parser = Suggesting::<BailModifier>::new("--bail", "modifier")
    )]
    pub bail: Option<Vec<BailModifier>>,
    /// Do not follow redirects.
    #[arg(long = "ignore-redirects")]
    pub ignore_redirects: bool,
    /// Exit 0 even when tests fail.
    #[arg(short = 'x', long = "suppress-exit-code")]
    pub suppress_exit_code: bool,
    /// No output at all.
    #[arg(long)]
    pub silent: bool,
    /// Colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// ASCII symbols only.
    #[arg(long = "disable-unicode")]
    pub disable_unicode: bool,
    /// Show request and response details, and warn about unresolved variables.
    #[arg(long)]
    pub verbose: bool,
    /// Show secrets in output and reports instead of `********`.
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
    /// Send an OAuth 2.0 auth block's accessToken as it is and never fetch one (Newman's way).
    #[arg(long = "oauth2-no-fetch")]
    pub oauth2_no_fetch: bool,
    /// Wait this many milliseconds between requests.
    #[arg(long = "delay-request", value_name = "MS", default_value_t = 0)]
    pub delay_request: u64,
    /// Stop the whole run after this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<u64>,
    /// Fail a request that takes longer than this many milliseconds.
    #[arg(long = "timeout-request", value_name = "MS")]
    pub timeout_request: Option<u64>,
    /// Run an item again, up to this many more times, when its request failed on the network,
    /// timed out or was answered 429, 502, 503 or 504, or when its tests failed; e.g.
    /// `--retry 2 --retry-interval 500`. Only idempotent methods unless --retry-unsafe.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry: u32,
    /// Wait this many milliseconds before each retry, unless the server's `Retry-After` says
    /// otherwise.
    #[arg(long = "retry-interval", value_name = "MS", default_value_t = 1000)]
    pub retry_interval: u64,
    /// Wait at most this many milliseconds for a server's `Retry-After`.
    #[arg(long = "retry-max-wait", value_name = "MS", default_value_t = 30_000)]
    pub retry_max_wait: u64,
    /// Also retry methods that are not idempotent (POST, PATCH, ...), which may create twice.
    #[arg(long = "retry-unsafe")]
    pub retry_unsafe: bool,
    /// Interrupt a script that runs longer than this many milliseconds.
    #[arg(long = "timeout-script", value_name = "MS")]
    pub timeout_script: Option<u64>,
    /// Let scripts use `await` outside functions, as the Postman app does (in Newman it is a
    /// syntax error, and the script does not run).
    #[arg(long = "top-level-await")]
    pub top_level_await: bool,
    /// Directory file bodies are read from.
    #[arg(long = "working-dir", value_name = "DIR")]
    pub working_dir: Option<PathBuf>,
    /// Refuse to read files outside the working directory.
    #[arg(long = "no-insecure-file-read")]
    pub no_insecure_file_read: bool,
    /// Let scripts name files outside the working directory for request bodies (Newman's way).
    #[arg(long = "insecure-script-file-read")]
    pub insecure_script_file_read: bool,
    /// Do not verify TLS certificates.
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Further trusted CA certificates (PEM).
    #[arg(long = "ssl-extra-ca-certs", value_name = "PATH")]
    pub ssl_extra_ca_certs: Option<PathBuf>,
    /// Client certificate (PEM).
    #[arg(long = "ssl-client-cert", value_name = "PATH")]
    pub ssl_client_cert: Option<PathBuf>,
    /// Client certificate key (PEM; an encrypted PKCS#8 key needs --ssl-client-passphrase).
    #[arg(long = "ssl-client-key", value_name = "PATH")]
    pub ssl_client_key: Option<PathBuf>,
    /// Baton only, as in curl: connect to ADDR for requests to HOST:PORT; the URL, Host header,
    /// cookies and TLS server name stay HOST's (repeatable).
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR", value_parser = ConnectTo::parse_resolve)]
    pub resolve: Vec<ConnectTo>,
    /// Baton only, as in curl: connect to ADDR:PORT2 for requests to HOST:PORT, e.g. a local
    /// stand-in on another port (repeatable; ADDR is an IP address).
    #[arg(long = "connect-to", value_name = "HOST:PORT:ADDR:PORT2", value_parser = ConnectTo::parse_connect_to)]
    pub connect_to: Vec<ConnectTo>,
    /// Passphrase of an encrypted PKCS#8 client key (`-----BEGIN ENCRYPTED PRIVATE KEY-----`).
    #[arg(long = "ssl-client-passphrase", value_name = "TEXT")]
    pub ssl_client_passphrase: Option<String>,
    /// Baton only: fail a request whose response body is larger than this, counted after
    /// decompression (a number of bytes, or with a unit: `64MiB`, `1GB`, `512k`).
    #[arg(long = "max-response-size", value_name = "BYTES", default_value = "256MiB", value_parser = parse_size)]
    pub max_response_size: u64,
}

/// Parses one name of a [`ValueEnum`] in Baton's words: a misspelt name is named with the flag,
/// the known names and the closest one ("did you mean `junit`?"). `--help` lists the names.
#[derive(Debug, Clone, Copy)]
struct Suggesting<E> {
    /// The flag, as the message names it.
    flag: &'static str,
    /// What one value is ("reporter").
    noun: &'static str,
    names: PhantomData<E>,
}

impl<E> Suggesting<E> {
    fn new(flag: &'static str, noun: &'static str) -> Self {
        Suggesting {
            flag,
            noun,
            names: PhantomData,
        }
    }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for Suggesting<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<E, clap::Error> {
        let text = value.to_string_lossy();
        if let Ok(found) = E::from_str(&text, false) {
            return Ok(found);
        }
        let names: Vec<PossibleValue> = E::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .collect();
        let known: Vec<&str> = names.iter().map(PossibleValue::get_name).collect();
        let hint = baton::vars::did_you_mean(&text, known.iter().copied())
            .map(|name| format!("; did you mean `{name}`?"))
            .unwrap_or_default();
        let message = format!(
            "{}: unknown {} `{text}` (known: {}){hint}\n",
            self.flag,
            self.noun,
            known.join(", ")
        );
        let mut error = clap::Error::raw(ErrorKind::InvalidValue, message).with_cmd(cmd);
        // The value at fault, for the caret under the command line.
        error.insert(
            ContextKind::InvalidValue,
            ContextValue::String(text.into_owned()),
        );
        Err(error)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// The environment variable a Kubernetes Indexed Job sets in each pod: the pod's index, from 0.
const JOB_COMPLETION_INDEX: &str = "JOB_COMPLETION_INDEX";

/// A shard, `K/N`, or `auto/N` with `K` from [`JOB_COMPLETION_INDEX`] + 1. The error is a
/// `String` because clap prints a value parser's message as it is, after naming the flag.
fn parse_shard(text: &str) -> Result<Shard, String> {
    let Some(count) = text.strip_prefix("auto/") else {
        return text.parse().map_err(|error: ShardError| error.to_string());
    };
    let index = std::env::var(JOB_COMPLETION_INDEX).map_err(|_| {
        format!("`auto` takes the shard from {JOB_COMPLETION_INDEX}, which is not set (a Kubernetes Indexed Job sets it)")
    })?;
    let index: usize = index
        .trim()
        .parse()
        .map_err(|_| format!("{JOB_COMPLETION_INDEX} is `{index}`, not a whole number"))?;
    format!("{}/{count}", index + 1)
        .parse()
        .map_err(|error: ShardError| format!("{error} ({JOB_COMPLETION_INDEX} is {index})"))
}

/// A byte count: digits with an optional unit, `KB`/`MB`/`GB` in thousands, `KiB`/`MiB`/`GiB`
/// (or `k`/`m`/`g` alone) in 1024s; at least one byte. The error is a `String` because clap
/// prints a value parser's message as it is, after naming the flag.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit = unit.trim();
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown unit `{unit}`; use bytes, KB, MB, GB, KiB, MiB or GiB"
            ));
        }
    };
    let number: u64 = digits.parse().map_err(|_| {
        format!("expected a number of bytes such as 1048576 or 64MiB, got `{text}`")
    })?;
    match number.checked_mul(multiplier) {
        Some(0) => Err("must be at least 1 byte".into()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is too large")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_plain_numbers_and_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64 mib"), Ok(64 << 20));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999GiB").is_err());
    }
}

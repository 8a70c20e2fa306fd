//! The `baton` binary: parse the command line, wire the terminal and Ctrl-C, run, exit.

use std::io::IsTerminal;
use std::process::ExitCode;

mod cli;

use baton::runner::Stop;

/// mimalloc instead of the C library's allocator: a run allocates and frees small blocks all the
/// time (each request's model, headers and body, every JavaScript value of a script, which QuickJS
/// also takes from here), and glibc's malloc and free were about a seventh of a scripted
/// request's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::Parser;
use cli::{
    Cli, Command, Exit, PingOneCommand, Terminal, execute_demo, execute_merge, execute_run,
    execute_serve, is_requested_output, render_usage_error,
};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) if is_requested_output(&error) => {
            let _ = error.print();
            return ExitCode::from(Exit::Success.code());
        }
        Err(error) => {
            // Shown as text; a path that is not UTF-8 still parses above.
            let shown: Vec<String> = args.iter().map(|a| a.to_string_lossy().into()).collect();
            eprint!(
                "{}",
                render_usage_error(&error, &shown, &baton::report::plain)
            );
            return ExitCode::from(Exit::Usage.code());
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(Exit::Usage.code());
        }
    };
    let terminal = Terminal {
        stdout_tty: std::io::stdout().is_terminal(),
        stderr_tty: std::io::stderr().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some(),
    };
    let exit = runtime.block_on(async {
        let stop = Stop::new();
        watch_for_ctrl_c(stop.clone());
        match cli.command {
            Command::Run(args) => {
                let out = Box::new(std::io::stdout());
                execute_run(&args, terminal, out, &mut std::io::stderr(), stop).await
            }
            Command::Merge(args) => {
                execute_merge(&args, &mut std::io::stdout(), &mut std::io::stderr())
            }
            Command::Licenses => {
                // A closed pipe (`baton licenses | head`) is not an error worth a panic.
                let text = baton::script::third_party_licenses();
                let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
                Exit::Success
            }
            Command::Pingone(PingOneCommand::Serve(args)) => {
                let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
                execute_serve(&args, &mut out, &mut err, stop).await
            }
            Command::Demo => {
                let stdout = || Box::new(std::io::stdout()) as Box<dyn std::io::Write>;
                execute_demo(terminal, &stdout, &mut std::io::stderr(), stop).await
            }
        }
    });
    ExitCode::from(exit.code())
}

/// Ctrl-C, SIGTERM and SIGHUP (what CI systems and Kubernetes send) are awaited on a thread of
/// their own: a script stuck in a synchronous loop blocks the run's runtime, and the stop flag is
/// what interrupts it. The run then ends cooperatively and writes its reports and exports. A
/// second signal forces the end: the run's watchdog writes the outputs from the last finished
/// item at once and exits. The handlers are in place before this returns, so a signal that comes
/// early is not lost.
fn watch_for_ctrl_c(stop: Stop) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let signals = {
        let _entered = runtime.enter();
        StopSignals::listen()
    };
    std::thread::spawn(move || {
        runtime.block_on(async {
            let mut signals = signals;
            if signals.next().await {
                stop.request();
                eprintln!("stopping after the current step (stop again to end at once)");
            }
            if signals.next().await {
                stop.force();
            }
        });
    });
}

/// The signals that stop a run.
#[cfg(unix)]
struct StopSignals(Vec<tokio::signal::unix::Signal>);

#[cfg(unix)]
impl StopSignals {
    fn listen() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ];
        StopSignals(
            kinds
                .into_iter()
                .filter_map(|kind| signal(kind).ok())
                .collect(),
        )
    }

    /// Resolves with `true` when any of them arrives (`false` when none could be listened for).
    async fn next(&mut self) -> bool {
        if self.0.is_empty() {
            return false;
        }
        std::future::poll_fn(|cx| {
            for signal in &mut self.0 {
                if signal.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(true);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }
}

/// The signal that stops a run.
#[cfg(not(unix))]
struct StopSignals;

#[cfg(not(unix))]
impl StopSignals {
    fn listen() -> Self {
        StopSignals
    }

    /// Resolves with `true` when Ctrl-C arrives.
    async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

//! The `baton` binary: parse the command line, wire the terminal and Ctrl-C, run, exit.

use std::io::IsTerminal;
use std::process::ExitCode;

mod cli;

use baton::runner::Stop;
use clap::Parser;
use cli::{Cli, Command, Exit, PingOneCommand, Terminal, execute_demo, execute_run, execute_serve};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let usage = error.use_stderr();
            let _ = error.print();
            return ExitCode::from(if usage {
                Exit::Usage.code()
            } else {
                Exit::Success.code()
            });
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

/// Ctrl-C is awaited on a thread of its own: a script stuck in a synchronous loop blocks the run's
/// runtime, and the stop flag is what interrupts it.
fn watch_for_ctrl_c(stop: Stop) {
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
            stop.request();
        }
    });
}

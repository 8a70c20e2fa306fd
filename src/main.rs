//! The `baton` binary: parse the command line, wire the terminal and Ctrl-C, run, exit.

use std::io::IsTerminal;
use std::process::ExitCode;

use baton::cli::{
    Cli, Command, Exit, PingOneCommand, Terminal, execute_demo, execute_run, execute_serve,
};
use clap::Parser;

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
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop_tx.send(true);
            }
        });
        match cli.command {
            Command::Run(args) => {
                let out = Box::new(std::io::stdout());
                execute_run(&args, terminal, out, &mut std::io::stderr(), stop_rx).await
            }
            Command::Licenses => {
                // A closed pipe (`baton licenses | head`) is not an error worth a panic.
                let text = baton::script::third_party_licenses();
                let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
                Exit::Success
            }
            Command::Pingone(PingOneCommand::Serve(args)) => {
                let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
                execute_serve(&args, &mut out, &mut err, stop_rx).await
            }
            Command::Demo => {
                let stdout = || Box::new(std::io::stdout()) as Box<dyn std::io::Write>;
                execute_demo(terminal, &stdout, &mut std::io::stderr(), stop_rx).await
            }
        }
    });
    ExitCode::from(exit.code())
}

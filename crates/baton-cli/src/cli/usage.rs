//! Usage errors (an unknown flag, a bad value, a missing argument) shown as every other error is
//! (`baton::report::Located`): the command line as the source line, a caret under the argument at
//! fault, clap's tip under it, then clap's usage lines. Help and version output stay clap's.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use baton::report::{Located, Paint};

/// Whether clap's "error" is the help or version text the user asked for.
pub fn is_requested_output(error: &clap::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    )
}

/// `error` rendered for `args` (the program's arguments, the program name first).
pub fn render_usage_error(error: &clap::Error, args: &[String], paint: Paint<'_>) -> String {
    let text = error.render().to_string();
    let mut lines = text.lines();
    let title = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    // clap indents what belongs to the error (a tip, the missing arguments) and starts its usage
    // lines at the margin.
    let (mut message, mut rest) = (Vec::new(), Vec::new());
    for line in lines.filter(|line| !line.trim().is_empty()) {
        match line.starts_with(char::is_whitespace) {
            true => message.push(line.trim()),
            false => rest.push(line),
        }
    }
    let (command_line, column) = pointed_at(error, args);
    let located = Located {
        title,
        location: vec!["command line".to_string()],
        while_running: None,
        source: Some((1, command_line)),
        caret: column,
        message: message.join("\n"),
    };
    let mut out = located.render("error:", paint);
    if !rest.is_empty() {
        out.push('\n');
        for line in rest {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The command line as one line (arguments with spaces quoted), and the one-based column of the
/// argument clap names as unknown or invalid, when it names one.
fn pointed_at(error: &clap::Error, args: &[String]) -> (String, Option<u32>) {
    let named = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.as_str()),
        _ => None,
    };
    let at_fault = match error.kind() {
        ErrorKind::UnknownArgument => named(ContextKind::InvalidArg).map(Fault::Flag),
        ErrorKind::InvalidSubcommand => named(ContextKind::InvalidSubcommand).map(Fault::Flag),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            named(ContextKind::InvalidValue).map(Fault::Value)
        }
        _ => None,
    };
    let mut line = String::new();
    let mut column = None;
    for (index, arg) in args.iter().enumerate() {
        if index > 0 {
            line.push(' ');
        }
        // The program as the user knows it, not the path it was started by.
        let shown = match index {
            0 => "baton".to_string(),
            _ if arg.is_empty() || arg.contains(char::is_whitespace) => format!("'{arg}'"),
            _ => arg.clone(),
        };
        if let Some(offset) = at_fault.filter(|_| column.is_none() && index > 0) {
            if let Some(offset) = offset.offset_in(arg) {
                let quote = usize::from(shown.len() != arg.len());
                column = Some((line.chars().count() + quote + offset) as u32 + 1);
            }
        }
        line.push_str(&shown);
    }
    (line, column)
}

/// What clap says is wrong.
#[derive(Clone, Copy)]
enum Fault<'a> {
    /// A flag or subcommand, as typed (`--retyr`, `--retyr=2`).
    Flag(&'a str),
    /// A flag's value, alone or after `=`.
    Value(&'a str),
}

impl Fault<'_> {
    /// Where in `arg` the fault starts, in characters, if `arg` holds it: a flag at the start, a
    /// value alone, after `=` or as one of a comma-separated list (`-r cli,junt`).
    fn offset_in(self, arg: &str) -> Option<usize> {
        match self {
            Fault::Flag(flag) => {
                let rest = arg.strip_prefix(flag)?;
                (rest.is_empty() || rest.starts_with('=')).then_some(0)
            }
            Fault::Value(value) => {
                let mut start = 0;
                for part in arg.split(['=', ',']) {
                    if part == value {
                        return Some(arg[..start].chars().count());
                    }
                    start += part.len() + 1;
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use baton::report::plain;
    use clap::Parser;

    fn rendered(args: &[&str]) -> String {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let error = Cli::try_parse_from(&args).unwrap_err();
        render_usage_error(&error, &args, &plain)
    }

    #[test]
    fn an_unknown_flag_is_pointed_at_with_clap_tip_and_usage_after() {
        assert_eq!(
            rendered(&["/usr/local/bin/baton", "run", "my c.json", "--retyr", "2"]),
            "error: unexpected argument '--retyr' found\n  \
             --> command line\n   |\n \
             1 | baton run 'my c.json' --retyr 2\n   \
             |                       ^\n   \
             |   tip: a similar argument exists: '--retry'\n\
             \n\
             Usage: baton run --retry <N> <COLLECTION>\n\
             For more information, try '--help'.\n"
        );
    }

    #[test]
    fn a_bad_value_is_pointed_at_alone_or_after_an_equals_sign() {
        let block = rendered(&["baton", "run", "c.json", "--timeout=abc"]);
        assert!(
            block.contains(
                " 1 | baton run c.json --timeout=abc\n   |                            ^\n"
            ),
            "{block}"
        );
        let block = rendered(&["baton", "run", "c.json", "-r", "cli,junt"]);
        assert!(
            block.starts_with(
                "error: -r: unknown reporter `junt` (known: cli, json, junit, html, progress); \
                 did you mean `junit`?\n  --> command line\n   |\n \
                 1 | baton run c.json -r cli,junt\n   |                         ^\n"
            ),
            "{block}"
        );
        let block = rendered(&["baton", "run", "c.json", "-n", "x"]);
        assert!(
            block.contains(" 1 | baton run c.json -n x\n   |                     ^\n"),
            "{block}"
        );
    }

    #[test]
    fn an_error_without_an_argument_to_blame_keeps_the_line_without_a_caret() {
        let block = rendered(&["baton", "run"]);
        assert!(
            block.starts_with(
                "error: the following required arguments were not provided:\n  \
                 --> command line\n   |\n 1 | baton run\n   |   <COLLECTION>\n"
            ),
            "{block}"
        );
        assert!(!block.contains('^'), "{block}");
        assert!(block.contains("Usage: baton run <COLLECTION>"), "{block}");
    }
}

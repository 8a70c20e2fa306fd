//! Reports: the live terminal reporter, and the JSON and JUnit files written from the finished run's
//! summary, always atomically.

mod cli;
mod json;
mod junit;
mod write;

pub use cli::{CliOptions, CliReporter};
pub use json::{json_report, scope_json};
pub use junit::junit_report;
pub use write::write_atomically;

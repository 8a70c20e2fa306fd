//! Reports: the live terminal reporter, and the JSON, JUnit and HTML files written from the
//! finished run's summary, always atomically.

mod cli;
mod html;
mod json;
mod junit;
mod junit_json;
mod merge;
mod render;
mod sdk_json;
mod write;

pub use cli::{CliOptions, CliReporter};
pub use html::{HtmlOptions, write_html_report};
pub use json::{scope_json, write_json_report};
pub use junit::junit_report;
pub use junit_json::junit_from_json_report;
pub use merge::{MergeError, ShardReport, merge_json_reports};
pub use render::{Located, Paint, Part, plain};
pub use write::{write_atomically, write_atomically_with};

//! CLI tests: the real `baton` binary against an in-process server on 127.0.0.1:0.

mod load_errors;
mod pingone_workflow;
mod reports;
mod run;
mod server;
mod support;

//! CLI tests: the real `baton` binary against an in-process server on 127.0.0.1:0.

mod differential;
mod load_errors;
mod node;
mod oidc_provider;
mod pingone_workflow;
mod reports;
mod run;
mod scripts;
mod server;
mod support;
mod workflows;

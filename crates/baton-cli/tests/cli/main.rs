//! CLI tests: the real `baton` binary against an in-process server on 127.0.0.1:0.

mod auth_signers;
mod chameleon;
mod corpus;
mod differential;
mod echo;
mod hostile;
mod limits;
mod load_errors;
mod newman_suite;
mod node;
mod ntlm;
mod oauth2;
mod oidc_provider;
mod on_the_wire;
mod pingone_workflow;
mod remote_inputs;
mod report_shape;
mod reports;
mod run;
mod scale;
mod scripts;
mod secrets;
mod server;
mod support;
mod tls;
mod workflows;

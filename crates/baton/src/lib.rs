//! Baton: a fast, Newman-compatible runner for Postman collections.
//!
//! The entry point is [`runner::Runner`]: give it a [`collection::Collection`] (from
//! [`collection::load_collection`] or [`collection::collection_from_document`]), optionally an
//! environment, globals, folders and options, then run it with a [`runner::Reporter`] that
//! receives the run's events. The [`runner::RunSummary`] it returns holds the variables at the
//! end, every failure, the counters and, when [`runner::RunOptions::keep_executions`] is set,
//! every request and response; [`report`] writes it as Newman's JSON report or as JUnit.
//!
//! Scripts run in one QuickJS realm per run, which is not `Send`: await [`runner::Runner::run`]
//! on a current-thread Tokio runtime (or inside a `tokio::task::LocalSet`).
//!
//! ```
//! use std::path::Path;
//!
//! use baton::collection::collection_from_document;
//! use baton::runner::{Reporters, Runner};
//! use serde_json::json;
//!
//! let document = json!({
//!     "info": {"name": "Setup", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
//!     "item": [{
//!         "name": "Remember the tenant",
//!         "request": "http://127.0.0.1:9/never-sent",
//!         "event": [{"listen": "prerequest", "script": {"exec": [
//!             "pm.environment.set('tenant', 'acme');",
//!             "pm.execution.skipRequest();"
//!         ]}}]
//!     }]
//! });
//! let collection = collection_from_document(&document, Path::new("setup.json"))?;
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let summary = runtime.block_on(Runner::new(collection).run(&mut Reporters(Vec::new())))?;
//! assert!(!summary.failed());
//! assert_eq!(summary.scopes.environment.get("tenant"), Some(&json!("acme")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod collection;
#[cfg(test)]
mod fuzz_tests;
pub mod http;
mod input_file;
pub mod inputs;
mod lodash;
pub mod report;
pub mod runner;
pub mod script;
pub mod vars;

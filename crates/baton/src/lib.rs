//! Baton: a fast, Newman-compatible runner for Postman collections.
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

//! Baton: a fast, Newman-compatible runner for Postman collections.
#![deny(missing_docs)]

pub mod pingone;

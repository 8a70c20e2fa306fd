//! Postman variables: the five scopes and their precedence, the `{{name}}` resolver, the
//! dynamic `$` variables and "did you mean" hints for names that resolved to nothing.
//!
//! Everything here is pure data and functions: scopes are passed in by value or reference, so a
//! run (or a test) owns its variables and no state is shared. The behaviour follows Newman 6.2.2
//! and the postman-collection 4.4.0 it bundles; see `resolve` for the substitution rules.

mod cast;
pub(crate) mod clock;
pub mod dynamic;
mod fake;
pub mod resolve;
pub mod scope;
pub mod suggest;
mod words;

pub(crate) use cast::cast_in;
pub(crate) use fake::encode_uri_component;
pub use resolve::{
    ExpansionTooLong, MAX_PASSES, MAX_RESOLVED_LEN, render_value, resolve, unresolved_names,
};
pub use scope::{Scopes, Variable, VariableScope};
pub use suggest::did_you_mean;

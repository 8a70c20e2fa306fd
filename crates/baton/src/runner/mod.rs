//! The run: the plan (ordered items), the loop over iterations and items, live events, and the
//! summary that reports are written from.

mod builder;
mod checkpoint;
mod failures;
mod mask;
mod oauth2;
mod parallel;
mod plan;
mod reporter;
mod request_error;
mod retry;
mod run;
mod send_request;
mod shard;
mod stop;
mod summary;
mod warnings;

pub use builder::{Runner, RunnerError};
pub use checkpoint::Checkpoint;
pub use mask::{MASK, Masker, is_masked};
pub use oauth2::{TokenError, TokenExchange, TokenStep};
pub use plan::{ItemFilter, PlanError, PlannedItem, plan};
pub use reporter::{Reporter, Reporters};
pub use request_error::{RequestError, RequestErrorKind};
pub use retry::RetryPolicy;
pub use run::{RunOptions, RunScopes, RunSummary, run};
pub use shard::{Shard, ShardError};
pub use stop::Stop;
pub use summary::{Counter, Execution, Failure, FailureKind, SentTarget, Stats, Timings};

//! The library's entry point: a collection, what it runs with, and one call that runs it.

use std::sync::Arc;

use crate::collection::{Collection, Environment};
use crate::http::{ClientOptions, ClientSetupError, CookieJar, HttpClient};

use super::{ItemFilter, PlanError, Reporter, RunOptions, RunScopes, RunSummary, Stop, plan, run};

/// A run being set up: the collection, its environment and globals, the folders to run, the run
/// and client options, and how it is stopped. See the crate documentation for an example.
///
/// [`Runner::run`] must be awaited on a current-thread Tokio runtime (or inside a
/// `tokio::task::LocalSet`): the script engine's realm is not `Send`.
#[derive(Debug)]
pub struct Runner {
    collection: Collection,
    scopes: RunScopes,
    filter: ItemFilter,
    options: RunOptions,
    client: ClientOptions,
    jar: Arc<CookieJar>,
    stop: Stop,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// A `--folder` or `--exclude-folder` name matches nothing.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The HTTP client could not be set up (an unreadable certificate).
    #[error(transparent)]
    Client(#[from] ClientSetupError),
}

impl Runner {
    /// A run of `collection` with no environment, no globals, every item once, default options.
    pub fn new(collection: Collection) -> Runner {
        Runner {
            collection,
            scopes: RunScopes::default(),
            filter: ItemFilter::default(),
            options: RunOptions::default(),
            client: ClientOptions::default(),
            jar: Arc::new(CookieJar::new()),
            stop: Stop::new(),
        }
    }

    /// The environment (`-e`).
    pub fn environment(mut self, environment: Environment) -> Runner {
        self.scopes.environment = environment.values;
        self
    }

    /// The globals (`-g`).
    pub fn globals(mut self, globals: Environment) -> Runner {
        self.scopes.globals = globals.values;
        self
    }

    /// Runs only these folders or requests, by name or id (`--folder`, repeatable).
    pub fn folders(mut self, folders: impl IntoIterator<Item = impl Into<String>>) -> Runner {
        self.filter.only = folders.into_iter().map(Into::into).collect();
        self
    }

    /// Leaves out these folders or requests, by name or id, wherever they are
    /// (`--exclude-folder`, repeatable).
    pub fn exclude_folders(
        mut self,
        folders: impl IntoIterator<Item = impl Into<String>>,
    ) -> Runner {
        self.filter.except = folders.into_iter().map(Into::into).collect();
        self
    }

    /// Iterations, data, timeouts, `--bail` and the rest.
    pub fn options(mut self, options: RunOptions) -> Runner {
        self.options = options;
        self
    }

    /// TLS, timeouts, redirects and limits of the HTTP client.
    pub fn client(mut self, client: ClientOptions) -> Runner {
        self.client = client;
        self
    }

    /// A cookie jar to start from and to read after the run.
    pub fn cookie_jar(mut self, jar: Arc<CookieJar>) -> Runner {
        self.jar = jar;
        self
    }

    /// A stop to request from elsewhere (Ctrl-C): the run ends cooperatively.
    pub fn stop(mut self, stop: Stop) -> Runner {
        self.stop = stop;
        self
    }

    /// Runs the collection, telling `reporter` as it goes, and returns what it produced. A
    /// failing request or test is a result, not an error: see [`RunSummary::failed`].
    pub async fn run(self, reporter: &mut dyn Reporter) -> Result<RunSummary, RunnerError> {
        let planned = plan(&self.collection, &self.filter)?;
        let client = HttpClient::new(self.client, self.jar)?;
        Ok(run(
            &self.collection,
            &planned,
            self.scopes,
            &self.options,
            &client,
            reporter,
            self.stop,
        )
        .await)
    }
}

//! Where the run's inputs come from: a file, an `http://`/`https://` URL, or the Postman API (a
//! UID, an API URL or a "Run in Postman" link, with the API key). Newman loads all of these; CI
//! scripts often run collections kept in Postman this way.
//!
//! Remote inputs are fetched with the run's own [`HttpClient`], so the TLS, `--connect-to` and
//! proxy settings of the run apply to them too, and their bodies are read exactly as files are
//! (BOM, UTF-16LE, the same shape errors, with the URL in place of the path). The API key only
//! ever travels in the `X-Api-Key` header: it is never part of a URL that is shown, and any error
//! text that could echo it has it replaced.

mod postman_api;

use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use crate::collection::{
    Collection, DataRow, Environment, LoadError, collection_from_document, data_from_text,
    document_from_bytes, environment_from_document, load_collection, load_data, load_environment,
    text_from_bytes,
};
use crate::http::{HttpClient, HttpError};

pub(crate) use postman_api::is_uid;

/// The `User-Agent` Newman's loader sends when it fetches an input.
const LOADER_USER_AGENT: &str = "Newman/6.2.2";

/// Redirects followed when fetching an input (as Node's request library).
const MAX_REDIRECTS: usize = 10;

/// How remote inputs are loaded.
#[derive(Debug, Clone)]
pub struct InputOptions {
    /// `--postman-api-key`: sent as `X-Api-Key` to the Postman API, and what lets a bare UID
    /// name a collection or environment there.
    pub postman_api_key: Option<String>,
    /// The longest one input may take to fetch, redirects included.
    pub time_limit: Duration,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            postman_api_key: None,
            time_limit: Duration::from_secs(120),
        }
    }
}

/// A loaded collection, with the environment a "Run in Postman" link carried along, if any.
#[derive(Debug)]
pub struct LoadedCollection {
    /// The collection.
    pub collection: Collection,
    /// The link's `env[...]` environment; used when no `-e` is given.
    pub environment: Option<Environment>,
}

/// The kinds of input, for the API path and the headers Newman sends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Collection,
    Environment,
    Globals,
    Data,
}

impl Kind {
    /// The API collection a bare UID of this kind is looked up in (Newman: collections and
    /// environments only).
    fn api_path(self) -> Option<&'static str> {
        match self {
            Kind::Collection => Some("collections"),
            Kind::Environment => Some("environments"),
            Kind::Globals | Kind::Data => None,
        }
    }
}

/// A URL to fetch, with the key to send along (if any).
struct Remote {
    url: Url,
    api_key: Option<String>,
}

/// Loads the run's inputs from files, URLs and the Postman API.
pub struct InputLoader<'a> {
    client: &'a HttpClient,
    options: InputOptions,
}

impl<'a> InputLoader<'a> {
    /// A loader that fetches through `client`.
    pub fn new(client: &'a HttpClient, options: InputOptions) -> Self {
        InputLoader { client, options }
    }

    /// Loads the collection from a file, a URL, a UID, an API URL or a "Run in Postman" link.
    pub async fn load_collection(&self, input: &Path) -> Result<LoadedCollection, LoadError> {
        if let Some(text) = not_a_file(input) {
            if let Some(link) = postman_api::RunLink::parse(text) {
                return self.load_linked_collection(text, &link).await;
            }
            if let Some(remote) = self.locate(text, Kind::Collection)? {
                let (document, origin) = self.fetch_json(remote, Kind::Collection).await?;
                return Ok(LoadedCollection {
                    collection: collection_from_document(&document, &origin)?,
                    environment: None,
                });
            }
        }
        Ok(LoadedCollection {
            collection: load_collection(input)?,
            environment: None,
        })
    }

    /// Loads an environment from a file, a URL, a UID, an API URL, or (as before) a "Run in
    /// Postman" link or its base64 `env[...]` value.
    pub async fn load_environment(&self, input: &str) -> Result<Environment, LoadError> {
        let link = postman_api::has_environment_parameter(input)
            || postman_api::RunLink::parse(input).is_some();
        if !link && !Path::new(input).exists() {
            if let Some(remote) = self.locate(input, Kind::Environment)? {
                let (document, origin) = self.fetch_json(remote, Kind::Environment).await?;
                return environment_from_document(&document, &origin);
            }
        }
        load_environment(input)
    }

    /// Loads globals from a file, a URL or an API URL.
    pub async fn load_globals(&self, input: &Path) -> Result<Environment, LoadError> {
        if let Some(text) = not_a_file(input) {
            if let Some(remote) = self.locate(text, Kind::Globals)? {
                let (document, origin) = self.fetch_json(remote, Kind::Globals).await?;
                return environment_from_document(&document, &origin);
            }
        }
        load_environment(&input.to_string_lossy())
    }

    /// Loads iteration data (JSON or CSV) from a file or a URL.
    pub async fn load_data(&self, input: &Path) -> Result<Vec<DataRow>, LoadError> {
        if let Some(text) = not_a_file(input) {
            if let Some(remote) = self.locate(text, Kind::Data)? {
                let (bytes, origin) = self.fetch(remote, Kind::Data).await?;
                return data_from_text(&text_from_bytes(&bytes, &origin)?, &origin);
            }
        }
        load_data(input)
    }

    /// A "Run in Postman" link as the collection: the collection by its id from the API, and
    /// the link's environment along with it.
    async fn load_linked_collection(
        &self,
        text: &str,
        link: &postman_api::RunLink,
    ) -> Result<LoadedCollection, LoadError> {
        let refuse = |message: &str| LoadError::CollectionLink {
            input: shorten(text),
            message: message.to_string(),
        };
        if link.collection_id.is_empty() {
            return Err(refuse(
                "the link names no collection after `/run-collection/`",
            ));
        }
        let Some(key) = &self.options.postman_api_key else {
            return Err(refuse(
                "the link names a collection kept in Postman; give --postman-api-key to load it \
                 from the Postman API",
            ));
        };
        let remote = Remote {
            url: postman_api::resource_url("collections", &link.collection_id),
            api_key: Some(key.clone()),
        };
        let (document, origin) = self.fetch_json(remote, Kind::Collection).await?;
        let collection = collection_from_document(&document, &origin)?;
        let environment = match link.has_environment {
            true => Some(load_environment(text)?),
            false => None,
        };
        Ok(LoadedCollection {
            collection,
            environment,
        })
    }

    /// Where `text` points when it is not a file, by Newman's rules: with a key, a bare UID of a
    /// collection or environment is the API's; an `http(s)://` URL is fetched, with the key when
    /// its host is the API's. `None` means a file path.
    fn locate(&self, text: &str, kind: Kind) -> Result<Option<Remote>, LoadError> {
        let key = self.options.postman_api_key.as_ref();
        if let (Some(key), Some(path)) = (key, kind.api_path()) {
            if is_uid(text) {
                return Ok(Some(Remote {
                    url: postman_api::resource_url(path, text),
                    api_key: Some(key.clone()),
                }));
            }
        }
        if !(text.starts_with("http://") || text.starts_with("https://")) {
            return Ok(None);
        }
        let mut url = Url::parse(text).map_err(|e| LoadError::Fetch {
            url: shorten(text),
            message: format!("invalid URL: {e}"),
        })?;
        url.set_fragment(None);
        let api_key = match postman_api::is_api_host(&url) {
            true => postman_api::take_query_key(&mut url).or_else(|| key.cloned()),
            false => None,
        };
        Ok(Some(Remote { url, api_key }))
    }

    /// Fetches and parses a JSON input; the origin (the URL shown) stands for the path in errors.
    async fn fetch_json(
        &self,
        remote: Remote,
        kind: Kind,
    ) -> Result<(serde_json::Value, PathBuf), LoadError> {
        let (bytes, origin) = self.fetch(remote, kind).await?;
        Ok((document_from_bytes(&bytes, &origin)?, origin))
    }

    /// Fetches the body of `remote`, following redirects; the key goes along only while the
    /// requests stay on the Postman API.
    async fn fetch(&self, remote: Remote, kind: Kind) -> Result<(Vec<u8>, PathBuf), LoadError> {
        let shown = shown_url(&remote.url);
        let secret = remote.api_key.clone().filter(|key| !key.is_empty());
        let redact = |text: String| match &secret {
            Some(key) => text.replace(key.as_str(), "********"),
            None => text,
        };
        let fetch_error = |message: String| LoadError::Fetch {
            url: shown.clone(),
            message: redact(message),
        };
        let work = async {
            let Remote {
                mut url,
                mut api_key,
            } = remote;
            for _ in 0..=MAX_REDIRECTS {
                let mut headers = vec![("User-Agent".to_string(), LOADER_USER_AGENT.to_string())];
                if kind != Kind::Data {
                    headers.push(("Accept".into(), "application/json".into()));
                }
                if let Some(key) = &api_key {
                    headers.push((postman_api::API_KEY_HEADER.into(), key.clone()));
                }
                let response = self
                    .client
                    .get(&url, &headers)
                    .await
                    .map_err(|e| fetch_error(network_message(e)))?;
                let location = response.header("location").map(str::to_string);
                if let (301 | 302 | 303 | 307 | 308, Some(location)) = (response.code, location) {
                    let next = url
                        .join(&location)
                        .map_err(|e| fetch_error(format!("bad redirect Location: {e}")))?;
                    if !postman_api::is_api_host(&next) && next.host_str() != url.host_str() {
                        api_key = None;
                    }
                    url = next;
                    continue;
                }
                if !(200..300).contains(&response.code) {
                    let api_message = postman_api::error_message(&response.body).map(&redact);
                    let advice = advice(
                        response.code,
                        postman_api::is_api_host(&url),
                        api_key.is_some(),
                    );
                    let detail = match (api_message, advice) {
                        (Some(message), Some(advice)) => Some(format!("{message} ({advice})")),
                        (message, advice) => message.or(advice.map(str::to_string)),
                    };
                    return Err(LoadError::Status {
                        url: shown.clone(),
                        code: response.code,
                        reason: response.status.clone(),
                        detail,
                    });
                }
                return Ok(response.body);
            }
            Err(fetch_error(format!("more than {MAX_REDIRECTS} redirects")))
        };
        let limit = self.options.time_limit;
        let body = tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| {
                Err(fetch_error(format!(
                    "no complete answer within {} s",
                    limit.as_secs_f64()
                )))
            })?;
        Ok((body, PathBuf::from(shown)))
    }
}

/// What to check after the Postman API refused.
fn advice(code: u16, api: bool, key_sent: bool) -> Option<&'static str> {
    match (code, api, key_sent) {
        (401 | 403, true, false) => Some("the Postman API needs a key: give --postman-api-key"),
        (401, true, true) => Some("check --postman-api-key"),
        (403, true, true) => Some("the key given with --postman-api-key has no access to this"),
        (404, true, _) => Some("check the UID and that the key's account can see it"),
        _ => None,
    }
}

/// The reason a request got no response, without the URL (the load error names it).
fn network_message(error: HttpError) -> String {
    match error {
        HttpError::Connect { error, .. } => error.to_string(),
        HttpError::Timeout { after, .. } => format!("no response within {} ms", after.as_millis()),
        other => other.to_string(),
    }
}

/// `input` as text when it names no existing file (a non-UTF-8 name is always a path).
fn not_a_file(input: &Path) -> Option<&str> {
    match input.exists() {
        true => None,
        false => input.to_str(),
    }
}

/// The URL as errors show it: no password, no key (already taken out of the query).
fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("********"));
    }
    shown.to_string()
}

fn shorten(input: &str) -> String {
    match input.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &input[..cut]),
        None => input.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::http::{ClientOptions, CookieJar};

    fn loader<'a>(client: &'a HttpClient, key: Option<&str>) -> InputLoader<'a> {
        InputLoader::new(
            client,
            InputOptions {
                postman_api_key: key.map(str::to_string),
                ..InputOptions::default()
            },
        )
    }

    fn client() -> HttpClient {
        HttpClient::new(ClientOptions::default(), Arc::new(CookieJar::new())).unwrap()
    }

    const UID: &str = "12345678-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

    #[test]
    fn a_uid_with_a_key_is_the_apis() {
        let client = client();
        let remote = loader(&client, Some("K"))
            .locate(UID, Kind::Environment)
            .unwrap()
            .unwrap();
        assert_eq!(
            remote.url.as_str(),
            format!("https://api.postman.com/environments/{UID}")
        );
        assert_eq!(remote.api_key.as_deref(), Some("K"));
    }

    #[test]
    fn a_uid_without_a_key_or_for_globals_is_a_path() {
        let client = client();
        assert!(
            loader(&client, None)
                .locate(UID, Kind::Collection)
                .unwrap()
                .is_none()
        );
        assert!(
            loader(&client, Some("K"))
                .locate(UID, Kind::Globals)
                .unwrap()
                .is_none()
        );
        assert!(
            loader(&client, Some("K"))
                .locate("c.json", Kind::Collection)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_key_goes_only_to_the_api_hosts() {
        let client = client();
        let loader = loader(&client, Some("K"));
        let api = loader
            .locate("https://api.getpostman.com/collections/x", Kind::Collection)
            .unwrap()
            .unwrap();
        assert_eq!(api.api_key.as_deref(), Some("K"));
        let other = loader
            .locate("https://example.com/c.json", Kind::Collection)
            .unwrap()
            .unwrap();
        assert_eq!(other.api_key, None);
    }

    #[test]
    fn a_key_in_an_api_urls_query_wins_and_is_not_shown() {
        let client = client();
        let remote = loader(&client, Some("K"))
            .locate(
                "https://api.postman.com/collections/x?apikey=Q",
                Kind::Collection,
            )
            .unwrap()
            .unwrap();
        assert_eq!(remote.api_key.as_deref(), Some("Q"));
        assert_eq!(
            shown_url(&remote.url),
            "https://api.postman.com/collections/x"
        );
    }

    #[test]
    fn shown_urls_hide_passwords() {
        let url = Url::parse("https://u:p@example.com/c.json").unwrap();
        assert_eq!(shown_url(&url), "https://u:********@example.com/c.json");
    }

    #[test]
    fn the_api_refusing_says_what_to_check() {
        assert_eq!(
            advice(401, true, false),
            Some("the Postman API needs a key: give --postman-api-key")
        );
        assert_eq!(advice(401, true, true), Some("check --postman-api-key"));
        assert_eq!(advice(404, false, false), None);
    }
}

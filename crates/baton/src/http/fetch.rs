//! A single GET for loading an input given as a URL (a collection, environment, globals or data
//! file). It goes through the run's own connections, so `--insecure`, `--ssl-extra-ca-certs`,
//! `--connect-to`/`--resolve`, proxies and `--timeout-request` apply to it as to the run's
//! requests; it neither reads nor fills the cookie jar, and it leaves redirects to the caller,
//! which decides whether a credential may follow one to another host.

use url::Url;

use crate::collection::ProtocolProfileBehavior;

use super::wire::host_header;
use super::{HttpClient, HttpError, Response, WireRequest};

impl HttpClient {
    /// Sends `GET url` with `headers` (after `Host`) and reads the whole response; a redirect is
    /// returned as it is, not followed.
    pub async fn get(
        &self,
        url: &Url,
        headers: &[(String, String)],
    ) -> Result<Response, HttpError> {
        let mut all = vec![("Host".to_string(), host_header(url))];
        all.extend(headers.iter().cloned());
        let request = WireRequest {
            method: "GET".into(),
            url: url.clone(),
            target: url[url::Position::BeforePath..url::Position::AfterQuery].to_string(),
            headers: all,
            after_cookies: Vec::new(),
            body: Vec::new(),
            digest: None,
            ntlm: None,
            warnings: Vec::new(),
        };
        let behavior = ProtocolProfileBehavior {
            follow_redirects: Some(false),
            disable_cookies: Some(true),
            ..ProtocolProfileBehavior::default()
        };
        self.send(&request, &behavior).await
    }
}

//! `pm.sendRequest` through the run's HTTP client, its cookie jar and its file rules.

use crate::collection::Request;
use crate::http::{FileAccess, HttpClient, build_wire_request};
use crate::script::{RequestSender, SendFuture};

/// `pm.sendRequest` through the run's client, without variable resolution (as in Postman).
pub(super) struct ClientSender<'a> {
    /// The run's client (and so its cookie jar).
    pub client: &'a HttpClient,
    /// Where file bodies may be read from.
    pub files: &'a FileAccess,
}

impl RequestSender for ClientSender<'_> {
    fn send_request(&self, request: Request) -> SendFuture<'_> {
        Box::pin(async move {
            let behavior = Default::default();
            let mut wire =
                match build_wire_request(&request, request.auth.as_ref(), &behavior, self.files) {
                    Ok(wire) => wire,
                    Err(error) => return (Vec::new(), Err(error)),
                };
            let response = self.client.send(&wire, &behavior).await;
            if let Ok(response) = &response {
                wire.record_sent_headers(&response.sent_headers);
            }
            (wire.headers, response)
        })
    }
}

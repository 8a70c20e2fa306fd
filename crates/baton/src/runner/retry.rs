//! `--retry`: when an item is run again, and how long the run waits before it does.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

use super::{Execution, RequestErrorKind};

/// Statuses that say "try again later".
const RETRIED_STATUSES: [u16; 4] = [429, 502, 503, 504];

/// Methods that can be sent twice without creating twice (RFC 9110, 9.2.2).
const IDEMPOTENT_METHODS: [&str; 6] = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"];

/// How items that failed for a passing reason are run again. The default retries nothing, and
/// once `times` is set waits 1 s between attempts and at most 30 s for a `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// `--retry`: how many more times an item may run (0: never again).
    pub times: u32,
    /// `--retry-interval`: the wait before the next attempt when the server names none.
    pub interval: Duration,
    /// `--retry-max-wait`: the longest a server's `Retry-After` may make the run wait.
    pub max_wait: Duration,
    /// `--retry-unsafe`: also retry methods that are not idempotent (POST, PATCH, ...).
    pub unsafe_methods: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            times: 0,
            interval: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
            unsafe_methods: false,
        }
    }
}

impl RetryPolicy {
    /// Why `execution`, the `attempt`-th run of its item (1 for the first), should run again, or
    /// `None` when it is final: it passed, it failed for a reason a retry cannot mend (a bad URL,
    /// a stop), its method may not be repeated, or the attempts are used up.
    pub fn reason(&self, execution: &Execution, attempt: u32) -> Option<String> {
        if attempt > self.times || execution.skipped {
            return None;
        }
        let method = execution.request.as_ref().map(|r| r.method.as_str())?;
        if !self.unsafe_methods
            && !IDEMPOTENT_METHODS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(method))
        {
            return None;
        }
        if let Some(error) = &execution.request_error {
            return transient(error.kind()).map(str::to_string);
        }
        if let Some(response) = &execution.response
            && RETRIED_STATUSES.contains(&response.code)
        {
            return Some(format!("{} {}", response.code, response.status));
        }
        let runs = execution.test.runs.iter();
        let errors = runs.clone().filter(|run| run.error.is_some()).count();
        let failed = runs
            .flat_map(|run| run.assertions.iter())
            .filter(|assertion| assertion.error.is_some())
            .count();
        match (failed, errors) {
            (0, 0) => None,
            (0, _) => Some("a test script failed".into()),
            (1, _) => Some("1 test failed".into()),
            (n, _) => Some(format!("{n} tests failed")),
        }
    }

    /// How long to wait before the next attempt: the response's `Retry-After` (seconds or an
    /// HTTP date) up to `max_wait`, else `interval`.
    pub fn wait(&self, execution: &Execution, now: SystemTime) -> Duration {
        let retry_after = execution.response.as_ref().and_then(|response| {
            response
                .headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
                .and_then(|(_, value)| retry_after(value, now))
        });
        match retry_after {
            Some(wait) => wait.min(self.max_wait),
            None => self.interval,
        }
    }
}

/// Failures a second attempt may not meet, the network's rather than the request's, named in a
/// few words (the request line above the retry has the whole message).
fn transient(kind: RequestErrorKind) -> Option<&'static str> {
    match kind {
        RequestErrorKind::Dns => Some("host not found"),
        RequestErrorKind::Refused => Some("connection refused"),
        RequestErrorKind::Connect => Some("no connection"),
        RequestErrorKind::Reset => Some("connection reset"),
        RequestErrorKind::Connection => Some("connection lost"),
        RequestErrorKind::Timeout => Some("no response in time"),
        _ => None,
    }
}

/// A `Retry-After` value as a wait from `now`: delay-seconds or an HTTP date (RFC 9110, 10.2.3);
/// a date in the past waits nothing.
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = OffsetDateTime::parse(value, &Rfc2822).ok()?;
    let at = SystemTime::from(at);
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::{Item, Request, collection_from_document};
    use crate::http::{HttpError, Response};
    use crate::runner::RequestError;
    use crate::script::{Assertion, AssertionError, ScriptRun};

    fn policy(times: u32) -> RetryPolicy {
        RetryPolicy {
            times,
            interval: Duration::from_millis(50),
            max_wait: Duration::from_secs(5),
            unsafe_methods: false,
        }
    }

    fn request(method: &str) -> Request {
        let doc = serde_json::json!({"info": {"name": "C"}, "item": [
            {"name": "R", "request": {"method": method, "url": "http://h/"}}
        ]});
        let collection = collection_from_document(&doc, std::path::Path::new("c.json")).unwrap();
        let Item::Request(placed) = &collection.items[0] else {
            panic!("a request item")
        };
        collection.request(placed.slot).unwrap().request
    }

    fn answered(method: &str, code: u16, headers: &[(&str, &str)]) -> Execution {
        let mut response = Response::received(
            (code, ""),
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            Vec::new(),
            "http://h/".into(),
        );
        response.response_time = Duration::from_millis(1);
        Execution {
            request: Some(request(method)),
            response: Some(response),
            ..Default::default()
        }
    }

    #[test]
    fn busy_statuses_and_failed_tests_are_retried_until_the_attempts_are_used_up() {
        let busy = answered("GET", 503, &[]);
        assert_eq!(
            policy(2).reason(&busy, 1).as_deref(),
            Some("503 Service Unavailable")
        );
        assert!(policy(2).reason(&busy, 2).is_some());
        assert_eq!(policy(2).reason(&busy, 3), None, "two more times, no more");
        assert_eq!(policy(0).reason(&busy, 1), None);
        assert_eq!(policy(2).reason(&answered("GET", 500, &[]), 1), None);

        let mut tested = answered("GET", 200, &[]);
        assert_eq!(policy(1).reason(&tested, 1), None, "it passed");
        let failed = |name: &str| Assertion {
            name: name.into(),
            skipped: false,
            error: Some(AssertionError {
                name: "AssertionError".into(),
                message: "expected 1 to equal 2".into(),
                line: None,
            }),
        };
        tested.test.runs.push(ScriptRun {
            assertions: vec![failed("a"), failed("b")],
            ..Default::default()
        });
        assert_eq!(
            policy(1).reason(&tested, 1).as_deref(),
            Some("2 tests failed")
        );
    }

    #[test]
    fn only_idempotent_methods_are_retried_unless_unsafe_ones_are_allowed() {
        let post = answered("post", 503, &[]);
        assert_eq!(policy(3).reason(&post, 1), None);
        let allowed = RetryPolicy {
            unsafe_methods: true,
            ..policy(3)
        };
        assert!(allowed.reason(&post, 1).is_some());
        assert!(policy(3).reason(&answered("PUT", 429, &[]), 1).is_some());
    }

    #[test]
    fn network_failures_are_retried_but_a_request_that_cannot_be_built_is_not() {
        let mut failed = answered("GET", 200, &[]);
        failed.response = None;
        failed.request_error = Some(RequestError::from(HttpError::Timeout {
            url: "http://h/".into(),
            after: Duration::from_millis(5),
        }));
        assert_eq!(
            policy(1).reason(&failed, 1).as_deref(),
            Some("no response in time")
        );
        failed.request_error = Some(RequestError::NotSent("interrupted".into()));
        assert_eq!(policy(1).reason(&failed, 1), None);
    }

    #[test]
    fn the_wait_is_the_servers_retry_after_up_to_the_cap_else_the_interval() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let wait = |headers: &[(&str, &str)]| policy(1).wait(&answered("GET", 503, headers), now);
        assert_eq!(wait(&[]), Duration::from_millis(50));
        assert_eq!(wait(&[("Retry-After", "2")]), Duration::from_secs(2));
        assert_eq!(wait(&[("retry-after", "3600")]), Duration::from_secs(5));
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        let date = |offset: &str| format!("Sun, 06 Nov 1994 08:49:{offset} GMT");
        assert_eq!(
            wait(&[("Retry-After", &date("40"))]),
            Duration::from_secs(3)
        );
        assert_eq!(wait(&[("Retry-After", &date("00"))]), Duration::ZERO);
        assert_eq!(
            wait(&[("Retry-After", "soon")]),
            Duration::from_millis(50),
            "an unreadable value falls back to the interval"
        );
    }
}

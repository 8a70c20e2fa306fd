//! The two error shapes the stand-in answers with, as data: the management API's
//! `{"id","code","message","details"}` and the OAuth `{"error","error_description"}` of the
//! auth host. Handlers return these as `Err` and axum turns them into responses here.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One entry of a management error's `details`: which field was wrong and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detail {
    /// PingOne's detail code, such as `REQUIRED_VALUE` or `INVALID_VALUE`.
    pub code: &'static str,
    /// The field the detail is about.
    pub target: String,
    /// What is wrong with it.
    pub message: String,
}

impl Detail {
    /// A required field is missing or blank.
    pub(crate) fn required(target: &str) -> Self {
        Detail {
            code: "REQUIRED_VALUE",
            target: target.to_owned(),
            message: format!("{target} is required and must not be blank"),
        }
    }

    /// A field is present but its value is not acceptable.
    pub(crate) fn invalid(target: &str, message: impl Into<String>) -> Self {
        Detail {
            code: "INVALID_VALUE",
            target: target.to_owned(),
            message: message.into(),
        }
    }
}

/// A management-API (or sign-on flow) error in PingOne's shape.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<Detail>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// 404 `NOT_FOUND` for a path that names no object.
    pub(crate) fn not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("The requested resource was not found: {path}"),
        )
    }

    /// 400 `INVALID_DATA` with the fields at fault.
    pub(crate) fn invalid_data(details: Vec<Detail>) -> Self {
        ApiError {
            details,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "INVALID_DATA",
                "The request could not be completed. One or more validation errors were in the request.",
            )
        }
    }

    /// 400 `INVALID_REQUEST` for a body or state that cannot be processed at all.
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// 401 `INVALID_TOKEN` for a missing, unknown or expired Bearer token.
    pub(crate) fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "INVALID_TOKEN", message)
    }

    /// 403 `ACCESS_FAILED` for a valid token that may not touch the object.
    pub(crate) fn access_failed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "ACCESS_FAILED", message)
    }

    /// 405 `METHOD_NOT_ALLOWED`.
    pub(crate) fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("{method} is not supported on {path}"),
        )
    }

    /// 415 `INVALID_REQUEST` for a body sent with the wrong content type.
    pub(crate) fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_REQUEST",
            format!("Content-Type must be {expected}"),
        )
    }

    /// The PingOne `code` of this error.
    #[cfg(test)]
    pub(crate) fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "code": self.code,
            "message": self.message,
        });
        if !self.details.is_empty() {
            body["details"] = Value::Array(
                self.details
                    .into_iter()
                    .map(|d| json!({"code": d.code, "target": d.target, "message": d.message}))
                    .collect(),
            );
        }
        (self.status, Json(body)).into_response()
    }
}

/// An OAuth 2.0 error from the auth host (token, authorize, introspect, userinfo).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    /// 401 `invalid_client`: client authentication failed, with the specific reason.
    pub(crate) fn invalid_client(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", reason)
    }

    /// 400 `invalid_request`: a parameter is missing, repeated or malformed.
    pub(crate) fn invalid_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", reason)
    }

    /// 400 `invalid_grant`: the code (or other grant) is unknown, used, expired or not bound to this request.
    pub(crate) fn invalid_grant(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", reason)
    }

    /// 400 `unsupported_grant_type`.
    pub(crate) fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!(
                "grant_type {grant_type} is not supported (use client_credentials or authorization_code)"
            ),
        )
    }

    /// 400 `unauthorized_client`: the application may not use this grant or response type.
    pub(crate) fn unauthorized_client(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", reason)
    }

    /// 400 `unsupported_response_type` at the authorize endpoint.
    pub(crate) fn unsupported_response_type(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_response_type", reason)
    }

    /// 401 `invalid_token` for userinfo.
    pub(crate) fn invalid_token(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", reason)
    }

    /// The OAuth `error` code.
    #[cfg(test)]
    pub(crate) fn error(&self) -> &'static str {
        self.error
    }

    /// The `error_description`.
    #[cfg(test)]
    pub(crate) fn description(&self) -> &str {
        &self.description
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = if self.error == "invalid_token" {
                "Bearer error=\"invalid_token\""
            } else {
                "Basic realm=\"PingOne\""
            };
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn invalid_data_lists_each_detail() {
        let response = ApiError::invalid_data(vec![Detail::required("name")]).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = body_of(response).await;
        assert_eq!(body["code"], "INVALID_DATA");
        assert_eq!(body["details"][0]["target"], "name");
        assert_eq!(body["details"][0]["code"], "REQUIRED_VALUE");
        assert!(body["id"].as_str().is_some());
    }

    #[tokio::test]
    async fn invalid_client_is_401_with_reason_and_challenge() {
        let response = OAuthError::invalid_client("wrong secret").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
        let body = body_of(response).await;
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_description"], "wrong secret");
    }
}

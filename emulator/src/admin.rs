//! The emulator's own admin API: `GET`/`PUT /admin/faults`, signed with HMAC-SHA256 and the access key
//! exactly like the identity API.
//!
//! - `GET /admin/faults` answers 200 with the current [`FaultConfig`] as JSON.
//! - `PUT /admin/faults` takes a JSON object with any subset of the [`FaultConfig`] fields (the others
//!   are kept; `"remaining": null` means unlimited) and answers 200 with the resulting configuration,
//!   or 400 naming the bad field.
//! - Unsigned or badly signed requests get 401; other methods 405; other `/admin/...` paths 404.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;

use crate::api::auth::hmac;
use crate::error::ApiError;
use crate::faults::{FaultConfig, FaultState};

/// The path prefix the admin API owns.
pub(crate) const PREFIX: &str = "/admin/";

const FAULTS_PATH: &str = "/admin/faults";

/// Answers one admin request whose body has already been read (and size-limited).
pub(crate) fn handle(
    parts: &Parts,
    body: &Bytes,
    faults: &FaultState,
    access_key: &[u8],
) -> Response {
    match respond(parts, body, faults, access_key) {
        Ok(resp) => resp,
        Err(err) => err.into_response(),
    }
}

fn respond(
    parts: &Parts,
    body: &Bytes,
    faults: &FaultState,
    access_key: &[u8],
) -> Result<Response, ApiError> {
    if parts.uri.path() != FAULTS_PATH {
        return Err(ApiError::not_found(format!(
            "No admin resource at '{}'; the admin API has only {FAULTS_PATH}.",
            parts.uri.path()
        )));
    }
    if parts.method != Method::GET && parts.method != Method::PUT {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("{FAULTS_PATH} supports GET and PUT, not {}.", parts.method),
        ));
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or(FAULTS_PATH);
    hmac::verify(
        parts.method.as_str(),
        path_and_query,
        &parts.headers,
        body,
        access_key,
        chrono::Utc::now(),
    )?;
    let config = if parts.method == Method::PUT {
        let patch: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}.")))?;
        faults
            .merge(&patch)
            .map_err(|msg| ApiError::bad_request(format!("Invalid fault configuration: {msg}.")))?
    } else {
        faults.get()
    };
    Ok(json_ok(&config))
}

fn json_ok(config: &FaultConfig) -> Response {
    match serde_json::to_vec(config) {
        Ok(bytes) => {
            let mut resp = Response::new(Body::from(bytes));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            resp
        }
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            format!("The fault configuration could not be encoded: {e}."),
        )
        .into_response(),
    }
}

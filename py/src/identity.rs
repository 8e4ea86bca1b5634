//! `_IdentityClient`: users and chat tokens from a connection string (for tests, the emulator helper and
//! the quickstart; not part of the 1.2.0 chat API).

use std::time::Duration;

use acs_chat::identifier::CommunicationIdentifier;
use acs_chat::{ClientOptions, CommunicationIdentityClient, TokenScope};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::engine_error;
use crate::runtime::{wait, ProcessGuard};

/// Engine identity client. Thread-safe. Tokens it returns are secrets: never log them.
#[pyclass(module = "acs_chat._acs_chat", name = "_IdentityClient", frozen)]
pub struct PyIdentityClient {
    inner: CommunicationIdentityClient,
    guard: ProcessGuard,
}

fn expires_in(minutes: Option<u32>) -> Option<Duration> {
    minutes.map(|m| Duration::from_secs(u64::from(m) * 60))
}

#[pymethods]
impl PyIdentityClient {
    /// `extra_root_certificate_pem` trusts one more CA (the emulator's, for TLS).
    #[new]
    #[pyo3(signature = (connection_string, extra_root_certificate_pem=None))]
    fn new(
        py: Python<'_>,
        connection_string: &str,
        extra_root_certificate_pem: Option<Vec<u8>>,
    ) -> PyResult<Self> {
        let mut options = ClientOptions::default().binding("python");
        if let Some(pem) = extra_root_certificate_pem {
            options = options.extra_root_certificate_pem(pem);
        }
        let inner = CommunicationIdentityClient::from_connection_string(connection_string, options)
            .map_err(|e| engine_error(py, &e))?;
        Ok(PyIdentityClient {
            inner,
            guard: ProcessGuard::new(),
        })
    }

    /// The resource endpoint.
    #[getter]
    fn endpoint(&self) -> &str {
        self.inner.endpoint()
    }

    /// Creates a user; returns its raw id.
    fn create_user(&self, py: Python<'_>) -> PyResult<String> {
        self.guard.check()?;
        let c = self.inner.clone();
        let user = wait(py, async move { c.create_user().await })?;
        Ok(user.raw_id().into_owned())
    }

    /// Creates a user with a chat token; returns `(raw_id, token, expires_on epoch seconds)`.
    #[pyo3(signature = (expires_in_minutes=None))]
    fn create_user_and_token(
        &self,
        py: Python<'_>,
        expires_in_minutes: Option<u32>,
    ) -> PyResult<(String, String, i64)> {
        self.guard.check()?;
        let c = self.inner.clone();
        let (user, token) = wait(py, async move {
            c.create_user_and_token(&[TokenScope::Chat], expires_in(expires_in_minutes))
                .await
        })?;
        Ok((
            user.raw_id().into_owned(),
            token.token,
            token.expires_on.timestamp(),
        ))
    }

    /// A new chat token for an existing user; returns `(token, expires_on epoch seconds)`.
    #[pyo3(signature = (raw_id, expires_in_minutes=None))]
    fn get_token(
        &self,
        py: Python<'_>,
        raw_id: String,
        expires_in_minutes: Option<u32>,
    ) -> PyResult<(String, i64)> {
        self.guard.check()?;
        if raw_id.is_empty() {
            return Err(PyValueError::new_err("raw_id must not be empty"));
        }
        let c = self.inner.clone();
        let user = CommunicationIdentifier::from_raw_id(&raw_id);
        let token = wait(py, async move {
            c.get_token(&user, &[TokenScope::Chat], expires_in(expires_in_minutes))
                .await
        })?;
        Ok((token.token, token.expires_on.timestamp()))
    }
}

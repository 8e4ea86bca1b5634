//! `_Credential`: the engine's token credential, with an optional Python refresher.

use acs_chat::error::BoxError;
use acs_chat::{AccessToken, CommunicationTokenCredential, RefreshOptions};
use chrono::{DateTime, Utc};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::bridge::run;
use crate::errors::CallbackError;

/// The engine credential behind `acs_chat.CommunicationTokenCredential`. Thread-safe; clones share the token.
///
/// `refresher`, when given, is a Python callable returning `(token: str, expires_on: float epoch seconds)`.
/// It runs on the engine's blocking pool with the GIL taken; its exceptions reach the caller unchanged.
#[pyclass(module = "acs_chat._acs_chat", name = "_Credential", frozen)]
pub struct PyCredential {
    pub(crate) inner: CommunicationTokenCredential,
}

fn epoch_to_utc(seconds: f64) -> Result<DateTime<Utc>, String> {
    if !seconds.is_finite() {
        return Err(format!("expires_on must be a finite number, got {seconds}"));
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9) as u32;
    DateTime::from_timestamp(whole as i64, nanos)
        .ok_or_else(|| format!("expires_on {seconds} is out of range"))
}

fn call_refresher(refresher: &PyObject) -> Result<AccessToken, BoxError> {
    Python::with_gil(|py| {
        let (token, expires_on): (String, f64) = refresher
            .call0(py)
            .and_then(|r| r.extract(py))
            .map_err(|e| -> BoxError { Box::new(CallbackError(e)) })?;
        let expires_on = epoch_to_utc(expires_on)?;
        Ok(AccessToken::new(token, expires_on))
    })
}

#[pymethods]
impl PyCredential {
    /// Static credential when `refresher` is None; otherwise `token` (optional) is the initial token.
    #[new]
    #[pyo3(signature = (token, refresher=None, proactive_refresh=false))]
    fn new(
        token: Option<String>,
        refresher: Option<PyObject>,
        proactive_refresh: bool,
    ) -> PyResult<Self> {
        if let Some(t) = &token {
            // Format problems are the caller's bad input (1.2.0 raises this exact ValueError).
            AccessToken::from_jwt(t.clone())
                .map_err(|_| PyValueError::new_err("Token is not formatted correctly"))?;
        }
        let built = match (token, refresher) {
            (Some(token), None) => CommunicationTokenCredential::new(token),
            (None, None) => {
                return Err(PyValueError::new_err(
                    "a token or a token_refresher is required",
                ))
            }
            (initial, Some(refresher)) => {
                let mut options = RefreshOptions::default().proactive_refresh(proactive_refresh);
                if let Some(t) = initial {
                    options = options.initial_token(t);
                }
                CommunicationTokenCredential::with_blocking_refresher(
                    move || call_refresher(&refresher),
                    options,
                )
            }
        };
        match built {
            Ok(inner) => Ok(PyCredential { inner }),
            Err(e) => Python::with_gil(|py| Err(crate::errors::engine_error(py, &e))),
        }
    }

    /// Resolves to `(token, expires_on epoch seconds as int)`, refreshing first if needed. `aio` as for the
    /// clients (false blocks with the GIL released).
    #[pyo3(signature = (aio=false))]
    fn get_token(&self, py: Python<'_>, aio: bool) -> PyResult<PyObject> {
        let credential = self.inner.clone();
        run(py, aio, async move {
            let token = credential.get_token().await?;
            Ok((token.token, token.expires_on.timestamp()))
        })
    }

    /// Stops background refresh; later `get_token` calls fail. Idempotent.
    fn close(&self) {
        self.inner.close();
    }

    fn __repr__(&self) -> String {
        "<_Credential>".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::epoch_to_utc;

    #[test]
    fn epoch_seconds_keep_their_fraction() {
        let t = epoch_to_utc(1_700_000_000.25).unwrap();
        assert_eq!(t.timestamp(), 1_700_000_000);
        assert_eq!(t.timestamp_subsec_millis(), 250);
    }

    #[test]
    fn non_finite_and_out_of_range_expiries_are_refused() {
        assert!(epoch_to_utc(f64::NAN).unwrap_err().contains("finite"));
        assert!(epoch_to_utc(f64::INFINITY).is_err());
        assert!(epoch_to_utc(1e300).unwrap_err().contains("out of range"));
    }
}

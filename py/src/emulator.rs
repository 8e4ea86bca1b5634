//! `_Emulator`: the project's emulator running inside the Python process, on the shared runtime
//! (backs `acs_chat.testing.Emulator`).

use std::sync::Mutex;

use acs_chat_emulator::{Emulator, EmulatorConfig, FaultConfig};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::runtime::runtime;

/// A running in-memory emulator. `stop()` shuts it down (also done when the object is garbage collected).
/// Thread-safe.
#[pyclass(module = "acs_chat._acs_chat", name = "_Emulator", frozen)]
pub struct PyEmulator {
    inner: Mutex<Option<Emulator>>,
    endpoint: String,
    connection_string: String,
    ca_cert_pem: Option<String>,
}

fn emulator_error(what: &str, e: anyhow::Error) -> PyErr {
    PyRuntimeError::new_err(format!("acs_chat emulator: {what}: {e:#}"))
}

#[pymethods]
impl PyEmulator {
    /// Starts an in-memory emulator on 127.0.0.1 (a free port); `tls` serves https with a fresh CA.
    #[new]
    #[pyo3(signature = (tls=false))]
    fn new(py: Python<'_>, tls: bool) -> PyResult<Self> {
        let rt = runtime()?;
        let config = EmulatorConfig {
            tls,
            ..EmulatorConfig::default()
        };
        let emulator = py
            .allow_threads(|| rt.block_on(Emulator::start(config)))
            .map_err(|e| emulator_error("could not start", e))?;
        Ok(PyEmulator {
            endpoint: emulator.endpoint().to_string(),
            connection_string: emulator.connection_string(),
            ca_cert_pem: emulator.ca_cert_pem().map(str::to_string),
            inner: Mutex::new(Some(emulator)),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    #[getter]
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `endpoint=...;accesskey=...` (the emulator's well-known key; still treat it as a secret).
    #[getter]
    fn connection_string(&self) -> &str {
        &self.connection_string
    }

    /// The CA certificate (PEM) to trust when started with `tls=True`.
    #[getter]
    fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_cert_pem.as_deref()
    }

    /// Creates a chat user; returns `(raw_id, token, expires_on epoch seconds)`.
    fn create_chat_user(&self) -> PyResult<(String, String, i64)> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let emulator = guard
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("acs_chat emulator: it was stopped"))?;
        let user = emulator
            .create_chat_user()
            .map_err(|e| emulator_error("could not create a user", e))?;
        Ok((user.id, user.token, user.expires_on.timestamp()))
    }

    /// Replaces the fault injection settings (JSON with the emulator's `FaultConfig` field names; missing
    /// fields take their defaults, i.e. no fault).
    fn set_faults(&self, faults_json: &str) -> PyResult<()> {
        let faults: FaultConfig = serde_json::from_str(faults_json)
            .map_err(|e| PyValueError::new_err(format!("invalid faults: {e}")))?;
        faults
            .validate()
            .map_err(|e| PyValueError::new_err(format!("invalid faults: {e}")))?;
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let emulator = guard
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("acs_chat emulator: it was stopped"))?;
        emulator.set_faults(faults);
        Ok(())
    }

    /// Stops the emulator and waits for its server task. Idempotent.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(emulator) = taken {
            let rt = runtime()?;
            py.allow_threads(|| rt.block_on(emulator.shutdown()));
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("<_Emulator endpoint={:?}>", self.endpoint)
    }
}

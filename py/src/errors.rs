//! Engine errors to Python exceptions.
//!
//! The exception classes live in `acs_chat.exceptions` (pure Python, so they can subclass azure-core's when it
//! is installed); this module only collects the facts of an error and hands them to its `_from_engine` factory.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use acs_chat::{Error, ErrorKind};

/// An exception raised by a Python callback (the token refresher), carried through the engine so the caller
/// sees the original exception.
#[derive(Debug)]
pub struct CallbackError(pub PyErr);

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The exception text is the user's own; the refresher should not put tokens in it.
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for CallbackError {}

fn callback_error(py: Python<'_>, error: &Error) -> Option<PyErr> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(c) = cause {
        if let Some(cb) = c.downcast_ref::<CallbackError>() {
            return Some(cb.0.clone_ref(py));
        }
        cause = c.source();
    }
    None
}

fn kind_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Authentication => "authentication",
        ErrorKind::NotFound => "not_found",
        ErrorKind::Conflict => "conflict",
        ErrorKind::Throttled { .. } => "throttled",
        ErrorKind::Service { .. } => "service",
        ErrorKind::Transport => "transport",
        ErrorKind::Timeout => "timeout",
        ErrorKind::InvalidInput => "invalid_input",
        ErrorKind::Decode => "decode",
        ErrorKind::AmbiguousWrite => "ambiguous_write",
        ErrorKind::Credential => "credential",
        _ => "other",
    }
}

/// Builds the Python exception for an engine error.
///
/// A refresher's own exception is re-raised as is; invalid input becomes `ValueError`; everything else goes
/// through `acs_chat.exceptions._from_engine(kind, message, status, error_json, request_id, retry_after)`.
pub fn engine_error(py: Python<'_>, error: &Error) -> PyErr {
    if let Some(original) = callback_error(py, error) {
        return original;
    }
    if *error.kind() == ErrorKind::InvalidInput {
        return PyValueError::new_err(error.to_string());
    }
    let service_json = error
        .service_error()
        .and_then(|e| serde_json::to_string(e).ok());
    let build = || -> PyResult<PyErr> {
        let factory = py.import("acs_chat.exceptions")?.getattr("_from_engine")?;
        let exc = factory.call1((
            kind_name(error.kind()),
            error.to_string(),
            error.status(),
            service_json,
            error.request_id(),
            error.retry_after().map(|d| d.as_secs_f64()),
        ))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!(
            "acs_chat: could not build the exception for `{error}`: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::kind_name;
    use acs_chat::ErrorKind;

    #[test]
    fn kind_names_match_the_python_factory() {
        // acs_chat/exceptions.py `_from_engine` branches on exactly these names.
        assert_eq!(kind_name(&ErrorKind::Authentication), "authentication");
        assert_eq!(kind_name(&ErrorKind::NotFound), "not_found");
        assert_eq!(kind_name(&ErrorKind::Conflict), "conflict");
        assert_eq!(
            kind_name(&ErrorKind::Throttled { retry_after: None }),
            "throttled"
        );
        assert_eq!(kind_name(&ErrorKind::Transport), "transport");
        assert_eq!(kind_name(&ErrorKind::Timeout), "timeout");
        assert_eq!(kind_name(&ErrorKind::AmbiguousWrite), "ambiguous_write");
        assert_eq!(kind_name(&ErrorKind::Credential), "credential");
        assert_eq!(kind_name(&ErrorKind::Decode), "decode");
    }
}

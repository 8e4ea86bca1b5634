//! Forwards the engine's per-request spans to Python `logging` (logger `acs_chat`, level INFO).
//!
//! The engine opens one `acs_chat.operation` span per operation (retries included) with the operation name,
//! client request id, attempt count, final status and duration; none of its fields can hold a token. When the
//! span closes this layer writes one record, skipping all work when the logger is not enabled for INFO.

use std::fmt::Debug;

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use tracing::field::{Field, Visit};
use tracing::span;
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

const SPAN_NAME: &str = "acs_chat.operation";
const INFO: i32 = 20;

static LOGGER: GILOnceCell<PyObject> = GILOnceCell::new();

#[derive(Default)]
struct Operation {
    operation: String,
    request_id: String,
    attempt: Option<u64>,
    status: Option<u64>,
    duration_ms: Option<u64>,
}

impl Visit for Operation {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "operation" => self.operation = value.to_string(),
            "request_id" => self.request_id = value.to_string(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = Some(value),
            "status" => self.status = Some(value),
            "duration_ms" => self.duration_ms = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(v) = u64::try_from(value) {
            self.record_u64(field, v);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        // `request_id` is recorded with `%` (Display), which reaches visitors as a debug value.
        if matches!(field.name(), "operation" | "request_id") {
            self.record_str(field, &format!("{value:?}"));
        }
    }
}

struct PythonLogLayer;

impl<S> Layer<S> for PythonLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != SPAN_NAME {
            return;
        }
        let mut fields = Operation::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(fields) = span.extensions_mut().get_mut::<Operation>() {
                values.record(fields);
            }
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(fields) = span.extensions_mut().remove::<Operation>() else {
            return;
        };
        Python::with_gil(|py| {
            // Logging must never break a request: a failing handler is reported by Python's logging itself,
            // anything else is dropped.
            let _ = emit(py, &fields);
        });
    }
}

fn emit(py: Python<'_>, op: &Operation) -> PyResult<()> {
    let logger = LOGGER.get_or_try_init(py, || -> PyResult<PyObject> {
        Ok(py
            .import("logging")?
            .getattr("getLogger")?
            .call1(("acs_chat",))?
            .unbind())
    })?;
    let logger = logger.bind(py);
    if !logger.call_method1("isEnabledFor", (INFO,))?.is_truthy()? {
        return Ok(());
    }
    logger.call_method1(
        "info",
        (
            "%s status=%s duration_ms=%s attempts=%s request_id=%s",
            op.operation.as_str(),
            op.status,
            op.duration_ms,
            op.attempt,
            op.request_id.as_str(),
        ),
    )?;
    Ok(())
}

/// Installs the forwarding layer as the process's tracing subscriber, unless the host already set one.
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(PythonLogLayer);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

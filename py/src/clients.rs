//! `_ChatClient` and `_ThreadClient`: thin translators from Python arguments to engine calls.
//!
//! Structured values cross the boundary as JSON text in the REST wire form (the engine models serialize to and
//! deserialize from it), so the Python layer owns the 1.2.0 object model and this layer owns no behaviour.

use std::collections::HashMap;
use std::time::Duration;

use acs_chat::identifier::CommunicationIdentifier;
use acs_chat::models::{ChatMessageType, ChatParticipant};
use acs_chat::operation_options::{
    CreateChatThreadOptions, ListMessagesOptions, ListParticipantsOptions, SendMessageOptions,
    TypingNotificationOptions, UpdateChatThreadOptions, UpdateMessageOptions,
};
use acs_chat::{ClientOptions, RetryOptions};
use chrono::{DateTime, Utc};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::bridge::run;
use crate::credential::PyCredential;
use crate::errors::engine_error;
use crate::paging::{make_pager, PyPager};
use crate::runtime::ProcessGuard;

fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("invalid {what}: {e}")))
}

/// JSON text of an engine value, as an engine error so it can be produced inside a future.
fn json_text<T: Serialize>(value: &T) -> acs_chat::Result<String> {
    serde_json::to_string(value).map_err(|e| {
        acs_chat::Error::new(
            acs_chat::ErrorKind::Decode,
            format!("could not encode a result: {e}"),
        )
    })
}

/// `[[participant|null, error], ...]` as JSON text.
fn errors_text(
    errors: &[(Option<ChatParticipant>, acs_chat::models::ChatError)],
) -> acs_chat::Result<String> {
    let pairs: Vec<(&Option<ChatParticipant>, &acs_chat::models::ChatError)> =
        errors.iter().map(|(p, e)| (p, e)).collect();
    json_text(&pairs)
}

fn parse_time(text: Option<&str>) -> PyResult<Option<DateTime<Utc>>> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| PyValueError::new_err(format!("invalid start_time {t:?}: {e}")))
    })
    .transpose()
}

/// The engine chat client. Thread-safe; cheap thread clients share its pool and credential.
///
/// Every network method takes `aio`: false blocks (GIL released) and returns the value; true returns an asyncio
/// awaitable (call it on the event loop thread).
#[pyclass(module = "acs_chat._acs_chat", name = "_ChatClient", frozen)]
pub struct PyChatClient {
    inner: acs_chat::ChatClient,
    guard: ProcessGuard,
}

fn client_options(
    api_version: Option<String>,
    retry_total: Option<u32>,
    extra_root_certificate_pem: Option<Vec<u8>>,
    timeout_seconds: Option<f64>,
) -> PyResult<ClientOptions> {
    let mut options = ClientOptions::default().binding("python");
    if let Some(v) = api_version {
        options = options.api_version(v);
    }
    if let Some(n) = retry_total {
        options = options.retry(RetryOptions::default().max_retries(n));
    }
    if let Some(pem) = extra_root_certificate_pem {
        options = options.extra_root_certificate_pem(pem);
    }
    if let Some(t) = timeout_seconds {
        let d = Duration::try_from_secs_f64(t)
            .map_err(|_| PyValueError::new_err(format!("invalid timeout {t}")))?;
        options = options.per_try_timeout(d);
    }
    Ok(options)
}

fn list_options(
    results_per_page: Option<u32>,
    start_time: Option<&str>,
) -> PyResult<ListMessagesOptions> {
    let mut options = ListMessagesOptions::default();
    if let Some(n) = results_per_page {
        options = options.results_per_page(n);
    }
    if let Some(t) = parse_time(start_time)? {
        options = options.start_time(t);
    }
    Ok(options)
}

#[pymethods]
impl PyChatClient {
    #[new]
    #[pyo3(signature = (endpoint, credential, api_version=None, retry_total=None, extra_root_certificate_pem=None, timeout_seconds=None))]
    fn new(
        py: Python<'_>,
        endpoint: &str,
        credential: &PyCredential,
        api_version: Option<String>,
        retry_total: Option<u32>,
        extra_root_certificate_pem: Option<Vec<u8>>,
        timeout_seconds: Option<f64>,
    ) -> PyResult<Self> {
        let options = client_options(
            api_version,
            retry_total,
            extra_root_certificate_pem,
            timeout_seconds,
        )?;
        let inner = acs_chat::ChatClient::new(endpoint, credential.inner.clone(), options)
            .map_err(|e| engine_error(py, &e))?;
        Ok(PyChatClient {
            inner,
            guard: ProcessGuard::new(),
        })
    }

    fn thread_client(&self, py: Python<'_>, thread_id: String) -> PyResult<PyThreadClient> {
        self.guard.check()?;
        let inner = self
            .inner
            .get_chat_thread_client(thread_id)
            .map_err(|e| engine_error(py, &e))?;
        Ok(PyThreadClient {
            inner,
            guard: self.guard,
        })
    }

    /// Resolves to `(chat_thread_json, errors_json)`.
    #[pyo3(signature = (topic, participants_json=None, idempotency_token=None, aio=false))]
    fn create_chat_thread(
        &self,
        py: Python<'_>,
        topic: String,
        participants_json: Option<&str>,
        idempotency_token: Option<String>,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let mut options = CreateChatThreadOptions::default();
        if let Some(p) = participants_json {
            options = options.participants(from_json(p, "participants")?);
        }
        if let Some(t) = idempotency_token {
            options = options.idempotency_token(t);
        }
        let client = self.inner.clone();
        run(py, aio, async move {
            let result = client.create_chat_thread(&topic, options).await?;
            Ok((
                json_text(&result.chat_thread)?,
                errors_text(&result.errors)?,
            ))
        })
    }

    #[pyo3(signature = (results_per_page=None, start_time=None, continuation_token=None))]
    fn list_chat_threads(
        &self,
        py: Python<'_>,
        results_per_page: Option<u32>,
        start_time: Option<&str>,
        continuation_token: Option<&str>,
    ) -> PyResult<PyPager> {
        self.guard.check()?;
        let options = list_options(results_per_page, start_time)?;
        make_pager(
            self.inner.list_chat_threads(options),
            continuation_token,
            py,
        )
    }

    #[pyo3(signature = (thread_id, aio=false))]
    fn delete_chat_thread(
        &self,
        py: Python<'_>,
        thread_id: String,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let client = self.inner.clone();
        run(py, aio, async move {
            client.delete_chat_thread(&thread_id).await
        })
    }
}

/// The engine thread client. Thread-safe. `aio` as for [`PyChatClient`].
#[pyclass(module = "acs_chat._acs_chat", name = "_ThreadClient", frozen)]
pub struct PyThreadClient {
    inner: acs_chat::ChatThreadClient,
    guard: ProcessGuard,
}

#[pymethods]
impl PyThreadClient {
    #[new]
    #[pyo3(signature = (endpoint, credential, thread_id, api_version=None, retry_total=None, extra_root_certificate_pem=None, timeout_seconds=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        endpoint: &str,
        credential: &PyCredential,
        thread_id: String,
        api_version: Option<String>,
        retry_total: Option<u32>,
        extra_root_certificate_pem: Option<Vec<u8>>,
        timeout_seconds: Option<f64>,
    ) -> PyResult<Self> {
        let options = client_options(
            api_version,
            retry_total,
            extra_root_certificate_pem,
            timeout_seconds,
        )?;
        let inner =
            acs_chat::ChatThreadClient::new(endpoint, credential.inner.clone(), thread_id, options)
                .map_err(|e| engine_error(py, &e))?;
        Ok(PyThreadClient {
            inner,
            guard: ProcessGuard::new(),
        })
    }

    #[getter]
    fn thread_id(&self) -> &str {
        self.inner.thread_id()
    }

    #[pyo3(signature = (aio=false))]
    fn get_properties(&self, py: Python<'_>, aio: bool) -> PyResult<PyObject> {
        self.guard.check()?;
        let c = self.inner.clone();
        run(
            py,
            aio,
            async move { json_text(&c.get_properties().await?) },
        )
    }

    #[pyo3(signature = (topic=None, aio=false))]
    fn update_topic(&self, py: Python<'_>, topic: Option<String>, aio: bool) -> PyResult<PyObject> {
        self.guard.check()?;
        let mut changes = UpdateChatThreadOptions::default();
        if let Some(t) = topic {
            changes = changes.topic(t);
        }
        let c = self.inner.clone();
        run(py, aio, async move { c.update_properties(changes).await })
    }

    /// Resolves to the new message id.
    #[pyo3(signature = (content, message_type, sender_display_name=None, metadata=None, aio=false))]
    fn send_message(
        &self,
        py: Python<'_>,
        content: String,
        message_type: &str,
        sender_display_name: Option<String>,
        metadata: Option<HashMap<String, String>>,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let mut options =
            SendMessageOptions::default().message_type(ChatMessageType::from(message_type));
        if let Some(n) = sender_display_name {
            options = options.sender_display_name(n);
        }
        if let Some(m) = metadata {
            options = options.metadata(m);
        }
        let c = self.inner.clone();
        run(py, aio, async move {
            Ok(c.send_message(&content, options).await?.id)
        })
    }

    #[pyo3(signature = (message_id, aio=false))]
    fn get_message(&self, py: Python<'_>, message_id: String, aio: bool) -> PyResult<PyObject> {
        self.guard.check()?;
        let c = self.inner.clone();
        run(py, aio, async move {
            json_text(&c.get_message(&message_id).await?)
        })
    }

    #[pyo3(signature = (results_per_page=None, start_time=None, continuation_token=None))]
    fn list_messages(
        &self,
        py: Python<'_>,
        results_per_page: Option<u32>,
        start_time: Option<&str>,
        continuation_token: Option<&str>,
    ) -> PyResult<PyPager> {
        self.guard.check()?;
        let options = list_options(results_per_page, start_time)?;
        make_pager(self.inner.list_messages(options), continuation_token, py)
    }

    /// `metadata` values of None delete the key (merge-patch).
    #[pyo3(signature = (message_id, content=None, metadata=None, aio=false))]
    fn update_message(
        &self,
        py: Python<'_>,
        message_id: String,
        content: Option<String>,
        metadata: Option<HashMap<String, Option<String>>>,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let mut changes = UpdateMessageOptions::default();
        if let Some(c) = content {
            changes = changes.content(c);
        }
        if let Some(m) = metadata {
            changes = changes.metadata(m);
        }
        let c = self.inner.clone();
        run(py, aio, async move {
            c.update_message(&message_id, changes).await
        })
    }

    #[pyo3(signature = (message_id, aio=false))]
    fn delete_message(&self, py: Python<'_>, message_id: String, aio: bool) -> PyResult<PyObject> {
        self.guard.check()?;
        let c = self.inner.clone();
        run(py, aio, async move { c.delete_message(&message_id).await })
    }

    #[pyo3(signature = (results_per_page=None, skip=None, continuation_token=None))]
    fn list_participants(
        &self,
        py: Python<'_>,
        results_per_page: Option<u32>,
        skip: Option<u32>,
        continuation_token: Option<&str>,
    ) -> PyResult<PyPager> {
        self.guard.check()?;
        make_pager(
            self.inner
                .list_participants(participant_options(results_per_page, skip)),
            continuation_token,
            py,
        )
    }

    /// Resolves to `[[participant|null, error], ...]` as JSON.
    #[pyo3(signature = (participants_json, aio=false))]
    fn add_participants(
        &self,
        py: Python<'_>,
        participants_json: &str,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let participants: Vec<ChatParticipant> = from_json(participants_json, "participants")?;
        let c = self.inner.clone();
        run(py, aio, async move {
            errors_text(&c.add_participants(participants).await?)
        })
    }

    #[pyo3(signature = (identifier_json, aio=false))]
    fn remove_participant(
        &self,
        py: Python<'_>,
        identifier_json: &str,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let identifier: CommunicationIdentifier = from_json(identifier_json, "identifier")?;
        let c = self.inner.clone();
        run(
            py,
            aio,
            async move { c.remove_participant(&identifier).await },
        )
    }

    #[pyo3(signature = (message_id, aio=false))]
    fn send_read_receipt(
        &self,
        py: Python<'_>,
        message_id: String,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let c = self.inner.clone();
        run(
            py,
            aio,
            async move { c.send_read_receipt(&message_id).await },
        )
    }

    #[pyo3(signature = (results_per_page=None, skip=None, continuation_token=None))]
    fn list_read_receipts(
        &self,
        py: Python<'_>,
        results_per_page: Option<u32>,
        skip: Option<u32>,
        continuation_token: Option<&str>,
    ) -> PyResult<PyPager> {
        self.guard.check()?;
        make_pager(
            self.inner
                .list_read_receipts(participant_options(results_per_page, skip)),
            continuation_token,
            py,
        )
    }

    #[pyo3(signature = (sender_display_name=None, aio=false))]
    fn send_typing_notification(
        &self,
        py: Python<'_>,
        sender_display_name: Option<String>,
        aio: bool,
    ) -> PyResult<PyObject> {
        self.guard.check()?;
        let mut options = TypingNotificationOptions::default();
        if let Some(n) = sender_display_name {
            options = options.sender_display_name(n);
        }
        let c = self.inner.clone();
        run(
            py,
            aio,
            async move { c.send_typing_notification(options).await },
        )
    }
}

fn participant_options(
    results_per_page: Option<u32>,
    skip: Option<u32>,
) -> ListParticipantsOptions {
    let mut options = ListParticipantsOptions::default();
    if let Some(n) = results_per_page {
        options = options.results_per_page(n);
    }
    if let Some(s) = skip {
        options = options.skip(s);
    }
    options
}

//! `ChatClient`: thread creation, listing and deletion, and the factory for thread clients.

use std::sync::Arc;

use http::Method;

use crate::credential::CommunicationTokenCredential;
use crate::error::{Error, Result};
use crate::models::requests::CreateChatThreadRequest;
use crate::models::responses::CreateChatThreadResponse;
use crate::models::{ChatThreadItem, CreateChatThreadResult};
use crate::operation_options::{CreateChatThreadOptions, ListChatThreadsOptions};
use crate::options::ClientOptions;
use crate::paging::{check_page_size, Pager};
use crate::pipeline::retry::RetryClass;
use crate::pipeline::{url, Auth, Pipeline, Request};
use crate::thread_client::ChatThreadClient;

/// The entry point for chat: creates, lists and deletes threads, and hands out [`ChatThreadClient`]s.
///
/// Cloning is cheap: clones and every thread client made from this client share one connection pool, one
/// credential and one set of [`ClientOptions`]. `Send + Sync`; use it from any task.
///
/// ```no_run
/// use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential};
/// use acs_chat::operation_options::CreateChatThreadOptions;
/// # async fn demo(token: String) -> acs_chat::Result<()> {
/// let credential = CommunicationTokenCredential::new(token)?;
/// let client = ChatClient::new(
///     "https://my-resource.communication.azure.com",
///     credential,
///     ClientOptions::default(),
/// )?;
/// let created = client
///     .create_chat_thread("Lunch", CreateChatThreadOptions::default())
///     .await?;
/// let thread = client.get_chat_thread_client(&created.chat_thread.id)?;
/// thread.send_message("hello", Default::default()).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ChatClient {
    pipeline: Arc<Pipeline>,
}

impl ChatClient {
    /// Creates a client for `endpoint` (for example `https://<resource>.communication.azure.com`).
    ///
    /// A missing scheme means `https`; `http` is accepted only for loopback hosts. A path prefix is kept.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a bad endpoint, empty api-version or an
    /// unreadable extra root certificate.
    pub fn new(
        endpoint: &str,
        credential: CommunicationTokenCredential,
        options: ClientOptions,
    ) -> Result<Self> {
        let pipeline = Pipeline::new(endpoint, Auth::Bearer(credential), options)?;
        Ok(ChatClient { pipeline })
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        self.pipeline.endpoint.as_str()
    }

    /// The settings this client was built with.
    pub fn options(&self) -> &ClientOptions {
        &self.pipeline.options
    }

    /// A client for one thread, sharing this client's connection pool, credential and settings.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `thread_id` is empty.
    pub fn get_chat_thread_client(&self, thread_id: impl Into<String>) -> Result<ChatThreadClient> {
        ChatThreadClient::from_pipeline(self.pipeline.clone(), thread_id.into())
    }

    /// Creates a thread with `topic`; the caller becomes a participant.
    ///
    /// The request carries a `repeatability-request-id` (the options' idempotency token or a new UUIDv4)
    /// that stays the same across retries, so a retried create never makes a second thread.
    /// Participants the service refused are listed in [`CreateChatThreadResult::errors`]; the call itself
    /// still succeeds.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty topic or idempotency token;
    /// otherwise any service or transport error.
    pub async fn create_chat_thread(
        &self,
        topic: &str,
        options: CreateChatThreadOptions,
    ) -> Result<CreateChatThreadResult> {
        const OP: &str = "create_chat_thread";
        if topic.is_empty() {
            return Err(Error::invalid_input(
                "create_chat_thread: topic must not be empty",
            ));
        }
        let repeatability_id = match options.idempotency_token {
            Some(t) if t.trim().is_empty() => {
                return Err(Error::invalid_input(
                    "create_chat_thread: idempotency_token must not be empty",
                ))
            }
            Some(t) => t,
            None => uuid::Uuid::new_v4().to_string(),
        };
        let body = CreateChatThreadRequest {
            topic: topic.to_string(),
            participants: options.participants,
            metadata: options.metadata,
            retention_policy: options.retention_policy,
        };
        let request = Request::new(
            OP,
            Method::POST,
            self.pipeline.url("chat/threads", vec![]),
            &[201],
        )
        .json(&body)?
        .header("repeatability-request-id", repeatability_id)
        .retry(RetryClass::Safe);
        let response = self.pipeline.send(request).await?;
        let decoded: CreateChatThreadResponse = response.json(OP)?;
        Ok(CreateChatThreadResult::from_response(
            decoded,
            &body.participants,
        ))
    }

    /// Lists the threads the caller participates in, most recently active first.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if `results_per_page` is outside 1..=200
    /// (checked before any request).
    pub fn list_chat_threads(
        &self,
        options: ListChatThreadsOptions,
    ) -> Result<Pager<ChatThreadItem>> {
        check_page_size(options.results_per_page)?;
        let mut query = Vec::new();
        if let Some(n) = options.results_per_page {
            query.push(("maxPageSize", n.to_string()));
        }
        if let Some(t) = options.start_time {
            query.push(("startTime", crate::time::format_query_time(&t)));
        }
        Ok(Pager::new(
            self.pipeline.clone(),
            "list_chat_threads",
            self.pipeline.url("chat/threads", query),
        ))
    }

    /// Deletes a thread.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty id; otherwise any service or
    /// transport error.
    pub async fn delete_chat_thread(&self, thread_id: &str) -> Result<()> {
        if thread_id.is_empty() {
            return Err(Error::invalid_input(
                "delete_chat_thread: thread_id must not be empty",
            ));
        }
        let url = self
            .pipeline
            .url(&format!("chat/threads/{}", url::encode(thread_id)), vec![]);
        self.pipeline
            .send(Request::new(
                "delete_chat_thread",
                Method::DELETE,
                url,
                &[204],
            ))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn token() -> String {
        let exp = chrono::Utc::now().timestamp() + 3600;
        format!(
            "e30.{}.c2ln",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp}}}"#))
        )
    }

    #[test]
    fn thread_clients_share_the_client_pipeline() {
        let client = ChatClient::new(
            "https://acs.example.com/prefix",
            CommunicationTokenCredential::new(token()).unwrap(),
            ClientOptions::default().api_version("2021-09-07"),
        )
        .unwrap();
        let thread = client.get_chat_thread_client("19:x@thread.v2").unwrap();
        assert!(Arc::ptr_eq(&client.pipeline, thread.pipeline()));
        assert_eq!(client.clone().options().api_version, "2021-09-07");
        assert_eq!(client.endpoint(), "https://acs.example.com/prefix");
    }
}

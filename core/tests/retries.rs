//! Retries under the emulator's fault injection: attempt counts, Retry-After, no duplicate threads and
//! ambiguous sends reported as such.

mod common;

use std::time::{Duration, Instant};

use acs_chat::models::ChatMessageType;
use acs_chat::operation_options::{CreateChatThreadOptions, ListMessagesOptions};
use acs_chat::{
    ChatClient, ChatThreadClient, CommunicationTokenCredential, ErrorKind, RetryOptions,
};
use acs_chat_emulator::{Emulator, FaultConfig};
use futures_util::StreamExt;

async fn thread(client: &ChatClient) -> ChatThreadClient {
    let created = client
        .create_chat_thread("faults", Default::default())
        .await
        .unwrap();
    client
        .get_chat_thread_client(created.chat_thread.id)
        .unwrap()
}

async fn user_message_count(emu: &Emulator, thread: &ChatThreadClient) -> usize {
    emu.set_faults(FaultConfig::default());
    thread
        .list_messages(ListMessagesOptions::default())
        .unwrap()
        .into_stream()
        .filter(|m| {
            let keep = matches!(m, Ok(m) if m.message_type == ChatMessageType::Text);
            async move { keep }
        })
        .count()
        .await
}

#[tokio::test]
async fn reads_retry_503_until_success_and_count_attempts() {
    let (emu, _u, client) = common::setup().await;
    let thread = thread(&client).await;
    // The emulator sends its Retry-After with 503 too; 0 keeps this test fast.
    emu.set_faults(FaultConfig {
        rate_503: 1.0,
        retry_after_secs: 0,
        remaining: Some(2),
        ..FaultConfig::default()
    });
    thread.get_properties().await.unwrap();
    assert_eq!(
        emu.faults().remaining,
        Some(0),
        "two failed attempts, then success"
    );
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let emu = common::emulator().await;
    let user = emu.create_chat_user().unwrap();
    let options = common::fast_options().retry(
        RetryOptions::default()
            .max_retries(1)
            .base_delay(Duration::from_millis(1))
            .max_delay(Duration::from_millis(5)),
    );
    let client = common::client(&emu, &user, options);
    let thread = thread(&client).await;
    emu.set_faults(FaultConfig {
        rate_503: 1.0,
        retry_after_secs: 0,
        remaining: Some(5),
        ..FaultConfig::default()
    });
    let err = thread.get_properties().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Service { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(emu.faults().remaining, Some(3), "exactly two attempts");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (emu, _u, client) = common::setup().await;
    let thread = thread(&client).await;
    emu.set_faults(FaultConfig {
        rate_429: 1.0,
        retry_after_secs: 1,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let started = Instant::now();
    thread.get_properties().await.unwrap();
    // The computed backoff is at most 20 ms here, so only the server's 1 s hint explains the wait.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(emu.faults().remaining, Some(0));
}

#[tokio::test]
async fn throttling_that_outlasts_retries_reports_retry_after() {
    let emu = common::emulator().await;
    let user = emu.create_chat_user().unwrap();
    let client = common::client(
        &emu,
        &user,
        common::fast_options().retry(RetryOptions::default().max_retries(0)),
    );
    let thread = thread(&client).await;
    emu.set_faults(FaultConfig {
        rate_429: 1.0,
        retry_after_secs: 7,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let err = thread.get_properties().await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Throttled {
            retry_after: Some(Duration::from_secs(7))
        }
    );
}

#[tokio::test]
async fn send_message_retries_when_the_service_certainly_did_not_apply_it() {
    let (emu, _u, client) = common::setup().await;
    let thread = thread(&client).await;
    emu.set_faults(FaultConfig {
        rate_503: 1.0,
        retry_after_secs: 0,
        remaining: Some(2),
        ..FaultConfig::default()
    });
    thread
        .send_message("once", Default::default())
        .await
        .unwrap();
    assert_eq!(emu.faults().remaining, Some(0));
    assert_eq!(user_message_count(&emu, &thread).await, 1);
}

#[tokio::test]
async fn send_message_after_a_dropped_response_is_ambiguous_and_not_duplicated() {
    let (emu, _u, client) = common::setup().await;
    let thread = thread(&client).await;
    emu.set_faults(FaultConfig {
        rate_drop_after: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let err = thread
        .send_message("maybe", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AmbiguousWrite, "{err:?}");
    assert!(err.to_string().contains("may or may not"), "{err}");
    // The write was committed once and not repeated.
    assert_eq!(user_message_count(&emu, &thread).await, 1);
}

#[tokio::test]
async fn update_message_after_a_dropped_connection_is_ambiguous() {
    let (emu, _u, client) = common::setup().await;
    let thread = thread(&client).await;
    let sent = thread.send_message("v1", Default::default()).await.unwrap();
    emu.set_faults(FaultConfig {
        rate_drop_before: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let err = thread
        .update_message(
            &sent.id,
            acs_chat::operation_options::UpdateMessageOptions::default().content("v2"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AmbiguousWrite, "{err:?}");
    assert_eq!(emu.faults().remaining, Some(0), "not retried");
}

#[tokio::test]
async fn create_thread_retried_after_dropped_response_makes_one_thread() {
    let (emu, _u, client) = common::setup().await;
    emu.set_faults(FaultConfig {
        rate_drop_after: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let created = client
        .create_chat_thread("only one", CreateChatThreadOptions::default())
        .await
        .unwrap();
    assert_eq!(emu.faults().remaining, Some(0), "first attempt was dropped");
    emu.set_faults(FaultConfig::default());
    let threads: Vec<_> = client
        .list_chat_threads(Default::default())
        .unwrap()
        .into_stream()
        .map(|t| t.unwrap())
        .collect()
        .await;
    assert_eq!(threads.len(), 1, "{threads:?}");
    assert_eq!(threads[0].id, created.chat_thread.id);
}

#[tokio::test]
async fn same_idempotency_token_returns_the_same_thread() {
    let (_emu, _u, client) = common::setup().await;
    let opts = CreateChatThreadOptions::default().idempotency_token("fixed-token-1");
    let a = client.create_chat_thread("t", opts.clone()).await.unwrap();
    let b = client.create_chat_thread("t", opts).await.unwrap();
    assert_eq!(a.chat_thread.id, b.chat_thread.id);
}

#[tokio::test]
async fn per_try_timeout_retries_reads() {
    let (emu, user, _client) = common::setup().await;
    let client = common::client(
        &emu,
        &user,
        common::fast_options().per_try_timeout(Duration::from_millis(200)),
    );
    let thread = thread(&client).await;
    emu.set_faults(FaultConfig {
        latency_ms: 2_000,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    thread.get_properties().await.unwrap();
    assert_eq!(emu.faults().remaining, Some(0));
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_sends_and_reported_as_transport() {
    // Bind then drop a listener to get a loopback port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let emu = common::emulator().await;
    let user = emu.create_chat_user().unwrap();
    let client = ChatClient::new(
        &format!("http://127.0.0.1:{port}"),
        CommunicationTokenCredential::new(user.token.clone()).unwrap(),
        common::fast_options(),
    )
    .unwrap();
    let thread = client.get_chat_thread_client("19:x@thread.v2").unwrap();
    let err = thread
        .send_message("never sent", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport, "{err:?}");
}

#[tokio::test]
async fn delete_retried_after_a_dropped_response_reports_success() {
    let (emu, _u, client) = common::setup().await;
    let thread = thread(&client).await;
    let sent = thread
        .send_message("bye", Default::default())
        .await
        .unwrap();
    emu.set_faults(FaultConfig {
        rate_drop_after: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    // The first attempt deletes the message but its answer is lost; the retry must not report NotFound.
    thread.delete_message(&sent.id).await.unwrap();
    assert_eq!(emu.faults().remaining, Some(0));
}

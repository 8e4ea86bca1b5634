//! Tracing output: operations are named and tokens never appear. Kept alone in its own test binary because
//! `tracing`'s per-callsite interest cache is process-wide, and tests running in parallel without a subscriber
//! would race with the scoped one installed here.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential, RetryOptions};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;

/// Scripted answers; the last one repeats.
type Answers = Arc<Mutex<VecDeque<(u16, &'static str)>>>;

async fn handler(State(answers): State<Answers>) -> Response {
    let (status, body) = {
        let mut a = answers.lock().unwrap();
        if a.len() > 1 {
            a.pop_front().unwrap()
        } else {
            *a.front().unwrap()
        }
    };
    (StatusCode::from_u16(status).unwrap(), body.to_string()).into_response()
}

fn token() -> String {
    let payload = format!(
        r#"{{"skypeid":"acs:wire","exp":{}}}"#,
        chrono::Utc::now().timestamp() + 3600
    );
    format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.c2VjcmV0LXNpZ25hdHVyZQ",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
    )
}

/// A `Write` sink shared with the test.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn traces_name_operations_and_never_contain_tokens() {
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let answers = Arc::new(Mutex::new(VecDeque::from([
        (503, ""),
        (201, r#"{"id":"1"}"#),
    ])));
    let app = axum::Router::new().fallback(handler).with_state(answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let token = token();
    let client = ChatClient::new(
        &endpoint,
        CommunicationTokenCredential::new(token.clone()).unwrap(),
        ClientOptions::default()
            .retry(RetryOptions::default().base_delay(Duration::from_millis(1))),
    )
    .unwrap();
    client
        .get_chat_thread_client("19:t@thread.v2")
        .unwrap()
        .send_message("hello", Default::default())
        .await
        .unwrap();

    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("send_message"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(!logs.contains(&token));
    assert!(!logs.contains("c2VjcmV0LXNpZ25hdHVyZQ"));
}

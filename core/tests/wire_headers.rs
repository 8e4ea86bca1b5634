//! Headers on the wire, checked with a scripted local server: request ids stable across retries,
//! repeatability ids, User-Agent, content types, and no token in errors.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_chat::operation_options::{CreateChatThreadOptions, UpdateMessageOptions};
use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential, ErrorKind, RetryOptions};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;

#[derive(Default)]
struct Script {
    /// Answers to give, in order; the last one repeats.
    answers: Mutex<VecDeque<(u16, &'static str)>>,
    seen: Mutex<Vec<(Method, Uri, HeaderMap, Bytes)>>,
}

async fn handler(
    State(script): State<Arc<Script>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    script
        .seen
        .lock()
        .unwrap()
        .push((method, uri, headers, body));
    let (status, body) = {
        let mut answers = script.answers.lock().unwrap();
        if answers.len() > 1 {
            answers.pop_front().unwrap()
        } else {
            *answers.front().unwrap()
        }
    };
    let status = StatusCode::from_u16(status).unwrap();
    if body.is_empty() {
        status.into_response()
    } else {
        (status, [("content-type", "application/json")], body).into_response()
    }
}

async fn server(answers: &[(u16, &'static str)]) -> (String, Arc<Script>) {
    let script = Arc::new(Script::default());
    script
        .answers
        .lock()
        .unwrap()
        .extend(answers.iter().copied());
    let app = axum::Router::new()
        .fallback(handler)
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/prefix/"), script)
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

fn client(endpoint: &str, token: &str) -> ChatClient {
    ChatClient::new(
        endpoint,
        CommunicationTokenCredential::new(token).unwrap(),
        ClientOptions::default()
            .application_id("wire-test/1.0")
            .binding("python")
            .retry(
                RetryOptions::default()
                    .max_retries(3)
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(5)),
            ),
    )
    .unwrap()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

const THREAD: &str = r#"{"chatThread":{"id":"19:t@thread.v2","topic":"t","createdOn":"2023-05-26T21:37:42Z",
  "createdByCommunicationIdentifier":{"rawId":"8:acs:a","communicationUser":{"id":"8:acs:a"}}}}"#;

#[tokio::test]
async fn retries_reuse_client_request_id_and_repeatability_id() {
    let (endpoint, script) = server(&[(503, ""), (500, ""), (201, THREAD)]).await;
    let client = client(&endpoint, &token());
    let created = client
        .create_chat_thread("t", CreateChatThreadOptions::default())
        .await
        .unwrap();
    assert_eq!(created.chat_thread.id, "19:t@thread.v2");
    let seen = script.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    let first = &seen[0].2;
    let request_id = header(first, "x-ms-client-request-id");
    let repeatability = header(first, "repeatability-request-id");
    assert!(uuid::Uuid::parse_str(request_id).is_ok());
    assert_eq!(
        uuid::Uuid::parse_str(repeatability)
            .unwrap()
            .get_version_num(),
        4
    );
    for (method, uri, headers, _) in &seen {
        assert_eq!(method, Method::POST);
        assert_eq!(uri.path(), "/prefix/chat/threads");
        assert_eq!(uri.query(), Some("api-version=2023-11-07"));
        assert_eq!(header(headers, "x-ms-client-request-id"), request_id);
        assert_eq!(header(headers, "repeatability-request-id"), repeatability);
        assert_eq!(header(headers, "content-type"), "application/json");
        assert!(header(headers, "authorization").starts_with("Bearer ey"));
        let ua = header(headers, "user-agent");
        assert!(ua.starts_with("wire-test/1.0 acs-chat/"), "{ua}");
        assert!(ua.ends_with("(python; rust)"), "{ua}");
    }

    // A second call gets fresh ids.
    client
        .create_chat_thread("t", CreateChatThreadOptions::default())
        .await
        .unwrap();
    let seen = script.seen.lock().unwrap().clone();
    let last = &seen.last().unwrap().2;
    assert_ne!(header(last, "x-ms-client-request-id"), request_id);
    assert_ne!(header(last, "repeatability-request-id"), repeatability);
}

#[tokio::test]
async fn patch_uses_merge_patch_and_ids_are_encoded() {
    let (endpoint, script) = server(&[(204, "")]).await;
    let client = client(&endpoint, &token());
    let thread = client.get_chat_thread_client("19:a/b@thread.v2").unwrap();
    thread
        .update_message("17", UpdateMessageOptions::default().content("x"))
        .await
        .unwrap();
    thread.update_topic("new").await.unwrap();
    let seen = script.seen.lock().unwrap().clone();
    for (method, uri, headers, _) in &seen {
        assert_eq!(method, Method::PATCH);
        assert!(
            uri.path()
                .starts_with("/prefix/chat/threads/19%3Aa%2Fb%40thread.v2"),
            "{uri}"
        );
        assert_eq!(
            header(headers, "content-type"),
            "application/merge-patch+json"
        );
    }
    assert_eq!(seen[1].3.as_ref(), br#"{"topic":"new"}"#);
}

#[tokio::test]
async fn send_message_is_not_retried_after_a_500_and_says_so() {
    let (endpoint, script) = server(&[(
        500,
        r#"{"error":{"code":"InternalError","message":"boom"}}"#,
    )])
    .await;
    let client = client(&endpoint, &token());
    let thread = client.get_chat_thread_client("19:t@thread.v2").unwrap();
    let err = thread
        .send_message("hello", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::AmbiguousWrite);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.service_error().unwrap().code, "InternalError");
    assert_eq!(script.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn send_message_retries_429_with_the_same_request_id() {
    let (endpoint, script) = server(&[(429, ""), (201, r#"{"id":"42"}"#)]).await;
    let client = client(&endpoint, &token());
    let thread = client.get_chat_thread_client("19:t@thread.v2").unwrap();
    let sent = thread
        .send_message("hello", Default::default())
        .await
        .unwrap();
    assert_eq!(sent.id, "42");
    let seen = script.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        header(&seen[0].2, "x-ms-client-request-id"),
        header(&seen[1].2, "x-ms-client-request-id")
    );
}

#[tokio::test]
async fn authentication_errors_never_show_the_token() {
    let (endpoint, _script) = server(&[(
        401,
        r#"{"error":{"code":"Unauthorized","message":"Request is not authorized."}}"#,
    )])
    .await;
    let token = token();
    let client = client(&endpoint, &token);
    let err = client
        .delete_chat_thread("19:t@thread.v2")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Authentication);
    let shown = format!("{err} {err:?} {client:?}");
    assert!(shown.contains("Unauthorized"), "{shown}");
    assert!(!shown.contains(&token));
    assert!(!shown.contains("c2VjcmV0LXNpZ25hdHVyZQ"));
}

#[tokio::test]
async fn unexpected_success_status_is_an_error_and_bad_json_is_decode() {
    let (endpoint, _s) = server(&[(200, "")]).await;
    let client = client(&endpoint, &token());
    let err = client
        .delete_chat_thread("19:t@thread.v2")
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Service { status: 200, .. }),
        "{err:?}"
    );

    let (endpoint, _s) = server(&[(200, "{not json")]).await;
    let client2 = self::client(&endpoint, &token());
    let err = client2
        .get_chat_thread_client("19:t@thread.v2")
        .unwrap()
        .get_properties()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Decode);
}

#[tokio::test]
async fn a_slow_token_refresh_is_not_a_request_timeout() {
    let (endpoint, script) = server(&[(201, r#"{"id":"7"}"#)]).await;
    let credential = CommunicationTokenCredential::with_refresher(
        || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(acs_chat::AccessToken::from_jwt(token())?)
        },
        acs_chat::RefreshOptions::default(),
    )
    .unwrap();
    let client = ChatClient::new(
        &endpoint,
        credential,
        ClientOptions::default().per_try_timeout(Duration::from_millis(100)),
    )
    .unwrap();
    let sent = client
        .get_chat_thread_client("19:t@thread.v2")
        .unwrap()
        .send_message("hello", Default::default())
        .await
        .unwrap();
    assert_eq!(sent.id, "7");
    assert_eq!(script.seen.lock().unwrap().len(), 1);
}

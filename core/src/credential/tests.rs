use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;

use super::*;

/// Mints an unsigned JWT-shaped token expiring `secs` seconds from now (negative: already expired).
fn mint(secs: i64) -> String {
    let exp = Utc::now().timestamp() + secs;
    let payload = format!(r#"{{"skypeid":"acs:test_1","exp":{exp}}}"#);
    format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
        URL_SAFE_NO_PAD.encode(payload)
    )
}

fn counting_refresher(
    lifetime_secs: Arc<std::sync::atomic::AtomicI64>,
    calls: Arc<AtomicUsize>,
) -> impl Fn() -> std::pin::Pin<
    Box<dyn Future<Output = std::result::Result<AccessToken, BoxError>> + Send>,
> + Send
       + Sync
       + 'static {
    move || {
        let calls = calls.clone();
        let lifetime = lifetime_secs.load(Ordering::SeqCst);
        Box::pin(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            // Yield so concurrent callers pile up behind this refresh.
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(AccessToken::from_jwt(mint(lifetime))?)
        })
    }
}

#[tokio::test]
async fn static_token_is_returned_and_expired_static_token_fails_fast() {
    let t = mint(3600);
    let c = CommunicationTokenCredential::new(t.clone()).unwrap();
    assert_eq!(c.get_token().await.unwrap().token, t);
    let e = CommunicationTokenCredential::new(mint(-5)).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Credential);
    assert!(e.to_string().contains("expired"), "{e}");
}

#[tokio::test]
async fn debug_output_hides_the_token() {
    let t = mint(3600);
    let c = CommunicationTokenCredential::new(t.clone()).unwrap();
    let tok = c.get_token().await.unwrap();
    assert!(!format!("{c:?}").contains(&t));
    assert!(!format!("{tok:?}").contains(&t));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_callers_share_one_refresh_per_expiry() {
    let calls = Arc::new(AtomicUsize::new(0));
    // First refresh hands out a token that expires in 1 s, so a second expiry happens during the test.
    let lifetime = Arc::new(std::sync::atomic::AtomicI64::new(1));
    let cred = CommunicationTokenCredential::with_refresher(
        counting_refresher(lifetime.clone(), calls.clone()),
        RefreshOptions::default().initial_token(mint(-1)),
    )
    .unwrap();

    let run_round = |cred: CommunicationTokenCredential| async move {
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let c = cred.clone();
                tokio::spawn(async move { c.get_token().await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    };

    run_round(cred.clone()).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Wait until the 1 s token has expired, then every caller needs a new one again.
    let first = cred.inner.cached.lock().clone().unwrap();
    while !first.is_expired(Utc::now()) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lifetime.store(3600, Ordering::SeqCst);
    run_round(cred.clone()).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A long-lived token needs no further refresh.
    run_round(cred.clone()).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refresher_errors_and_expired_results_are_credential_errors() {
    let failing = CommunicationTokenCredential::with_refresher(
        || async { Err::<AccessToken, BoxError>("identity server down".into()) },
        RefreshOptions::default(),
    )
    .unwrap();
    let e = failing.get_token().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Credential);
    assert!(std::error::Error::source(&e).is_some());

    let stale = CommunicationTokenCredential::with_refresher(
        || async { Ok(AccessToken::from_jwt(mint(-30))?) },
        RefreshOptions::default(),
    )
    .unwrap();
    let e = stale.get_token().await.unwrap_err();
    assert!(e.to_string().contains("already expired"), "{e}");
}

#[tokio::test]
async fn closed_credential_refuses_tokens() {
    let c = CommunicationTokenCredential::new(mint(3600)).unwrap();
    let clone = c.clone();
    c.close();
    assert_eq!(
        clone.get_token().await.unwrap_err().kind(),
        &ErrorKind::Credential
    );
}

#[tokio::test(start_paused = true)]
async fn proactive_refresh_runs_in_background_and_stops_on_drop() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let cred = CommunicationTokenCredential::with_refresher(
        move || {
            let calls = c2.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(AccessToken::new(
                    "t",
                    Utc::now() + chrono::Duration::hours(1),
                ))
            }
        },
        RefreshOptions::default()
            .initial_token(mint(3600))
            .proactive_refresh(true),
    )
    .unwrap();
    // First use starts the background task; the initial token is fresh so no refresh yet.
    cred.get_token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // The background task holds one clone of the shutdown signal while it runs.
    let shutdown = cred.inner.shutdown.clone();
    tokio::task::yield_now().await;
    assert_eq!(Arc::strong_count(&shutdown), 3, "credential, task and test");
    drop(cred);
    // The task must notice the drop and end, releasing its clone.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        Arc::strong_count(&shutdown),
        1,
        "background task still running"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn proactive_window_is_ten_minutes_and_close_stops_refresh() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    // The paused tokio clock advances by itself, but the wall clock (used for expiry) does not, so hand out
    // tokens that are inside the proactive window: the task then refreshes at half the remaining time.
    let cred = CommunicationTokenCredential::with_refresher(
        move || {
            let calls = c2.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(AccessToken::new(
                    "t",
                    Utc::now() + chrono::Duration::hours(2),
                ))
            }
        },
        RefreshOptions::default()
            .initial_token(mint(300))
            .proactive_refresh(true),
    )
    .unwrap();
    // Inside the 10-minute window: the first request refreshes on demand.
    cred.get_token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let shutdown = cred.inner.shutdown.clone();
    cred.close();
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        Arc::strong_count(&shutdown),
        2,
        "background task survived close"
    );
    tokio::time::sleep(Duration::from_secs(3 * 3600)).await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "closed credential kept refreshing"
    );
}

#[tokio::test]
async fn blocking_refresher_runs_off_the_async_threads() {
    let cred = CommunicationTokenCredential::with_blocking_refresher(
        || {
            std::thread::sleep(Duration::from_millis(5));
            Ok(AccessToken::from_jwt(mint(3600))?)
        },
        RefreshOptions::default(),
    )
    .unwrap();
    let t = cred.get_token().await.unwrap();
    assert!(t.expires_on > Utc::now());
}

#[tokio::test]
async fn static_token_that_expired_after_construction_fails_before_any_request() {
    let expired = AccessToken::new("t", Utc::now() - chrono::Duration::seconds(1));
    let c = CommunicationTokenCredential::build(Some(expired), None, false);
    let e = c.get_token().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Credential);
    assert!(e.to_string().contains("no refresher"), "{e}");
}

#[tokio::test]
async fn proactive_refresh_fires_ten_minutes_before_expiry_without_requests() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let cred = CommunicationTokenCredential::with_refresher(
        move || {
            let calls = c2.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(AccessToken::new(
                    "t",
                    Utc::now() + chrono::Duration::hours(1),
                ))
            }
        },
        // 10 min + 1 s left: outside the window now, inside it about a second later.
        RefreshOptions::default()
            .initial_token(mint(601))
            .proactive_refresh(true),
    )
    .unwrap();
    cred.get_token().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no refresh needed yet");
    // Wait (bounded) for the background task; no request is made meanwhile.
    for _ in 0..100 {
        if calls.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(cred.inner.cached.lock().as_ref().unwrap().token == "t");
}

//! Injected 429 and 503 answers must look like the service's (spec examples): the error envelope with
//! `TooManyRequests` / `ServiceUnavailable`, `x-ms-error-response`, `Retry-After`, and the
//! `api-supported-versions` header every chat answer carries; and a throttled write must not happen.

mod common;

use acs_chat_emulator::FaultConfig;
use common::*;

#[tokio::test]
async fn injected_429_and_503_look_like_the_service_and_change_nothing() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    for (status, code) in [(429u16, "TooManyRequests"), (503, "ServiceUnavailable")] {
        emu.set_faults(FaultConfig {
            rate_429: if status == 429 { 1.0 } else { 0.0 },
            rate_503: if status == 503 { 1.0 } else { 0.0 },
            retry_after_secs: 2,
            remaining: Some(1),
            ..FaultConfig::default()
        });
        let r = api.create_thread(&a.token, "throttled", &[]).await;
        assert_eq!(r.expect_error(status).0, code);
        r.expect_chat_versions_header();
        assert_eq!(r.header("retry-after").as_deref(), Some("2"), "{r}");
        // The fault budget is spent: the next call goes through, and the faulted one left no thread.
        assert!(api
            .list_all(&a.token, "/chat/threads")
            .await
            .items
            .is_empty());
    }
}

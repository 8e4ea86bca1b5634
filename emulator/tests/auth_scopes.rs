//! Authorization on chat routes: missing, garbage, tampered, revoked and expired tokens (401),
//! non-participants (403), and the `chat.join` / `chat.join.limited` / `voip` scopes.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

fn thread_path(id: &str) -> String {
    format!("/chat/threads/{}", quote(id))
}

/// Replaces one character in the middle of a JWT segment (0 header, 1 payload, 2 signature).
fn tamper(token: &str, segment: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    assert_eq!(parts.len(), 3, "a JWT has three segments");
    let seg = &mut parts[segment];
    let mid = seg.len() / 2;
    let old = seg.as_bytes()[mid];
    let new = if old == b'A' { 'B' } else { 'A' };
    seg.replace_range(mid..mid + 1, &new.to_string());
    parts.join(".")
}

#[tokio::test]
async fn missing_garbage_and_tampered_tokens_are_401_with_the_envelope() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let pq = format!("/chat/threads?api-version={CHAT_API}");

    let no_auth = api.raw(Method::GET, &pq, &[], None).await;
    // The code the spec's 401 example shows.
    assert_eq!(no_auth.expect_error(401).0, "Unauthorized");
    no_auth.expect_chat_versions_header();

    let two_segments: Vec<&str> = a.token.split('.').take(2).collect();
    let garbage = [
        "Bearer".to_string(),
        "Bearer ".to_string(),
        "Bearer abc".to_string(),
        "Bearer a.b.c".to_string(),
        "Bearer !!!.???.***".to_string(),
        "Basic dXNlcjpwYXNz".to_string(),
        format!("Token {}", a.token),
        format!("Bearer {}", tamper(&a.token, 2)),
        format!("Bearer {}", tamper(&a.token, 1)),
        format!("Bearer {}", tamper(&a.token, 0)),
        format!("Bearer {}", two_segments.join(".")),
        format!("Bearer {}.extra", a.token),
    ];
    for (i, value) in garbage.into_iter().enumerate() {
        let r = api
            .raw(Method::GET, &pq, &[("authorization", value)], None)
            .await;
        assert_eq!(r.status, 401, "garbage authorization #{i}: {r}");
        r.expect_error(401);
    }

    // The unmodified token works: the failures above are about the token, not the request.
    api.chat(&a.token, Method::GET, "/chat/threads", None)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_401_message_never_echoes_the_token() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let bad = tamper(&a.token, 2);
    let r = api
        .raw(
            Method::GET,
            &format!("/chat/threads?api-version={CHAT_API}"),
            &[("authorization", format!("Bearer {bad}"))],
            None,
        )
        .await;
    r.expect(401);
    let body = String::from_utf8_lossy(&r.body).into_owned();
    for part in bad.split('.') {
        assert!(
            !body.contains(part),
            "the error body repeats part of the token"
        );
    }
}

#[tokio::test]
async fn revoked_and_deleted_identities_tokens_are_401() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;

    api.identity(
        Method::POST,
        &format!("/identities/{}/:revokeAccessTokens", quote(&a.id)),
        None,
    )
    .await
    .expect(204);
    api.chat(&a.token, Method::GET, &thread_path(&thread), None)
        .await
        .expect_error(401);
    api.send(&a.token, &thread, "x").await.expect_error(401);

    api.identity(
        Method::DELETE,
        &format!("/identities/{}", quote(&b.id)),
        None,
    )
    .await
    .expect(204);
    api.chat(&b.token, Method::GET, "/chat/threads", None)
        .await
        .expect_error(401);
}

#[tokio::test]
async fn non_participants_get_403_on_every_thread_operation() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let o = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let m = api.message(&a.token, &thread, "x").await;
    let p = thread_path(&thread);
    let cases = vec![
        (Method::GET, p.clone(), None),
        (Method::PATCH, p.clone(), Some(json!({"topic": "mine"}))),
        (Method::DELETE, p.clone(), None),
        (Method::GET, format!("{p}/messages"), None),
        (
            Method::POST,
            format!("{p}/messages"),
            Some(json!({"content": "hi"})),
        ),
        (Method::GET, format!("{p}/messages/{m}"), None),
        (
            Method::PATCH,
            format!("{p}/messages/{m}"),
            Some(json!({"content": "edit"})),
        ),
        (Method::DELETE, format!("{p}/messages/{m}"), None),
        (Method::GET, format!("{p}/participants"), None),
        (
            Method::POST,
            format!("{p}/participants/:add"),
            Some(json!({"participants": [participant(&o.id)]})),
        ),
        (
            Method::POST,
            format!("{p}/participants/:remove"),
            Some(ident(&a.id)),
        ),
        (
            Method::POST,
            format!("{p}/readReceipts"),
            Some(json!({"chatMessageId": m})),
        ),
        (Method::GET, format!("{p}/readReceipts"), None),
        (Method::POST, format!("{p}/typing"), Some(json!({}))),
    ];
    for (method, path, body) in cases {
        let r = api.chat(&o.token, method, &path, body).await;
        // The code the spec's 403 example shows.
        assert_eq!(r.expect_error(403).0, "Forbidden");
        r.expect_chat_versions_header();
    }
    // Nothing changed.
    let t = api.chat(&a.token, Method::GET, &p, None).await;
    assert_eq!(t.expect(200).json()["topic"], "t");
    assert_eq!(participant_ids(&api, &a.token, &thread).await, vec![a.id]);
}

#[tokio::test]
async fn chat_join_cannot_create_delete_or_retopic_but_can_talk_and_add() {
    let emu = start().await;
    let api = Api::new(&emu);
    let owner = chat_user(&emu);
    let joiner = user(&emu, &["chat.join"]);
    let extra = chat_user(&emu);
    let thread = api.thread(&owner.token, "t", &[&joiner.id]).await;

    api.create_thread(&joiner.token, "mine", &[])
        .await
        .expect_error(403);
    api.chat(
        &joiner.token,
        Method::PATCH,
        &thread_path(&thread),
        Some(json!({"topic": "hijack"})),
    )
    .await
    .expect_error(403);
    api.chat(&joiner.token, Method::DELETE, &thread_path(&thread), None)
        .await
        .expect_error(403);

    api.chat(&joiner.token, Method::GET, &thread_path(&thread), None)
        .await
        .expect(200);
    api.chat(&joiner.token, Method::GET, "/chat/threads", None)
        .await
        .expect(200);
    let m = api.message(&joiner.token, &thread, "hello from join").await;
    api.chat(
        &joiner.token,
        Method::POST,
        &format!("{}/readReceipts", thread_path(&thread)),
        Some(json!({"chatMessageId": m})),
    )
    .await
    .expect(200);
    api.chat(
        &joiner.token,
        Method::POST,
        &format!("{}/typing", thread_path(&thread)),
        Some(json!({})),
    )
    .await
    .expect(200);
    api.add(&joiner.token, &thread, &[&extra.id])
        .await
        .expect(201);
    api.chat(
        &joiner.token,
        Method::POST,
        &format!("{}/participants/:remove", thread_path(&thread)),
        Some(ident(&extra.id)),
    )
    .await
    .expect(204);

    let t = api
        .chat(&owner.token, Method::GET, &thread_path(&thread), None)
        .await;
    assert_eq!(t.expect(200).json()["topic"], "t", "the topic is unchanged");
}

#[tokio::test]
async fn chat_join_limited_also_cannot_add_or_remove_participants() {
    let emu = start().await;
    let api = Api::new(&emu);
    let owner = chat_user(&emu);
    let limited = user(&emu, &["chat.join.limited"]);
    let extra = chat_user(&emu);
    let thread = api.thread(&owner.token, "t", &[&limited.id]).await;

    api.create_thread(&limited.token, "mine", &[])
        .await
        .expect_error(403);
    api.chat(
        &limited.token,
        Method::PATCH,
        &thread_path(&thread),
        Some(json!({"topic": "x"})),
    )
    .await
    .expect_error(403);
    api.chat(&limited.token, Method::DELETE, &thread_path(&thread), None)
        .await
        .expect_error(403);
    api.add(&limited.token, &thread, &[&extra.id])
        .await
        .expect_error(403);
    api.chat(
        &limited.token,
        Method::POST,
        &format!("{}/participants/:remove", thread_path(&thread)),
        Some(ident(&owner.id)),
    )
    .await
    .expect_error(403);

    api.message(&limited.token, &thread, "I can talk").await;
    api.chat(
        &limited.token,
        Method::GET,
        &format!("{}/participants", thread_path(&thread)),
        None,
    )
    .await
    .expect(200);
    assert_eq!(participant_ids(&api, &owner.token, &thread).await.len(), 2);
}

#[tokio::test]
async fn a_voip_only_token_is_403_on_chat() {
    let emu = start().await;
    let api = Api::new(&emu);
    let owner = chat_user(&emu);
    let voip = user(&emu, &["voip"]);
    let voip_join = user(&emu, &["voip.join"]);
    let thread = api
        .thread(&owner.token, "t", &[&voip.id, &voip_join.id])
        .await;
    api.chat(&voip_join.token, Method::GET, "/chat/threads", None)
        .await
        .expect_error(403);
    api.send(&voip_join.token, &thread, "x")
        .await
        .expect_error(403);

    let r = api
        .chat(&voip.token, Method::GET, "/chat/threads", None)
        .await;
    r.expect_error(403);
    r.expect_chat_versions_header();
    api.create_thread(&voip.token, "x", &[])
        .await
        .expect_error(403);
    api.send(&voip.token, &thread, "x").await.expect_error(403);
}

#[tokio::test]
async fn chat_and_voip_together_is_full_chat() {
    let emu = start().await;
    let api = Api::new(&emu);
    let both = user(&emu, &["chat", "voip"]);
    let thread = api.thread(&both.token, "t", &[]).await;
    api.message(&both.token, &thread, "ok").await;
}

#[tokio::test]
async fn an_expired_token_is_401_naming_the_expiry() {
    use acs_chat_emulator::{Emulator, EmulatorConfig, Storage};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};

    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("x.sqlite3");
    let emu = Emulator::start(EmulatorConfig {
        storage: Storage::File(db.clone()),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator on a file");
    let api = Api::new(&emu);
    let a = chat_user(&emu);

    // Tokens last at least 60 minutes, so a genuinely expired one cannot be obtained through the API.
    // The emulator signs HS256 with a secret kept in its database (meta 'token_secret'); with it the
    // test re-signs the same claims with `exp` in the past. This couples the test to that storage
    // detail on purpose: it is the only way to tell "expired" from "bad signature".
    let secret: Vec<u8> = rusqlite::Connection::open(&db)
        .expect("open the emulator's database")
        .query_row(
            "SELECT value FROM meta WHERE key = 'token_secret'",
            [],
            |r| r.get(0),
        )
        .expect("the token secret is stored");
    let parts: Vec<&str> = a.token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload"))
            .expect("JSON claims");
    let resign = |claims: &serde_json::Value| -> String {
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{}.{payload}", parts[0]);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&secret).expect("any key length");
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    };

    // Control: the same claims re-signed are accepted, so the re-signing itself is right.
    api.chat(&resign(&claims), Method::GET, "/chat/threads", None)
        .await
        .expect(200);

    let past = chrono::Utc::now().timestamp() - 60;
    claims["exp"] = json!(past);
    let r = api
        .chat(&resign(&claims), Method::GET, "/chat/threads", None)
        .await;
    let (_, message) = r.expect_error(401);
    assert!(message.to_lowercase().contains("expired"), "{message}");
}

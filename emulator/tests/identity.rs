//! Identity API over HTTP with HMAC-SHA256 signing: create (with and without a token, expiry range),
//! issue token, revoke, delete, Teams exchange, and every way a signature can be wrong.

mod common;

use chrono::{Duration, Utc};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn token_of(r: &Resp) -> String {
    r.json()["accessToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no accessToken.token: {r}"))
        .to_string()
}

fn id_of(r: &Resp) -> String {
    r.json()["identity"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no identity.id: {r}"))
        .to_string()
}

async fn chat_works(api: &Api, token: &str) -> u16 {
    api.chat(token, Method::GET, "/chat/threads", None)
        .await
        .status
}

#[tokio::test]
async fn create_without_a_body_answers_201_with_only_an_identity() {
    let emu = start().await;
    let api = Api::new(&emu);
    let r = api.identity(Method::POST, "/identities", None).await;
    r.expect(201);
    assert!(
        r.header("api-supported-versions").is_some(),
        "identity responses carry api-supported-versions: {r}"
    );
    let id = id_of(&r);
    assert!(
        id.starts_with("8:acs:") && id.contains('_'),
        "ACS id shape: {id}"
    );
    assert!(
        r.json().get("accessToken").map_or(true, Value::is_null),
        "{r}"
    );

    // An empty JSON object is the same as no body.
    let empty = api
        .identity(Method::POST, "/identities", Some(json!({})))
        .await;
    assert!(empty
        .expect(201)
        .json()
        .get("accessToken")
        .map_or(true, Value::is_null));

    // Two identities are distinct.
    let again = api.identity(Method::POST, "/identities", None).await;
    assert_ne!(id_of(again.expect(201)), id);
}

#[tokio::test]
async fn create_with_scopes_returns_a_working_token_expiring_as_asked() {
    let emu = start().await;
    let api = Api::new(&emu);
    for minutes in [60u32, 1440] {
        let before = Utc::now();
        let r = api.create_identity(&["chat"], Some(minutes)).await;
        r.expect(201);
        let expires = ts(&r.json()["accessToken"]["expiresOn"], "expiresOn");
        let expected = before + Duration::minutes(minutes.into());
        assert!(
            (expires - expected).num_seconds().abs() <= 120,
            "expiresOn {expires} is not {minutes} minutes from now"
        );
        assert_eq!(chat_works(&api, &token_of(&r)).await, 200);
    }
    // Without expiresInMinutes the default is 24 hours.
    let r = api
        .identity(
            Method::POST,
            "/identities",
            Some(json!({"createTokenWithScopes": ["chat"]})),
        )
        .await;
    r.expect(201);
    let expires = ts(&r.json()["accessToken"]["expiresOn"], "expiresOn");
    assert!(
        (expires - (Utc::now() + Duration::minutes(1440)))
            .num_seconds()
            .abs()
            <= 120
    );
}

#[tokio::test]
async fn expiry_outside_60_to_1440_minutes_is_400() {
    let emu = start().await;
    let api = Api::new(&emu);
    for minutes in [0u32, 59, 1441, 100_000] {
        let r = api.create_identity(&["chat"], Some(minutes)).await;
        let (_, message) = r.expect_error(400);
        assert!(
            message.contains("60") && message.contains("1440"),
            "the message names the range: {message}"
        );
    }
    let user = api.identity(Method::POST, "/identities", None).await;
    let id = id_of(user.expect(201));
    let r = api
        .identity(
            Method::POST,
            &format!("/identities/{}/:issueAccessToken", quote(&id)),
            Some(json!({"scopes": ["chat"], "expiresInMinutes": 59})),
        )
        .await;
    r.expect_error(400);
}

#[tokio::test]
async fn unknown_scope_is_400_naming_it() {
    let emu = start().await;
    let api = Api::new(&emu);
    let r = api.create_identity(&["chat", "root"], None).await;
    let (_, message) = r.expect_error(400);
    assert!(message.contains("root"), "{message}");
}

#[tokio::test]
async fn issue_token_answers_200_with_a_working_token() {
    let emu = start().await;
    let api = Api::new(&emu);
    let id = id_of(
        api.identity(Method::POST, "/identities", None)
            .await
            .expect(201),
    );
    let r = api
        .identity(
            Method::POST,
            &format!("/identities/{}/:issueAccessToken", quote(&id)),
            Some(json!({"scopes": ["chat"], "expiresInMinutes": 60})),
        )
        .await;
    r.expect(200);
    let body = r.json();
    let token = body["token"].as_str().expect("token").to_string();
    ts(&body["expiresOn"], "expiresOn");
    assert_eq!(chat_works(&api, &token).await, 200);
    // The token speaks for this identity: a thread it creates is created by `id`.
    let t = api.create_thread(&token, "mine", &[]).await;
    assert_eq!(
        raw_id_of(&t.expect(201).json()["chatThread"]["createdByCommunicationIdentifier"]),
        id
    );
}

#[tokio::test]
async fn revoke_answers_204_and_only_older_tokens_stop_working() {
    let emu = start().await;
    let api = Api::new(&emu);
    let created = api.create_identity(&["chat"], None).await;
    created.expect(201);
    let id = id_of(&created);
    let old = token_of(&created);
    assert_eq!(chat_works(&api, &old).await, 200);

    let r = api
        .identity(
            Method::POST,
            &format!("/identities/{}/:revokeAccessTokens", quote(&id)),
            None,
        )
        .await;
    r.expect(204).expect_empty();

    let denied = api.chat(&old, Method::GET, "/chat/threads", None).await;
    denied.expect_error(401);
    denied.expect_chat_versions_header();

    // A token issued right after the revoke (possibly in the same second) works.
    let fresh = api
        .identity(
            Method::POST,
            &format!("/identities/{}/:issueAccessToken", quote(&id)),
            Some(json!({"scopes": ["chat"]})),
        )
        .await;
    let fresh = fresh.expect(200).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(chat_works(&api, &fresh).await, 200);
}

#[tokio::test]
async fn delete_answers_204_and_the_identity_is_gone() {
    let emu = start().await;
    let api = Api::new(&emu);
    let created = api.create_identity(&["chat"], None).await;
    created.expect(201);
    let id = id_of(&created);
    let token = token_of(&created);

    let r = api
        .identity(Method::DELETE, &format!("/identities/{}", quote(&id)), None)
        .await;
    r.expect(204).expect_empty();

    api.chat(&token, Method::GET, "/chat/threads", None)
        .await
        .expect_error(401);
    api.identity(
        Method::POST,
        &format!("/identities/{}/:issueAccessToken", quote(&id)),
        Some(json!({"scopes": ["chat"]})),
    )
    .await
    .expect_error(404);
}

#[tokio::test]
async fn unknown_identity_is_404() {
    let emu = start().await;
    let api = Api::new(&emu);
    let real = id_of(
        api.identity(Method::POST, "/identities", None)
            .await
            .expect(201),
    );
    let (prefix, _) = real.rsplit_once('_').unwrap();
    let ghost = format!("{prefix}_00000000-0000-0000-0000-000000000000");
    api.identity(
        Method::POST,
        &format!("/identities/{}/:issueAccessToken", quote(&ghost)),
        Some(json!({"scopes": ["chat"]})),
    )
    .await
    .expect_error(404);
    api.identity(
        Method::POST,
        &format!("/identities/{}/:revokeAccessTokens", quote(&ghost)),
        None,
    )
    .await
    .expect_error(404);
    api.identity(
        Method::DELETE,
        &format!("/identities/{}", quote(&ghost)),
        None,
    )
    .await
    .expect_error(404);
}

#[tokio::test]
async fn teams_token_exchange_is_400_not_supported() {
    let emu = start().await;
    let api = Api::new(&emu);
    let r = api
        .identity(
            Method::POST,
            "/teamsUser/:exchangeAccessToken",
            Some(json!({"token": "aad", "appId": "app", "userId": "user"})),
        )
        .await;
    let (_, message) = r.expect_error(400);
    assert!(
        message.to_ascii_lowercase().contains("not supported"),
        "{message}"
    );
}

/// Sends `POST /identities` with the given headers and body, bypassing the signing helper.
async fn post_identities(api: &Api, headers: Vec<(&str, String)>, body: &[u8]) -> Resp {
    let mut headers = headers;
    headers.push(("content-type", "application/json".into()));
    api.raw(
        Method::POST,
        &format!("/identities?api-version={IDENTITY_API}"),
        &headers,
        Some(body.to_vec()),
    )
    .await
}

#[tokio::test]
async fn bad_signatures_are_401() {
    let emu = start().await;
    let api = Api::new(&emu);
    let pq = format!("/identities?api-version={IDENTITY_API}");
    let body = br#"{"createTokenWithScopes":["chat"]}"#;

    // Control: the correctly signed request passes, so the failures below are about the signature.
    post_identities(
        &api,
        api.signed_headers("POST", &pq, body, Utc::now()),
        body,
    )
    .await
    .expect(201);

    // No Authorization at all.
    post_identities(&api, vec![], body).await.expect_error(401);

    // Signed with another key.
    let stranger = Api::for_endpoint(&api.endpoint, b"not the emulator's key".to_vec());
    post_identities(
        &api,
        stranger.signed_headers("POST", &pq, body, Utc::now()),
        body,
    )
    .await
    .expect_error(401);

    // Body changed after signing: the content hash no longer matches.
    post_identities(
        &api,
        api.signed_headers("POST", &pq, body, Utc::now()),
        br#"{"createTokenWithScopes":["voip"]}"#,
    )
    .await
    .expect_error(401);

    // A hash header that matches the sent body but not the signed one.
    let mut h = api.signed_headers("POST", &pq, body, Utc::now());
    let other = br#"{"createTokenWithScopes":["voip"]}"#;
    h[1].1 = acs_chat_emulator::api::auth::hmac::content_hash(other);
    post_identities(&api, h, other).await.expect_error(401);

    // Clocks a little apart are fine: 14 minutes either side still passes.
    for skew in [-14i64, 14] {
        let when = Utc::now() + Duration::minutes(skew);
        post_identities(&api, api.signed_headers("POST", &pq, body, when), body)
            .await
            .expect(201);
    }

    // Dates more than 15 minutes away, either side.
    for skew in [-16i64, 16] {
        let when = Utc::now() + Duration::minutes(skew);
        post_identities(&api, api.signed_headers("POST", &pq, body, when), body)
            .await
            .expect_error(401);
    }

    // Signed for another path.
    post_identities(
        &api,
        api.signed_headers(
            "POST",
            "/identities?api-version=2021-03-07",
            body,
            Utc::now(),
        ),
        body,
    )
    .await
    .expect_error(401);

    // Garbage Authorization values.
    for garbage in [
        "Bearer abc",
        "HMAC-SHA256",
        "HMAC-SHA256 Signature=",
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA",
    ] {
        let mut h = api.signed_headers("POST", &pq, body, Utc::now());
        h[2].1 = garbage.to_string();
        post_identities(&api, h, body).await.expect_error(401);
    }

    // A chat user's bearer token is no identity credential.
    let user = chat_user(&emu);
    api.raw(
        Method::POST,
        &pq,
        &[("authorization", format!("Bearer {}", user.token))],
        Some(body.to_vec()),
    )
    .await
    .expect_error(401);
}

#[tokio::test]
async fn identity_api_version_is_required() {
    let emu = start().await;
    let api = Api::new(&emu);
    for pq in ["/identities", "/identities?api-version=1999-01-01"] {
        let h = api.signed_headers("POST", pq, b"", Utc::now());
        let r = api.raw(Method::POST, pq, &h, Some(Vec::new())).await;
        let (_, message) = r.expect_error(400);
        assert!(
            message.contains(IDENTITY_API),
            "names the supported versions: {message}"
        );
    }
    let pq = "/identities?api-version=2021-03-07";
    let h = api.signed_headers("POST", pq, b"", Utc::now());
    api.raw(Method::POST, pq, &h, Some(Vec::new()))
        .await
        .expect(201);
}

/// What Python's `base64.b64decode(seg + "==")` (standard alphabet, non-validating) returns, which is
/// how SDK 1.2.0 reads a token's `exp`: characters outside the alphabet are dropped.
fn python_b64decode(seg: &str) -> Vec<u8> {
    use base64::Engine;
    let kept: String = seg
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
        .collect();
    // One stray character past a multiple of four is an error in Python too.
    assert_ne!(
        kept.len() % 4,
        1,
        "the SDK could not decode the payload {seg:?}"
    );
    let padded = format!("{kept}{}", "=".repeat((4 - kept.len() % 4) % 4));
    base64::engine::general_purpose::STANDARD
        .decode(padded)
        .unwrap_or_else(|e| panic!("the SDK could not decode the payload {seg:?}: {e}"))
}

#[tokio::test]
async fn tokens_decode_the_way_the_python_sdk_reads_them() {
    let emu = start().await;
    let api = Api::new(&emu);
    for i in 0..60 {
        let scopes: &[&str] = match i % 3 {
            0 => &["chat"],
            1 => &["chat", "voip"],
            _ => &["chat.join"],
        };
        let r = api.create_identity(scopes, Some(60 + i)).await;
        r.expect(201);
        let body = r.json();
        let token = body["accessToken"]["token"].as_str().unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "a JWT has three segments");
        assert!(
            !parts[1].contains(['-', '_']),
            "Python's non-validating decoder would drop '-'/'_' from the payload"
        );
        let claims: Value = serde_json::from_slice(&python_b64decode(parts[1]))
            .unwrap_or_else(|e| panic!("the payload is not JSON to the SDK: {e}"));
        let exp = claims["exp"].as_i64().expect("numeric exp");
        let expires_on = ts(&body["accessToken"]["expiresOn"], "expiresOn");
        assert_eq!(
            exp,
            expires_on.timestamp(),
            "exp is the same instant as expiresOn"
        );
        let id = body["identity"]["id"].as_str().unwrap();
        assert_eq!(format!("8:{}", claims["skypeid"].as_str().unwrap()), id);
        assert_eq!(claims["acsScope"], scopes.join(","));
    }
}

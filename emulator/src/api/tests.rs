//! Request-level unit tests through [`App::router`] (no sockets).

use super::*;
use axum::body::Body;
use axum::http::{HeaderMap, Request as HttpRequest, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

const HOST: &str = "localhost:8443";
const V: &str = "api-version=2023-11-07";

fn open(storage: Storage) -> App {
    App::open(AppConfig {
        storage,
        access_key: b"emulator-test-key".to_vec(),
        scheme: "https",
    })
    .unwrap()
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn send(
    app: &App,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
    extra: &[(&str, &str)],
) -> Reply {
    let mut b = HttpRequest::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    let body = match body {
        Some(v) => Body::from(serde_json::to_vec(&v).unwrap()),
        None => Body::empty(),
    };
    let resp = app.router().oneshot(b.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// A signed identity request.
async fn signed(app: &App, method: &str, pq: &str, body: &str) -> Reply {
    let s = auth::hmac::sign(
        method,
        pq,
        HOST,
        body.as_bytes(),
        app.access_key(),
        Utc::now(),
    );
    let req = HttpRequest::builder()
        .method(method)
        .uri(pq)
        .header("host", HOST)
        .header("authorization", s.authorization)
        .header("x-ms-date", s.date)
        .header("x-ms-content-sha256", s.content_sha256)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let resp = app.router().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn user(app: &App, scope: &str) -> UserWithToken {
    app.create_user(&[scope], 60).unwrap()
}

fn ident(id: &str) -> Value {
    json!({ "communicationIdentifier": { "rawId": id, "communicationUser": { "id": id } } })
}

async fn new_thread(app: &App, owner: &UserWithToken, others: &[&UserWithToken]) -> String {
    let parts: Vec<Value> = others.iter().map(|u| ident(&u.id)).collect();
    let r = send(
        app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&owner.token),
        Some(json!({ "topic": "Lunch", "participants": parts })),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["chatThread"]["id"].as_str().unwrap().to_owned()
}

fn enc(id: &str) -> String {
    http::encode_segment(id)
}

async fn post_message(app: &App, u: &UserWithToken, tid: &str, text: &str) -> String {
    let r = send(
        app,
        "POST",
        &format!("/chat/threads/{}/messages?{V}", enc(tid)),
        Some(&u.token),
        Some(json!({ "content": text })),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Follows nextLinks (as the SDK does: same path and query, api-version replaced).
async fn collect(app: &App, u: &UserWithToken, first: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_owned());
    while let Some(uri) = next {
        let r = send(app, "GET", &uri, Some(&u.token), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        pages += 1;
        items.extend(r.body["value"].as_array().unwrap().iter().cloned());
        next = r.body.get("nextLink").and_then(|l| l.as_str()).map(|l| {
            let rest = l.strip_prefix(&format!("https://{HOST}")).unwrap();
            assert!(rest
                .split('?')
                .nth(1)
                .unwrap()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._~-=&".contains(c)));
            rest.to_owned()
        });
        assert!(pages < 1000);
    }
    (items, pages)
}

#[tokio::test]
async fn thread_and_message_lifecycle() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let b = user(&app, "chat");
    let tid = new_thread(&app, &a, &[&b]).await;
    assert!(tid.starts_with("19:") && tid.ends_with("@thread.v2"));
    let mid = post_message(&app, &b, &tid, "hello").await;

    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}/messages/{mid}?{V}", enc(&tid)),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["content"]["message"], "hello");
    assert_eq!(r.body["sequenceId"], "3");
    assert_eq!(r.body["version"], mid.as_str());
    assert_eq!(
        r.body["senderCommunicationIdentifier"]["communicationUser"]["id"],
        b.id.as_str()
    );
    assert_eq!(r.headers["api-supported-versions"], CHAT_VERSIONS_HEADER);

    let (msgs, _) = collect(
        &app,
        &a,
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
    )
    .await;
    let kinds: Vec<&str> = msgs.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["text", "topicUpdated", "participantAdded"]);
    assert_eq!(
        msgs[2]["content"]["participants"].as_array().unwrap().len(),
        2
    );
    assert!(msgs[1].get("senderCommunicationIdentifier").is_none());

    // edit by sender bumps version, edit by another participant is refused
    let path = format!("/chat/threads/{}/messages/{mid}?{V}", enc(&tid));
    let r = send(
        &app,
        "PATCH",
        &path,
        Some(&a.token),
        Some(json!({"content": "x"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app,
        "PATCH",
        &path,
        Some(&b.token),
        Some(json!({"content": "edited"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&app, "GET", &path, Some(&a.token), None, &[]).await;
    assert_eq!(r.body["content"]["message"], "edited");
    assert!(
        r.body["version"].as_str().unwrap().parse::<u64>().unwrap() > mid.parse::<u64>().unwrap()
    );
    assert!(r.body.get("editedOn").is_some());
    let r = send(&app, "DELETE", &path, Some(&b.token), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&app, "GET", &path, Some(&a.token), None, &[]).await;
    assert!(r.body.get("deletedOn").is_some());
    assert!(r.body.get("content").is_none());

    // topic update emits a system message; thread delete hides the thread
    let tpath = format!("/chat/threads/{}?{V}", enc(&tid));
    let r = send(
        &app,
        "PATCH",
        &tpath,
        Some(&a.token),
        Some(json!({"topic": "Dinner"})),
        &[("content-type", "application/merge-patch+json")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&app, "GET", &tpath, Some(&b.token), None, &[]).await;
    assert_eq!(r.body["topic"], "Dinner");
    assert_eq!(
        r.body["createdByCommunicationIdentifier"]["rawId"],
        a.id.as_str()
    );
    let r = send(&app, "DELETE", &tpath, Some(&a.token), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(&app, "GET", &tpath, Some(&a.token), None, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&b.token),
        None,
        &[],
    )
    .await;
    assert!(r.body["value"][0].get("deletedOn").is_some());
}

#[tokio::test]
async fn location_headers_and_repeatability() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let hdr = [(
        "repeatability-request-id",
        "35dd6e71-251b-5e29-8376-ba93d09c3fbf",
    )];
    let body = json!({"topic": "t"});
    let r1 = send(
        &app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        Some(body.clone()),
        &hdr,
    )
    .await;
    let r2 = send(
        &app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        Some(body),
        &hdr,
    )
    .await;
    assert_eq!(r1.status, StatusCode::CREATED);
    assert_eq!(r2.status, StatusCode::CREATED);
    assert_eq!(r1.body, r2.body);
    assert_eq!(r1.headers["location"], r2.headers["location"]);
    let tid = r1.body["chatThread"]["id"].as_str().unwrap();
    assert_eq!(
        r1.headers["location"].to_str().unwrap(),
        format!("https://{HOST}/chat/threads/{}", enc(tid))
    );
    let (threads, _) = collect(&app, &a, &format!("/chat/threads?{V}")).await;
    assert_eq!(threads.len(), 1);
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads/{}/messages?{V}", enc(tid)),
        Some(&a.token),
        Some(json!({"content": "hi"})),
        &[],
    )
    .await;
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        format!("https://{HOST}/chat/threads/{}/messages/{id}", enc(tid))
    );
}

#[tokio::test]
async fn message_paging_at_edges() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    for n in [0usize, 1, 198, 199, 999] {
        let tid = new_thread(&app, &a, &[]).await;
        for i in 0..n {
            post_message(&app, &a, &tid, &format!("m{i}")).await;
        }
        let total = n + 2; // two system messages
        let (all, pages) = collect(
            &app,
            &a,
            &format!("/chat/threads/{}/messages?maxPageSize=200&{V}", enc(&tid)),
        )
        .await;
        assert_eq!(all.len(), total);
        assert_eq!(pages, total.div_ceil(200).max(1));
        let seqs: Vec<u64> = all
            .iter()
            .map(|m| m["sequenceId"].as_str().unwrap().parse().unwrap())
            .collect();
        let expected: Vec<u64> = (1..=total as u64).rev().collect();
        assert_eq!(seqs, expected);
        let ids: Vec<u64> = all
            .iter()
            .map(|m| m["id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] > w[1]),
            "ids strictly increase with sequence"
        );
    }
}

#[tokio::test]
async fn message_cursor_is_stable_while_messages_arrive() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let tid = new_thread(&app, &a, &[]).await;
    for i in 0..5 {
        post_message(&app, &a, &tid, &format!("m{i}")).await;
    }
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}/messages?maxPageSize=3&{V}", enc(&tid)),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    let next = r.body["nextLink"]
        .as_str()
        .unwrap()
        .replace(&format!("https://{HOST}"), "");
    post_message(&app, &a, &tid, "late").await;
    let r2 = send(&app, "GET", &next, Some(&a.token), None, &[]).await;
    let seqs: Vec<&str> = r2.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sequenceId"].as_str().unwrap())
        .collect();
    assert_eq!(seqs, ["4", "3", "2"]);
}

#[tokio::test]
async fn participants_threads_and_receipts_page() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let users: Vec<UserWithToken> = (0..200).map(|_| user(&app, "chat")).collect();
    let refs: Vec<&UserWithToken> = users.iter().collect();
    let tid = new_thread(&app, &a, &refs).await;
    let (ps, pages) = collect(
        &app,
        &a,
        &format!(
            "/chat/threads/{}/participants?maxPageSize=50&{V}",
            enc(&tid)
        ),
    )
    .await;
    assert_eq!(ps.len(), 201);
    assert_eq!(pages, 5);
    assert_eq!(ps[0]["communicationIdentifier"]["rawId"], a.id.as_str());

    // threads of one user: 201 threads, default page size 100
    let b = user(&app, "chat");
    for _ in 0..201 {
        new_thread(&app, &b, &[]).await;
    }
    let (ts, pages) = collect(&app, &b, &format!("/chat/threads?{V}")).await;
    assert_eq!(ts.len(), 201);
    assert_eq!(pages, 3);
    let unique: std::collections::HashSet<&str> =
        ts.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), 201);

    // receipts: small thread, latest wins per sender
    let c = user(&app, "chat");
    let tid = new_thread(&app, &b, &[&c]).await;
    let m1 = post_message(&app, &b, &tid, "1").await;
    let m2 = post_message(&app, &b, &tid, "2").await;
    let rpath = format!("/chat/threads/{}/readReceipts?{V}", enc(&tid));
    for (u, m) in [(&b, &m1), (&c, &m1), (&b, &m2)] {
        let r = send(
            &app,
            "POST",
            &rpath,
            Some(&u.token),
            Some(json!({"chatMessageId": m})),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, Value::Null);
    }
    let r = send(
        &app,
        "POST",
        &rpath,
        Some(&c.token),
        Some(json!({"chatMessageId": "123"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (rs, pages) = collect(
        &app,
        &c,
        &format!("/chat/threads/{}/readReceipts?maxPageSize=1&{V}", enc(&tid)),
    )
    .await;
    assert_eq!(pages, 2);
    assert_eq!(rs[0]["chatMessageId"], m2.as_str());
    assert_eq!(rs[1]["chatMessageId"], m1.as_str());

    // receipts and typing are refused above 20 participants
    let big = new_thread(&app, &a, &refs[..25]).await;
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads/{}/typing?{V}", enc(&big)),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("20"));
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads/{}/typing?{V}", enc(&tid)),
        Some(&c.token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn add_remove_and_invalid_participants() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let b = user(&app, "chat");
    let tid = new_thread(&app, &a, &[]).await;
    let add = format!("/chat/threads/{}/participants/:add?{V}", enc(&tid));
    let unknown = format!(
        "8:acs:{}_00000000-0000-0000-0000-000000000000",
        app.resource_id()
    );
    let r = send(
        &app,
        "POST",
        &add,
        Some(&a.token),
        Some(json!({"participants": [
            ident(&b.id), ident(&unknown),
            {"communicationIdentifier": {"phoneNumber": {"value": "+14255550123"}}}
        ]})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let inv = r.body["invalidParticipants"].as_array().unwrap();
    assert_eq!(inv.len(), 2);
    assert_eq!(inv[0]["target"], unknown.as_str());
    assert_eq!(inv[0]["code"], "404");
    assert_eq!(inv[1]["target"], "4:+14255550123");
    assert_eq!(inv[1]["code"], "403");
    // adding again changes nothing and adds no system message
    let r = send(
        &app,
        "POST",
        &add,
        Some(&a.token),
        Some(json!({"participants": [ident(&b.id)]})),
        &[],
    )
    .await;
    assert_eq!(r.body, json!({}));
    let (msgs, _) = collect(
        &app,
        &a,
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
    )
    .await;
    assert_eq!(msgs.len(), 3);
    post_message(&app, &b, &tid, "hi").await;
    let rm = format!("/chat/threads/{}/participants/:remove?{V}", enc(&tid));
    let r = send(
        &app,
        "POST",
        &rm,
        Some(&a.token),
        Some(json!({"communicationUser": {"id": b.id}})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}?{V}", enc(&tid)),
        Some(&b.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (msgs, _) = collect(
        &app,
        &a,
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
    )
    .await;
    assert_eq!(msgs[0]["type"], "participantRemoved");
    // removing someone who is no longer in the thread succeeds and changes nothing
    let r = send(
        &app,
        "POST",
        &rm,
        Some(&a.token),
        Some(json!({"communicationUser": {"id": b.id}})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let (again, _) = collect(
        &app,
        &a,
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
    )
    .await;
    assert_eq!(again, msgs);
}

#[tokio::test]
async fn share_history_time_hides_older_messages() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let b = user(&app, "chat");
    let tid = new_thread(&app, &a, &[]).await;
    let old = post_message(&app, &a, &tid, "old").await;
    let future = time::format(&(time::now_ms() + chrono::Duration::seconds(2)));
    let add = format!("/chat/threads/{}/participants/:add?{V}", enc(&tid));
    let mut p = ident(&b.id);
    p["shareHistoryTime"] = json!(future);
    let r = send(
        &app,
        "POST",
        &add,
        Some(&a.token),
        Some(json!({"participants": [p]})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let (msgs, _) = collect(
        &app,
        &b,
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
    )
    .await;
    assert!(msgs.is_empty(), "{msgs:?}");
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}/messages/{old}?{V}", enc(&tid)),
        Some(&b.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn scopes_and_token_checks() {
    let app = open(Storage::InMemory);
    let full = user(&app, "chat");
    let join = user(&app, "chat.join");
    let limited = user(&app, "chat.join.limited");
    let voip = user(&app, "voip");
    let other = user(&app, "chat");
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&join.token),
        Some(json!({"topic": "t"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&voip.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let tid = new_thread(&app, &full, &[&join, &limited]).await;
    let add = format!("/chat/threads/{}/participants/:add?{V}", enc(&tid));
    let body = json!({"participants": [ident(&other.id)]});
    let r = send(
        &app,
        "POST",
        &add,
        Some(&limited.token),
        Some(body.clone()),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&app, "POST", &add, Some(&join.token), Some(body), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED);
    post_message(&app, &limited, &tid, "limited can chat").await;
    let r = send(
        &app,
        "PATCH",
        &format!("/chat/threads/{}?{V}", enc(&tid)),
        Some(&join.token),
        Some(json!({"topic": "x"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let outsider = user(&app, "chat");
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}?{V}", enc(&tid)),
        Some(&outsider.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    for bad in [None, Some("garbage"), Some("a.b.c")] {
        let r = send(&app, "GET", &format!("/chat/threads?{V}"), bad, None, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body["error"]["message"].as_str().is_some());
    }
}

#[tokio::test]
async fn identity_api_and_revocation() {
    let app = open(Storage::InMemory);
    let r = signed(&app, "POST", "/identities?api-version=2023-10-01", "").await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.body.get("accessToken").is_none());
    assert_eq!(
        r.headers["api-supported-versions"],
        IDENTITY_VERSIONS_HEADER
    );
    let r = signed(
        &app,
        "POST",
        "/identities?api-version=2023-10-01",
        r#"{"createTokenWithScopes":["chat"],"expiresInMinutes":60}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["identity"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with(&format!("8:acs:{}_", app.resource_id())));
    let token = r.body["accessToken"]["token"].as_str().unwrap().to_owned();
    let expires = time::parse(r.body["accessToken"]["expiresOn"].as_str().unwrap()).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap(), expires.timestamp());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let eid = enc(&id);
    let r = signed(
        &app,
        "POST",
        &format!("/identities/{eid}/:revokeAccessTokens?api-version=2023-10-01"),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // a token issued right after the revoke (same second) works
    let r = signed(
        &app,
        "POST",
        &format!("/identities/{eid}/:issueAccessToken?api-version=2023-10-01"),
        r#"{"scopes":["chat"]}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = r.body["token"].as_str().unwrap().to_owned();
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&fresh),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);

    let r = signed(
        &app,
        "POST",
        &format!("/identities/{eid}/:issueAccessToken?api-version=2023-10-01"),
        r#"{"scopes":["bogus"]}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = signed(
        &app,
        "POST",
        &format!("/identities/{eid}/:issueAccessToken?api-version=2023-10-01"),
        r#"{"scopes":["chat"],"expiresInMinutes":10}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = signed(
        &app,
        "DELETE",
        &format!("/identities/{eid}?api-version=2023-10-01"),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&fresh),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = signed(
        &app,
        "DELETE",
        &format!("/identities/{eid}?api-version=2023-10-01"),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = signed(
        &app,
        "POST",
        "/teamsUser/:exchangeAccessToken?api-version=2023-10-01",
        r#"{"token":"t","appId":"a","userId":"u"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "NotSupported");
    let r = signed(&app, "POST", "/identities?api-version=2099-01-01", "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // unsigned
    let r = send(
        &app,
        "POST",
        "/identities?api-version=2023-10-01",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_is_a_typed_400_and_routing_errors_are_envelopes() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let tid = new_thread(&app, &a, &[]).await;
    let msgs = format!("/chat/threads/{}/messages", enc(&tid));
    for q in [
        "maxPageSize=0",
        "maxPageSize=201",
        "maxPageSize=abc",
        "startTime=yesterday",
        "syncState=zz",
    ] {
        let r = send(
            &app,
            "GET",
            &format!("{msgs}?{q}&{V}"),
            Some(&a.token),
            None,
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}/participants?skip=-1&{V}", enc(&tid)),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for body in [
        json!({}),
        json!({"content": 5}),
        json!({"content": ""}),
        json!({"content": "x", "type": "participantAdded"}),
        json!({"content": "x".repeat(28 * 1024 + 1)}),
    ] {
        let r = send(
            &app,
            "POST",
            &format!("{msgs}?{V}"),
            Some(&a.token),
            Some(body),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.headers["x-ms-error-response"], "true");
    }
    let r = send(
        &app,
        "POST",
        &format!("{msgs}?{V}"),
        Some(&a.token),
        Some(json!({"content": "x".repeat(28 * 1024), "type": "HTML"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        Some(json!({"participants": []})),
        &[],
    )
    .await;
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("topic"));
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/19%ZZ/messages?{V}"),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &app,
        "GET",
        &format!("{msgs}/notanumber?{V}"),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &app,
        "GET",
        "/chat/threads?api-version=1999-01-01",
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2025-03-15"));
    let r = send(&app, "GET", "/nowhere", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers["api-supported-versions"], CHAT_VERSIONS_HEADER);
    let r = send(
        &app,
        "PUT",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body["error"]["message"].is_string());
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}?{V}", enc("19:nope@thread.v2")),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn limits() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let many: Vec<UserWithToken> = (0..251).map(|_| user(&app, "chat")).collect();
    let batch: Vec<Value> = many[..201].iter().map(|u| ident(&u.id)).collect();
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        Some(json!({"topic": "t", "participants": batch})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let refs: Vec<&UserWithToken> = many[..200].iter().collect();
    let tid = new_thread(&app, &a, &refs).await;
    let add = format!("/chat/threads/{}/participants/:add?{V}", enc(&tid));
    let batch: Vec<Value> = many[200..].iter().map(|u| ident(&u.id)).collect();
    let r = send(
        &app,
        "POST",
        &add,
        Some(&a.token),
        Some(json!({"participants": batch})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("250"));
    let batch: Vec<Value> = many[200..249].iter().map(|u| ident(&u.id)).collect();
    let r = send(
        &app,
        "POST",
        &add,
        Some(&a.token),
        Some(json!({"participants": batch})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);

    let v25 = "api-version=2025-03-15";
    let big: std::collections::BTreeMap<String, String> = (0..100)
        .map(|i| (format!("k{i}"), "v".repeat(10)))
        .collect();
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads?{v25}"),
        Some(&a.token),
        Some(json!({"topic": "t", "metadata": big})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&app, "POST", &format!("/chat/threads?{v25}"), Some(&a.token), Some(json!({"topic": "t", "metadata": {"a": "b"}, "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": 40}})), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["chatThread"]["metadata"]["a"], "b");
    assert_eq!(
        r.body["chatThread"]["retentionPolicy"]["deleteThreadAfterDays"],
        40
    );
    let tid = r.body["chatThread"]["id"].as_str().unwrap();
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}?{V}", enc(tid)),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert!(r.body.get("metadata").is_none());
    assert!(r.body.get("retentionPolicy").is_none());
    let r = send(&app, "POST", &format!("/chat/threads?{v25}"), Some(&a.token), Some(json!({"topic": "t", "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": 10}})), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[test]
fn debug_output_redacts_secrets() {
    let config = AppConfig {
        storage: Storage::InMemory,
        access_key: b"super-secret-key".to_vec(),
        scheme: "https",
    };
    let app = App::open(config.clone()).unwrap();
    let u = user(&app, "chat");
    let shown = format!("{config:?} {u:?}");
    assert!(!shown.contains("super-secret-key"));
    assert!(!shown.contains(&format!("{:?}", b"super-secret-key".to_vec())));
    assert!(!shown.contains(&u.token));
    assert!(shown.contains("<redacted>"));
}

#[tokio::test]
async fn state_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emu.db");
    let (u, tid, mid, rid) = {
        let app = open(Storage::File(path.clone()));
        let u = user(&app, "chat");
        let b = user(&app, "chat");
        let tid = new_thread(&app, &u, &[&b]).await;
        let mid = post_message(&app, &u, &tid, "persisted").await;
        let r = send(
            &app,
            "POST",
            &format!("/chat/threads/{}/readReceipts?{V}", enc(&tid)),
            Some(&b.token),
            Some(json!({"chatMessageId": mid})),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        (u, tid, mid, app.resource_id().to_owned())
    };
    let app = open(Storage::File(path));
    assert_eq!(app.resource_id(), rid);
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}/messages/{mid}?{V}", enc(&tid)),
        Some(&u.token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["content"]["message"], "persisted");
    let next = post_message(&app, &u, &tid, "after").await;
    assert!(next.parse::<u64>().unwrap() > mid.parse::<u64>().unwrap());
    let (ps, _) = collect(
        &app,
        &u,
        &format!("/chat/threads/{}/participants?{V}", enc(&tid)),
    )
    .await;
    assert_eq!(ps.len(), 2);
    let (rs, _) = collect(
        &app,
        &u,
        &format!("/chat/threads/{}/readReceipts?{V}", enc(&tid)),
    )
    .await;
    assert_eq!(rs.len(), 1);
    let (ts, _) = collect(&app, &u, &format!("/chat/threads?{V}")).await;
    assert_eq!(ts.len(), 1);
    assert!(ts[0].get("lastMessageReceivedOn").is_some());
}

#[tokio::test]
async fn answers_follow_the_recorded_service_shapes() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let old = "api-version=2021-09-07";
    // No `kind` before 2023-11-07; `kind` from then on.
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads?{old}"),
        Some(&a.token),
        Some(json!({"topic": "t", "participants": []})),
        &[],
    )
    .await;
    let by = &r.body["chatThread"]["createdByCommunicationIdentifier"];
    assert!(by.get("kind").is_none());
    assert_eq!(by["communicationUser"]["id"], a.id.as_str());
    let quiet = r.body["chatThread"]["id"].as_str().unwrap().to_owned();
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads/{}?{V}", enc(&quiet)),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert_eq!(
        r.body["createdByCommunicationIdentifier"]["kind"],
        "communicationUser"
    );

    // A thread created without listed participants has no lastMessageReceivedOn until a
    // message arrives; one created with participants has it from the start.
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        Some(json!({"topic": "t", "participants": [ident(&a.id)]})),
        &[],
    )
    .await;
    let listed = r.body["chatThread"]["id"].as_str().unwrap().to_owned();
    let items = |body: &Value| -> Vec<(String, bool)> {
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_owned(),
                    t.get("lastMessageReceivedOn").is_some(),
                )
            })
            .collect()
    };
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    let seen = items(&r.body);
    assert!(seen.contains(&(quiet.clone(), false)), "{seen:?}");
    assert!(seen.contains(&(listed, true)), "{seen:?}");
    post_message(&app, &a, &quiet, "now it has one").await;
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?{V}"),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    assert!(items(&r.body).contains(&(quiet.clone(), true)));

    // Deleting a deleted thread again is a 204.
    let path = format!("/chat/threads/{}?{V}", enc(&quiet));
    for _ in 0..2 {
        let r = send(&app, "DELETE", &path, Some(&a.token), None, &[]).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn thread_listing_survives_activity_while_paging() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(new_thread(&app, &a, &[]).await);
    }
    let r = send(
        &app,
        "GET",
        &format!("/chat/threads?maxPageSize=2&{V}"),
        Some(&a.token),
        None,
        &[],
    )
    .await;
    let mut seen: Vec<String> = r.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    // Every not-yet-listed thread becomes the most active one before the next page.
    let mut next = r.body["nextLink"].as_str().map(str::to_owned);
    while let Some(link) = next {
        for t in created.iter().filter(|t| !seen.contains(t)) {
            post_message(&app, &a, t, "activity").await;
        }
        let path = link
            .strip_prefix(&format!("https://{HOST}"))
            .unwrap()
            .to_owned();
        let r = send(&app, "GET", &path, Some(&a.token), None, &[]).await;
        seen.extend(
            r.body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned()),
        );
        next = r.body["nextLink"].as_str().map(str::to_owned);
    }
    seen.sort();
    created.sort();
    assert_eq!(seen, created, "each thread listed exactly once");
}

#[tokio::test]
async fn a_failing_database_write_is_a_503_and_changes_nothing() {
    let app = open(Storage::InMemory);
    let a = user(&app, "chat");
    let tid = new_thread(&app, &a, &[]).await;
    app.inner
        .db
        .lock()
        .execute_batch("PRAGMA query_only = 1")
        .unwrap();
    let r = send(
        &app,
        "POST",
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
        Some(&a.token),
        Some(json!({"content": "lost"})),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.body["error"]["code"], "ServiceUnavailable");
    assert!(app.create_user(&["chat"], 60).is_err());
    app.inner
        .db
        .lock()
        .execute_batch("PRAGMA query_only = 0")
        .unwrap();
    let (msgs, _) = collect(
        &app,
        &a,
        &format!("/chat/threads/{}/messages?{V}", enc(&tid)),
    )
    .await;
    assert_eq!(
        msgs.len(),
        2,
        "only the creation messages: memory was left unchanged"
    );
    post_message(&app, &a, &tid, "works again").await;
}

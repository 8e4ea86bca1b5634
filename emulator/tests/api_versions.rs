//! api-version handling: every stable chat version is accepted, a missing or unknown one is a 400 that
//! names the supported versions, and version-specific fields (thread metadata and retentionPolicy and
//! participant metadata in 2025-03-15, message metadata from 2021-09-07) appear only where they exist.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn every_stable_version_is_accepted_on_every_kind_of_call() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    for v in CHAT_VERSIONS {
        let r = api
            .chat_v(
                v,
                &a.token,
                Method::POST,
                "/chat/threads",
                Some(json!({"topic": v})),
            )
            .await;
        r.expect(201).expect_chat_versions_header();
        let thread = r.json()["chatThread"]["id"].as_str().unwrap().to_string();
        let t = format!("/chat/threads/{}", quote(&thread));
        let calls: Vec<(Method, String, Option<Value>, u16)> = vec![
            (Method::GET, t.clone(), None, 200),
            (Method::PATCH, t.clone(), Some(json!({"topic": "x"})), 204),
            (
                Method::POST,
                format!("{t}/messages"),
                Some(json!({"content": "hi"})),
                201,
            ),
            (Method::GET, format!("{t}/messages"), None, 200),
            (Method::GET, format!("{t}/participants"), None, 200),
            (Method::GET, format!("{t}/readReceipts"), None, 200),
            (Method::POST, format!("{t}/typing"), None, 200),
            (Method::GET, "/chat/threads".to_string(), None, 200),
            (Method::DELETE, t.clone(), None, 204),
        ];
        for (method, path, body, status) in calls {
            let r = api.chat_v(v, &a.token, method, &path, body).await;
            r.expect(status).expect_chat_versions_header();
        }
    }
}

#[tokio::test]
async fn missing_or_unknown_versions_are_400_naming_the_supported_ones() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let auth = [("authorization", format!("Bearer {}", a.token))];
    let paths = [
        "/chat/threads".to_string(),
        format!("/chat/threads/{}", quote(&thread)),
        format!("/chat/threads/{}/messages", quote(&thread)),
    ];
    for path in &paths {
        for query in [
            "",
            "?api-version=",
            "?api-version=2020-09-21-preview2",
            "?api-version=2023-11-07x",
            "?api-version=latest",
            "?api-version=2023-10-01",
        ] {
            let r = api
                .raw(Method::GET, &format!("{path}{query}"), &auth, None)
                .await;
            let (_, message) = r.expect_error(400);
            r.expect_chat_versions_header();
            for v in CHAT_VERSIONS {
                assert!(
                    message.contains(v),
                    "{path}{query}: message lacks {v}: {message}"
                );
            }
        }
    }
}

#[tokio::test]
async fn thread_metadata_and_retention_policy_exist_only_in_2025_03_15() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let new = "2025-03-15";
    let policy = json!({"kind": "threadCreationDate", "deleteThreadAfterDays": 40});
    let r = api
        .chat_v(
            new,
            &a.token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": "t", "metadata": {"team": "blue"}, "retentionPolicy": policy})),
        )
        .await;
    r.expect(201);
    let created = r.json()["chatThread"].clone();
    assert_eq!(created["metadata"], json!({"team": "blue"}), "{r}");
    assert_eq!(created["retentionPolicy"], policy, "{r}");
    let thread = created["id"].as_str().unwrap().to_string();
    let path = format!("/chat/threads/{}", quote(&thread));

    let got = api
        .chat_v(new, &a.token, Method::GET, &path, None)
        .await
        .json();
    assert_eq!(got["metadata"], json!({"team": "blue"}));
    assert_eq!(got["retentionPolicy"], policy);

    for old in &CHAT_VERSIONS[..4] {
        let got = api.chat_v(old, &a.token, Method::GET, &path, None).await;
        let body = got.expect(200).json();
        assert!(
            body.get("metadata").is_none() && body.get("retentionPolicy").is_none(),
            "{old} must not return 2025-03-15 fields: {got}"
        );
    }

    api.chat_v(
        new,
        &a.token,
        Method::PATCH,
        &path,
        Some(json!({"metadata": {"team": "red"}, "retentionPolicy": {"kind": "none"}})),
    )
    .await
    .expect(204);
    let got = api
        .chat_v(new, &a.token, Method::GET, &path, None)
        .await
        .json();
    assert_eq!(got["metadata"], json!({"team": "red"}));
    assert_eq!(got["retentionPolicy"]["kind"], "none");
    assert_eq!(
        got["topic"], "t",
        "a metadata update leaves the topic alone"
    );
}

#[tokio::test]
async fn bad_retention_policies_are_400() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    for policy in [
        json!({"kind": "forever"}),
        json!({"kind": "threadCreationDate"}),
        json!({"kind": "threadCreationDate", "deleteThreadAfterDays": "thirty"}),
        // The service deletes threads automatically between 30 and 90 days.
        json!({"kind": "threadCreationDate", "deleteThreadAfterDays": 29}),
        json!({"kind": "threadCreationDate", "deleteThreadAfterDays": 91}),
        json!("none"),
    ] {
        let r = api
            .chat_v(
                "2025-03-15",
                &a.token,
                Method::POST,
                "/chat/threads",
                Some(json!({"topic": "t", "retentionPolicy": policy})),
            )
            .await;
        r.expect_error(400);
    }
    for days in [30, 90] {
        let policy = json!({"kind": "threadCreationDate", "deleteThreadAfterDays": days});
        let r = api
            .chat_v(
                "2025-03-15",
                &a.token,
                Method::POST,
                "/chat/threads",
                Some(json!({"topic": "t", "retentionPolicy": policy})),
            )
            .await;
        assert_eq!(
            r.expect(201).json()["chatThread"]["retentionPolicy"],
            policy
        );
    }
}

#[tokio::test]
async fn participant_metadata_exists_only_in_2025_03_15() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let parts = format!("/chat/threads/{}/participants", quote(&thread));
    api.chat_v(
        "2025-03-15",
        &a.token,
        Method::POST,
        &format!("{parts}/:add"),
        Some(json!({"participants": [{
            "communicationIdentifier": ident(&b.id),
            "metadata": {"role": "guest"},
        }]})),
    )
    .await
    .expect(201);

    let find_b = |r: &Resp| -> Value {
        r.json()["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| raw_id_of(&p["communicationIdentifier"]) == b.id)
            .cloned()
            .unwrap_or_else(|| panic!("b not listed: {r}"))
    };
    let r = api
        .chat_v("2025-03-15", &a.token, Method::GET, &parts, None)
        .await;
    assert_eq!(find_b(r.expect(200))["metadata"], json!({"role": "guest"}));
    let r = api.chat(&a.token, Method::GET, &parts, None).await;
    assert!(find_b(r.expect(200)).get("metadata").is_none(), "{r}");
}

#[tokio::test]
async fn message_metadata_is_hidden_from_2021_03_07() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let r = api
        .chat(
            &a.token,
            Method::POST,
            &format!("/chat/threads/{}/messages", quote(&thread)),
            Some(json!({"content": "x", "metadata": {"k": "v"}})),
        )
        .await;
    let id = r.expect(201).json()["id"].as_str().unwrap().to_string();
    let path = format!("/chat/threads/{}/messages/{id}", quote(&thread));
    let old = api
        .chat_v("2021-03-07", &a.token, Method::GET, &path, None)
        .await;
    assert!(old.expect(200).json().get("metadata").is_none(), "{old}");
    for v in &CHAT_VERSIONS[1..] {
        let m = api.chat_v(v, &a.token, Method::GET, &path, None).await;
        assert_eq!(m.expect(200).json()["metadata"], json!({"k": "v"}), "{v}");
    }
}

//! Thread operations over HTTP: create (201, body, Location, creator as participant, system messages,
//! invalid participants, repeatability), get, update topic, delete, and list (only the caller's threads).

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn thread_path(id: &str) -> String {
    format!("/chat/threads/{}", quote(id))
}

#[tokio::test]
async fn create_thread_answers_201_with_body_location_and_adds_the_creator() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);

    let r = api.create_thread(&a.token, "Lunch", &[&b.id]).await;
    r.expect(201).expect_chat_versions_header();
    let body = r.json();
    let thread = &body["chatThread"];
    let id = thread["id"].as_str().expect("chatThread.id").to_string();
    assert!(
        id.starts_with("19:") && id.ends_with("@thread.v2"),
        "thread id shape: {id}"
    );
    assert_eq!(thread["topic"], "Lunch", "{r}");
    ts(&thread["createdOn"], "createdOn");
    assert_eq!(raw_id_of(&thread["createdByCommunicationIdentifier"]), a.id);
    let invalid = &body["invalidParticipants"];
    assert!(
        invalid.is_null() || invalid.as_array().is_some_and(|v| v.is_empty()),
        "no participant should be invalid: {r}"
    );
    assert_eq!(location_path(&api, &r), format!("/chat/threads/{id}"));

    let mut members = participant_ids(&api, &a.token, &id).await;
    members.sort();
    let mut expected = vec![a.id.clone(), b.id.clone()];
    expected.sort();
    assert_eq!(
        members, expected,
        "creator and listed participant are members"
    );

    // The new participant can read the thread, which proves membership from its side too.
    api.chat(&b.token, Method::GET, &thread_path(&id), None)
        .await
        .expect(200);
}

#[tokio::test]
async fn create_thread_emits_participant_added_and_topic_updated_system_messages() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let id = api.thread(&a.token, "Lunch", &[&b.id]).await;

    let messages = all_messages(&api, &a.token, &id).await;
    let added: Vec<&Value> = messages
        .iter()
        .filter(|m| m["type"] == "participantAdded")
        .collect();
    assert_eq!(added.len(), 1, "one participantAdded: {messages:?}");
    let content = &added[0]["content"];
    assert_eq!(
        raw_id_of(&content["initiatorCommunicationIdentifier"]),
        a.id
    );
    let mut ids: Vec<String> = content["participants"]
        .as_array()
        .expect("participants in participantAdded")
        .iter()
        .map(|p| raw_id_of(&p["communicationIdentifier"]))
        .collect();
    ids.sort();
    let mut expected = vec![a.id.clone(), b.id.clone()];
    expected.sort();
    assert_eq!(ids, expected);

    let topic: Vec<&Value> = messages
        .iter()
        .filter(|m| m["type"] == "topicUpdated")
        .collect();
    assert_eq!(topic.len(), 1, "one topicUpdated: {messages:?}");
    assert_eq!(topic[0]["content"]["topic"], "Lunch");
    assert_eq!(
        raw_id_of(&topic[0]["content"]["initiatorCommunicationIdentifier"]),
        a.id
    );
    for m in added.iter().chain(topic.iter()) {
        assert!(
            m.get("senderCommunicationIdentifier").is_none()
                && m.get("senderDisplayName").is_none(),
            "system messages have no sender: {m}"
        );
    }
}

#[tokio::test]
async fn create_thread_reports_unknown_participants_without_failing() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    // Same resource prefix as a real user of this emulator, but a suffix it never issued.
    let (prefix, _) = a.id.rsplit_once('_').expect("8:acs:<resource>_<suffix>");
    let ghost = format!("{prefix}_00000000-0000-0000-0000-000000000000");

    let r = api.create_thread(&a.token, "With ghost", &[&ghost]).await;
    r.expect(201);
    let body = r.json();
    let invalid = body["invalidParticipants"]
        .as_array()
        .unwrap_or_else(|| panic!("invalidParticipants expected: {r}"));
    assert_eq!(invalid.len(), 1, "{r}");
    assert_eq!(invalid[0]["target"], ghost.as_str(), "target is the raw id");
    assert!(invalid[0]["code"].is_string() && invalid[0]["message"].is_string());
    let id = body["chatThread"]["id"].as_str().unwrap().to_string();
    assert_eq!(participant_ids(&api, &a.token, &id).await, vec![a.id]);
}

#[tokio::test]
async fn get_thread_returns_its_properties() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let created = api.create_thread(&a.token, "Props", &[]).await;
    created.expect(201);
    let id = created.json()["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = api
        .chat(&a.token, Method::GET, &thread_path(&id), None)
        .await;
    r.expect(200).expect_chat_versions_header();
    let t = r.json();
    assert_eq!(t["id"], id.as_str());
    assert_eq!(t["topic"], "Props");
    assert_eq!(
        ts(&t["createdOn"], "createdOn"),
        ts(
            &created.json()["chatThread"]["createdOn"],
            "createdOn at create"
        )
    );
    assert_eq!(raw_id_of(&t["createdByCommunicationIdentifier"]), a.id);
    assert!(t.get("deletedOn").map_or(true, Value::is_null), "{r}");
}

#[tokio::test]
async fn update_topic_answers_204_changes_the_topic_and_emits_topic_updated() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let id = api.thread(&a.token, "Old", &[&b.id]).await;

    let r = api
        .chat(
            &b.token,
            Method::PATCH,
            &thread_path(&id),
            Some(json!({"topic": "New"})),
        )
        .await;
    r.expect(204).expect_empty().expect_chat_versions_header();
    let t = api
        .chat(&a.token, Method::GET, &thread_path(&id), None)
        .await;
    assert_eq!(t.expect(200).json()["topic"], "New");

    let messages = all_messages(&api, &a.token, &id).await;
    let newest_topic = messages
        .iter()
        .find(|m| m["type"] == "topicUpdated")
        .expect("a topicUpdated message");
    assert_eq!(newest_topic["content"]["topic"], "New");
    assert_eq!(
        raw_id_of(&newest_topic["content"]["initiatorCommunicationIdentifier"]),
        b.id
    );

    // The SDK sends `{}` when no topic is given: it succeeds and changes nothing.
    api.chat(&a.token, Method::PATCH, &thread_path(&id), Some(json!({})))
        .await
        .expect(204);
    let t = api
        .chat(&a.token, Method::GET, &thread_path(&id), None)
        .await;
    assert_eq!(t.expect(200).json()["topic"], "New");
}

#[tokio::test]
async fn delete_thread_answers_204_and_the_thread_is_gone() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let id = api.thread(&a.token, "Doomed", &[]).await;

    let r = api
        .chat(&a.token, Method::DELETE, &thread_path(&id), None)
        .await;
    r.expect(204).expect_empty().expect_chat_versions_header();

    api.chat(&a.token, Method::GET, &thread_path(&id), None)
        .await
        .expect_error(404);
    api.send(&a.token, &id, "anyone?").await.expect_error(404);

    // The deleted thread stays listed with deletedOn, as in the spec's list example.
    let listed = api.list_all(&a.token, "/chat/threads").await.items;
    let entries: Vec<&Value> = listed.iter().filter(|t| t["id"] == id.as_str()).collect();
    assert_eq!(entries.len(), 1, "{listed:?}");
    ts(&entries[0]["deletedOn"], "deletedOn of a deleted thread");
}

#[tokio::test]
async fn unknown_thread_is_404_on_every_thread_operation() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let p = thread_path(UNKNOWN_THREAD);
    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, p.clone(), None),
        (Method::PATCH, p.clone(), Some(json!({"topic": "x"}))),
        (Method::DELETE, p.clone(), None),
        (Method::GET, format!("{p}/messages"), None),
        (
            Method::POST,
            format!("{p}/messages"),
            Some(json!({"content": "x"})),
        ),
        (Method::GET, format!("{p}/messages/1700000000000"), None),
        (Method::GET, format!("{p}/participants"), None),
        (
            Method::POST,
            format!("{p}/participants/:add"),
            Some(json!({"participants": [participant(&a.id)]})),
        ),
        (
            Method::POST,
            format!("{p}/participants/:remove"),
            Some(ident(&a.id)),
        ),
        (
            Method::POST,
            format!("{p}/readReceipts"),
            Some(json!({"chatMessageId": "1700000000000"})),
        ),
        (Method::GET, format!("{p}/readReceipts"), None),
        (Method::POST, format!("{p}/typing"), Some(json!({}))),
    ];
    for (method, path, body) in cases {
        let r = api.chat(&a.token, method, &path, body).await;
        r.expect_error(404);
        r.expect_chat_versions_header();
    }
}

#[tokio::test]
async fn list_threads_shows_only_the_callers_threads() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let c = chat_user(&emu);
    let d = chat_user(&emu);
    let t1 = api.thread(&a.token, "a and b", &[&b.id]).await;
    let t2 = api.thread(&c.token, "c alone", &[]).await;

    let ids = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|t| t["id"].as_str().expect("thread item id").to_string())
            .collect()
    };
    let r = api.chat(&a.token, Method::GET, "/chat/threads", None).await;
    r.expect(200).expect_chat_versions_header();
    let first = &r.json()["value"][0];
    assert_eq!(first["id"], t1.as_str());
    assert_eq!(first["topic"], "a and b");

    assert_eq!(
        ids(api.list_all(&a.token, "/chat/threads").await.items),
        vec![t1.clone()]
    );
    assert_eq!(
        ids(api.list_all(&b.token, "/chat/threads").await.items),
        vec![t1]
    );
    assert_eq!(
        ids(api.list_all(&c.token, "/chat/threads").await.items),
        vec![t2]
    );
    assert!(api
        .list_all(&d.token, "/chat/threads")
        .await
        .items
        .is_empty());
}

async fn create_repeatable(api: &Api, token: &str, request_id: &str, topic: &str) -> Resp {
    let body = serde_json::to_vec(&json!({"topic": topic, "participants": []})).unwrap();
    api.raw(
        Method::POST,
        &format!("/chat/threads?api-version={CHAT_API}"),
        &[
            ("authorization", format!("Bearer {token}")),
            ("content-type", "application/json".into()),
            ("repeatability-request-id", request_id.into()),
        ],
        Some(body),
    )
    .await
}

#[tokio::test]
async fn repeated_create_with_the_same_request_id_returns_the_original_201() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let c = chat_user(&emu);
    let rid = uuid::Uuid::new_v4().to_string();

    let first = create_repeatable(&api, &a.token, &rid, "Once").await;
    first.expect(201);
    let again = create_repeatable(&api, &a.token, &rid, "Once").await;
    again.expect(201);
    assert_eq!(first.json(), again.json(), "the original body is returned");
    assert_eq!(first.header("location"), again.header("location"));

    let listed = api.list_all(&a.token, "/chat/threads").await.items;
    assert_eq!(listed.len(), 1, "nothing new was created: {listed:?}");
    let id = first.json()["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // One participantAdded + one topicUpdated, not two of each.
    assert_eq!(all_messages(&api, &a.token, &id).await.len(), 2);

    // The same id from another caller is an independent request.
    let other = create_repeatable(&api, &c.token, &rid, "Once").await;
    other.expect(201);
    assert_ne!(
        other.json()["chatThread"]["id"],
        first.json()["chatThread"]["id"]
    );
    assert_eq!(api.list_all(&c.token, "/chat/threads").await.items.len(), 1);

    // A fresh id from the first caller creates a second thread.
    let fresh = create_repeatable(&api, &a.token, &uuid::Uuid::new_v4().to_string(), "Twice").await;
    fresh.expect(201);
    assert_eq!(api.list_all(&a.token, "/chat/threads").await.items.len(), 2);
}

#[tokio::test]
async fn list_threads_item_tracks_the_last_message_time() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let id = api.thread(&a.token, "Busy", &[]).await;
    let msg = api.message(&a.token, &id, "hello").await;
    let got = api
        .chat(
            &a.token,
            Method::GET,
            &format!("{}/messages/{msg}", thread_path(&id)),
            None,
        )
        .await;
    let created = ts(&got.expect(200).json()["createdOn"], "message createdOn");
    let items = api.list_all(&a.token, "/chat/threads").await.items;
    assert_eq!(items.len(), 1);
    let last = ts(&items[0]["lastMessageReceivedOn"], "lastMessageReceivedOn");
    assert!(
        last >= created - chrono::Duration::seconds(1),
        "lastMessageReceivedOn {last} is before the last message {created}"
    );
}

#[tokio::test]
async fn concurrent_retries_with_one_request_id_create_one_thread() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let rid = uuid::Uuid::new_v4().to_string();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (api, token, rid) = (api.clone(), a.token.clone(), rid.clone());
        set.spawn(async move { create_repeatable(&api, &token, &rid, "raced").await });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(r) = set.join_next().await {
        let r = r.expect("task");
        r.expect(201);
        ids.insert(r.json()["chatThread"]["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "every retry got the same thread: {ids:?}");
    assert_eq!(api.list_all(&a.token, "/chat/threads").await.items.len(), 1);
}

#[tokio::test]
async fn thread_ids_are_accepted_unencoded_in_paths_too() {
    // The SDK percent-encodes ids, but the spec's own nextLink example carries `19:...@thread.v2` raw.
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let id = api.thread(&a.token, "raw", &[]).await;
    let r = api
        .chat(&a.token, Method::GET, &format!("/chat/threads/{id}"), None)
        .await;
    assert_eq!(r.expect(200).json()["id"], id.as_str());
    api.chat(
        &a.token,
        Method::POST,
        &format!("/chat/threads/{id}/messages"),
        Some(json!({"content": "raw path"})),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn a_retry_after_a_lost_response_returns_the_thread_the_first_attempt_made() {
    use acs_chat_emulator::FaultConfig;
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let rid = uuid::Uuid::new_v4().to_string();

    // The first attempt is applied, then its response is lost with the connection.
    emu.set_faults(FaultConfig {
        rate_drop_after: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let body = serde_json::to_vec(&json!({"topic": "once", "participants": []})).unwrap();
    let lost = api
        .http
        .post(format!(
            "{}/chat/threads?api-version={CHAT_API}",
            api.endpoint
        ))
        .bearer_auth(&a.token)
        .header("content-type", "application/json")
        .header("repeatability-request-id", &rid)
        .body(body)
        .send()
        .await;
    assert!(lost.is_err(), "the fault drops the response");
    assert_eq!(
        emu.faults().remaining,
        Some(0),
        "exactly one request was faulted"
    );

    let retry = create_repeatable(&api, &a.token, &rid, "once").await;
    retry.expect(201);
    let listed = api.list_all(&a.token, "/chat/threads").await.items;
    assert_eq!(listed.len(), 1, "the retry created nothing new: {listed:?}");
    assert_eq!(listed[0]["id"], retry.json()["chatThread"]["id"]);
}

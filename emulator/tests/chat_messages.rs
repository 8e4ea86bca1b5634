//! Message operations over HTTP: send (201, id, Location), get, list (newest first), update (204,
//! version and editedOn), delete (204, deletedOn), message types and metadata, and shareHistoryTime.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn messages_path(thread: &str) -> String {
    format!("/chat/threads/{}/messages", quote(thread))
}

fn message_path(thread: &str, id: &str) -> String {
    format!("{}/{}", messages_path(thread), quote(id))
}

fn as_u64(v: &Value, what: &str) -> u64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{what} is not a decimal string: {v}"))
}

#[tokio::test]
async fn send_answers_201_with_an_epoch_ms_id_and_location() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;

    let before = chrono::Utc::now().timestamp_millis() as u64;
    let r = api.send(&a.token, &thread, "hello").await;
    r.expect(201).expect_chat_versions_header();
    let id = r.json()["id"].as_str().expect("id").to_string();
    let ms = as_u64(&json!(id), "message id");
    // Epoch milliseconds: close to the wall clock, give or take a generous minute.
    assert!(
        ms + 60_000 >= before && ms <= before + 60_000,
        "message id {ms} is not epoch ms near {before}"
    );
    assert_eq!(
        location_path(&api, &r),
        format!("/chat/threads/{thread}/messages/{id}")
    );
}

#[tokio::test]
async fn get_message_returns_the_full_message() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let id = api.message(&a.token, &thread, "hello world").await;

    let r = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await;
    r.expect(200).expect_chat_versions_header();
    let m = r.json();
    assert_eq!(m["id"], id.as_str());
    assert_eq!(m["type"], "text");
    assert_eq!(
        m["version"],
        id.as_str(),
        "an unedited message's version is its id"
    );
    // participantAdded and topicUpdated come first.
    assert_eq!(m["sequenceId"], "3");
    assert_eq!(m["content"]["message"], "hello world");
    assert_eq!(m["senderDisplayName"], "tester");
    ts(&m["createdOn"], "createdOn");
    assert_eq!(raw_id_of(&m["senderCommunicationIdentifier"]), a.id);
    assert!(m.get("editedOn").map_or(true, Value::is_null));
    assert!(m.get("deletedOn").map_or(true, Value::is_null));

    api.chat(
        &a.token,
        Method::GET,
        &message_path(&thread, "1000000000000"),
        None,
    )
    .await
    .expect_error(404);
}

#[tokio::test]
async fn ids_and_sequence_ids_increase_and_lists_are_newest_first() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let mut sent = Vec::new();
    for i in 0..20 {
        sent.push(api.message(&a.token, &thread, &format!("m{i}")).await);
    }
    let nums: Vec<u64> = sent.iter().map(|s| as_u64(&json!(s), "id")).collect();
    assert!(
        nums.windows(2).all(|w| w[0] < w[1]),
        "ids strictly increase even within one millisecond: {nums:?}"
    );

    let listed = all_messages(&api, &a.token, &thread).await;
    assert_eq!(listed.len(), 22, "20 texts + 2 system messages");
    let seqs: Vec<u64> = listed
        .iter()
        .map(|m| as_u64(&m["sequenceId"], "sequenceId"))
        .collect();
    assert_eq!(seqs, (1..=22).rev().collect::<Vec<u64>>(), "newest first");
    let texts: Vec<&str> = listed
        .iter()
        .filter(|m| m["type"] == "text")
        .map(|m| m["content"]["message"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..20).rev().map(|i| format!("m{i}")).collect();
    assert_eq!(texts, expected);
}

#[tokio::test]
async fn update_answers_204_and_changes_content_version_and_edited_on() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let id = api.message(&a.token, &thread, "draft").await;

    let r = api
        .chat(
            &a.token,
            Method::PATCH,
            &message_path(&thread, &id),
            Some(json!({"content": "final", "metadata": {"k": "v"}})),
        )
        .await;
    r.expect(204).expect_empty().expect_chat_versions_header();

    let m = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await;
    let m = m.expect(200).json();
    assert_eq!(m["id"], id.as_str(), "the id never changes");
    assert_eq!(m["content"]["message"], "final");
    assert_eq!(m["metadata"]["k"], "v");
    let v = as_u64(&m["version"], "version");
    assert!(
        v > as_u64(&json!(id), "id"),
        "version moves forward on edit: {m}"
    );
    let edited = ts(&m["editedOn"], "editedOn");
    assert!(edited >= ts(&m["createdOn"], "createdOn"));

    // A metadata-only edit keeps the content.
    api.chat(
        &a.token,
        Method::PATCH,
        &message_path(&thread, &id),
        Some(json!({"metadata": {"k": "w"}})),
    )
    .await
    .expect(204);
    let m2 = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await
        .json();
    assert_eq!(m2["content"]["message"], "final");
    assert_eq!(m2["metadata"]["k"], "w");
    assert!(as_u64(&m2["version"], "version") > v);
}

#[tokio::test]
async fn delete_answers_204_and_marks_the_message_deleted() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let id = api.message(&a.token, &thread, "oops").await;

    let r = api
        .chat(&a.token, Method::DELETE, &message_path(&thread, &id), None)
        .await;
    r.expect(204).expect_empty().expect_chat_versions_header();

    // Soft delete: the message is still there, now with deletedOn.
    let got = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await;
    got.expect(200);
    ts(&got.json()["deletedOn"], "deletedOn");
    let listed = all_messages(&api, &a.token, &thread).await;
    let m = listed
        .iter()
        .find(|m| m["id"] == id.as_str())
        .expect("a deleted message is still listed");
    ts(&m["deletedOn"], "deletedOn in the list");
}

#[tokio::test]
async fn html_and_metadata_round_trip_and_other_types_are_refused() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;

    let r = api
        .chat(
            &a.token,
            Method::POST,
            &messages_path(&thread),
            Some(json!({"content": "<b>hi</b>", "type": "html", "metadata": {"tag": "x"}})),
        )
        .await;
    r.expect(201);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let m = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await
        .json();
    assert_eq!(m["type"], "html");
    assert_eq!(m["content"]["message"], "<b>hi</b>");
    assert_eq!(m["metadata"]["tag"], "x");

    // Without a type the message is text.
    let r = api
        .chat(
            &a.token,
            Method::POST,
            &messages_path(&thread),
            Some(json!({"content": "plain"})),
        )
        .await;
    let id = r.expect(201).json()["id"].as_str().unwrap().to_string();
    let m = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await
        .json();
    assert_eq!(m["type"], "text");

    for bad in ["topicUpdated", "participantAdded", "video"] {
        let r = api
            .chat(
                &a.token,
                Method::POST,
                &messages_path(&thread),
                Some(json!({"content": "x", "type": bad})),
            )
            .await;
        r.expect_error(400);
    }
}

#[tokio::test]
async fn share_history_time_hides_older_messages_from_the_new_participant() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let old1 = api.message(&a.token, &thread, "old 1").await;
    let old2 = api.message(&a.token, &thread, "old 2").await;
    let old2_time = ts(
        &api.chat(&a.token, Method::GET, &message_path(&thread, &old2), None)
            .await
            .json()["createdOn"],
        "createdOn",
    );
    // A whole second after the last old message, so the test holds even if the emulator keeps
    // shareHistoryTime to the second like the real service does.
    let share_from = chrono::DateTime::from_timestamp(old2_time.timestamp() + 1, 0).unwrap();
    let wait = (share_from - chrono::Utc::now()).num_milliseconds() + 50;
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
    let r = api
        .chat(
            &a.token,
            Method::POST,
            &format!("/chat/threads/{}/participants/:add", quote(&thread)),
            Some(json!({"participants": [{
                "communicationIdentifier": ident(&b.id),
                "displayName": "B",
                "shareHistoryTime": share_from.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            }]})),
        )
        .await;
    r.expect(201);
    let new = api.message(&a.token, &thread, "new").await;

    let seen_by_b: Vec<String> = all_messages(&api, &b.token, &thread)
        .await
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert!(seen_by_b.contains(&new), "b sees the new message");
    assert!(
        !seen_by_b.contains(&old1) && !seen_by_b.contains(&old2),
        "b must not see messages before shareHistoryTime: {seen_by_b:?}"
    );
    let seen_by_a: Vec<String> = all_messages(&api, &a.token, &thread)
        .await
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    for id in [&old1, &old2, &new] {
        assert!(seen_by_a.contains(id), "a still sees everything");
    }
    let listed = api
        .list_all(
            &b.token,
            &format!("/chat/threads/{}/participants", quote(&thread)),
        )
        .await
        .items;
    let b_entry = listed
        .iter()
        .find(|p| raw_id_of(&p["communicationIdentifier"]) == b.id)
        .expect("b is listed");
    assert_eq!(b_entry["displayName"], "B");
    assert_eq!(
        ts(&b_entry["shareHistoryTime"], "shareHistoryTime"),
        share_from
    );
}

#[tokio::test]
async fn list_messages_start_time_keeps_only_newer_messages() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(api.message(&a.token, &thread, &format!("m{i}")).await);
        // Distinct createdOn values make the cut below meaningful.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let all = all_messages(&api, &a.token, &thread).await;
    let cut = ts(
        &all.iter().find(|m| m["id"] == ids[3].as_str()).unwrap()["createdOn"],
        "createdOn",
    );
    let after = api
        .list_all(
            &a.token,
            &format!(
                "{}?startTime={}&maxPageSize=2",
                messages_path(&thread),
                start_time_param(cut)
            ),
        )
        .await
        .items;
    let expected: Vec<&Value> = all
        .iter()
        .filter(|m| ts(&m["createdOn"], "createdOn") >= cut)
        .collect();
    let got_ids: Vec<&Value> = after.iter().map(|m| &m["id"]).collect();
    let want_ids: Vec<&Value> = expected.iter().map(|m| &m["id"]).collect();
    assert_eq!(
        got_ids, want_ids,
        "exactly the messages created at or after startTime"
    );
    assert!(
        got_ids.contains(&&json!(ids[5])),
        "the newest message is after startTime"
    );
}

#[tokio::test]
async fn unicode_and_markup_round_trip_exactly() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let topic = "Déjeuner 🍜 \"quoted\" <tag> & 中文";
    let thread = api.thread(&a.token, topic, &[]).await;
    let got = api
        .chat(
            &a.token,
            Method::GET,
            &format!("/chat/threads/{}", quote(&thread)),
            None,
        )
        .await;
    assert_eq!(got.expect(200).json()["topic"], topic);
    let content = "héllo 👋 <b>&amp;</b> \\ \"q\" \u{1F600}\n\ttabs\u{0}nul";
    let id = api.message(&a.token, &thread, content).await;
    let m = api
        .chat(&a.token, Method::GET, &message_path(&thread, &id), None)
        .await;
    assert_eq!(m.expect(200).json()["content"]["message"], content);
}

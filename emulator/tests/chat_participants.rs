//! Participant operations over HTTP: list (200), add (201, participantAdded, idempotent for existing
//! members), remove (204, participantRemoved, access lost), and who may do what.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn participants_path(thread: &str) -> String {
    format!("/chat/threads/{}/participants", quote(thread))
}

fn system_messages<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

fn ids_in(content: &Value) -> Vec<String> {
    content["participants"]
        .as_array()
        .unwrap_or_else(|| panic!("content without participants: {content}"))
        .iter()
        .map(|p| raw_id_of(&p["communicationIdentifier"]))
        .collect()
}

#[tokio::test]
async fn list_participants_answers_200_with_identifiers_and_display_names() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let r = api
        .chat(
            &a.token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": "t", "participants": [
                {"communicationIdentifier": ident(&b.id), "displayName": "Bee"}
            ]})),
        )
        .await;
    let thread = r.expect(201).json()["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = api
        .chat(&a.token, Method::GET, &participants_path(&thread), None)
        .await;
    r.expect(200).expect_chat_versions_header();
    let value = r.json()["value"].as_array().expect("value").clone();
    assert_eq!(value.len(), 2);
    let bee = value
        .iter()
        .find(|p| raw_id_of(&p["communicationIdentifier"]) == b.id)
        .expect("b listed");
    assert_eq!(bee["displayName"], "Bee");
    assert!(value
        .iter()
        .any(|p| raw_id_of(&p["communicationIdentifier"]) == a.id));
}

#[tokio::test]
async fn add_answers_201_lists_the_newcomer_and_emits_participant_added() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let c = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;

    // Not yet a member: no access.
    api.chat(
        &c.token,
        Method::GET,
        &format!("/chat/threads/{}", quote(&thread)),
        None,
    )
    .await
    .expect_error(403);

    let r = api.add(&a.token, &thread, &[&c.id]).await;
    r.expect(201).expect_chat_versions_header();
    let invalid = &r.json()["invalidParticipants"];
    assert!(
        invalid.is_null() || invalid.as_array().is_some_and(|v| v.is_empty()),
        "{r}"
    );

    let ids = participant_ids(&api, &a.token, &thread).await;
    assert!(ids.contains(&c.id), "{ids:?}");
    api.chat(
        &c.token,
        Method::GET,
        &format!("/chat/threads/{}", quote(&thread)),
        None,
    )
    .await
    .expect(200);

    let messages = all_messages(&api, &a.token, &thread).await;
    let added = system_messages(&messages, "participantAdded");
    assert_eq!(added.len(), 2, "one at create, one for the add");
    // Newest first: the add's message is the first one listed.
    assert_eq!(ids_in(&added[0]["content"]), vec![c.id.clone()]);
    assert_eq!(
        raw_id_of(&added[0]["content"]["initiatorCommunicationIdentifier"]),
        a.id
    );
}

#[tokio::test]
async fn adding_an_existing_participant_changes_nothing() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;
    let before_members = participant_ids(&api, &a.token, &thread).await;
    let before_messages = all_messages(&api, &a.token, &thread).await;

    api.add(&a.token, &thread, &[&b.id]).await.expect(201);
    api.add(&a.token, &thread, &[&a.id]).await.expect(201);

    assert_eq!(
        participant_ids(&api, &a.token, &thread).await,
        before_members
    );
    assert_eq!(
        all_messages(&api, &a.token, &thread).await,
        before_messages,
        "no system message for a no-op add"
    );
}

#[tokio::test]
async fn remove_answers_204_revokes_access_and_emits_participant_removed() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;

    let r = api
        .chat(
            &a.token,
            Method::POST,
            &format!("{}/:remove", participants_path(&thread)),
            Some(ident(&b.id)),
        )
        .await;
    r.expect(204).expect_empty().expect_chat_versions_header();

    assert_eq!(
        participant_ids(&api, &a.token, &thread).await,
        vec![a.id.clone()]
    );
    api.chat(
        &b.token,
        Method::GET,
        &format!("/chat/threads/{}", quote(&thread)),
        None,
    )
    .await
    .expect_error(403);
    api.send(&b.token, &thread, "still here?")
        .await
        .expect_error(403);

    let messages = all_messages(&api, &a.token, &thread).await;
    let removed = system_messages(&messages, "participantRemoved");
    assert_eq!(removed.len(), 1);
    assert_eq!(ids_in(&removed[0]["content"]), vec![b.id.clone()]);
    assert_eq!(
        raw_id_of(&removed[0]["content"]["initiatorCommunicationIdentifier"]),
        a.id
    );
    assert!(removed[0].get("senderCommunicationIdentifier").is_none());
}

#[tokio::test]
async fn remove_accepts_the_identifier_without_raw_id() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;
    api.chat(
        &a.token,
        Method::POST,
        &format!("{}/:remove", participants_path(&thread)),
        Some(json!({"communicationUser": {"id": b.id}})),
    )
    .await
    .expect(204);
    assert_eq!(participant_ids(&api, &a.token, &thread).await, vec![a.id]);
}

#[tokio::test]
async fn non_participants_cannot_list_add_or_remove() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let outsider = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;

    api.chat(
        &outsider.token,
        Method::GET,
        &participants_path(&thread),
        None,
    )
    .await
    .expect_error(403);
    api.add(&outsider.token, &thread, &[&outsider.id])
        .await
        .expect_error(403);
    api.chat(
        &outsider.token,
        Method::POST,
        &format!("{}/:remove", participants_path(&thread)),
        Some(ident(&b.id)),
    )
    .await
    .expect_error(403);
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 2);
}

#[tokio::test]
async fn list_participants_honours_skip() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let others: Vec<String> = (0..5).map(|_| chat_user(&emu).id).collect();
    let thread = api.thread(&a.token, "t", &[]).await;
    api.add_all(&a.token, &thread, &others).await;

    let all = participant_ids(&api, &a.token, &thread).await;
    assert_eq!(all.len(), 6);
    let skipped: Vec<String> = api
        .list_all(&a.token, &format!("{}?skip=2", participants_path(&thread)))
        .await
        .items
        .iter()
        .map(|p| raw_id_of(&p["communicationIdentifier"]))
        .collect();
    assert_eq!(skipped, all[2..].to_vec());
    // Skipping everything is an empty page, not an error.
    let none = api
        .list_all(&a.token, &format!("{}?skip=6", participants_path(&thread)))
        .await;
    assert!(none.items.is_empty());
}

#[tokio::test]
async fn requests_may_name_users_by_raw_id_or_nested_id_alone() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let c = chat_user(&emu);
    let d = chat_user(&emu);
    let r = api
        .chat(
            &a.token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": "shapes", "participants": [
                {"communicationIdentifier": {"rawId": b.id}},
                {"communicationIdentifier": {"communicationUser": {"id": c.id}}},
            ]})),
        )
        .await;
    let thread = r.expect(201).json()["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.chat(
        &a.token,
        Method::POST,
        &format!("{}/:add", participants_path(&thread)),
        Some(json!({"participants": [{"communicationIdentifier": {
            "kind": "communicationUser", "rawId": d.id, "communicationUser": {"id": d.id}
        }}]})),
    )
    .await
    .expect(201);
    let mut got = participant_ids(&api, &a.token, &thread).await;
    got.sort();
    let mut want = vec![a.id, b.id, c.id, d.id];
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn phone_and_teams_participants_are_reported_not_fatal() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let phone = "4:+14255550123";
    let teams = "8:orgid:45ab2481-1c1c-4005-be24-0ffb879b1130";
    let r = api
        .chat(
            &a.token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": "interop", "participants": [
                {"communicationIdentifier": {"rawId": phone, "phoneNumber": {"value": "+14255550123"}}},
                {"communicationIdentifier": {"rawId": teams, "microsoftTeamsUser": {
                    "userId": "45ab2481-1c1c-4005-be24-0ffb879b1130", "isAnonymous": false, "cloud": "PUBLIC"
                }}},
            ]})),
        )
        .await;
    r.expect(201);
    let body = r.json();
    let mut targets: Vec<&str> = body["invalidParticipants"]
        .as_array()
        .unwrap_or_else(|| panic!("invalidParticipants expected: {r}"))
        .iter()
        .map(|e| e["target"].as_str().expect("target"))
        .collect();
    targets.sort_unstable();
    let mut want = vec![phone, teams];
    want.sort_unstable();
    assert_eq!(
        targets, want,
        "each refused participant is reported by raw id"
    );
    let thread = body["chatThread"]["id"].as_str().unwrap().to_string();
    assert_eq!(participant_ids(&api, &a.token, &thread).await, vec![a.id]);
}

#[tokio::test]
async fn a_participant_can_leave_and_then_loses_access() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;
    api.chat(
        &b.token,
        Method::POST,
        &format!("{}/:remove", participants_path(&thread)),
        Some(ident(&b.id)),
    )
    .await
    .expect(204);
    api.chat(&b.token, Method::GET, &participants_path(&thread), None)
        .await
        .expect_error(403);
    assert_eq!(
        participant_ids(&api, &a.token, &thread).await,
        vec![a.id.clone()]
    );
    let messages = all_messages(&api, &a.token, &thread).await;
    let removed = system_messages(&messages, "participantRemoved");
    assert_eq!(removed.len(), 1);
    assert_eq!(
        raw_id_of(&removed[0]["content"]["initiatorCommunicationIdentifier"]),
        b.id
    );
}

#[tokio::test]
async fn concurrent_adds_of_one_user_add_it_once() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (api, token, thread, id) = (api.clone(), a.token.clone(), thread.clone(), b.id.clone());
        set.spawn(async move { api.add(&token, &thread, &[&id]).await.status });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.expect("task"), 201);
    }
    let ids = participant_ids(&api, &a.token, &thread).await;
    assert_eq!(ids.iter().filter(|id| **id == b.id).count(), 1, "{ids:?}");
    let messages = all_messages(&api, &a.token, &thread).await;
    assert_eq!(
        system_messages(&messages, "participantAdded").len(),
        2,
        "one participantAdded at create and one for b"
    );
}

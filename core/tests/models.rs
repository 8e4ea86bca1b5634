//! Decoding and encoding of the public chat models.

use acs_chat::identifier::CommunicationIdentifier as Id;
use acs_chat::models::{
    ChatAttachmentType, ChatError, ChatMessage, ChatMessageReadReceipt, ChatMessageType,
    ChatParticipant, ChatThreadItem, ChatThreadProperties, SendChatMessageResult,
};
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::collections::HashMap;

#[test]
fn text_message_from_the_real_service() {
    let body = json!({"id": "1685151486588", "type": "text", "sequenceId": "3",
        "version": "1685151486588", "content": {"message": "hello world"},
        "senderDisplayName": "sender name", "createdOn": "2023-05-27T01:38:06Z",
        "senderCommunicationIdentifier": {"rawId": "8:acs:s", "communicationUser": {"id": "8:acs:s"}}});
    let m: ChatMessage = serde_json::from_value(body).unwrap();
    assert_eq!(m.id, "1685151486588");
    assert_eq!(m.message_type, ChatMessageType::Text);
    assert_eq!(m.sequence_id, "3");
    assert_eq!(m.version, "1685151486588");
    let content = m.content.as_ref().unwrap();
    assert_eq!(content.message.as_deref(), Some("hello world"));
    assert!(content.participants.is_empty());
    assert!(content.attachments.is_empty());
    assert_eq!(content.initiator, None);
    assert_eq!(m.sender_display_name.as_deref(), Some("sender name"));
    assert_eq!(
        m.created_on,
        Utc.with_ymd_and_hms(2023, 5, 27, 1, 38, 6).unwrap()
    );
    assert_eq!(m.sender, Some(Id::user("8:acs:s")));
    assert_eq!(
        (m.deleted_on, m.edited_on, m.metadata.as_ref()),
        (None, None, None)
    );
}

#[test]
fn system_messages_and_unknown_types() {
    let topic: ChatMessage = serde_json::from_value(json!({"id": "1", "type": "topicUpdated",
        "sequenceId": "2", "version": "1", "createdOn": "2020-06-25T17:42:56.7850000Z",
        "content": {"topic": "Lunch", "initiatorCommunicationIdentifier": {"rawId": "8:acs:i", "communicationUser": {"id": "8:acs:i"}}}}))
    .unwrap();
    assert_eq!(topic.message_type, ChatMessageType::TopicUpdated);
    assert_eq!(topic.sender, None);
    let content = topic.content.unwrap();
    assert_eq!(content.topic.as_deref(), Some("Lunch"));
    assert_eq!(content.initiator, Some(Id::user("8:acs:i")));
    assert_eq!(topic.created_on.timestamp_subsec_millis(), 785);

    let added: ChatMessage = serde_json::from_value(json!({"id": "1", "type": "participantAdded",
        "sequenceId": "1", "version": "1", "createdOn": "2020-06-25T17:42:56Z",
        "content": {"participants": [{"communicationIdentifier": {"rawId": "4:+1", "phoneNumber": {"value": "+1"}},
            "displayName": "Bob", "shareHistoryTime": "1970-01-01T00:00:00Z"}]}}))
    .unwrap();
    let p = &added.content.as_ref().unwrap().participants[0];
    assert_eq!(p.identifier, Id::phone("+1"));
    assert_eq!(p.display_name.as_deref(), Some("Bob"));
    assert_eq!(p.share_history_time, Some(Utc.timestamp_opt(0, 0).unwrap()));

    for (wire, expected) in [
        ("html", ChatMessageType::Html),
        ("participantRemoved", ChatMessageType::ParticipantRemoved),
        ("futureType", ChatMessageType::Other("futureType".into())),
        ("Text", ChatMessageType::Other("Text".into())),
    ] {
        let m: ChatMessage = serde_json::from_value(json!({"id": "1", "type": wire,
            "sequenceId": "1", "version": "1", "createdOn": "2020-06-25T17:42:56Z"}))
        .unwrap();
        assert_eq!(m.message_type, expected);
        assert_eq!(m.message_type.as_str(), wire);
        assert_eq!(m.content, None);
    }
}

#[test]
fn edited_deleted_message_with_metadata_attachments_and_unknown_fields() {
    let m: ChatMessage = serde_json::from_value(json!({"id": "9", "type": "html",
        "sequenceId": "9", "version": "10", "createdOn": "2023-10-10T21:39:39.3244584+00:00",
        "editedOn": "2023-10-10T14:40:00-07:00", "deletedOn": "2023-10-11T00:00:00.1Z",
        "metadata": {"k": "v"}, "someFutureField": {"nested": [1, 2]},
        "content": {"message": "<img>", "attachments": [
            {"id": "a1", "attachmentType": "image", "name": "cat.png", "url": "https://x/full",
             "previewUrl": "https://x/small", "extension": "png"},
            {"id": "a2", "attachmentType": "file"},
            {"id": "a3", "attachmentType": "teamsVideo"}]}}))
    .unwrap();
    assert_eq!(m.created_on.timestamp_subsec_nanos(), 324_458_400);
    assert_eq!(
        m.edited_on,
        Some(Utc.with_ymd_and_hms(2023, 10, 10, 21, 40, 0).unwrap())
    );
    assert_eq!(m.deleted_on.unwrap().timestamp_subsec_millis(), 100);
    assert_eq!(
        m.metadata,
        Some(HashMap::from([("k".to_owned(), "v".to_owned())]))
    );
    let attachments = &m.content.as_ref().unwrap().attachments;
    assert_eq!(attachments[0].attachment_type, ChatAttachmentType::Image);
    assert_eq!(attachments[0].name.as_deref(), Some("cat.png"));
    assert_eq!(attachments[0].url.as_deref(), Some("https://x/full"));
    assert_eq!(
        attachments[0].preview_url.as_deref(),
        Some("https://x/small")
    );
    assert_eq!(attachments[1].attachment_type, ChatAttachmentType::File);
    assert_eq!(attachments[1].name, None);
    assert_eq!(
        attachments[2].attachment_type,
        ChatAttachmentType::Other("teamsVideo".into())
    );
}

#[test]
fn missing_required_fields_and_bad_timestamps_are_errors_not_panics() {
    let no_created = json!({"id": "1", "type": "text", "sequenceId": "1", "version": "1"});
    let err = serde_json::from_value::<ChatMessage>(no_created).unwrap_err();
    assert!(err.to_string().contains("createdOn"), "{err}");

    let bad_time = json!({"id": "1", "type": "text", "sequenceId": "1", "version": "1",
        "createdOn": "27/05/2023"});
    let err = serde_json::from_value::<ChatMessage>(bad_time).unwrap_err();
    assert!(err.to_string().contains("27/05/2023"), "{err}");

    let wrong_type = json!({"id": "1", "type": "text", "sequenceId": "1", "version": "1",
        "createdOn": 1685151486});
    let err = serde_json::from_value::<ChatMessage>(wrong_type).unwrap_err();
    assert!(err.to_string().contains("RFC 3339"), "{err}");

    let bad_receipt = json!({"senderCommunicationIdentifier": {"rawId": "8:acs:x"},
        "chatMessageId": "1", "readOn": "sanitized"});
    let err = serde_json::from_value::<ChatMessageReadReceipt>(bad_receipt).unwrap_err();
    assert!(err.to_string().contains("sanitized"), "{err}");
}

#[test]
fn message_encodes_back_to_its_wire_form() {
    let wire = json!({"id": "1", "type": "text", "sequenceId": "3", "version": "1",
        "content": {"message": "hi"}, "senderDisplayName": "me",
        "createdOn": "2023-05-27T01:38:06.000Z",
        "senderCommunicationIdentifier": {"rawId": "8:acs:s", "communicationUser": {"id": "8:acs:s"}},
        "metadata": {"a": "b"}});
    let m: ChatMessage = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(serde_json::to_value(&m).unwrap(), wire);
}

#[test]
fn thread_properties_and_items() {
    let t: ChatThreadProperties = serde_json::from_value(json!({"id": "19:a@thread.v2",
        "topic": "Lunch", "createdOn": "2020-06-06T05:55:41.6460000Z",
        "createdByCommunicationIdentifier": {"rawId": "8:acs:c", "communicationUser": {"id": "8:acs:c"}},
        "deletedOn": "2020-06-07T00:00:00Z", "metadata": {"m": "1"},
        "retentionPolicy": {"kind": "threadCreationDate", "deleteThreadAfterDays": 60}}))
    .unwrap();
    assert_eq!(t.id, "19:a@thread.v2");
    assert_eq!(t.topic, "Lunch");
    assert_eq!(t.created_by, Id::user("8:acs:c"));
    assert!(t.deleted_on.is_some());
    assert_eq!(t.metadata.as_ref().unwrap()["m"], "1");
    assert_eq!(
        t.retention_policy,
        Some(acs_chat::models::ChatRetentionPolicy::ThreadCreationDate {
            delete_thread_after_days: 60
        })
    );

    let err = serde_json::from_value::<ChatThreadProperties>(json!({"id": "x", "topic": "t",
        "createdOn": "2020-06-06T05:55:41Z"}))
    .unwrap_err();
    assert!(
        err.to_string().contains("createdByCommunicationIdentifier"),
        "{err}"
    );

    let item: ChatThreadItem = serde_json::from_value(json!({"id": "x", "topic": "t"})).unwrap();
    assert_eq!(
        (item.deleted_on, item.last_message_received_on),
        (None, None)
    );
    let item: ChatThreadItem = serde_json::from_value(json!({"id": "x", "topic": "t",
        "lastMessageReceivedOn": "2020-06-06T05:55:41.6460000Z", "deletedOn": null}))
    .unwrap();
    assert_eq!(
        item.last_message_received_on
            .unwrap()
            .timestamp_subsec_millis(),
        646
    );
}

#[test]
fn participant_builder_and_wire_form() {
    let when = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap();
    let p = ChatParticipant::new(Id::user("8:acs:x"))
        .display_name("Good")
        .share_history_time(when);
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"communicationIdentifier": {"rawId": "8:acs:x", "communicationUser": {"id": "8:acs:x"}},
            "displayName": "Good", "shareHistoryTime": "2021-01-01T00:00:00.000Z"})
    );
    let bare = ChatParticipant::new(Id::teams_user(
        "u",
        true,
        acs_chat::identifier::CommunicationCloudEnvironment::Public,
    ));
    assert_eq!(
        serde_json::to_value(&bare).unwrap(),
        json!({"communicationIdentifier": {"rawId": "8:teamsvisitor:u",
            "microsoftTeamsUser": {"userId": "u", "isAnonymous": true, "cloud": "public"}}})
    );
    let with_meta = ChatParticipant::new(Id::phone("+1"))
        .metadata(HashMap::from([("role".to_owned(), "admin".to_owned())]));
    let wire = serde_json::to_value(&with_meta).unwrap();
    assert_eq!(wire["metadata"], json!({"role": "admin"}));
    let back: ChatParticipant = serde_json::from_value(wire).unwrap();
    assert_eq!(back, with_meta);
}

#[test]
fn read_receipt_and_send_result() {
    let r: ChatMessageReadReceipt = serde_json::from_value(json!({
        "senderCommunicationIdentifier": {"rawId": "8:acs:r", "communicationUser": {"id": "8:acs:r"}},
        "chatMessageId": "1685151486588", "readOn": "2023-05-27T01:38:35Z"}))
    .unwrap();
    assert_eq!(r.sender, Id::user("8:acs:r"));
    assert_eq!(r.chat_message_id, "1685151486588");
    assert_eq!(
        r.read_on,
        Utc.with_ymd_and_hms(2023, 5, 27, 1, 38, 35).unwrap()
    );
    let s: SendChatMessageResult = serde_json::from_value(json!({"id": "123"})).unwrap();
    assert_eq!(s.id, "123");
}

#[test]
fn chat_error_display_and_lenient_decoding() {
    let e: ChatError =
        serde_json::from_value(json!({"code": "403", "message": "Permissions check failed",
        "target": "8:acs:x"}))
        .unwrap();
    assert_eq!(
        e.to_string(),
        "403: Permissions check failed (target: 8:acs:x)"
    );
    let e: ChatError = serde_json::from_value(json!({})).unwrap();
    assert_eq!((e.code.as_str(), e.message.as_str()), ("", ""));
    let nested: ChatError = serde_json::from_value(json!({"code": "A", "message": "a",
        "innererror": {"code": "B", "message": "b"}}))
    .unwrap();
    let source = std::error::Error::source(&nested).expect("inner error is the source");
    assert_eq!(source.to_string(), "B: b");
    assert_eq!(
        ChatError::new("X", "y").with_target("t").to_string(),
        "X: y (target: t)"
    );
}

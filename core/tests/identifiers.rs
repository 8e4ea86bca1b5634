//! Communication identifier behaviour: raw-id classification, wire encoding and decoding,
//! equality and hashing.

use acs_chat::identifier::{
    CommunicationCloudEnvironment as Cloud, CommunicationIdentifier as Id,
    CommunicationIdentifierKind as Kind,
};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

fn decode(value: Value) -> Id {
    serde_json::from_value(value).expect("identifier decodes")
}

fn encode(id: &Id) -> Value {
    serde_json::to_value(id).expect("identifier encodes")
}

#[test]
fn from_raw_id_classifies_every_prefix_and_keeps_the_raw_id() {
    let teams = |user: &str, anonymous: bool, cloud: Cloud, raw: &str| Id::MicrosoftTeamsUser {
        user_id: user.into(),
        is_anonymous: anonymous,
        cloud,
        raw_id: Some(raw.into()),
    };
    let phone = |value: &str, raw: &str| Id::PhoneNumber {
        value: value.into(),
        raw_id: Some(raw.into()),
    };
    let cases: Vec<(&str, Id)> = vec![
        ("8:acs:r_u", Id::user("8:acs:r_u")),
        ("8:acs:a:b", Id::user("8:acs:a:b")),
        ("8:dod-acs:r_u", Id::user("8:dod-acs:r_u")),
        ("8:gcch-acs:r_u", Id::user("8:gcch-acs:r_u")),
        ("8:spool:r_u", Id::user("8:spool:r_u")),
        ("4:+14255550123", phone("+14255550123", "4:+14255550123")),
        ("4:", phone("", "4:")),
        ("4:1", phone("1", "4:1")),
        (
            "8:teamsvisitor:anon",
            teams("anon", true, Cloud::Public, "8:teamsvisitor:anon"),
        ),
        (
            "8:orgid:u1",
            teams("u1", false, Cloud::Public, "8:orgid:u1"),
        ),
        ("8:dod:u1", teams("u1", false, Cloud::Dod, "8:dod:u1")),
        ("8:gcch:u1", teams("u1", false, Cloud::Gcch, "8:gcch:u1")),
        ("28:orgid:bot", Id::unknown("28:orgid:bot")),
        ("8:acs", Id::unknown("8:acs")),
        ("abc", Id::unknown("abc")),
        ("", Id::unknown("")),
        ("8:ACS:x", Id::unknown("8:ACS:x")),
        ("8:OrgId:x", Id::unknown("8:OrgId:x")),
    ];
    for (raw, expected) in cases {
        let parsed = Id::from_raw_id(raw);
        assert_eq!(parsed.raw_id(), raw, "raw id kept for {raw:?}");
        assert_eq!(parsed.kind(), expected.kind(), "kind of {raw:?}");
        // Compare all fields, not only the raw id that `==` uses.
        assert_eq!(format!("{parsed:?}"), format!("{expected:?}"), "{raw:?}");
        // And a second trip through the raw id gives the same identifier.
        assert_eq!(Id::from_raw_id(&parsed.raw_id()), parsed, "{raw:?}");
        assert_eq!(parsed.to_string(), raw);
    }
}

#[test]
fn computed_raw_ids_follow_the_sdk_rules() {
    assert_eq!(Id::user("8:acs:x").raw_id(), "8:acs:x");
    assert_eq!(Id::phone("+1425").raw_id(), "4:+1425");
    assert_eq!(Id::phone("1").raw_id(), "4:1");
    assert_eq!(
        Id::teams_user("u", false, Cloud::Public).raw_id(),
        "8:orgid:u"
    );
    assert_eq!(Id::teams_user("u", false, Cloud::Dod).raw_id(), "8:dod:u");
    assert_eq!(Id::teams_user("u", false, Cloud::Gcch).raw_id(), "8:gcch:u");
    // Anonymity wins over the cloud, as in the SDK.
    assert_eq!(
        Id::teams_user("u", true, Cloud::Dod).raw_id(),
        "8:teamsvisitor:u"
    );
    assert_eq!(
        Id::teams_user("u", false, Cloud::Other("mooncake".into())).raw_id(),
        "8:orgid:u"
    );
    // Unlike 1.2.0 (case-sensitive "DOD"), a lower-case cloud name means the same cloud.
    assert_eq!(
        Id::teams_user("u", false, Cloud::from("dod")).raw_id(),
        "8:dod:u"
    );
    assert_eq!(Id::unknown("28:orgid:bot").raw_id(), "28:orgid:bot");
}

#[test]
fn kinds_have_rest_spellings() {
    assert_eq!(Id::user("8:acs:x").kind(), Kind::CommunicationUser);
    assert_eq!(Id::phone("+1").kind(), Kind::PhoneNumber);
    assert_eq!(
        Id::teams_user("u", false, Cloud::Public).kind(),
        Kind::MicrosoftTeamsUser
    );
    assert_eq!(Id::unknown("x").kind(), Kind::Unknown);
    assert_eq!(Kind::CommunicationUser.as_str(), "communicationUser");
    assert_eq!(Kind::PhoneNumber.to_string(), "phoneNumber");
    assert_eq!(Kind::MicrosoftTeamsUser.as_str(), "microsoftTeamsUser");
    assert_eq!(Kind::Unknown.as_str(), "unknown");
}

#[test]
fn serializes_like_the_sdk_without_kind_and_with_lowercase_cloud() {
    assert_eq!(
        encode(&Id::user("8:acs:x")),
        json!({"rawId": "8:acs:x", "communicationUser": {"id": "8:acs:x"}})
    );
    assert_eq!(
        encode(&Id::phone("+14255550123")),
        json!({"rawId": "4:+14255550123", "phoneNumber": {"value": "+14255550123"}})
    );
    assert_eq!(
        encode(&Id::teams_user("xyz", false, Cloud::Public)),
        json!({"rawId": "8:orgid:xyz", "microsoftTeamsUser": {"userId": "xyz", "isAnonymous": false, "cloud": "public"}})
    );
    assert_eq!(
        encode(&Id::teams_user("anon", true, Cloud::Dod)),
        json!({"rawId": "8:teamsvisitor:anon", "microsoftTeamsUser": {"userId": "anon", "isAnonymous": true, "cloud": "dod"}})
    );
    assert_eq!(
        encode(&Id::teams_user("g", false, Cloud::Gcch)),
        json!({"rawId": "8:gcch:g", "microsoftTeamsUser": {"userId": "g", "isAnonymous": false, "cloud": "gcch"}})
    );
    assert_eq!(encode(&Id::unknown("28:bot")), json!({"rawId": "28:bot"}));
    // A received raw id is sent back verbatim, even when it differs from the computed one.
    let received = decode(json!({"rawId": "4:+1 (425)", "phoneNumber": {"value": "+1425"}}));
    assert_eq!(
        encode(&received),
        json!({"rawId": "4:+1 (425)", "phoneNumber": {"value": "+1425"}})
    );
}

#[test]
fn wire_round_trip_for_every_raw_id_prefix() {
    for raw in [
        "8:acs:r_u",
        "8:dod-acs:r_u",
        "8:gcch-acs:r_u",
        "8:spool:r_u",
        "4:+14255550123",
        "4:",
        "8:teamsvisitor:a",
        "8:orgid:u",
        "8:dod:u",
        "8:gcch:u",
        "28:orgid:bot",
        "8:acs",
        "abc",
        "8:ACS:x",
    ] {
        let id = Id::from_raw_id(raw);
        let back = decode(encode(&id));
        assert_eq!(format!("{back:?}"), format!("{id:?}"), "{raw:?}");
    }
}

#[test]
fn decodes_by_nested_object_not_by_kind() {
    let user = decode(
        json!({"rawId": "8:acs:q", "communicationUser": {"id": "8:acs:q"}, "kind": "phoneNumber"}),
    );
    assert_eq!(format!("{user:?}"), format!("{:?}", Id::user("8:acs:q")));
    // The raw id wins over the nested id (1.2.0 behaviour) ...
    let user = decode(json!({"rawId": "8:acs:raw", "communicationUser": {"id": "8:acs:nested"}}));
    assert!(matches!(&user, Id::CommunicationUser { id } if id == "8:acs:raw"));
    // ... and without a raw id the nested id is used (1.2.0 would give the string "None").
    let user = decode(json!({"communicationUser": {"id": "8:acs:q"}}));
    assert!(matches!(&user, Id::CommunicationUser { id } if id == "8:acs:q"));

    let phone = decode(json!({"rawId": "4:+1", "phoneNumber": {"value": "+1"}}));
    assert!(
        matches!(&phone, Id::PhoneNumber { value, raw_id: Some(r) } if value == "+1" && r == "4:+1")
    );
    let phone = decode(json!({"phoneNumber": {"value": "+1"}}));
    assert_eq!(phone.raw_id(), "4:+1");

    let teams = decode(json!({"rawId": "8:gcch:u", "kind": "microsoftTeamsUser",
        "microsoftTeamsUser": {"userId": "u", "isAnonymous": false, "cloud": "GCCH"}}));
    assert!(
        matches!(&teams, Id::MicrosoftTeamsUser { user_id, is_anonymous: false, cloud: Cloud::Gcch, raw_id: Some(r) }
        if user_id == "u" && r == "8:gcch:u")
    );
    // isAnonymous and cloud default to false and public.
    let teams = decode(json!({"microsoftTeamsUser": {"userId": "u"}}));
    assert!(matches!(
        &teams,
        Id::MicrosoftTeamsUser {
            is_anonymous: false,
            cloud: Cloud::Public,
            raw_id: None,
            ..
        }
    ));
    assert_eq!(teams.raw_id(), "8:orgid:u");
    let teams = decode(json!({"microsoftTeamsUser": {"userId": "u", "cloud": "Mooncake"}}));
    assert!(
        matches!(&teams, Id::MicrosoftTeamsUser { cloud: Cloud::Other(c), .. } if c == "Mooncake")
    );

    // Checked in order: communicationUser before phoneNumber before microsoftTeamsUser.
    let both = decode(json!({"rawId": "4:+1", "phoneNumber": {"value": "+1"},
        "microsoftTeamsUser": {"userId": "u"}}));
    assert_eq!(both.kind(), Kind::PhoneNumber);
}

#[test]
fn unknown_kinds_and_missing_members_become_unknown_never_errors() {
    let cases = [
        (
            json!({"rawId": "28:orgid:app", "kind": "microsoftTeamsApp",
            "microsoftTeamsApp": {"appId": "app", "cloud": "public"}}),
            "28:orgid:app",
        ),
        (
            json!({"rawId": "8:acs:r_x", "kind": "teamsExtensionUser",
            "teamsExtensionUser": {"userId": "u", "tenantId": "t", "resourceId": "r"}}),
            "8:acs:r_x",
        ),
        (
            json!({"rawId": "8:acs:q", "kind": "phoneNumber"}),
            "8:acs:q",
        ),
        (json!({"rawId": "4:+1", "phoneNumber": {}}), "4:+1"),
        (
            json!({"rawId": "8:orgid:u", "microsoftTeamsUser": {"cloud": "public"}}),
            "8:orgid:u",
        ),
        (json!({"rawId": "x", "phoneNumber": null}), "x"),
        (json!({"communicationUser": {}}), ""),
        (json!({}), ""),
    ];
    for (wire, raw) in cases {
        let id = decode(wire.clone());
        assert_eq!(id.kind(), Kind::Unknown, "{wire}");
        assert_eq!(id.raw_id(), raw, "{wire}");
    }
}

#[test]
fn non_object_identifiers_fail_with_a_message() {
    let err = serde_json::from_value::<Id>(json!(42)).unwrap_err();
    assert!(!err.to_string().is_empty());
}

#[test]
fn equality_and_hash_follow_the_raw_id() {
    assert_eq!(Id::user("8:acs:x"), Id::from_raw_id("8:acs:x"));
    assert_eq!(Id::phone("+1"), Id::from_raw_id("4:+1"));
    assert_eq!(
        Id::teams_user("u", false, Cloud::Dod),
        Id::from_raw_id("8:dod:u")
    );
    assert_eq!(
        Id::teams_user("u", true, Cloud::Public),
        Id::from_raw_id("8:teamsvisitor:u")
    );
    assert_ne!(Id::user("8:acs:x"), Id::user("8:acs:y"));
    assert_ne!(
        Id::teams_user("u", false, Cloud::Public),
        Id::teams_user("u", false, Cloud::Gcch)
    );
    let decoded = decode(json!({"rawId": "8:acs:x", "communicationUser": {"id": "8:acs:x"}}));
    assert_eq!(decoded, Id::user("8:acs:x"));

    let mut set = HashSet::new();
    set.insert(Id::user("8:acs:x"));
    set.insert(Id::phone("+1"));
    assert!(set.contains(&Id::from_raw_id("8:acs:x")));
    assert!(set.contains(&decode(
        json!({"rawId": "4:+1", "phoneNumber": {"value": "+1"}})
    )));
    assert!(!set.insert(Id::from_raw_id("4:+1")), "duplicate by raw id");
    assert_eq!(set.len(), 2);

    let mut names: HashMap<Id, &str> = HashMap::new();
    names.insert(Id::teams_user("t", false, Cloud::Gcch), "teams");
    assert_eq!(names.get(&Id::from_raw_id("8:gcch:t")), Some(&"teams"));
}

#[test]
fn cloud_environment_decodes_any_case_and_encodes_lowercase() {
    for (input, expected) in [
        ("public", Cloud::Public),
        ("PUBLIC", Cloud::Public),
        ("Dod", Cloud::Dod),
        ("gcch", Cloud::Gcch),
        ("GCCH", Cloud::Gcch),
    ] {
        let cloud: Cloud = serde_json::from_value(json!(input)).unwrap();
        assert_eq!(cloud, expected, "{input}");
        assert_eq!(
            serde_json::to_value(&cloud).unwrap(),
            json!(input.to_ascii_lowercase())
        );
    }
    let other: Cloud = serde_json::from_value(json!("Mooncake")).unwrap();
    assert_eq!(other, Cloud::Other("Mooncake".into()));
    assert_eq!(serde_json::to_value(&other).unwrap(), json!("Mooncake"));
    assert_eq!(Cloud::default(), Cloud::Public);
}

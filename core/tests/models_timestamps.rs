//! Every timestamp spelling that occurs in the recorded service traffic and the REST spec
//! examples decodes, to the same instant an independent RFC 3339 parser gives.
//!
//! JSON files are walked structurally; the vcr YAML recordings embed JSON bodies as quoted
//! strings, so they are scanned textually for `"<key>": "<value>"`. The shared reference
//! directory is `../../shared` relative to this crate, or `$ACS_SHARED_DIR`.

use acs_chat::models::ChatThreadItem;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const KEYS: [&str; 7] = [
    "createdOn",
    "deletedOn",
    "editedOn",
    "readOn",
    "shareHistoryTime",
    "lastMessageReceivedOn",
    "expiresOn",
];

fn shared_dir() -> PathBuf {
    std::env::var_os("ACS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (set ACS_SHARED_DIR)", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Collects `(key, value)` for every string member named in `KEYS`, at any depth.
fn walk(value: &Value, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                match member {
                    Value::String(s) if KEYS.contains(&key.as_str()) => {
                        found.push((key.clone(), s.clone()))
                    }
                    _ => walk(member, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
        _ => {}
    }
}

/// Finds `"key": "value"` (optionally with backslash-escaped quotes) in free text.
fn scan_text(text: &str, found: &mut Vec<(String, String)>) {
    for key in KEYS {
        let needle = format!("{key}\"");
        let mut rest = text;
        while let Some(at) = rest.find(&needle) {
            rest = &rest[at + needle.len()..];
            // YAML folds long bodies, so the value may start on the next line.
            let after = rest.trim_start_matches(|c: char| c == '\\' || c.is_whitespace());
            let Some(after) = after.strip_prefix(':') else {
                continue;
            };
            let after = after.trim_start_matches(|c: char| c == '\\' || c.is_whitespace());
            let Some(after) = after.strip_prefix('"') else {
                continue; // null or a non-string value
            };
            let end = after.find(['"', '\\']).unwrap_or(after.len());
            found.push((key.to_owned(), after[..end].to_owned()));
        }
    }
}

/// Decodes the value through a public model, exactly as a response field would be.
fn decode_via_model(value: &str) -> Result<DateTime<Utc>, serde_json::Error> {
    let item: ChatThreadItem = serde_json::from_value(json!({
        "id": "t", "topic": "t", "lastMessageReceivedOn": value
    }))?;
    Ok(item.last_message_received_on.expect("field is set"))
}

#[test]
fn every_recorded_and_documented_timestamp_decodes() {
    let root = shared_dir();
    let mut files = Vec::new();
    files_under(&root.join("recordings"), &mut files);
    files_under(&root.join("spec"), &mut files);
    files.sort();

    let mut found = Vec::new();
    for file in &files {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "json" && ext != "yaml" {
            continue;
        }
        let text = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let mut here = Vec::new();
        if ext == "json" {
            let value: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
            walk(&value, &mut here);
        } else {
            scan_text(&text, &mut here);
        }
        let name = file.file_name().unwrap().to_string_lossy();
        found.extend(
            here.into_iter()
                .map(|(key, value)| (format!("{name} {key}"), value)),
        );
    }
    // The recordings and examples hold 147 timestamp members; fewer means the scan broke.
    assert!(found.len() >= 147, "only {} timestamps found", found.len());

    let mut spellings = std::collections::BTreeSet::new();
    for (origin, value) in &found {
        if value == "sanitized" {
            continue;
        }
        let decoded = decode_via_model(value)
            .unwrap_or_else(|e| panic!("{origin}: {value:?} does not decode: {e}"));
        let oracle = DateTime::parse_from_rfc3339(value)
            .unwrap_or_else(|e| panic!("{origin}: {value:?} is not RFC 3339: {e}"));
        assert_eq!(decoded, oracle, "{origin}: {value:?}");
        spellings.insert(shape(value));
    }
    // Whole seconds, 5/6/7 fractional digits, `Z` and `+00:00` all occur.
    for expected in ["s Z", "s.7 Z", "s.6 Z", "s.7 +00:00"] {
        assert!(
            spellings.contains(expected),
            "{expected} missing from {spellings:?}"
        );
    }
}

/// A coarse description of a spelling: fraction digit count and offset form.
fn shape(value: &str) -> String {
    let (main, offset) = match value.strip_suffix('Z') {
        Some(main) => (main, "Z".to_owned()),
        None => (
            &value[..value.len() - 6],
            value[value.len() - 6..].to_owned(),
        ),
    };
    match main.split_once('.') {
        Some((_, fraction)) => format!("s.{} {offset}", fraction.len()),
        None => format!("s {offset}"),
    }
}

#[test]
fn offsets_and_precision_variants() {
    let cases = [
        ("2020-06-25T17:44:37.6830000Z", "2020-06-25T17:44:37.683Z"),
        ("2023-05-26T21:37:42Z", "2023-05-26T21:37:42Z"),
        (
            "2023-10-10T21:39:39.3244584+00:00",
            "2023-10-10T21:39:39.3244584Z",
        ),
        (
            "2023-10-10T14:39:39.3244584-07:00",
            "2023-10-10T21:39:39.3244584Z",
        ),
        ("2023-10-11T03:09:39+05:30", "2023-10-10T21:39:39Z"),
        ("2023-05-27T01:47:31.13256Z", "2023-05-27T01:47:31.132560Z"),
        ("2023-05-27T01:47:31.1Z", "2023-05-27T01:47:31.100Z"),
    ];
    for (input, same_instant) in cases {
        let expected: DateTime<Utc> = same_instant.parse().unwrap();
        assert_eq!(decode_via_model(input).unwrap(), expected, "{input}");
    }
    for bad in [
        "sanitized",
        "2023-02-30T00:00:00Z",
        "2023-05-27",
        "12:00:00Z",
        "",
    ] {
        let err = decode_via_model(bad).expect_err(bad);
        assert!(
            err.to_string().contains("invalid timestamp"),
            "{bad}: {err}"
        );
    }
}

//! Communication identifiers: reading the polymorphic request model into a raw id, and writing
//! a raw id back as the response model (`rawId` + `kind` + the kind's sub-object).

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::ApiError;

/// What kind of party a raw id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `8:acs:`, `8:spool:`, `8:dod-acs:`, `8:gcch-acs:`.
    CommunicationUser,
    /// `4:<E.164>`.
    PhoneNumber,
    /// `8:orgid:`, `8:dod:`, `8:gcch:`, `8:teamsvisitor:`.
    TeamsUser,
    Unknown,
}

const ACS_PREFIXES: [&str; 4] = ["8:acs:", "8:spool:", "8:dod-acs:", "8:gcch-acs:"];

/// Classifies a raw id by its prefix.
pub(crate) fn classify(raw: &str) -> Kind {
    if ACS_PREFIXES.iter().any(|p| raw.starts_with(p)) {
        Kind::CommunicationUser
    } else if raw.starts_with("4:") {
        Kind::PhoneNumber
    } else if teams_parts(raw).is_some() {
        Kind::TeamsUser
    } else {
        Kind::Unknown
    }
}

/// `(userId, isAnonymous, cloud)` of a Teams raw id.
fn teams_parts(raw: &str) -> Option<(&str, bool, &'static str)> {
    if let Some(u) = raw.strip_prefix("8:teamsvisitor:") {
        Some((u, true, "public"))
    } else if let Some(u) = raw.strip_prefix("8:orgid:") {
        Some((u, false, "public"))
    } else if let Some(u) = raw.strip_prefix("8:dod:") {
        Some((u, false, "dod"))
    } else if let Some(u) = raw.strip_prefix("8:gcch:") {
        Some((u, false, "gcch"))
    } else {
        None
    }
}

#[derive(Debug, Deserialize)]
struct CommunicationUserModel {
    id: String,
}

#[derive(Debug, Deserialize)]
struct PhoneNumberModel {
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TeamsUserModel {
    user_id: String,
    #[serde(default)]
    is_anonymous: Option<bool>,
    #[serde(default)]
    cloud: Option<String>,
}

/// The request form of `CommunicationIdentifierModel`; `kind` and `rawId` are optional.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentifierModel {
    #[serde(default)]
    #[allow(dead_code)] // accepted for completeness; the sub-object decides the kind
    kind: Option<String>,
    #[serde(default)]
    raw_id: Option<String>,
    #[serde(default)]
    communication_user: Option<CommunicationUserModel>,
    #[serde(default)]
    phone_number: Option<PhoneNumberModel>,
    #[serde(default)]
    microsoft_teams_user: Option<TeamsUserModel>,
}

impl IdentifierModel {
    /// The raw id this model names; 400 when it names nothing usable.
    pub(crate) fn raw_id(&self) -> Result<String, ApiError> {
        let raw = if let Some(u) = &self.communication_user {
            u.id.clone()
        } else if let Some(p) = &self.phone_number {
            match &self.raw_id {
                Some(r) if !r.is_empty() => r.clone(),
                _ => format!("4:{}", p.value),
            }
        } else if let Some(t) = &self.microsoft_teams_user {
            match &self.raw_id {
                Some(r) if !r.is_empty() => r.clone(),
                _ => {
                    let cloud = t.cloud.as_deref().unwrap_or("public").to_ascii_lowercase();
                    let prefix = if t.is_anonymous.unwrap_or(false) {
                        "8:teamsvisitor:"
                    } else {
                        match cloud.as_str() {
                            "public" => "8:orgid:",
                            "dod" => "8:dod:",
                            "gcch" => "8:gcch:",
                            other => {
                                return Err(ApiError::bad_request(format!(
                                "The Teams user cloud '{other}' is not one of public, dod, gcch."
                            )))
                            }
                        }
                    };
                    format!("{prefix}{}", t.user_id)
                }
            }
        } else {
            self.raw_id.clone().unwrap_or_default()
        };
        if raw.trim().is_empty() {
            return Err(ApiError::bad_request(
                "The communication identifier must carry a non-empty 'rawId' or 'communicationUser.id'.",
            ));
        }
        Ok(raw)
    }
}

#[derive(Serialize)]
struct IdOut<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct PhoneOut<'a> {
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TeamsOut<'a> {
    user_id: &'a str,
    is_anonymous: bool,
    cloud: &'a str,
}

/// Serializes a raw id as the response `CommunicationIdentifierModel`; `kind` is written only
/// when `with_kind` (API versions whose identifier model has it; older answers never had it).
pub(crate) struct Wire<'a> {
    pub raw: &'a str,
    pub with_kind: bool,
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = self.raw;
        let kind = |map: &mut S::SerializeMap, k: &str| {
            if self.with_kind {
                map.serialize_entry("kind", k)
            } else {
                Ok(())
            }
        };
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("rawId", raw)?;
        match classify(raw) {
            Kind::CommunicationUser => {
                kind(&mut map, "communicationUser")?;
                map.serialize_entry("communicationUser", &IdOut { id: raw })?;
            }
            Kind::PhoneNumber => {
                kind(&mut map, "phoneNumber")?;
                map.serialize_entry("phoneNumber", &PhoneOut { value: &raw[2..] })?;
            }
            Kind::TeamsUser => {
                let (user, anonymous, cloud) = teams_parts(raw).unwrap_or((raw, false, "public"));
                kind(&mut map, "microsoftTeamsUser")?;
                map.serialize_entry(
                    "microsoftTeamsUser",
                    &TeamsOut {
                        user_id: user,
                        is_anonymous: anonymous,
                        cloud,
                    },
                )?;
            }
            Kind::Unknown => kind(&mut map, "unknown")?,
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<String, ApiError> {
        serde_json::from_str::<IdentifierModel>(json)
            .unwrap()
            .raw_id()
    }

    #[test]
    fn request_forms_resolve_to_raw_ids() {
        assert_eq!(
            parse(r#"{"communicationUser":{"id":"8:acs:r_1"}}"#).unwrap(),
            "8:acs:r_1"
        );
        assert_eq!(
            parse(r#"{"rawId":"8:acs:r_1","communicationUser":{"id":"8:acs:r_1"}}"#).unwrap(),
            "8:acs:r_1"
        );
        assert_eq!(parse(r#"{"rawId":"8:acs:r_2"}"#).unwrap(), "8:acs:r_2");
        assert_eq!(
            parse(r#"{"phoneNumber":{"value":"+14255550123"}}"#).unwrap(),
            "4:+14255550123"
        );
        assert_eq!(
            parse(r#"{"microsoftTeamsUser":{"userId":"u1","cloud":"PUBLIC"}}"#).unwrap(),
            "8:orgid:u1"
        );
        assert_eq!(
            parse(r#"{"microsoftTeamsUser":{"userId":"u1","cloud":"GCCH"}}"#).unwrap(),
            "8:gcch:u1"
        );
        assert_eq!(
            parse(r#"{"microsoftTeamsUser":{"userId":"u1","isAnonymous":true}}"#).unwrap(),
            "8:teamsvisitor:u1"
        );
        assert!(parse(r#"{}"#).is_err());
        assert!(parse(r#"{"microsoftTeamsUser":{"userId":"u1","cloud":"mars"}}"#).is_err());
    }

    #[test]
    fn responses_carry_raw_id_kind_and_sub_object() {
        let v = serde_json::to_value(Wire {
            raw: "8:acs:r_1",
            with_kind: true,
        })
        .unwrap();
        assert_eq!(v["rawId"], "8:acs:r_1");
        assert_eq!(v["communicationUser"]["id"], "8:acs:r_1");
        assert_eq!(v["kind"], "communicationUser");
        let v = serde_json::to_value(Wire {
            raw: "4:+1425",
            with_kind: true,
        })
        .unwrap();
        assert_eq!(v["phoneNumber"]["value"], "+1425");
        let v = serde_json::to_value(Wire {
            raw: "8:dod:u",
            with_kind: false,
        })
        .unwrap();
        assert_eq!(v["microsoftTeamsUser"]["cloud"], "dod");
        assert!(v.get("kind").is_none());
        assert_eq!(classify("28:orgid:bot"), Kind::Unknown);
    }
}

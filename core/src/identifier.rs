//! Communication identifiers: who sent a message, who is a participant, who created a thread.
//!
//! An identifier's identity is its *raw id* (for example `8:acs:<resource>_<user>` or
//! `4:+14255550123`). Equality and hashing use the raw id only, so
//! `CommunicationIdentifier::user("8:acs:x") == CommunicationIdentifier::from_raw_id("8:acs:x")`,
//! and identifiers can be used as `HashMap` keys (the Python SDK's are unhashable).
//!
//! # Wire format
//!
//! Serialized exactly like the 1.2.0 Python SDK sends it, without a `kind` member:
//!
//! ```json
//! {"rawId": "8:acs:x", "communicationUser": {"id": "8:acs:x"}}
//! {"rawId": "4:+14255550123", "phoneNumber": {"value": "+14255550123"}}
//! {"rawId": "8:orgid:u", "microsoftTeamsUser": {"userId": "u", "isAnonymous": false, "cloud": "public"}}
//! {"rawId": "28:orgid:bot"}
//! ```
//!
//! One deliberate difference: `cloud` is sent in the lower case the REST specification defines
//! (`public`, `dod`, `gcch`); 1.2.0 sends its upper-case enum values (`PUBLIC`), which the
//! service tolerates but the contract does not promise. Any case is accepted when decoding.
//!
//! Decoding picks the variant by which nested object is present, in the order
//! `communicationUser`, `phoneNumber`, `microsoftTeamsUser`, and never by `kind`. Anything
//! else (future kinds such as `microsoftTeamsApp`, or a nested object missing its required
//! member) becomes [`CommunicationIdentifier::Unknown`] carrying the `rawId` (empty when that
//! is absent too). Decoding fails only on malformed JSON types: an identifier that is not an
//! object, or a member of the wrong type (for example a numeric `rawId`).

use serde::de::Deserializer;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

const PHONE_NUMBER_PREFIX: &str = "4:";
const TEAMS_USER_ANONYMOUS_PREFIX: &str = "8:teamsvisitor:";
const TEAMS_USER_PUBLIC_CLOUD_PREFIX: &str = "8:orgid:";
const TEAMS_USER_DOD_CLOUD_PREFIX: &str = "8:dod:";
const TEAMS_USER_GCCH_CLOUD_PREFIX: &str = "8:gcch:";
const ACS_USER_PREFIX: &str = "8:acs:";
const ACS_USER_DOD_CLOUD_PREFIX: &str = "8:dod-acs:";
const ACS_USER_GCCH_CLOUD_PREFIX: &str = "8:gcch-acs:";
const SPOOL_USER_PREFIX: &str = "8:spool:";

/// The national cloud a Microsoft Teams user belongs to.
///
/// Wire values are `public`, `dod` and `gcch`; decoding is case-insensitive and any other
/// string is kept in [`Other`](Self::Other) unchanged. Encoding writes the lower-case spec value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum CommunicationCloudEnvironment {
    /// The public (commercial) cloud; the default.
    #[default]
    Public,
    /// The US Department of Defense cloud.
    Dod,
    /// The US Government Community Cloud High.
    Gcch,
    /// A cloud name this version does not know, kept as received.
    Other(String),
}

impl CommunicationCloudEnvironment {
    /// The wire spelling (`public`, `dod`, `gcch`, or the unknown string as received).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Public => "public",
            Self::Dod => "dod",
            Self::Gcch => "gcch",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for CommunicationCloudEnvironment {
    /// Case-insensitive; never fails (unknown names become [`Other`](Self::Other)).
    fn from(value: &str) -> Self {
        if value.eq_ignore_ascii_case("public") {
            Self::Public
        } else if value.eq_ignore_ascii_case("dod") {
            Self::Dod
        } else if value.eq_ignore_ascii_case("gcch") {
            Self::Gcch
        } else {
            Self::Other(value.to_owned())
        }
    }
}

impl fmt::Display for CommunicationCloudEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CommunicationCloudEnvironment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CommunicationCloudEnvironment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::models::de::from_str_with(deserializer, "a cloud name", |raw| Ok(Self::from(raw)))
    }
}

/// Which variant a [`CommunicationIdentifier`] is, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommunicationIdentifierKind {
    /// An Azure Communication Services user.
    CommunicationUser,
    /// A phone number.
    PhoneNumber,
    /// A Microsoft Teams user.
    MicrosoftTeamsUser,
    /// Any other identifier, known only by its raw id.
    Unknown,
}

impl CommunicationIdentifierKind {
    /// The REST `kind` spelling: `communicationUser`, `phoneNumber`, `microsoftTeamsUser`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommunicationUser => "communicationUser",
            Self::PhoneNumber => "phoneNumber",
            Self::MicrosoftTeamsUser => "microsoftTeamsUser",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CommunicationIdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A participant in Azure Communication Services: an ACS user, a phone number, a Microsoft
/// Teams user, or an identifier kind this version does not model.
///
/// Equality and hashing compare [`raw_id`](Self::raw_id) only (see the module docs), so an
/// identifier equals every other identifier with the same raw id, whatever its variant.
/// Identifiers hold no secrets; `Debug` and `Display` are safe to log.
///
/// ```
/// use acs_chat::identifier::{CommunicationCloudEnvironment, CommunicationIdentifier};
///
/// let alice = CommunicationIdentifier::user("8:acs:resource_alice");
/// assert_eq!(alice, CommunicationIdentifier::from_raw_id("8:acs:resource_alice"));
///
/// let teams = CommunicationIdentifier::teams_user("oid", false, CommunicationCloudEnvironment::Dod);
/// assert_eq!(teams.raw_id(), "8:dod:oid");
///
/// let wire = serde_json::to_string(&CommunicationIdentifier::phone("+14255550123")).unwrap();
/// assert_eq!(wire, r#"{"rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123"}}"#);
///
/// // Kinds this version does not model decode as `Unknown`, keeping the raw id.
/// let bot: CommunicationIdentifier =
///     serde_json::from_str(r#"{"rawId":"28:orgid:bot","microsoftTeamsApp":{"appId":"bot"}}"#).unwrap();
/// assert!(matches!(bot, CommunicationIdentifier::Unknown { .. }));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CommunicationIdentifier {
    /// An Azure Communication Services user. `id` is the full raw id, e.g. `8:acs:<guid>_<suffix>`.
    CommunicationUser {
        /// The user's full id, which is also its raw id.
        id: String,
    },
    /// A phone number in E.164 form (`+14255550123`).
    PhoneNumber {
        /// The number, without the `4:` raw-id prefix.
        value: String,
        /// The raw id as received; `None` means it is computed as `4:<value>`.
        raw_id: Option<String>,
    },
    /// A Microsoft Teams user, possibly anonymous (a Teams meeting visitor).
    MicrosoftTeamsUser {
        /// The Teams user id (an Entra object id for non-anonymous users).
        user_id: String,
        /// Whether the user is an anonymous Teams meeting visitor.
        is_anonymous: bool,
        /// The cloud the user lives in.
        cloud: CommunicationCloudEnvironment,
        /// The raw id as received; `None` means it is computed from the other fields.
        raw_id: Option<String>,
    },
    /// An identifier of a kind not modelled here (bots, Teams apps, future kinds).
    Unknown {
        /// The raw id, kept verbatim.
        id: String,
    },
}

impl CommunicationIdentifier {
    /// An ACS user from its full id (`8:acs:...`); the id is also the raw id.
    pub fn user(id: impl Into<String>) -> Self {
        Self::CommunicationUser { id: id.into() }
    }

    /// A phone number (E.164, e.g. `+14255550123`); the raw id becomes `4:<value>`.
    /// The value is not validated or normalised, as in the Python SDK.
    pub fn phone(value: impl Into<String>) -> Self {
        Self::PhoneNumber {
            value: value.into(),
            raw_id: None,
        }
    }

    /// A Microsoft Teams user; the raw id is computed from `anonymous` and `cloud`
    /// (see [`raw_id`](Self::raw_id)).
    pub fn teams_user(
        user_id: impl Into<String>,
        anonymous: bool,
        cloud: CommunicationCloudEnvironment,
    ) -> Self {
        Self::MicrosoftTeamsUser {
            user_id: user_id.into(),
            is_anonymous: anonymous,
            cloud,
            raw_id: None,
        }
    }

    /// An identifier known only by its raw id, taken verbatim (no prefix parsing; use
    /// [`from_raw_id`](Self::from_raw_id) to classify a raw id).
    pub fn unknown(raw_id: impl Into<String>) -> Self {
        Self::Unknown { id: raw_id.into() }
    }

    /// Classifies a raw id by its prefix, exactly like the 1.2.0 SDK's `identifier_from_raw_id`:
    ///
    /// - `4:<value>` gives a phone number (`4:` alone gives an empty value);
    /// - otherwise the raw id must have at least three `:`-separated segments, else it is Unknown;
    /// - `8:teamsvisitor:` gives an anonymous Teams user (public cloud); `8:orgid:`, `8:dod:`,
    ///   `8:gcch:` give a Teams user in the public, DoD or GCCH cloud;
    /// - `8:acs:`, `8:dod-acs:`, `8:gcch-acs:`, `8:spool:` give an ACS user whose id is the whole
    ///   raw id;
    /// - anything else (including `28:` bot ids and differently-cased prefixes) is Unknown.
    ///
    /// The parsed identifier keeps `raw_id` verbatim, so `from_raw_id(s).raw_id() == s` always.
    ///
    /// ```
    /// use acs_chat::identifier::{CommunicationIdentifier, CommunicationIdentifierKind};
    ///
    /// let phone = CommunicationIdentifier::from_raw_id("4:+14255550123");
    /// assert_eq!(phone.kind(), CommunicationIdentifierKind::PhoneNumber);
    /// let bot = CommunicationIdentifier::from_raw_id("28:orgid:bot");
    /// assert_eq!(bot.kind(), CommunicationIdentifierKind::Unknown);
    /// assert_eq!(bot.raw_id(), "28:orgid:bot");
    /// ```
    pub fn from_raw_id(raw_id: &str) -> Self {
        if let Some(value) = raw_id.strip_prefix(PHONE_NUMBER_PREFIX) {
            return Self::PhoneNumber {
                value: value.to_owned(),
                raw_id: Some(raw_id.to_owned()),
            };
        }
        let mut segments = raw_id.splitn(3, ':');
        let (Some(first), Some(second), Some(suffix)) =
            (segments.next(), segments.next(), segments.next())
        else {
            return Self::unknown(raw_id);
        };
        let prefix_len = first.len() + second.len() + 2;
        let prefix = &raw_id[..prefix_len];
        let teams =
            |is_anonymous: bool, cloud: CommunicationCloudEnvironment| Self::MicrosoftTeamsUser {
                user_id: suffix.to_owned(),
                is_anonymous,
                cloud,
                raw_id: Some(raw_id.to_owned()),
            };
        match prefix {
            TEAMS_USER_ANONYMOUS_PREFIX => teams(true, CommunicationCloudEnvironment::Public),
            TEAMS_USER_PUBLIC_CLOUD_PREFIX => teams(false, CommunicationCloudEnvironment::Public),
            TEAMS_USER_DOD_CLOUD_PREFIX => teams(false, CommunicationCloudEnvironment::Dod),
            TEAMS_USER_GCCH_CLOUD_PREFIX => teams(false, CommunicationCloudEnvironment::Gcch),
            ACS_USER_PREFIX
            | ACS_USER_DOD_CLOUD_PREFIX
            | ACS_USER_GCCH_CLOUD_PREFIX
            | SPOOL_USER_PREFIX => Self::user(raw_id),
            _ => Self::unknown(raw_id),
        }
    }

    /// Which variant this is.
    pub fn kind(&self) -> CommunicationIdentifierKind {
        match self {
            Self::CommunicationUser { .. } => CommunicationIdentifierKind::CommunicationUser,
            Self::PhoneNumber { .. } => CommunicationIdentifierKind::PhoneNumber,
            Self::MicrosoftTeamsUser { .. } => CommunicationIdentifierKind::MicrosoftTeamsUser,
            Self::Unknown { .. } => CommunicationIdentifierKind::Unknown,
        }
    }

    /// The raw id: the stored one when present, else computed as in the 1.2.0 SDK:
    ///
    /// - ACS user: its id; unknown: its id;
    /// - phone: `4:<value>`;
    /// - Teams user: `8:teamsvisitor:<id>` when anonymous, else `8:dod:<id>` (DoD cloud),
    ///   `8:gcch:<id>` (GCCH cloud) or `8:orgid:<id>` (public or any other cloud).
    ///
    /// Borrowed when stored, allocated when computed.
    pub fn raw_id(&self) -> Cow<'_, str> {
        match self {
            Self::CommunicationUser { id } | Self::Unknown { id } => Cow::Borrowed(id),
            Self::PhoneNumber {
                raw_id: Some(raw), ..
            }
            | Self::MicrosoftTeamsUser {
                raw_id: Some(raw), ..
            } => Cow::Borrowed(raw),
            Self::PhoneNumber {
                value,
                raw_id: None,
            } => Cow::Owned(format!("{PHONE_NUMBER_PREFIX}{value}")),
            Self::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud,
                raw_id: None,
            } => {
                let prefix = if *is_anonymous {
                    TEAMS_USER_ANONYMOUS_PREFIX
                } else {
                    match cloud {
                        CommunicationCloudEnvironment::Dod => TEAMS_USER_DOD_CLOUD_PREFIX,
                        CommunicationCloudEnvironment::Gcch => TEAMS_USER_GCCH_CLOUD_PREFIX,
                        _ => TEAMS_USER_PUBLIC_CLOUD_PREFIX,
                    }
                };
                Cow::Owned(format!("{prefix}{user_id}"))
            }
        }
    }

    /// The kind-specific bare id: the ACS user id, the phone value, the Teams user id, or the
    /// unknown raw id. Used to match service error targets that name a participant that way.
    pub(crate) fn bare_id(&self) -> &str {
        match self {
            Self::CommunicationUser { id } | Self::Unknown { id } => id,
            Self::PhoneNumber { value, .. } => value,
            Self::MicrosoftTeamsUser { user_id, .. } => user_id,
        }
    }
}

impl PartialEq for CommunicationIdentifier {
    fn eq(&self, other: &Self) -> bool {
        self.raw_id() == other.raw_id()
    }
}

impl Eq for CommunicationIdentifier {}

impl Hash for CommunicationIdentifier {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Must agree with `eq`, which looks at the raw id only.
        self.raw_id().as_ref().hash(state);
    }
}

impl fmt::Display for CommunicationIdentifier {
    /// Writes the raw id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw_id())
    }
}

impl Serialize for CommunicationIdentifier {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct UserWire<'a> {
            id: &'a str,
        }
        #[derive(Serialize)]
        struct PhoneWire<'a> {
            value: &'a str,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct TeamsWire<'a> {
            user_id: &'a str,
            is_anonymous: bool,
            cloud: &'a CommunicationCloudEnvironment,
        }

        let entries = if matches!(self, Self::Unknown { .. }) {
            1
        } else {
            2
        };
        let mut map = serializer.serialize_map(Some(entries))?;
        map.serialize_entry("rawId", self.raw_id().as_ref())?;
        match self {
            Self::CommunicationUser { id } => {
                map.serialize_entry("communicationUser", &UserWire { id })?
            }
            Self::PhoneNumber { value, .. } => {
                map.serialize_entry("phoneNumber", &PhoneWire { value })?
            }
            Self::MicrosoftTeamsUser {
                user_id,
                is_anonymous,
                cloud,
                ..
            } => map.serialize_entry(
                "microsoftTeamsUser",
                &TeamsWire {
                    user_id,
                    is_anonymous: *is_anonymous,
                    cloud,
                },
            )?,
            Self::Unknown { .. } => {}
        }
        map.end()
    }
}

/// The lenient wire shape: every member optional, unknown members ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentifierWire {
    #[serde(default)]
    raw_id: Option<String>,
    #[serde(default)]
    communication_user: Option<UserWireIn>,
    #[serde(default)]
    phone_number: Option<PhoneWireIn>,
    #[serde(default)]
    microsoft_teams_user: Option<TeamsWireIn>,
}

#[derive(Deserialize)]
struct UserWireIn {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct PhoneWireIn {
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TeamsWireIn {
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    is_anonymous: Option<bool>,
    #[serde(default)]
    cloud: Option<CommunicationCloudEnvironment>,
}

impl From<IdentifierWire> for CommunicationIdentifier {
    fn from(wire: IdentifierWire) -> Self {
        let IdentifierWire {
            raw_id,
            communication_user,
            phone_number,
            microsoft_teams_user,
        } = wire;
        if let Some(user) = communication_user {
            // The raw id wins over the nested id, as in 1.2.0; unlike 1.2.0, a missing raw id
            // falls back to the nested id instead of the string "None".
            return match raw_id.or(user.id) {
                Some(id) => Self::CommunicationUser { id },
                None => Self::Unknown { id: String::new() },
            };
        } else if let Some(PhoneWireIn { value: Some(value) }) = phone_number {
            return Self::PhoneNumber { value, raw_id };
        } else if let Some(TeamsWireIn {
            user_id: Some(user_id),
            is_anonymous,
            cloud,
        }) = microsoft_teams_user
        {
            return Self::MicrosoftTeamsUser {
                user_id,
                is_anonymous: is_anonymous.unwrap_or(false),
                cloud: cloud.unwrap_or_default(),
                raw_id,
            };
        }
        // No usable nested object: keep whatever raw id there is (empty when absent).
        Self::Unknown {
            id: raw_id.unwrap_or_default(),
        }
    }
}

impl<'de> Deserialize<'de> for CommunicationIdentifier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IdentifierWire::deserialize(deserializer).map(Self::from)
    }
}

//! Identity: create ACS users and issue their access tokens, signed with the resource access key.
//!
//! Rust and C programs have no other way to get ACS user tokens; quickstarts and tests use this client.

mod connection_string;
pub(crate) mod hmac;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};

use crate::credential::AccessToken;
use crate::error::{Error, Result};
use crate::identifier::CommunicationIdentifier;
use crate::options::{ClientOptions, DEFAULT_CHAT_API_VERSION, DEFAULT_IDENTITY_API_VERSION};
use crate::pipeline::{url, Auth, Pipeline, Request};

/// What a token may be used for (wire values of the identity API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenScope {
    /// Full access to the chat APIs (`chat`).
    Chat,
    /// Full access to the calling APIs (`voip`).
    Voip,
    /// Chat without creating, deleting or updating threads (`chat.join`).
    ChatJoin,
    /// `chat.join` without adding or removing participants (`chat.join.limited`).
    ChatJoinLimited,
    /// Calling without starting new calls (`voip.join`).
    VoipJoin,
}

impl TokenScope {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Chat => "chat",
            TokenScope::Voip => "voip",
            TokenScope::ChatJoin => "chat.join",
            TokenScope::ChatJoinLimited => "chat.join.limited",
            TokenScope::VoipJoin => "voip.join",
        }
    }
}

impl Serialize for TokenScope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Token lifetimes the service accepts, in minutes.
const MIN_TOKEN_MINUTES: u64 = 60;
const MAX_TOKEN_MINUTES: u64 = 1440;

/// Creates ACS users, issues and revokes their tokens, and deletes them.
///
/// Authenticates with the resource access key (HMAC-SHA256 request signing). Cheap to clone, `Send + Sync`.
///
/// ```no_run
/// use acs_chat::identity::{CommunicationIdentityClient, TokenScope};
/// # async fn demo(connection_string: &str) -> acs_chat::Result<()> {
/// let identity = CommunicationIdentityClient::from_connection_string(connection_string, Default::default())?;
/// let (user, token) = identity.create_user_and_token(&[TokenScope::Chat], None).await?;
/// println!("{} token expires {}", user, token.expires_on);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CommunicationIdentityClient {
    pipeline: Arc<Pipeline>,
}

impl fmt::Debug for CommunicationIdentityClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunicationIdentityClient")
            .field("endpoint", &self.pipeline.endpoint.as_str())
            .finish()
    }
}

#[derive(Deserialize)]
struct IdentityWire {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenWire {
    token: String,
    #[serde(with = "crate::time::required")]
    expires_on: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateResultWire {
    identity: IdentityWire,
    #[serde(default)]
    access_token: Option<TokenWire>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateRequestWire<'a> {
    create_token_with_scopes: &'a [TokenScope],
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_minutes: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueTokenRequestWire<'a> {
    scopes: &'a [TokenScope],
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_minutes: Option<u64>,
}

fn minutes(expires_in: Option<Duration>) -> Result<Option<u64>> {
    let Some(d) = expires_in else { return Ok(None) };
    let m = d.as_secs() / 60;
    if !(MIN_TOKEN_MINUTES..=MAX_TOKEN_MINUTES).contains(&m) {
        return Err(Error::invalid_input(format!(
            "token lifetime must be between {MIN_TOKEN_MINUTES} and {MAX_TOKEN_MINUTES} minutes, got {m}"
        )));
    }
    Ok(Some(m))
}

fn user_id<'a>(user: &'a CommunicationIdentifier, operation: &str) -> Result<&'a str> {
    match user {
        CommunicationIdentifier::CommunicationUser { id } if !id.is_empty() => Ok(id),
        other => Err(Error::invalid_input(format!(
            "{operation}: expected an ACS communication user, got `{other}`"
        ))),
    }
}

impl CommunicationIdentityClient {
    /// Creates a client from `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`.
    ///
    /// The endpoint keeps its scheme; `http` is allowed only for loopback hosts (the local emulator). When
    /// `options.api_version` is the chat default, the identity default (`2023-10-01`) is used instead.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a malformed connection string, key or
    /// endpoint. The error never contains the key.
    pub fn from_connection_string(connection_string: &str, options: ClientOptions) -> Result<Self> {
        let cs = connection_string::parse(connection_string)?;
        let signer = hmac::HmacSigner::from_base64_key(&cs.access_key)?;
        let mut options = options;
        if options.api_version == DEFAULT_CHAT_API_VERSION {
            options.api_version = DEFAULT_IDENTITY_API_VERSION.to_string();
        }
        let pipeline = Pipeline::new(&cs.endpoint, Auth::Hmac(signer), options)?;
        Ok(CommunicationIdentityClient { pipeline })
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        self.pipeline.endpoint.as_str()
    }

    /// Creates a user without a token.
    ///
    /// # Errors
    /// Any service or transport error.
    pub async fn create_user(&self) -> Result<CommunicationIdentifier> {
        const OP: &str = "create_user";
        let req = Request::new(
            OP,
            Method::POST,
            self.pipeline.url("identities", vec![]),
            &[201],
        );
        let created: CreateResultWire = self.pipeline.send(req).await?.json(OP)?;
        Ok(CommunicationIdentifier::user(created.identity.id))
    }

    /// Creates a user and a token for it with `scopes`. `expires_in` must be 60 to 1440 minutes (service
    /// default 24 h when `None`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for no scopes or an out-of-range lifetime;
    /// otherwise any service or transport error.
    pub async fn create_user_and_token(
        &self,
        scopes: &[TokenScope],
        expires_in: Option<Duration>,
    ) -> Result<(CommunicationIdentifier, AccessToken)> {
        const OP: &str = "create_user_and_token";
        if scopes.is_empty() {
            return Err(Error::invalid_input(format!(
                "{OP}: at least one scope is required"
            )));
        }
        let body = CreateRequestWire {
            create_token_with_scopes: scopes,
            expires_in_minutes: minutes(expires_in)?,
        };
        let req = Request::new(
            OP,
            Method::POST,
            self.pipeline.url("identities", vec![]),
            &[201],
        )
        .json(&body)?;
        let created: CreateResultWire = self.pipeline.send(req).await?.json(OP)?;
        let token = created.access_token.ok_or_else(|| {
            Error::new(
                crate::ErrorKind::Decode,
                format!("{OP}: the service response has no accessToken"),
            )
        })?;
        Ok((
            CommunicationIdentifier::user(created.identity.id),
            AccessToken::new(token.token, token.expires_on),
        ))
    }

    /// Issues a new token for `user`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a non-ACS identifier, no scopes or an
    /// out-of-range lifetime; otherwise any service or transport error.
    pub async fn get_token(
        &self,
        user: &CommunicationIdentifier,
        scopes: &[TokenScope],
        expires_in: Option<Duration>,
    ) -> Result<AccessToken> {
        const OP: &str = "get_token";
        let id = user_id(user, OP)?;
        if scopes.is_empty() {
            return Err(Error::invalid_input(format!(
                "{OP}: at least one scope is required"
            )));
        }
        let body = IssueTokenRequestWire {
            scopes,
            expires_in_minutes: minutes(expires_in)?,
        };
        let path = format!("identities/{}/:issueAccessToken", url::encode(id));
        let req =
            Request::new(OP, Method::POST, self.pipeline.url(&path, vec![]), &[200]).json(&body)?;
        let token: TokenWire = self.pipeline.send(req).await?.json(OP)?;
        Ok(AccessToken::new(token.token, token.expires_on))
    }

    /// Revokes every token issued to `user` so far.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a non-ACS identifier; otherwise any
    /// service or transport error.
    pub async fn revoke_tokens(&self, user: &CommunicationIdentifier) -> Result<()> {
        const OP: &str = "revoke_tokens";
        let id = user_id(user, OP)?;
        let path = format!("identities/{}/:revokeAccessTokens", url::encode(id));
        let mut req = Request::new(OP, Method::POST, self.pipeline.url(&path, vec![]), &[204]);
        // The service expects an (empty) body, signed as "".
        req.body = Some(bytes::Bytes::new());
        self.pipeline.send(req).await?;
        Ok(())
    }

    /// Deletes `user`, its tokens and its data.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a non-ACS identifier; otherwise any
    /// service or transport error.
    pub async fn delete_user(&self, user: &CommunicationIdentifier) -> Result<()> {
        const OP: &str = "delete_user";
        let id = user_id(user, OP)?;
        let path = format!("identities/{}", url::encode(id));
        let req = Request::new(OP, Method::DELETE, self.pipeline.url(&path, vec![]), &[204]);
        self.pipeline.send(req).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_bounds_and_user_kind() {
        assert_eq!(minutes(None).unwrap(), None);
        assert_eq!(minutes(Some(Duration::from_secs(3600))).unwrap(), Some(60));
        assert!(minutes(Some(Duration::from_secs(59 * 60))).is_err());
        assert!(minutes(Some(Duration::from_secs(1441 * 60))).is_err());
        assert!(user_id(&CommunicationIdentifier::phone("+1"), "op").is_err());
        assert_eq!(
            user_id(&CommunicationIdentifier::user("8:acs:x"), "op").unwrap(),
            "8:acs:x"
        );
    }

    #[test]
    fn bad_connection_strings_are_invalid_input() {
        let e = CommunicationIdentityClient::from_connection_string(
            "endpoint=http://example.com;accesskey=a2V5",
            ClientOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), &crate::ErrorKind::InvalidInput);
        let c = CommunicationIdentityClient::from_connection_string(
            "endpoint=http://127.0.0.1:1/;accesskey=a2V5",
            ClientOptions::default(),
        )
        .unwrap();
        assert_eq!(c.pipeline.options.api_version, DEFAULT_IDENTITY_API_VERSION);
    }
}

//! The Identity API (HMAC-signed): create identities, issue and revoke tokens, delete
//! identities. Teams token exchange answers 400 NotSupported (the emulator has no Entra ID).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::token::{self, Claims};
use super::http::{self, Incoming};
use super::model::IdentityRecord;
use super::store::Write;
use super::{time, versions, App};
use crate::error::ApiError;

/// The identity routes (state: [`App`]).
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/identities", post(create))
        .route("/identities/{id}", delete(remove))
        .route("/identities/{id}/{action}", post(action))
        .route("/teamsUser/{action}", post(teams_user))
}

/// Reads the request, then checks api-version, the HMAC signature and the content type.
async fn prepare(app: &App, req: Request) -> Result<Incoming, ApiError> {
    let inc = Incoming::read(req).await?;
    versions::identity(inc.param("api-version"))?;
    super::auth::hmac::verify(
        inc.method.as_str(),
        inc.path_and_query(),
        &inc.headers,
        &inc.body,
        app.access_key(),
        Utc::now(),
    )?;
    inc.check_json_content_type()?;
    Ok(inc)
}

fn finish(r: Result<Response, ApiError>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRequest {
    #[serde(default)]
    create_token_with_scopes: Option<Vec<String>>,
    #[serde(default)]
    expires_in_minutes: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssueRequest {
    scopes: Vec<String>,
    #[serde(default)]
    expires_in_minutes: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessToken {
    token: String,
    #[serde(with = "time::wire")]
    expires_on: DateTime<Utc>,
}

#[derive(Serialize)]
struct IdentityModel<'a> {
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    identity: IdentityModel<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<AccessToken>,
}

async fn create(State(app): State<App>, req: Request) -> Response {
    finish(
        async {
            let inc = prepare(&app, req).await?;
            let body: CreateRequest = if inc.body_is_blank() {
                CreateRequest {
                    create_token_with_scopes: None,
                    expires_in_minutes: None,
                }
            } else {
                http::parse_json(&inc.body, "CommunicationIdentityCreateRequest")?
            };
            let scopes = body.create_token_with_scopes.unwrap_or_default();
            token::validate_scopes(&scopes)?;
            let minutes = token::validate_minutes(body.expires_in_minutes)?;
            let id = app.new_identity()?;
            let access_token = if scopes.is_empty() {
                None
            } else {
                let (token, expires_on) = app.issue_token(&id, &scopes, minutes)?;
                Some(AccessToken { token, expires_on })
            };
            Ok(http::json(
                StatusCode::CREATED,
                &CreateResult {
                    identity: IdentityModel { id: &id },
                    access_token,
                },
            ))
        }
        .await,
    )
}

async fn remove(State(app): State<App>, req: Request) -> Response {
    finish(
        async {
            let inc = prepare(&app, req).await?;
            let id = inc.segment(1)?;
            app.delete_identity(&id)?;
            Ok(http::empty(StatusCode::NO_CONTENT))
        }
        .await,
    )
}

async fn action(State(app): State<App>, req: Request) -> Response {
    finish(
        async {
            let inc = prepare(&app, req).await?;
            let id = inc.segment(1)?;
            match inc.segment(2)?.as_str() {
                ":issueAccessToken" => {
                    let body: IssueRequest =
                        http::parse_json(&inc.body, "CommunicationIdentityAccessTokenRequest")?;
                    if body.scopes.is_empty() {
                        return Err(ApiError::bad_request("'scopes' must not be empty.")
                            .with_target("scopes"));
                    }
                    token::validate_scopes(&body.scopes)?;
                    let minutes = token::validate_minutes(body.expires_in_minutes)?;
                    app.require_identity(&id)?;
                    let (token, expires_on) = app.issue_token(&id, &body.scopes, minutes)?;
                    Ok(http::json(StatusCode::OK, &AccessToken { token, expires_on }))
                }
                ":revokeAccessTokens" => {
                    app.revoke_tokens(&id)?;
                    Ok(http::empty(StatusCode::NO_CONTENT))
                }
                other => Err(ApiError::not_found(format!(
                    "The identity action '{other}' does not exist; use :issueAccessToken or :revokeAccessTokens."
                ))),
            }
        }
        .await,
    )
}

async fn teams_user(State(app): State<App>, req: Request) -> Response {
    finish(
        async {
            let inc = prepare(&app, req).await?;
            match inc.segment(1)?.as_str() {
                ":exchangeAccessToken" => Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "NotSupported",
                    "Teams token exchange is not supported by the emulator.",
                )),
                other => Err(ApiError::not_found(format!(
                    "The Teams user action '{other}' does not exist."
                ))),
            }
        }
        .await,
    )
}

impl App {
    /// Creates and persists a new identity; returns its raw id.
    pub(super) fn new_identity(&self) -> Result<String, ApiError> {
        let rec = IdentityRecord {
            id: format!("8:acs:{}_{}", self.inner.resource_id, uuid::Uuid::new_v4()),
            created_on: time::now_ms(),
            revoked_below: 0,
        };
        let mut st = self.inner.state.write();
        self.inner.db.lock().apply(&[Write::Identity(&rec)])?;
        let id = rec.id.clone();
        st.identities.insert(id.clone(), rec);
        Ok(id)
    }

    /// 404 unless `id` is a live identity.
    fn require_identity(&self, id: &str) -> Result<(), ApiError> {
        if self.inner.state.read().identities.contains_key(id) {
            Ok(())
        } else {
            Err(identity_not_found(id))
        }
    }

    /// Mints a token for identity `id`; returns the token and its expiry (= the `exp` claim).
    pub(super) fn issue_token(
        &self,
        id: &str,
        scopes: &[String],
        minutes: u32,
    ) -> Result<(String, DateTime<Utc>), ApiError> {
        let iat = Utc::now().timestamp();
        let exp = iat + i64::from(minutes) * 60;
        let claims = Claims {
            skypeid: id.strip_prefix("8:").unwrap_or(id).to_owned(),
            scp: token::SCP,
            csi: iat.to_string(),
            iat,
            exp,
            acs_scope: scopes.join(","),
            resource_id: self.inner.resource_id.clone(),
            tsn: self.inner.serials.next(),
        };
        let token = token::mint(&self.inner.secret, &claims)?;
        Ok((token, time::from_millis(exp * 1000)))
    }

    /// Invalidates every token issued for `id` so far.
    fn revoke_tokens(&self, id: &str) -> Result<(), ApiError> {
        let mut st = self.inner.state.write();
        let Some(current) = st.identities.get(id) else {
            return Err(identity_not_found(id));
        };
        let mut rec = current.clone();
        rec.revoked_below = self.inner.serials.next();
        self.inner.db.lock().apply(&[Write::Identity(&rec)])?;
        st.identities.insert(id.to_owned(), rec);
        Ok(())
    }

    /// Deletes identity `id` (its tokens stop working; its thread memberships stay).
    fn delete_identity(&self, id: &str) -> Result<(), ApiError> {
        let mut st = self.inner.state.write();
        if !st.identities.contains_key(id) {
            return Err(identity_not_found(id));
        }
        self.inner.db.lock().apply(&[Write::DeleteIdentity(id)])?;
        st.identities.remove(id);
        Ok(())
    }

    /// Checks a chat call's bearer token: signature, expiry, identity alive, not revoked.
    pub(super) fn authenticate_bearer(&self, header: Option<&str>) -> Result<Claims, ApiError> {
        let header = header.ok_or_else(|| {
            ApiError::unauthorized(
                "The Authorization header is missing; send 'Bearer <access token>'.",
            )
        })?;
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("The Authorization header must be 'Bearer <access token>'.")
            })?;
        let claims = token::verify(&self.inner.secret, token, Utc::now())?;
        let st = self.inner.state.read();
        let Some(identity) = st.identities.get(&claims.user_id()) else {
            return Err(ApiError::unauthorized(
                "The access token's identity does not exist (it was deleted).",
            ));
        };
        if claims.tsn < identity.revoked_below {
            return Err(ApiError::unauthorized("The access token was revoked."));
        }
        Ok(claims)
    }
}

fn identity_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("The identity '{id}' does not exist."))
}

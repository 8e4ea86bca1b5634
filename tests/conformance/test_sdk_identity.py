"""azure-communication-identity 1.5.0 against the emulator (HMAC auth from the connection string).

Token lifetimes are checked against the wall clock with minutes of tolerance: they assert what
the emulator issued, not how fast anything ran.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.communication.identity import (
    CommunicationIdentityClient,
    CommunicationTokenScope,
    CommunicationUserIdentifier,
)
from azure.communication.identity.aio import (
    CommunicationIdentityClient as AsyncCommunicationIdentityClient,
)

from sdk_support import (
    ASYNC_CLIENT_KWARGS,
    CLIENT_KWARGS,
    Emulator,
    User,
    parse_expires_on,
    utc_now,
)

ClientFor = Callable[[User], ChatClient]


def assert_access_token(value: object) -> None:
    # Checked through plain booleans: pytest prints the operands of a failing assert, and the
    # token must never reach test output.
    is_access_token = isinstance(value, AccessToken)
    assert is_access_token, f"expected AccessToken, got {type(value).__name__}"
    token = value.token  # type: ignore[attr-defined]
    looks_like_jwt = isinstance(token, str) and token.count(".") == 2
    assert looks_like_jwt, "the access token is not a three-segment JWT"


def assert_lifetime(expires_on: str, expected: timedelta, what: str) -> None:
    remaining = parse_expires_on(expires_on, what) - utc_now()
    # Generous bounds: the token was issued moments ago, so only a wrong lifetime misses them.
    assert expected - timedelta(minutes=5) < remaining <= expected + timedelta(minutes=1), (
        f"{what}: expires in {remaining}, expected about {expected}"
    )


def assert_credential_agrees(token: str, expires_on: str) -> None:
    # The chat SDK reads `exp` from the JWT payload itself; it must be the instant the identity
    # API reported (to the second), or proactive refresh would fire at the wrong time.
    reported = int(parse_expires_on(expires_on, "expiresOn").timestamp())
    parsed = CommunicationTokenCredential(token).get_token()
    assert parsed.expires_on == reported, f"JWT exp {parsed.expires_on} != expiresOn {reported}"


def assert_chat_works(emulator: Emulator, token: str) -> None:
    with ChatClient(emulator.endpoint, CommunicationTokenCredential(token), **CLIENT_KWARGS) as client:
        client.create_chat_thread("token check")


def assert_chat_rejected(emulator: Emulator, token: str) -> None:
    with ChatClient(emulator.endpoint, CommunicationTokenCredential(token), **CLIENT_KWARGS) as client:
        with pytest.raises(ClientAuthenticationError) as info:
            client.create_chat_thread("should fail")
    assert info.value.status_code == 401


def test_create_user(identity_client: CommunicationIdentityClient) -> None:
    first = identity_client.create_user()
    second = identity_client.create_user()
    assert isinstance(first, CommunicationUserIdentifier)
    assert first.properties["id"].startswith("8:acs:"), first.properties["id"]
    assert first.raw_id == first.properties["id"]
    assert first.properties["id"] != second.properties["id"]


def test_create_user_and_token_default_lifetime(
    emulator: Emulator, identity_client: CommunicationIdentityClient
) -> None:
    user, token = identity_client.create_user_and_token(scopes=["chat"])
    assert isinstance(user, CommunicationUserIdentifier)
    assert_access_token(token)
    assert_lifetime(token.expires_on, timedelta(hours=24), "default token lifetime")
    assert_credential_agrees(token.token, token.expires_on)
    assert_chat_works(emulator, token.token)


def test_create_user_and_token_with_scopes_and_lifetime(identity_client: CommunicationIdentityClient) -> None:
    user, token = identity_client.create_user_and_token(
        scopes=[CommunicationTokenScope.CHAT, CommunicationTokenScope.VOIP],
        token_expires_in=timedelta(hours=1),
    )
    assert user.properties["id"].startswith("8:acs:")
    assert_lifetime(token.expires_on, timedelta(hours=1), "1 h token")
    assert_credential_agrees(token.token, token.expires_on)


def test_token_lifetime_outside_range_is_rejected(identity_client: CommunicationIdentityClient) -> None:
    # The service accepts 60..1440 minutes.
    user = identity_client.create_user()
    for lifetime in (timedelta(minutes=30), timedelta(hours=25)):
        with pytest.raises(HttpResponseError) as info:
            identity_client.get_token(user, ["chat"], token_expires_in=lifetime)
        assert info.value.status_code == 400, f"{lifetime}: status {info.value.status_code}"


def test_get_token(emulator: Emulator, identity_client: CommunicationIdentityClient) -> None:
    user = identity_client.create_user()
    token = identity_client.get_token(user, scopes=["chat"], token_expires_in=timedelta(hours=2))
    assert_access_token(token)
    assert_lifetime(token.expires_on, timedelta(hours=2), "2 h token")
    assert_credential_agrees(token.token, token.expires_on)
    assert_chat_works(emulator, token.token)

    again = identity_client.get_token(user, scopes=["chat"])
    assert_lifetime(again.expires_on, timedelta(hours=24), "default get_token lifetime")
    assert_chat_works(emulator, again.token)


def test_revoke_tokens_invalidates_existing_tokens(
    emulator: Emulator, identity_client: CommunicationIdentityClient
) -> None:
    user, old = identity_client.create_user_and_token(["chat"])
    assert_chat_works(emulator, old.token)

    assert identity_client.revoke_tokens(user) is None
    assert_chat_rejected(emulator, old.token)

    # Revocation cuts off tokens issued before it, not the identity.
    fresh = identity_client.get_token(user, ["chat"])
    assert_chat_works(emulator, fresh.token)


def test_delete_user_invalidates_tokens(
    emulator: Emulator, identity_client: CommunicationIdentityClient
) -> None:
    user, token = identity_client.create_user_and_token(["chat"])
    assert identity_client.delete_user(user) is None
    assert_chat_rejected(emulator, token.token)
    with pytest.raises(HttpResponseError) as info:
        identity_client.get_token(user, ["chat"])
    assert info.value.status_code == 404


def test_get_token_for_teams_user_is_not_supported(identity_client: CommunicationIdentityClient) -> None:
    with pytest.raises(HttpResponseError) as info:
        identity_client.get_token_for_teams_user(
            "aad-token-of-a-teams-user",
            "00000000-0000-0000-0000-000000000001",
            "00000000-0000-0000-0000-000000000002",
        )
    assert info.value.status_code == 400
    assert "not supported" in str(info.value).lower(), str(info.value)


def test_wrong_access_key_is_rejected(emulator: Emulator) -> None:
    # Same endpoint, a different (valid base64) key: the HMAC signature cannot match.
    forged = f"endpoint={emulator.endpoint}/;accesskey=" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
    client = CommunicationIdentityClient.from_connection_string(forged, **CLIENT_KWARGS)
    with pytest.raises(ClientAuthenticationError) as info:
        client.create_user()
    assert info.value.status_code == 401


@pytest.mark.asyncio
async def test_async_identity_client(emulator: Emulator) -> None:
    client = AsyncCommunicationIdentityClient.from_connection_string(
        emulator.connection_string, **ASYNC_CLIENT_KWARGS
    )
    async with client:
        user = await client.create_user()
        assert user.properties["id"].startswith("8:acs:")
        other, token = await client.create_user_and_token(["chat"], token_expires_in=timedelta(hours=1))
        assert_lifetime(token.expires_on, timedelta(hours=1), "aio 1 h token")
        issued = await client.get_token(user, ["chat"])
        assert_credential_agrees(issued.token, issued.expires_on)
        assert await client.revoke_tokens(user) is None
        assert_chat_rejected(emulator, issued.token)
        assert await client.delete_user(other) is None
        assert_chat_rejected(emulator, token.token)
        with pytest.raises(HttpResponseError) as info:
            await client.get_token_for_teams_user("aad", "app", "oid")
        assert info.value.status_code == 400

"""CommunicationTokenCredential: static tokens, refreshers, proactive refresh, redaction."""

import time
from typing import Any, List

import pytest

import acs_chat
from acs_chat import AccessToken, ChatClient, CommunicationTokenCredential

from conftest import fake_jwt


def test_static_token(user: Any) -> None:
    cred = CommunicationTokenCredential(user[1])
    token = cred.get_token()
    assert isinstance(token, AccessToken)
    assert token.token == user[1]
    assert token.expires_on > time.time()
    assert user[1] not in repr(cred)
    assert user[1] not in repr(token) and user[1] not in str(token)


def test_bad_tokens() -> None:
    with pytest.raises(TypeError, match=r"^Token must be a string\.$"):
        CommunicationTokenCredential(5)  # type: ignore[arg-type]
    for bad in ("", "a.b", "not-a-jwt", "e30.e30.c2ln"):
        with pytest.raises(ValueError, match=r"^Token is not formatted correctly$"):
            CommunicationTokenCredential(bad)
    with pytest.raises(ValueError, match="'token_refresher' must not be None"):
        CommunicationTokenCredential(fake_jwt(3600), proactive_refresh=True)


def test_expired_static_token_fails_before_sending() -> None:
    with pytest.raises(acs_chat.ClientAuthenticationError, match="expired"):
        CommunicationTokenCredential(fake_jwt(-10))


def test_refresher_is_called_near_expiry(emulator: Any, identity: Any, user: Any) -> None:
    calls: List[int] = []

    def refresher() -> AccessToken:
        calls.append(1)
        token, expires_on = identity.get_token(user[0].raw_id)
        return AccessToken(token, expires_on)

    # 60 s left is inside the 2-minute on-demand window, so the first request refreshes.
    cred = CommunicationTokenCredential(fake_jwt(60), token_refresher=refresher)
    client = ChatClient(emulator["endpoint"], cred)
    client.create_chat_thread("refreshed")
    client.create_chat_thread("no second refresh")
    assert len(calls) == 1
    assert cred.get_token().expires_on > time.time() + 600


def test_refresher_that_raises_surfaces_its_exception(emulator: Any) -> None:
    class Boom(Exception):
        pass

    def refresher() -> AccessToken:
        raise Boom("no token today")

    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(fake_jwt(30), token_refresher=refresher))
    with pytest.raises(Boom, match="no token today"):
        client.create_chat_thread("never")


def test_refresher_returning_expired_token(emulator: Any) -> None:
    def refresher() -> AccessToken:
        return AccessToken(fake_jwt(-5), int(time.time()) - 5)

    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(fake_jwt(30), token_refresher=refresher))
    with pytest.raises(acs_chat.ClientAuthenticationError, match="expired"):
        client.create_chat_thread("never")


def test_refresher_returning_wrong_type(emulator: Any) -> None:
    cred = CommunicationTokenCredential(fake_jwt(30), token_refresher=lambda: "just a string")
    with pytest.raises(AttributeError):
        cred.get_token()


def test_proactive_credential_close(identity: Any, user: Any) -> None:
    def refresher() -> AccessToken:
        token, expires_on = identity.get_token(user[0].raw_id)
        return AccessToken(token, expires_on)

    with CommunicationTokenCredential(user[1], token_refresher=refresher, proactive_refresh=True) as cred:
        assert cred.get_token().token
    with pytest.raises(RuntimeError, match="cannot be reused once it has been closed"):
        cred.get_token()
    with pytest.raises(RuntimeError):
        cred.__enter__()


def test_non_proactive_credential_works_after_close(user: Any) -> None:
    cred = CommunicationTokenCredential(user[1])
    cred.close()
    assert cred.get_token().token == user[1]

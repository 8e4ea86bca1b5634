"""Exception paths: service errors, auth, transport; azure-core compatibility when it is installed."""

import subprocess
import sys
from typing import Any

import pytest

import acs_chat
from acs_chat import ChatClient, ChatThreadClient, CommunicationTokenCredential, exceptions

from conftest import fake_jwt


def test_not_found_carries_status_reason_and_error(thread: ChatThreadClient) -> None:
    with pytest.raises(acs_chat.ResourceNotFoundError) as info:
        thread.get_message("404404")
    e = info.value
    assert isinstance(e, acs_chat.HttpResponseError) and isinstance(e, acs_chat.AzureError)
    assert e.status_code == 404
    assert e.reason == "Not Found"
    assert e.error is not None and e.error.code == "NotFound"
    assert str(e).startswith("(NotFound) ")
    assert "Code: NotFound" in str(e)
    assert e.message == str(e)


def test_unknown_thread_is_not_found(client: ChatClient) -> None:
    with pytest.raises(acs_chat.ResourceNotFoundError):
        client.get_chat_thread_client("19:missing@thread.v2").get_properties()


def test_forged_token_is_an_authentication_error(emulator: Any) -> None:
    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(fake_jwt(3600)))
    with pytest.raises(acs_chat.ClientAuthenticationError) as info:
        client.create_chat_thread("nope")
    assert info.value.status_code == 401
    assert "c2ln" not in str(info.value)


def test_errors_surface_during_iteration_not_at_list_call(emulator: Any) -> None:
    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(fake_jwt(3600)))
    listing = client.list_chat_threads()
    with pytest.raises(acs_chat.ClientAuthenticationError):
        next(iter(listing))


def test_connection_refused_is_a_service_request_error(user: Any) -> None:
    client = ChatClient("http://127.0.0.1:9", CommunicationTokenCredential(user[1]), retry_total=0)
    with pytest.raises(acs_chat.ServiceRequestError):
        client.delete_chat_thread("19:x@thread.v2")


def test_plain_http_to_a_remote_host_is_refused(user: Any) -> None:
    with pytest.raises(ValueError):
        ChatClient("http://example.com", CommunicationTokenCredential(user[1]))


def test_bad_continuation_token_is_a_value_error(thread: ChatThreadClient) -> None:
    # Plain http to a remote host would send the token unencrypted: refused before any request.
    with pytest.raises(ValueError, match="http"):
        list(thread.list_messages().by_page("http://example.com/chat/threads"))


def test_azure_core_except_clauses_catch_ours(thread: ChatThreadClient) -> None:
    core = pytest.importorskip("azure.core.exceptions")
    with pytest.raises(core.ResourceNotFoundError):
        thread.get_message("404404")
    assert issubclass(exceptions.HttpResponseError, core.HttpResponseError)
    assert issubclass(exceptions.ServiceRequestError, core.ServiceRequestError)
    assert issubclass(exceptions.AzureError, core.AzureError)
    assert issubclass(exceptions.AmbiguousWriteError, core.ServiceResponseError)


@pytest.mark.parametrize(
    "order",
    ["import acs_chat; import azure.core.exceptions as c", "import azure.core.exceptions as c; import acs_chat"],
)
def test_azure_core_compatibility_in_either_import_order(order: str) -> None:
    pytest.importorskip("azure.core.exceptions")
    code = order + (
        "\nfrom acs_chat import exceptions as e"
        "\nassert issubclass(e.ResourceNotFoundError, c.ResourceNotFoundError)"
        "\nassert issubclass(e.ClientAuthenticationError, c.ClientAuthenticationError)"
        "\nassert issubclass(e.ServiceResponseTimeoutError, c.ServiceResponseError)"
        "\nassert issubclass(e.AzureError, c.AzureError)"
        "\ntry:\n    raise e._from_engine('not_found', 'm', 404, None, None, None)"
        "\nexcept c.HttpResponseError as x:\n    assert x.status_code == 404"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_acs_chat_does_not_import_azure_core() -> None:
    code = "import sys, acs_chat, acs_chat.aio; assert 'azure.core' not in sys.modules, 'azure.core was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unreadable_ca_bundle_is_named(emulator: Any, user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cred = CommunicationTokenCredential(user[1])
    with pytest.raises(ValueError, match="connection_verify: cannot read the CA bundle '/nonexistent/ca.pem'"):
        ChatClient(emulator["endpoint"], cred, connection_verify="/nonexistent/ca.pem")
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/env.pem")
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        ChatClient(emulator["endpoint"], cred)

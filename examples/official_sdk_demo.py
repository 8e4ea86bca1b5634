"""A tour of ACS Chat with the official Python SDK (azure-communication-chat 1.2.0 + identity).

Runs against whatever ``ACS_CONNECTION_STRING`` points at: the local emulator (``make demo`` starts
one and sets the variable, plus ``REQUESTS_CA_BUNDLE`` for its TLS certificate) or a real Azure
Communication Services resource (``ACS_CONNECTION_STRING=endpoint=https://...;accesskey=... make demo``).

Each step prints one readable line. On the first failure it prints which step failed and why, cleans up
what it created (thread, users) and exits with status 1. Tokens and the access key are never printed.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from typing import Any, Callable, List, Optional, TypeVar

try:
    from azure.communication.chat import (
        ChatClient,
        ChatParticipant,
        CommunicationTokenCredential,
    )
    from azure.communication.identity import CommunicationIdentityClient, CommunicationUserIdentifier
    from azure.core.exceptions import AzureError, HttpResponseError
except ImportError as exc:  # pragma: no cover - depends on the environment
    sys.exit(f"demo: the official SDK is not installed ({exc}); run `make demo`, which installs it into .venv")

T = TypeVar("T")


class DemoFailed(Exception):
    """A step failed; the message says which and why."""


class Demo:
    """Runs the steps in order and remembers what to clean up."""

    def __init__(self, connection_string: str) -> None:
        self.connection_string = connection_string
        self.endpoint = _endpoint_of(connection_string)
        self.step_no = 0
        self.identity: Optional[CommunicationIdentityClient] = None
        self.users: List[CommunicationUserIdentifier] = []
        self.thread_id: Optional[str] = None
        self.thread_deleted = False
        self.admin_chat: Optional[ChatClient] = None
        self.names: dict = {}

    def step(self, title: str, action: Callable[[], T]) -> T:
        """Runs one step, printing its title and turning SDK errors into a DemoFailed naming the step."""
        self.step_no += 1
        print(f"[{self.step_no:2}] {title}", flush=True)
        try:
            return action()
        except HttpResponseError as exc:
            code = getattr(getattr(exc, "error", None), "code", None)
            raise DemoFailed(f"step {self.step_no} ({title}) failed: HTTP {exc.status_code}"
                             f"{f' {code}' if code else ''}: {_first_line(exc.message)}") from None
        except AzureError as exc:
            raise DemoFailed(f"step {self.step_no} ({title}) failed: {type(exc).__name__}: "
                             f"{_first_line(str(exc))}") from None
        except (ValueError, KeyError, TypeError) as exc:
            # The SDK raises these for answers it cannot parse (e.g. a malformed token or identifier).
            raise DemoFailed(f"step {self.step_no} ({title}) failed: {type(exc).__name__}: "
                             f"{_first_line(str(exc))}") from None

    def run(self) -> None:
        print(f"ACS Chat demo against {self.endpoint}")
        self.identity = CommunicationIdentityClient.from_connection_string(self.connection_string)

        def create_users() -> tuple:
            created = []
            for _ in range(3):
                user, token = self.identity.create_user_and_token(scopes=["chat"])
                self.users.append(user)
                created.append((user, token))
            return tuple(created)

        (alice, alice_token), (bob, bob_token), (carol, _) = self.step(
            "Create three users with chat tokens (identity API, HMAC-signed)", create_users)
        for name, user in (("Alice", alice), ("Bob", bob), ("Carol", carol)):
            self.names[user.properties["id"]] = name
            print(f"     {name}: {user.properties['id']}")

        alice_chat = ChatClient(self.endpoint, CommunicationTokenCredential(alice_token.token))
        bob_chat = ChatClient(self.endpoint, CommunicationTokenCredential(bob_token.token))
        self.admin_chat = alice_chat
        now = datetime.now(timezone.utc)

        result = self.step("Alice creates a thread with Bob", lambda: alice_chat.create_chat_thread(
            "Team lunch", thread_participants=[
                ChatParticipant(identifier=alice, display_name="Alice", share_history_time=now),
                ChatParticipant(identifier=bob, display_name="Bob", share_history_time=now)]))
        if result.errors:
            raise DemoFailed(f"thread created, but some participants were refused: {_errors(result.errors)}")
        self.thread_id = result.chat_thread.id
        print(f"     thread {self.thread_id}, topic {result.chat_thread.topic!r}")
        alice_thread = alice_chat.get_chat_thread_client(self.thread_id)
        bob_thread = bob_chat.get_chat_thread_client(self.thread_id)

        sent = self.step("Alice sends a message", lambda: alice_thread.send_message(
            "Pizza at noon?", sender_display_name="Alice"))
        print(f"     message id {sent.id}")
        reply = self.step("Bob replies (HTML, with metadata)", lambda: bob_thread.send_message(
            "<b>Yes!</b>", sender_display_name="Bob", chat_message_type="html", metadata={"mood": "hungry"}))
        print(f"     message id {reply.id}")

        messages = self.step("List messages (newest first, system messages included)",
                             lambda: list(alice_thread.list_messages(results_per_page=2)))
        for msg in messages:
            print(f"     #{msg.sequence_id} {_type_name(msg.type)}: {_describe(msg)}")

        self.step("Alice edits her message", lambda: alice_thread.update_message(
            sent.id, content="Pizza at 12:30?"))
        edited = self.step("Get the edited message", lambda: alice_thread.get_message(sent.id))
        print(f"     content {edited.content.message!r}, edited on {edited.edited_on}")

        def add_carol() -> list:
            return alice_thread.add_participants([ChatParticipant(identifier=carol, display_name="Carol",
                                                                  share_history_time=now)])

        failed = self.step("Add Carol to the thread", add_carol)
        if failed:
            raise DemoFailed(f"adding Carol was refused: {_errors(failed)}")
        self._print_participants(alice_thread)
        self.step("Remove Carol from the thread", lambda: alice_thread.remove_participant(carol))
        self._print_participants(alice_thread)

        self.step("Bob sends a read receipt for Alice's message", lambda: bob_thread.send_read_receipt(sent.id))
        receipts = self.step("List read receipts", lambda: list(alice_thread.list_read_receipts()))
        for receipt in receipts:
            print(f"     {self.who(receipt.sender)} read message {receipt.chat_message_id} at {receipt.read_on}")

        self.step("Alice sends a typing notification",
                  lambda: alice_thread.send_typing_notification(sender_display_name="Alice"))

        self.step("Alice deletes her message", lambda: alice_thread.delete_message(sent.id))
        remaining = self.step("List messages again", lambda: list(alice_thread.list_messages()))
        visible = [m for m in remaining if m.type in ("text", "html") and m.deleted_on is None]
        print(f"     {len(visible)} user message(s) left: {[_describe(m) for m in visible]}")

        self.step("Alice renames the thread", lambda: alice_thread.update_topic(topic="Team lunch (moved)"))
        props = self.step("Get thread properties", alice_thread.get_properties)
        print(f"     topic {props.topic!r}, created by {self.who(props.created_by)}")

        self.step("Alice deletes the thread", lambda: alice_chat.delete_chat_thread(self.thread_id))
        self.thread_deleted = True
        print("done: every step succeeded")

    def _print_participants(self, thread: Any) -> None:
        participants = self.step("List participants", lambda: list(thread.list_participants()))
        names = ", ".join(self.who(p.identifier) for p in participants)
        print(f"     {len(participants)}: {names}")

    def who(self, identifier: Any) -> str:
        """A demo user's name, or the raw id of anyone else."""
        raw = getattr(identifier, "properties", {}).get("id") or getattr(identifier, "raw_id", "?")
        return self.names.get(raw, raw)

    def cleanup(self) -> None:
        """Best effort: a failed demo must not leave threads or users behind on a real resource."""
        if self.thread_id and not self.thread_deleted and self.admin_chat is not None:
            try:
                self.admin_chat.delete_chat_thread(self.thread_id)
                print(f"cleanup: deleted thread {self.thread_id}")
            except AzureError as exc:
                print(f"cleanup: could not delete thread {self.thread_id}: {_first_line(str(exc))}")
        for user in self.users:
            try:
                self.identity.delete_user(user)
            except AzureError as exc:
                print(f"cleanup: could not delete user {user.properties['id']}: {_first_line(str(exc))}")
        if self.users:
            print(f"cleanup: deleted {len(self.users)} user(s)")


def _endpoint_of(connection_string: str) -> str:
    for element in connection_string.split(";"):
        name, _, value = element.partition("=")
        if name.strip().lower() == "endpoint" and value.strip():
            return value.strip().rstrip("/")
    # Never echo the string: it holds the access key.
    raise DemoFailed("ACS_CONNECTION_STRING has no endpoint=... element (expected endpoint=https://...;accesskey=...)")


def _first_line(text: Optional[str]) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "(no message)"


def _errors(errors: list) -> str:
    return "; ".join(f"{getattr(err, 'target', '?')}: {getattr(err, 'code', '?')} {getattr(err, 'message', '')}"
                     for _, err in errors)


def _type_name(message_type: Any) -> str:
    return getattr(message_type, "value", message_type)


def _describe(msg: Any) -> str:
    content = msg.content
    if msg.type in ("text", "html"):
        return f"{msg.sender_display_name or '?'}: {content.message if content else ''!r}"
    if content is not None and content.topic:
        return f"topic set to {content.topic!r}"
    if content is not None and content.participants:
        return "participants " + ", ".join(p.display_name or p.identifier.properties.get("id", "?")
                                           for p in content.participants)
    return "(system message)"


def main() -> int:
    connection_string = os.environ.get("ACS_CONNECTION_STRING", "").strip()
    if not connection_string:
        print("demo: ACS_CONNECTION_STRING is not set; run `make demo` (starts the local emulator) or set it "
              "to an Azure Communication Services connection string", file=sys.stderr)
        return 2
    try:
        demo = Demo(connection_string)
    except DemoFailed as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    try:
        demo.run()
        return 0
    except DemoFailed as exc:
        print(f"demo FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        demo.cleanup()


if __name__ == "__main__":
    sys.exit(main())

"""acs_chat quickstart: two users chat in a thread.

By default it runs against an emulator started inside this process (``acs_chat.testing.Emulator``). With
``ACS_CONNECTION_STRING`` set it uses that Azure Communication Services resource instead (and deletes the
thread it made). Tokens and keys are never printed.

    python examples/quickstart.py
"""

import os
import sys
from contextlib import ExitStack

from acs_chat import (
    AzureError,
    ChatClient,
    ChatMessageType,
    ChatParticipant,
    CommunicationTokenCredential,
)
from acs_chat.identity import CommunicationIdentityClient
from acs_chat.testing import Emulator


def run(connection_string: str) -> None:
    identity = CommunicationIdentityClient.from_connection_string(connection_string)
    alice, alice_token = identity.create_user_and_token(["chat"])
    bob, bob_token = identity.create_user_and_token(["chat"])
    endpoint = connection_string.split("endpoint=", 1)[1].split(";", 1)[0]

    with ChatClient(endpoint, CommunicationTokenCredential(alice_token.token)) as alice_chat:
        created = alice_chat.create_chat_thread(
            "Lunch",
            thread_participants=[
                ChatParticipant(identifier=alice, display_name="Alice"),
                ChatParticipant(identifier=bob, display_name="Bob"),
            ],
        )
        thread_id = created.chat_thread.id
        print("created thread {!r}".format(created.chat_thread.topic))
        try:
            alice_thread = alice_chat.get_chat_thread_client(thread_id)
            sent = alice_thread.send_message("Pizza at noon?", sender_display_name="Alice")
            bob_chat = ChatClient(endpoint, CommunicationTokenCredential(bob_token.token))
            bob_thread = bob_chat.get_chat_thread_client(thread_id)
            bob_thread.send_message("<b>Yes!</b>", chat_message_type="html", sender_display_name="Bob")
            bob_thread.send_read_receipt(sent.id)
            alice_thread.update_message(sent.id, content="Pizza at 12:30?")
            for message in alice_thread.list_messages(results_per_page=50):
                if message.type in (ChatMessageType.TEXT, ChatMessageType.HTML) and message.content:
                    print("  {}: {}".format(message.sender_display_name, message.content.message))
            receipts = list(alice_thread.list_read_receipts())
            print("read receipts: {}".format(len(receipts)))
            names = sorted(p.display_name or "?" for p in alice_thread.list_participants())
            print("participants: {}".format(", ".join(names)))
        finally:
            alice_chat.delete_chat_thread(thread_id)
            print("deleted the thread")


def main() -> int:
    with ExitStack() as stack:
        connection_string = os.environ.get("ACS_CONNECTION_STRING")
        if not connection_string:
            emulator = stack.enter_context(Emulator())
            print("using an in-process emulator at {}".format(emulator.endpoint))
            connection_string = emulator.connection_string
        try:
            run(connection_string)
        except AzureError as e:
            print("quickstart failed: {}: {}".format(type(e).__name__, e), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

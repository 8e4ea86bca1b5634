# Stubs for the native module (py/src). Structured values cross as JSON text in the REST wire form.
from typing import Any, Callable, Dict, Optional, Tuple, final

__version__: str

@final
class _Credential:
    def __new__(
        cls,
        token: Optional[str],
        refresher: Optional[Callable[[], Tuple[str, float]]] = None,
        proactive_refresh: bool = False,
    ) -> "_Credential": ...
    def get_token(self, aio: bool = False) -> Any: ...
    def close(self) -> None: ...

@final
class _Pager:
    def next_page(self, aio: bool = False) -> Any: ...

@final
class _ThreadClient:
    def __new__(
        cls,
        endpoint: str,
        credential: _Credential,
        thread_id: str,
        api_version: Optional[str] = None,
        retry_total: Optional[int] = None,
        extra_root_certificate_pem: Optional[bytes] = None,
        timeout_seconds: Optional[float] = None,
    ) -> "_ThreadClient": ...
    @property
    def thread_id(self) -> str: ...
    def get_properties(self, aio: bool = False) -> Any: ...
    def update_topic(self, topic: Optional[str] = None, aio: bool = False) -> Any: ...
    def send_message(
        self,
        content: str,
        message_type: str,
        sender_display_name: Optional[str] = None,
        metadata: Optional[Dict[str, str]] = None,
        aio: bool = False,
    ) -> Any: ...
    def get_message(self, message_id: str, aio: bool = False) -> Any: ...
    def list_messages(
        self,
        results_per_page: Optional[int] = None,
        start_time: Optional[str] = None,
        continuation_token: Optional[str] = None,
    ) -> _Pager: ...
    def update_message(
        self,
        message_id: str,
        content: Optional[str] = None,
        metadata: Optional[Dict[str, Optional[str]]] = None,
        aio: bool = False,
    ) -> Any: ...
    def delete_message(self, message_id: str, aio: bool = False) -> Any: ...
    def list_participants(
        self, results_per_page: Optional[int] = None, skip: Optional[int] = None, continuation_token: Optional[str] = None
    ) -> _Pager: ...
    def add_participants(self, participants_json: str, aio: bool = False) -> Any: ...
    def remove_participant(self, identifier_json: str, aio: bool = False) -> Any: ...
    def send_read_receipt(self, message_id: str, aio: bool = False) -> Any: ...
    def list_read_receipts(
        self, results_per_page: Optional[int] = None, skip: Optional[int] = None, continuation_token: Optional[str] = None
    ) -> _Pager: ...
    def send_typing_notification(self, sender_display_name: Optional[str] = None, aio: bool = False) -> Any: ...

@final
class _ChatClient:
    def __new__(
        cls,
        endpoint: str,
        credential: _Credential,
        api_version: Optional[str] = None,
        retry_total: Optional[int] = None,
        extra_root_certificate_pem: Optional[bytes] = None,
        timeout_seconds: Optional[float] = None,
    ) -> "_ChatClient": ...
    def thread_client(self, thread_id: str) -> _ThreadClient: ...
    def create_chat_thread(
        self,
        topic: str,
        participants_json: Optional[str] = None,
        idempotency_token: Optional[str] = None,
        aio: bool = False,
    ) -> Any: ...
    def list_chat_threads(
        self,
        results_per_page: Optional[int] = None,
        start_time: Optional[str] = None,
        continuation_token: Optional[str] = None,
    ) -> _Pager: ...
    def delete_chat_thread(self, thread_id: str, aio: bool = False) -> Any: ...

@final
class _IdentityClient:
    def __new__(cls, connection_string: str, extra_root_certificate_pem: Optional[bytes] = None) -> "_IdentityClient": ...
    @property
    def endpoint(self) -> str: ...
    def create_user(self) -> str: ...
    def create_user_and_token(self, expires_in_minutes: Optional[int] = None) -> Tuple[str, str, int]: ...
    def get_token(self, raw_id: str, expires_in_minutes: Optional[int] = None) -> Tuple[str, int]: ...

@final
class _Emulator:
    def __new__(cls, tls: bool = False) -> "_Emulator": ...
    @property
    def endpoint(self) -> str: ...
    @property
    def connection_string(self) -> str: ...
    @property
    def ca_cert_pem(self) -> Optional[str]: ...
    def create_chat_user(self) -> Tuple[str, str, int]: ...
    def stop(self) -> None: ...

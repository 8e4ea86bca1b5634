"""Exceptions with azure-core's names and attributes.

When ``azure-core`` is installed, each class here also subclasses its azure-core namesake, so existing
``except azure.core.exceptions.HttpResponseError`` clauses keep catching our errors. azure-core is never
required.
"""

from http import HTTPStatus
import json
from typing import Any, Dict, List, Optional, Tuple

try:  # pragma: no cover - depends on the environment
    from azure.core import exceptions as _azure_core

    _core: Any = _azure_core
except ImportError:  # pragma: no cover
    _core = None


def _bases(name: str, *ours: type) -> Tuple[type, ...]:
    theirs = getattr(_core, name, None) if _core is not None else None
    if theirs is None:
        return ours
    if ours == (Exception,):
        return (theirs,)
    return ours + (theirs,)


__all__ = [
    "AzureError",
    "HttpResponseError",
    "ResourceNotFoundError",
    "ResourceExistsError",
    "ClientAuthenticationError",
    "DecodeError",
    "ServiceRequestError",
    "ServiceResponseError",
    "ServiceResponseTimeoutError",
    "AmbiguousWriteError",
    "ODataV4Error",
]


class ODataV4Error:
    """The service's error body (``{"error": {...}}``), as azure-core's ``ODataV4Format``."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.code: Optional[str] = data.get("code")
        self.message: Optional[str] = data.get("message")
        self.target: Optional[str] = data.get("target")
        self.details: List["ODataV4Error"] = [ODataV4Error(d) for d in data.get("details") or []]
        self.innererror: Dict[str, Any] = data.get("innererror") or {}

    def __str__(self) -> str:
        text = "({}) {}\nCode: {}\nMessage: {}".format(self.code, self.message, self.code, self.message)
        if self.target:
            text += "\nTarget: {}".format(self.target)
        if self.details:
            text += "\nException Details:"
            for d in self.details:
                text += "\t({}) {}".format(d.code, d.message)
        if self.innererror:
            text += "\nInner error: {}".format(json.dumps(self.innererror, indent=4))
        return text

    def __repr__(self) -> str:
        return "<ODataV4Error code={!r} message={!r}>".format(self.code, self.message)


class AzureError(*_bases("AzureError", Exception)):  # type: ignore[misc]
    """Base of every error this package raises for a failed operation."""

    def __init__(self, message: Any = None, *args: Any, **kwargs: Any) -> None:
        Exception.__init__(self, message, *args)
        self.message = str(message)
        self.inner_exception = kwargs.get("error")
        self.exc_type = self.exc_value = self.exc_traceback = None
        self.exc_msg = self.message
        self.continuation_token = kwargs.get("continuation_token")
        #: The service's request id, when a response arrived.
        self.request_id: Optional[str] = kwargs.get("request_id")

    def __str__(self) -> str:
        return self.message


class ServiceRequestError(*_bases("ServiceRequestError", AzureError)):  # type: ignore[misc]
    """The request could not be sent (connection refused, DNS, TLS, credential could not produce a token)."""


class ServiceResponseError(*_bases("ServiceResponseError", AzureError)):  # type: ignore[misc]
    """The request was sent but no usable response came back."""


class ServiceResponseTimeoutError(*_bases("ServiceResponseTimeoutError", ServiceResponseError)):  # type: ignore[misc]
    """A timeout elapsed while waiting for the response."""


class AmbiguousWriteError(ServiceResponseError):
    """A send or update of a message failed in a way that does not tell whether the service applied it.

    Check (for example by listing messages) before sending again.
    """


class HttpResponseError(*_bases("HttpResponseError", AzureError)):  # type: ignore[misc]
    """The service answered with an error status.

    Attributes: ``status_code`` (int or None), ``reason`` (HTTP reason phrase), ``message``, ``error``
    (:class:`ODataV4Error` or None) and ``response`` (always None: the engine does not expose raw responses).
    """

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        self.status_code: Optional[int] = kwargs.get("status_code")
        self.reason: Optional[str] = kwargs.get("reason")
        self.error: Optional[ODataV4Error] = kwargs.get("odata_error")
        self.response = None
        self.model = None
        if message is None:
            message = "Operation returned an invalid status '{}'".format(self.reason)
        AzureError.__init__(self, message, **kwargs)


class DecodeError(*_bases("DecodeError", HttpResponseError)):  # type: ignore[misc]
    """A response could not be decoded."""


class ResourceNotFoundError(*_bases("ResourceNotFoundError", HttpResponseError)):  # type: ignore[misc]
    """HTTP 404."""


class ResourceExistsError(*_bases("ResourceExistsError", HttpResponseError)):  # type: ignore[misc]
    """HTTP 409."""


class ClientAuthenticationError(*_bases("ClientAuthenticationError", HttpResponseError)):  # type: ignore[misc]
    """HTTP 401, or the credential could not provide a valid token (no request was sent then)."""


_BY_KIND: Dict[str, Any] = {
    "authentication": ClientAuthenticationError,
    "not_found": ResourceNotFoundError,
    "conflict": ResourceExistsError,
    "throttled": HttpResponseError,
    "service": HttpResponseError,
    "decode": DecodeError,
    "credential": ClientAuthenticationError,
}


def _from_engine(
    kind: str,
    message: str,
    status: Optional[int],
    error_json: Optional[str],
    request_id: Optional[str],
    retry_after: Optional[float],
) -> AzureError:
    """Builds the exception for an engine error (called by the native module)."""
    if kind == "transport":
        return ServiceRequestError(message, request_id=request_id)
    if kind == "timeout":
        return ServiceResponseTimeoutError(message, request_id=request_id)
    if kind == "ambiguous_write":
        return AmbiguousWriteError(message, request_id=request_id)
    cls = _BY_KIND.get(kind, HttpResponseError)
    reason = None
    if status is not None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = None
    odata = ODataV4Error(json.loads(error_json)) if error_json else None
    if odata is not None and (odata.code or odata.message):
        text: Optional[str] = str(odata)
    elif status is None:
        text = message
    else:
        text = None
    exc: AzureError = cls(text, status_code=status, reason=reason, odata_error=odata, request_id=request_id)
    exc.retry_after = retry_after
    return exc

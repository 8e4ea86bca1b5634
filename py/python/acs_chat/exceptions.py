"""Exceptions with azure-core's names and attributes.

When ``azure-core`` is installed, each class here also becomes a subclass of its azure-core namesake, so
existing ``except azure.core.exceptions.HttpResponseError`` clauses keep catching our errors. azure-core is
never required, and never imported by us: importing it costs more than this whole package, so the classes
are re-based at the moment the application itself imports ``azure.core.exceptions`` (or right away if it
already has).
"""

import importlib.machinery
import json
import sys
from http import HTTPStatus
from types import ModuleType
from typing import Any, Dict, List, Optional, Sequence

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


class _Root(Exception):
    """Holds the instance layout, so the classes below can be re-based onto azure-core's."""


class AzureError(_Root):
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
        #: Seconds the service asked to wait before retrying (throttling), when it said.
        self.retry_after: Optional[float] = kwargs.get("retry_after")

    def __str__(self) -> str:
        return self.message


class ServiceRequestError(AzureError):
    """The request could not be sent (connection refused, DNS, TLS, credential could not produce a token)."""


class ServiceResponseError(AzureError):
    """The request was sent but no usable response came back."""


class ServiceResponseTimeoutError(ServiceResponseError):
    """A timeout elapsed while waiting for the response."""


class AmbiguousWriteError(ServiceResponseError):
    """A send or update of a message failed in a way that does not tell whether the service applied it.

    Check (for example by listing messages) before sending again.
    """


class HttpResponseError(AzureError):
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


class DecodeError(HttpResponseError):
    """A response could not be decoded."""


class ResourceNotFoundError(HttpResponseError):
    """HTTP 404."""


class ResourceExistsError(HttpResponseError):
    """HTTP 409."""


class ClientAuthenticationError(HttpResponseError):
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
    exc: AzureError = cls(
        text, status_code=status, reason=reason, odata_error=odata, request_id=request_id, retry_after=retry_after
    )
    return exc


# Ours, in parent-first order, with the azure-core class each one should also derive from.
_AZURE_CORE_TWINS = [
    (AzureError, "AzureError"),
    (ServiceRequestError, "ServiceRequestError"),
    (ServiceResponseError, "ServiceResponseError"),
    (ServiceResponseTimeoutError, "ServiceResponseTimeoutError"),
    (HttpResponseError, "HttpResponseError"),
    (DecodeError, "DecodeError"),
    (ResourceNotFoundError, "ResourceNotFoundError"),
    (ResourceExistsError, "ResourceExistsError"),
    (ClientAuthenticationError, "ClientAuthenticationError"),
]


def _adopt_azure_core(core: Any) -> None:
    """Re-bases our classes so azure-core's ``except`` clauses catch them."""
    for ours, name in _AZURE_CORE_TWINS:
        theirs = getattr(core, name, None)
        if theirs is None or issubclass(ours, theirs):
            continue
        try:
            if ours is AzureError:
                ours.__bases__ = (theirs,)
            else:
                ours.__bases__ = ours.__bases__ + (theirs,)
        except TypeError:
            # A future azure-core whose hierarchy cannot be merged with ours: keep ours unchanged rather
            # than break the import of azure-core.
            continue


class _AzureCoreWatcher:
    """Waits for ``azure.core.exceptions`` to be imported, then re-bases our classes (once).

    A plain class with ``find_spec`` is all ``sys.meta_path`` needs; subclassing ``importlib.abc.MetaPathFinder``
    would import ``importlib.resources`` (and ``tempfile``, ``shutil``...), a third of our import time.
    """

    _TARGET = "azure.core.exceptions"

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != self._TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _uninstall_watcher()
            _adopt_azure_core(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_WATCHER = _AzureCoreWatcher()


def _uninstall_watcher() -> None:
    if _WATCHER in sys.meta_path:
        sys.meta_path.remove(_WATCHER)


if _AzureCoreWatcher._TARGET in sys.modules:
    _adopt_azure_core(sys.modules[_AzureCoreWatcher._TARGET])
else:
    sys.meta_path.insert(0, _WATCHER)

"""Communication identifiers, as in azure-communication-chat 1.2.0 (``_shared/models.py``).

Deliberate difference: identifiers are hashable (hash of the raw id), so they can be dict keys and set members.
"""

from enum import Enum, EnumMeta
from typing import Any, Dict, Mapping, Optional

__all__ = [
    "CaseInsensitiveEnumMeta",
    "CommunicationIdentifierKind",
    "CommunicationCloudEnvironment",
    "CommunicationIdentifier",
    "CommunicationUserIdentifier",
    "CommunicationUserProperties",
    "PhoneNumberIdentifier",
    "PhoneNumberProperties",
    "MicrosoftTeamsUserIdentifier",
    "MicrosoftTeamsUserProperties",
    "UnknownIdentifier",
    "identifier_from_raw_id",
]


class CaseInsensitiveEnumMeta(EnumMeta):
    """Member-name lookup (``E["text"]``, ``E.text``) ignores case; value lookup stays exact."""

    def __getitem__(cls, name: str) -> Any:
        return super().__getitem__(name.upper())

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return cls._member_map_[name.upper()]
        except KeyError:
            raise AttributeError(name) from None


class CommunicationIdentifierKind(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The kind of a communication identifier (snake_case Python names, not the wire kinds)."""

    UNKNOWN = "unknown"
    COMMUNICATION_USER = "communication_user"
    PHONE_NUMBER = "phone_number"
    MICROSOFT_TEAMS_USER = "microsoft_teams_user"


class CommunicationCloudEnvironment(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The cloud a Teams user lives in (upper-case values, sent as such)."""

    PUBLIC = "PUBLIC"
    DOD = "DOD"
    GCCH = "GCCH"


# TypedDicts need typing_extensions on 3.8 for some features; plain dict aliases keep us dependency-free.
CommunicationUserProperties = Dict[str, str]
PhoneNumberProperties = Dict[str, str]
MicrosoftTeamsUserProperties = Dict[str, Any]

_PHONE = "4:"
_TEAMS_ANON = "8:teamsvisitor:"
_TEAMS_PUBLIC = "8:orgid:"
_TEAMS_DOD = "8:dod:"
_TEAMS_GCCH = "8:gcch:"
_ACS_PREFIXES = ("8:acs:", "8:dod-acs:", "8:gcch-acs:", "8:spool:")


class CommunicationIdentifier:
    """Base of the identifier classes: ``raw_id``, ``kind`` and ``properties``."""

    raw_id: Optional[str] = None
    kind: Optional[CommunicationIdentifierKind] = None
    properties: Mapping[str, Any] = {}

    def __hash__(self) -> int:
        return hash(self.raw_id)

    def __repr__(self) -> str:
        return "{}(raw_id={!r})".format(type(self).__name__, self.raw_id)


class CommunicationUserIdentifier(CommunicationIdentifier):
    """An ACS user; ``id`` is the full id (``8:acs:...``)."""

    kind = CommunicationIdentifierKind.COMMUNICATION_USER

    def __init__(self, id: str, **kwargs: Any) -> None:  # noqa: A002 - 1.2.0's parameter name
        self.raw_id = kwargs.get("raw_id", id)
        self.properties = {"id": id}
        if self.raw_id is None:
            self.raw_id = str(self.properties["id"])

    def __eq__(self, other: Any) -> bool:
        try:
            return bool(self.raw_id == other.properties["id"])
        except Exception:
            return False

    __hash__ = CommunicationIdentifier.__hash__


class PhoneNumberIdentifier(CommunicationIdentifier):
    """A phone number; ``value`` is the number without the ``4:`` prefix."""

    kind = CommunicationIdentifierKind.PHONE_NUMBER

    def __init__(self, value: str, **kwargs: Any) -> None:
        self.raw_id = kwargs.get("raw_id")
        self.properties = {"value": value}
        if self.raw_id is None:
            self.raw_id = _PHONE + str(value)

    def __eq__(self, other: Any) -> bool:
        try:
            if other.raw_id:
                return bool(self.raw_id == other.raw_id)
            return bool(self.raw_id == _PHONE + other.properties["value"])
        except Exception:
            return False

    __hash__ = CommunicationIdentifier.__hash__


class UnknownIdentifier(CommunicationIdentifier):
    """An identifier of a kind this version does not model, kept by its raw id."""

    kind = CommunicationIdentifierKind.UNKNOWN

    def __init__(self, identifier: str) -> None:
        self.raw_id = identifier
        self.properties = {}

    def __eq__(self, other: Any) -> bool:
        try:
            return bool(self.raw_id == other.raw_id)
        except Exception:
            return False

    __hash__ = CommunicationIdentifier.__hash__


class MicrosoftTeamsUserIdentifier(CommunicationIdentifier):
    """A Microsoft Teams user (``is_anonymous`` for meeting visitors, ``cloud`` for the sovereign cloud)."""

    kind = CommunicationIdentifierKind.MICROSOFT_TEAMS_USER

    def __init__(self, user_id: str, **kwargs: Any) -> None:
        self.raw_id = kwargs.get("raw_id")
        self.properties = {
            "user_id": user_id,
            "is_anonymous": kwargs.get("is_anonymous", False),
            "cloud": kwargs.get("cloud") or CommunicationCloudEnvironment.PUBLIC,
        }
        if self.raw_id is None:
            self.raw_id = self._format_raw_id()

    def _format_raw_id(self) -> str:
        user_id = str(self.properties["user_id"])
        cloud = self.properties["cloud"]
        if self.properties["is_anonymous"]:
            return _TEAMS_ANON + user_id
        if cloud == CommunicationCloudEnvironment.DOD:
            return _TEAMS_DOD + user_id
        if cloud == CommunicationCloudEnvironment.GCCH:
            return _TEAMS_GCCH + user_id
        return _TEAMS_PUBLIC + user_id

    def __eq__(self, other: Any) -> bool:
        try:
            return bool(self.raw_id == other.raw_id)
        except Exception:
            return False

    __hash__ = CommunicationIdentifier.__hash__


def identifier_from_raw_id(raw_id: str) -> CommunicationIdentifier:
    """Builds the identifier a raw id stands for (unknown prefixes give :class:`UnknownIdentifier`)."""
    if raw_id.startswith(_PHONE):
        return PhoneNumberIdentifier(value=raw_id[len(_PHONE):], raw_id=raw_id)
    segments = raw_id.split(":", maxsplit=2)
    if len(segments) < 3:
        return UnknownIdentifier(identifier=raw_id)
    prefix = "{}:{}:".format(segments[0], segments[1])
    suffix = segments[2]
    if prefix == _TEAMS_ANON:
        return MicrosoftTeamsUserIdentifier(user_id=suffix, is_anonymous=True, raw_id=raw_id)
    if prefix == _TEAMS_PUBLIC:
        return MicrosoftTeamsUserIdentifier(
            user_id=suffix, is_anonymous=False, cloud=CommunicationCloudEnvironment.PUBLIC, raw_id=raw_id
        )
    if prefix == _TEAMS_DOD:
        return MicrosoftTeamsUserIdentifier(
            user_id=suffix, is_anonymous=False, cloud=CommunicationCloudEnvironment.DOD, raw_id=raw_id
        )
    if prefix == _TEAMS_GCCH:
        return MicrosoftTeamsUserIdentifier(
            user_id=suffix, is_anonymous=False, cloud=CommunicationCloudEnvironment.GCCH, raw_id=raw_id
        )
    if prefix in _ACS_PREFIXES:
        return CommunicationUserIdentifier(id=raw_id, raw_id=raw_id)
    return UnknownIdentifier(identifier=raw_id)


def serialize_identifier(identifier: Any) -> Dict[str, Any]:
    """The wire form of an identifier (``kind`` is never sent, as in 1.2.0)."""
    try:
        wire: Dict[str, Any] = {"rawId": identifier.raw_id}
        kind = identifier.kind
        props = dict(identifier.properties)
    except AttributeError:
        raise TypeError("Unsupported identifier type " + type(identifier).__name__) from None
    if kind == CommunicationIdentifierKind.COMMUNICATION_USER:
        wire["communicationUser"] = {"id": props.get("id")}
    elif kind == CommunicationIdentifierKind.PHONE_NUMBER:
        wire["phoneNumber"] = {"value": props.get("value")}
    elif kind == CommunicationIdentifierKind.MICROSOFT_TEAMS_USER:
        cloud = props.get("cloud")
        wire["microsoftTeamsUser"] = {
            "userId": props.get("user_id"),
            "isAnonymous": bool(props.get("is_anonymous")),
            "cloud": cloud.value if isinstance(cloud, Enum) else cloud,
        }
    return wire


def deserialize_identifier(wire: Optional[Mapping[str, Any]]) -> Optional[CommunicationIdentifier]:
    """The identifier for a wire object, chosen by which nested object is present (``kind`` is ignored)."""
    if wire is None:
        return None
    raw_id = wire.get("rawId")
    if wire.get("communicationUser"):
        return CommunicationUserIdentifier(raw_id, raw_id=raw_id)  # type: ignore[arg-type]
    if wire.get("phoneNumber"):
        return PhoneNumberIdentifier(wire["phoneNumber"].get("value"), raw_id=raw_id)
    teams = wire.get("microsoftTeamsUser")
    if teams:
        return MicrosoftTeamsUserIdentifier(
            raw_id=raw_id,
            user_id=teams.get("userId"),
            is_anonymous=teams.get("isAnonymous"),
            cloud=teams.get("cloud"),
        )
    return UnknownIdentifier(raw_id)  # type: ignore[arg-type]

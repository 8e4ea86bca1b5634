"""Identifiers and identifier_from_raw_id, as in 1.2.0 (no service needed)."""

from typing import Any, Dict

import pytest

from acs_chat import (
    CommunicationCloudEnvironment,
    CommunicationIdentifierKind,
    CommunicationUserIdentifier,
    MicrosoftTeamsUserIdentifier,
    PhoneNumberIdentifier,
    UnknownIdentifier,
    identifier_from_raw_id,
)
from acs_chat._identifiers import deserialize_identifier, serialize_identifier


def test_user_identifier() -> None:
    u = CommunicationUserIdentifier("8:acs:x")
    assert u.raw_id == "8:acs:x"
    assert u.properties == {"id": "8:acs:x"}
    kind: object = u.kind
    assert kind == CommunicationIdentifierKind.COMMUNICATION_USER
    assert kind == "communication_user"
    assert u == CommunicationUserIdentifier("8:acs:x")
    assert u != CommunicationUserIdentifier("8:acs:y")
    assert u != "8:acs:x"


def test_phone_and_teams_raw_ids() -> None:
    assert PhoneNumberIdentifier("+1").raw_id == "4:+1"
    assert MicrosoftTeamsUserIdentifier("u").raw_id == "8:orgid:u"
    assert MicrosoftTeamsUserIdentifier("u", is_anonymous=True).raw_id == "8:teamsvisitor:u"
    assert MicrosoftTeamsUserIdentifier("u", cloud=CommunicationCloudEnvironment.DOD).raw_id == "8:dod:u"
    assert MicrosoftTeamsUserIdentifier("u", cloud=CommunicationCloudEnvironment.GCCH).raw_id == "8:gcch:u"
    # 1.2.0 compares the cloud case-sensitively against the upper-case values.
    assert MicrosoftTeamsUserIdentifier("u", cloud="dod").raw_id == "8:orgid:u"


@pytest.mark.parametrize(
    "raw_id, cls, props",
    [
        ("4:+14255550123", PhoneNumberIdentifier, {"value": "+14255550123"}),
        ("4:", PhoneNumberIdentifier, {"value": ""}),
        ("8:acs:a:b", CommunicationUserIdentifier, {"id": "8:acs:a:b"}),
        ("8:spool:x", CommunicationUserIdentifier, {"id": "8:spool:x"}),
        ("8:gcch-acs:x", CommunicationUserIdentifier, {"id": "8:gcch-acs:x"}),
        ("8:teamsvisitor:v", MicrosoftTeamsUserIdentifier, {"user_id": "v", "is_anonymous": True, "cloud": "PUBLIC"}),
        ("8:dod:d", MicrosoftTeamsUserIdentifier, {"user_id": "d", "is_anonymous": False, "cloud": "DOD"}),
        ("8:acs", UnknownIdentifier, {}),
        ("8:ACS:x", UnknownIdentifier, {}),
        ("28:orgid:bot", UnknownIdentifier, {}),
    ],
)
def test_identifier_from_raw_id(raw_id: str, cls: type, props: Dict[str, Any]) -> None:
    ident = identifier_from_raw_id(raw_id)
    assert type(ident) is cls
    assert ident.raw_id == raw_id
    assert dict(ident.properties) == props


def test_identifiers_are_hashable_by_raw_id() -> None:
    seen = {CommunicationUserIdentifier("8:acs:x"), CommunicationUserIdentifier("8:acs:x"), PhoneNumberIdentifier("+1")}
    assert len(seen) == 2


def test_wire_forms_match_1_2_0() -> None:
    assert serialize_identifier(CommunicationUserIdentifier("8:acs:x")) == {
        "rawId": "8:acs:x",
        "communicationUser": {"id": "8:acs:x"},
    }
    assert serialize_identifier(MicrosoftTeamsUserIdentifier("anon", is_anonymous=True, cloud="DOD")) == {
        "rawId": "8:teamsvisitor:anon",
        "microsoftTeamsUser": {"userId": "anon", "isAnonymous": True, "cloud": "DOD"},
    }
    assert serialize_identifier(UnknownIdentifier("28:bot")) == {"rawId": "28:bot"}
    with pytest.raises(TypeError, match="Unsupported identifier type str"):
        serialize_identifier("8:acs:x")


def test_deserialization_uses_nested_objects_not_kind() -> None:
    u = deserialize_identifier({"rawId": "8:acs:q", "communicationUser": {"id": "other"}})
    assert isinstance(u, CommunicationUserIdentifier) and u.properties["id"] == "8:acs:q"
    assert isinstance(deserialize_identifier({"rawId": "8:acs:q", "kind": "phoneNumber"}), UnknownIdentifier)
    t = deserialize_identifier({"rawId": "8:orgid:t", "microsoftTeamsUser": {"userId": "t", "cloud": "public"}})
    assert isinstance(t, MicrosoftTeamsUserIdentifier)
    assert t.properties["cloud"] == "public" and t.properties["is_anonymous"] is None
    assert deserialize_identifier(None) is None

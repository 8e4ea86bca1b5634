"""Datetime conversions for the wire (1.2.0 rules: naive datetimes are UTC; output is tz-aware UTC)."""

import datetime as _dt
import re
from typing import Optional

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def to_wire(value: _dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.fff[fff]Z`` in UTC; a naive datetime is taken as UTC."""
    if not isinstance(value, _dt.datetime):
        raise TypeError("expected a datetime.datetime, got {}".format(type(value).__name__))
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc)
    digits = "{:06d}".format(value.microsecond).rstrip("0")
    digits = digits.ljust(3, "0")
    return value.strftime("%Y-%m-%dT%H:%M:%S") + "." + digits + "Z"


def from_wire(value: Optional[str]) -> Optional[_dt.datetime]:
    """A tz-aware UTC datetime from an RFC 3339 string (fractions beyond 6 digits are truncated)."""
    if value is None:
        return None
    # Fast path for what the service sends (whole seconds, or 3 or 6 fraction digits, with "Z"): the C parser
    # of fromisoformat is several times faster than the regex below, which stays the reference for the rest.
    if isinstance(value, str) and len(value) in (20, 24, 27) and value[-1] in "Zz" and value[10] in "Tt":
        try:
            return _dt.datetime.fromisoformat(value[:-1]).replace(tzinfo=_dt.timezone.utc)
        except ValueError:
            pass
    m = _ISO.match(value)
    if m is None:
        raise ValueError("Unable to deserialize response data. Data: {}, iso-8601".format(value))
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    fraction = (m.group(7) or "")[:6].ljust(6, "0")
    result = _dt.datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=_dt.timezone.utc)
    offset = m.group(8)
    if offset and offset.upper() != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        result = result - sign * delta
    return result

"""Date/time helpers: the three timestamp spellings LiteLLM 1.108.7 puts on the wire.

* ``iso_plus``: ``isoformat()`` (``/key/info``, ``/key/update``): ``...T14:15:00.892000+00:00``
* ``iso_z``: pydantic v2 (``/key/list``, team and user objects): ``...T14:15:00.892000Z``
* ``iso_ms``: spend-log rows: ``...T14:15:01.852+00:00`` (milliseconds)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

DateStyle = Literal["plus", "z"]


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_plus(value: datetime | None) -> str | None:
    """``datetime.isoformat()`` of the UTC instant (``+00:00`` suffix)."""
    if value is None:
        return None
    return to_utc(value).isoformat()


def iso_z(value: datetime | None) -> str | None:
    """Pydantic v2's JSON spelling of a UTC datetime (``Z`` suffix)."""
    if value is None:
        return None
    text = to_utc(value).replace(tzinfo=None).isoformat()
    return text + "Z"


def iso_style(value: datetime | None, style: DateStyle) -> str | None:
    """``iso_plus`` or ``iso_z``."""
    return iso_plus(value) if style == "plus" else iso_z(value)


def iso_ms(epoch: float) -> str:
    """A spend-log timestamp: milliseconds and ``+00:00``."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "+00:00"


def epoch(value: datetime) -> float:
    """Seconds since the epoch of an aware (or UTC-naive) datetime."""
    return to_utc(value).timestamp()


_DAYS: dict[int, str] = {}


def day_of(epoch_seconds: float) -> str:
    """The UTC day (``YYYY-MM-DD``) of an epoch timestamp."""
    number = int(epoch_seconds // 86400)
    text = _DAYS.get(number)
    if text is None:
        text = _DAYS[number] = datetime.fromtimestamp(number * 86400, UTC).date().isoformat()
    return text


def month_start(value: datetime) -> datetime:
    """Midnight UTC on the first of ``value``'s month."""
    utc = to_utc(value)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(value: datetime, months: int) -> datetime:
    """``value`` moved by whole calendar months, clamped to the target month's last day."""
    total = value.year * 12 + value.month - 1 + months
    year, month_index = divmod(total, 12)
    month = month_index + 1
    first_next = date(year + (month // 12), month % 12 + 1, 1)
    last_day = (first_next - timedelta(days=1)).day
    return value.replace(year=year, month=month, day=min(value.day, last_day))


def parse_day(text: str) -> date | None:
    """A canonical ``YYYY-MM-DD`` day, or None for any other spelling."""
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.isoformat() == text else None

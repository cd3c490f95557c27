"""Dates for readers: stored in UTC, shown in Bangkok time, in the Buddhist Era for Thai readers.

The database keeps UTC (naive values are taken to be UTC).  Thai readers
expect the Thai calendar convention: Buddhist Era year (CE + 543) and Thai
month names; English readers get the Common Era and English month names.
Both see Asia/Bangkok time (UTC+7, no daylight saving): the community and
its events are in Thailand, whatever language the page is in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.text.normalize import collapse_spaces, fold_thai_digits, normalize_text

__all__ = [
    "BANGKOK",
    "BE_OFFSET",
    "ENGLISH_MONTHS_ABBR",
    "ENGLISH_MONTHS_FULL",
    "THAI_MONTHS_ABBR",
    "THAI_MONTHS_FULL",
    "english_date",
    "english_date_full",
    "iso_utc",
    "local_date",
    "local_date_full",
    "parse_gotoknow_datetime",
    "thai_date",
    "thai_date_full",
    "to_local",
    "utcnow",
]

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

# fmt: off
THAI_MONTHS_ABBR: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
THAI_MONTHS_FULL: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
ENGLISH_MONTHS_ABBR: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)
ENGLISH_MONTHS_FULL: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# fmt: on


def _build_month_lookup() -> dict[str, int]:
    """Month spellings the parser accepts, keyed without dots and in lower case.

    Thai abbreviations are often typed without their dots ("พค").
    """
    lookup: dict[str, int] = {"sept": 9}
    names = zip(THAI_MONTHS_ABBR, THAI_MONTHS_FULL, ENGLISH_MONTHS_ABBR, ENGLISH_MONTHS_FULL, strict=True)
    for number, (abbr, full, english_abbr, english_full) in enumerate(names, start=1):
        lookup[abbr.replace(".", "")] = number
        lookup[full] = number
        lookup[english_full.lower()] = number
        lookup[english_abbr.lower()] = number
    return lookup


_MONTHS = _build_month_lookup()

# Years at or above this are Buddhist Era: 2400 BE is 1857 CE, and no CE
# year that large can appear in the data, so the two ranges cannot collide.
_FIRST_BE_YEAR = 2400

_TIME = r"(?:\s*(?:@|,|at|เวลา)?\s*(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*น\.?)?)?"
_NAMED_MONTH_RE = re.compile(r"(\d{1,2})\s+([^\d\s]+)\s+(?:(?:พ\.ศ\.|ค\.ศ\.)\s*)?(\d{4})" + _TIME, re.IGNORECASE)
_NUMERIC_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME)


def _as_utc(dt: datetime) -> datetime:
    """Aware UTC datetime; naive values are UTC by the storage convention."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utcnow() -> datetime:
    """Current time as an aware UTC datetime (``datetime.utcnow`` is naive and deprecated)."""
    return datetime.now(UTC)


def to_local(dt: datetime) -> datetime:
    """Convert a stored datetime to aware Bangkok time for display."""
    return _as_utc(dt).astimezone(BANGKOK)


def thai_date(dt: datetime, with_time: bool = True) -> str:
    """Short Thai date, e.g. ``23 พ.ค. 2549 15:32``, for entry and comment headers."""
    local = to_local(dt)
    text = f"{local.day} {THAI_MONTHS_ABBR[local.month - 1]} {local.year + BE_OFFSET}"
    if with_time:
        text += f" {local.hour:02d}:{local.minute:02d}"
    return text


def thai_date_full(dt: datetime) -> str:
    """Long Thai date, e.g. ``23 พฤษภาคม 2549``, for profile and archive pages."""
    local = to_local(dt)
    return f"{local.day} {THAI_MONTHS_FULL[local.month - 1]} {local.year + BE_OFFSET}"


def english_date(dt: datetime, with_time: bool = True) -> str:
    """Short English date in the Common Era, e.g. ``23 May 2006 15:32`` (Bangkok time)."""
    local = to_local(dt)
    text = f"{local.day} {ENGLISH_MONTHS_ABBR[local.month - 1]} {local.year}"
    if with_time:
        text += f" {local.hour:02d}:{local.minute:02d}"
    return text


def english_date_full(dt: datetime) -> str:
    """Long English date in the Common Era, e.g. ``23 May 2006``, ``6 September 2013``."""
    local = to_local(dt)
    return f"{local.day} {ENGLISH_MONTHS_FULL[local.month - 1]} {local.year}"


def local_date(dt: datetime, locale: str, with_time: bool = True) -> str:
    """The short date for a reader of `locale`: Buddhist Era in Thai (the default), Common Era in English."""
    if locale == "en":
        return english_date(dt, with_time=with_time)
    return thai_date(dt, with_time=with_time)


def local_date_full(dt: datetime, locale: str) -> str:
    """The long date for a reader of `locale`, as `local_date` chooses the calendar."""
    if locale == "en":
        return english_date_full(dt)
    return thai_date_full(dt)


def iso_utc(dt: datetime) -> str:
    """RFC 3339 UTC timestamp (``2006-05-23T08:32:00Z``) as Atom feeds require."""
    return _as_utc(dt).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _month_number(name: str) -> int | None:
    """Month number for an English or Thai month name or abbreviation."""
    return _MONTHS.get(name.replace(".", "").lower())


def _ce_year(year: int) -> int:
    """Convert a Buddhist Era year to CE; CE years pass through unchanged."""
    return year - BE_OFFSET if year >= _FIRST_BE_YEAR else year


def _bangkok_to_utc(
    year: int, month: int, day: int, hour: str | None, minute: str | None, second: str | None
) -> datetime | None:
    """Build the UTC instant for a Bangkok wall-clock time, or None if invalid."""
    try:
        local = datetime(
            _ce_year(year),
            month,
            day,
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=BANGKOK,
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def parse_gotoknow_datetime(s: str) -> datetime | None:
    """Parse a date as printed on GotoKnow pages (Bangkok time) into aware UTC.

    Accepts ``23 May 2006 @ 15:32``, ``06 Sep 2013 @ 17:23``, ``17/6/2548``
    (day/month/BE year) and ``23 พ.ค. 2549 15:32``, with Thai or ASCII digits.
    Years of 2400 and above are Buddhist Era.  Returns None when the text is
    not one of these forms or names an impossible date, so importers can
    skip it instead of crashing.
    """
    text = fold_thai_digits(collapse_spaces(normalize_text(s)))
    match = _NAMED_MONTH_RE.fullmatch(text)
    if match:
        day, month_name, year, hour, minute, second = match.groups()
        month = _month_number(month_name)
        if month is None:
            return None
        return _bangkok_to_utc(int(year), month, int(day), hour, minute, second)
    match = _NUMERIC_RE.fullmatch(text)
    if match:
        day, month_text, year, hour, minute, second = match.groups()
        return _bangkok_to_utc(int(year), int(month_text), int(day), hour, minute, second)
    return None

"""Thai/Buddhist Era display of UTC datetimes and GotoKnow date parsing."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.text.dates import (
    BANGKOK,
    THAI_MONTHS_ABBR,
    THAI_MONTHS_FULL,
    iso_utc,
    parse_gotoknow_datetime,
    thai_date,
    thai_date_full,
    to_local,
    utcnow,
)


def test_month_tables() -> None:
    assert THAI_MONTHS_ABBR == (
        "ม.ค.",
        "ก.พ.",
        "มี.ค.",
        "เม.ย.",
        "พ.ค.",
        "มิ.ย.",
        "ก.ค.",
        "ส.ค.",
        "ก.ย.",
        "ต.ค.",
        "พ.ย.",
        "ธ.ค.",
    )
    assert len(THAI_MONTHS_FULL) == 12
    assert THAI_MONTHS_FULL[4] == "พฤษภาคม"


@pytest.mark.parametrize(
    ("dt", "with_time", "expected"),
    [
        (datetime(2006, 5, 23, 8, 32), True, "23 พ.ค. 2549 15:32"),
        (datetime(2006, 5, 23, 8, 32, tzinfo=UTC), True, "23 พ.ค. 2549 15:32"),
        (datetime(2006, 5, 23, 8, 32), False, "23 พ.ค. 2549"),
        # Midnight boundary: 17:30 UTC is 00:30 the next day in Bangkok.
        (datetime(2006, 5, 23, 17, 30), True, "24 พ.ค. 2549 00:30"),
        (datetime(2006, 5, 23, 16, 59), True, "23 พ.ค. 2549 23:59"),
        (datetime(2006, 5, 23, 17, 0), True, "24 พ.ค. 2549 00:00"),
        # Year boundary: 31 Dec 2006 18:00 UTC is 1 Jan 2550 BE in Bangkok.
        (datetime(2006, 12, 31, 18, 0), True, "1 ม.ค. 2550 01:00"),
        (datetime(2006, 12, 31, 16, 59), True, "31 ธ.ค. 2549 23:59"),
        # Leading zeros: day without, time with.
        (datetime(2013, 9, 6, 1, 5), True, "6 ก.ย. 2556 08:05"),
        # An aware value in another zone is converted, not reinterpreted.
        (datetime(2006, 5, 23, 10, 32, tzinfo=timezone(timedelta(hours=2))), True, "23 พ.ค. 2549 15:32"),
    ],
)
def test_thai_date(dt: datetime, with_time: bool, expected: str) -> None:
    assert thai_date(dt, with_time=with_time) == expected


def test_thai_date_defaults_to_showing_time() -> None:
    assert thai_date(datetime(2006, 5, 23, 8, 32)) == "23 พ.ค. 2549 15:32"


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (datetime(2006, 5, 23, 8, 32), "23 พฤษภาคม 2549"),
        (datetime(2006, 12, 31, 18, 0), "1 มกราคม 2550"),
        (datetime(2024, 2, 29, 12, 0), "29 กุมภาพันธ์ 2567"),
    ],
)
def test_thai_date_full(dt: datetime, expected: str) -> None:
    assert thai_date_full(dt) == expected


def test_to_local_treats_naive_as_utc() -> None:
    local = to_local(datetime(2006, 5, 23, 8, 32))
    assert local.tzinfo == BANGKOK
    assert (local.hour, local.minute) == (15, 32)
    assert local == datetime(2006, 5, 23, 8, 32, tzinfo=UTC)


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (datetime(2006, 5, 23, 8, 32), "2006-05-23T08:32:00Z"),
        (datetime(2006, 5, 23, 15, 32, tzinfo=BANGKOK), "2006-05-23T08:32:00Z"),
        (datetime(2006, 5, 23, 8, 32, 5, 999999, tzinfo=UTC), "2006-05-23T08:32:05Z"),
    ],
)
def test_iso_utc(dt: datetime, expected: str) -> None:
    assert iso_utc(dt) == expected


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 May 2006 @ 15:32", datetime(2006, 5, 23, 8, 32, tzinfo=UTC)),
        ("06 Sep 2013 @ 17:23", datetime(2013, 9, 6, 10, 23, tzinfo=UTC)),
        ("6 September 2013 @ 17:23", datetime(2013, 9, 6, 10, 23, tzinfo=UTC)),
        ("  23   may 2006@15:32 ", datetime(2006, 5, 23, 8, 32, tzinfo=UTC)),
        # Just after midnight in Bangkok is the previous day in UTC.
        ("01 Jan 2007 @ 00:10", datetime(2006, 12, 31, 17, 10, tzinfo=UTC)),
        # d/m/BE-year: midnight Bangkok.
        ("17/6/2548", datetime(2005, 6, 16, 17, 0, tzinfo=UTC)),
        ("17/06/2548 15:32", datetime(2005, 6, 17, 8, 32, tzinfo=UTC)),
        ("๑๗/๖/๒๕๔๘", datetime(2005, 6, 16, 17, 0, tzinfo=UTC)),
        ("23 พ.ค. 2549 15:32", datetime(2006, 5, 23, 8, 32, tzinfo=UTC)),
        ("23 พ.ค. 2549", datetime(2006, 5, 22, 17, 0, tzinfo=UTC)),
        ("23 พค 2549 15.32 น.", datetime(2006, 5, 23, 8, 32, tzinfo=UTC)),
        ("23 พฤษภาคม พ.ศ. 2549 เวลา 15:32 น.", datetime(2006, 5, 23, 8, 32, tzinfo=UTC)),
        ("๒๓ พ.ค. ๒๕๔๙ ๑๕:๓๒", datetime(2006, 5, 23, 8, 32, tzinfo=UTC)),
        ("1 ม.ค. 2550 00:30", datetime(2006, 12, 31, 17, 30, tzinfo=UTC)),
    ],
)
def test_parse_gotoknow_datetime(text: str, expected: datetime) -> None:
    parsed = parse_gotoknow_datetime(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "23 Foo 2006 @ 15:32",
        "31/2/2549",
        "30 ก.พ. 2549",
        "23 May 2006 @ 25:00",
        "23 May 2006 @ 15:61",
        "2006-05-23",
        "17/6/48",
        "23 May",
    ],
)
def test_parse_gotoknow_datetime_rejects(text: str) -> None:
    assert parse_gotoknow_datetime(text) is None


def test_parse_then_display_round_trip() -> None:
    parsed = parse_gotoknow_datetime("23 พ.ค. 2549 15:32")
    assert parsed is not None
    assert thai_date(parsed) == "23 พ.ค. 2549 15:32"

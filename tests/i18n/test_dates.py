"""Dates per language: Buddhist Era and Thai months in Thai, Common Era and English months in English."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.text.dates import english_date, english_date_full, local_date, local_date_full, parse_gotoknow_datetime


@pytest.mark.parametrize(
    ("dt", "with_time", "expected"),
    [
        (datetime(2006, 5, 23, 8, 32), True, "23 May 2006 15:32"),
        (datetime(2006, 5, 23, 8, 32), False, "23 May 2006"),
        # Bangkok time decides the day and the year, as in Thai.
        (datetime(2006, 12, 31, 18, 0), True, "1 Jan 2007 01:00"),
        (datetime(2013, 9, 5, 20, 0), True, "6 Sep 2013 03:00"),
    ],
)
def test_english_date_is_common_era_in_bangkok_time(dt, with_time, expected):
    assert english_date(dt, with_time=with_time) == expected


def test_english_date_full():
    assert english_date_full(datetime(2013, 9, 5, 20, 0)) == "6 September 2013"


def test_local_date_picks_the_calendar_by_language():
    dt = datetime(2006, 5, 23, 8, 32)

    assert local_date(dt, "th") == "23 พ.ค. 2549 15:32"
    assert local_date(dt, "en") == "23 May 2006 15:32"
    assert local_date(dt, "th", with_time=False) == "23 พ.ค. 2549"
    assert local_date_full(dt, "th") == "23 พฤษภาคม 2549"
    assert local_date_full(dt, "en") == "23 May 2006"


def test_an_unknown_language_falls_back_to_thai():
    assert local_date(datetime(2006, 5, 23, 8, 32), "fr") == "23 พ.ค. 2549 15:32"


def test_english_display_reads_back_as_the_same_instant():
    dt = datetime(2013, 9, 6, 10, 23)

    parsed = parse_gotoknow_datetime(english_date(dt))

    assert parsed is not None and parsed.replace(tzinfo=None) == dt

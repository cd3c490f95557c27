"""A small corpus for the search page and API tests: two authors, two blogs, a station, dated entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.extensions import db
from app.stations.services import submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user


@dataclass
class Corpus:
    somchai: object
    malee: object
    km_notes: object
    field_notes: object
    station: object
    chumphon: object  # 2006, km-notes (in the station), tags KM and ชุมพร
    kalasin_rich: object  # 2007, field-notes: กาฬสินธุ์ in the title and often in the body, "KM Action Plan"
    kalasin_passing: object  # 2012, km-notes: กาฬสินธุ์ once, KM / Action / Plan apart
    draft: object


def at(year: int, month: int, day: int) -> datetime:
    """Noon UTC (19:00 in Bangkok): the same calendar day in both."""
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def build_corpus() -> Corpus:
    somchai = make_user("somchai", display_name="สมชาย ใจดี")
    malee = make_user("malee", display_name="มาลี มีสุข")
    km_notes = make_blog(somchai, "km-notes", title="สมุดบันทึกของสมชาย")
    field_notes = make_blog(malee, "field-notes", title="เรื่องเล่าจากภาคสนาม")
    station = make_station(somchai, "Chumphon-KM-Station", name="ชุมชนนักปฏิบัติ")
    submit_blog(station, km_notes, somchai)  # the owner's own blog is accepted at once
    db.session.commit()
    chumphon = make_entry(
        km_notes,
        title="ประชุมที่ศาลากลาง",
        body="เมื่อวานทีมงานไปประชุมที่ศาลากลางจังหวัดชุมพรเพื่อแลกเปลี่ยนเรียนรู้กับคุณอำนวย",
        tags="KM, ชุมพร",
        published_at=at(2006, 5, 23),
    )
    kalasin_rich = make_entry(
        field_notes,
        title="ดูงานที่กาฬสินธุ์",
        body="กาฬสินธุ์มีเครือข่ายเกษตรกรเข้มแข็ง\n\nเราไปดูงานที่กาฬสินธุ์สองวัน และได้เห็น KM Action Plan ของจังหวัดกาฬสินธุ์",
        tags="กาฬสินธุ์",
        published_at=at(2007, 3, 1),
    )
    kalasin_passing = make_entry(
        km_notes,
        title="สรุปงานปลายปี",
        body="ปีนี้มีเพื่อนจากกาฬสินธุ์มาเยี่ยม ทีมงานทุกคนเข้าร่วมประชุม เราคุยเรื่อง Action มากกว่า Plan และเรื่อง KM",
        tags="สรุปงาน",
        published_at=at(2012, 8, 15),
    )
    draft = make_entry(km_notes, title="ร่างเรื่องกาฬสินธุ์", body="กาฬสินธุ์ ชุมพร ร่าง", publish=False)
    return Corpus(somchai, malee, km_notes, field_notes, station, chumphon, kalasin_rich, kalasin_passing, draft)

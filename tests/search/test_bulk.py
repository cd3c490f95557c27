"""The bulk segment writer a rebuild uses writes what Whoosh's own writer writes, posting by posting."""

from __future__ import annotations

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from app.comments.services import add_comment
from app.extensions import db
from app.search.backends.whoosh.bulk import write_segment
from app.search.backends.whoosh.writing import common_terms
from app.search.documents import entry_documents, indexable_entries_query
from app.search.schema import build_schema
from app.stations.services import submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user

BODIES = [
    "การจัดการความรู้ (KM) ของชุมชนนักปฏิบัติ CoP ที่ชุมพร ปี ๒๕๔๙ ความรู้ ความรู้ และความรู้",
    "แลกเปลี่ยนเรียนรู้เรื่องการจัดการความรู้กับคุณอำนวย ที่ Chumphon-KM-Station พ.ศ. 2549",
    "บันทึกการถอดบทเรียน ความรู้ฝังลึก KV KA R2R\n\n| หัวข้อ | ผล |\n|---|---|\n| KM | ดี |",
]


def _index_with(writer_kind: str, path, paired, documents):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(paired))
    if writer_kind == "whoosh":
        writer = ix.writer(compound=False)
        for document in documents:
            writer.add_document(**document)
        writer.commit()
    else:
        segment = write_segment(ix, documents)
        writer = SegmentWriter(ix)
        writer._close_segment()
        writer._commit_toc([segment])
        writer._finish()
    return ix


def _contents(ix) -> dict:
    """Everything a search reads: every term's statistics and postings (positions decoded), each document's
    field length, stored fields and sort column."""
    schema = ix.schema
    with ix.reader() as reader:
        terms = {}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                value = matcher.value()
                if fieldname == "text":
                    value = schema["text"].format.decode_positions(value)
                postings.append((matcher.id(), round(matcher.weight(), 5), value))
                matcher.next()
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
            terms[(fieldname, text)] = (stats, (info.min_id(), info.max_id()), postings)
        documents = [
            (reader.stored_fields(n), reader.doc_field_length(n, "text"), reader.column_reader("published")[n])
            for n in range(reader.doc_count_all())
        ]
    return {"terms": terms, "documents": documents}


def test_the_bulk_writer_writes_what_whoosh_writes(app, tmp_path):
    owner = make_user("somchai", display_name="สมชาย ใจดี")
    blog = make_blog(owner, "chumphon-km", title="บล็อกการจัดการความรู้ชุมพร")
    station = make_station(owner, "Chumphon-KM-Station", name="ชุมชน KM ชุมพร")
    submit_blog(station, blog, owner)  # an open station takes its owner's blog at once
    for round_ in range(4):
        for k, body in enumerate(BODIES):
            entry = make_entry(blog, owner, title=f"ความรู้ ครั้งที่ {round_} เรื่อง {k}", body=body, tags="km, ความรู้")
            add_comment(entry, "ขอบคุณสำหรับความรู้ครับ http://example.org", guest_name="ผู้อ่าน")
    db.session.commit()
    app.config.update(SEARCH_PAIR_MIN_DOCS=1, SEARCH_PAIR_MIN_SHARE=0.5)
    with Session(db.engine) as session:
        ids = list(session.scalars(indexable_entries_query()))
        paired = common_terms(session, ids)
        documents = list(entry_documents(session, ids))
    assert paired and len(documents) == 12

    by_whoosh = _contents(_index_with("whoosh", tmp_path / "whoosh", paired, documents))
    in_bulk = _contents(_index_with("bulk", tmp_path / "bulk", paired, documents))
    assert any(f == "text" and " " in t.decode() for f, t in by_whoosh["terms"])  # pair terms were written
    assert in_bulk == by_whoosh

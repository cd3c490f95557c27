"""`flask search sync|reindex|status|query`: looking after the index and searching from the shell."""

from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry
from app.search import backends, sync
from app.search.documents import indexable_entries_query
from app.search.index import document_count, reindex
from app.search.query import SORTS, QueryError, SearchFilters, page_as_json, search
from app.text.dates import thai_date

search_cli = AppGroup("search", help="ดูแลดัชนีค้นหาและค้นจากบรรทัดคำสั่ง")

# `flask search sync` may wait longer for the index lock than a web request does.
SYNC_LOCK_WAIT = 10.0


@search_cli.command("sync", help="นำงานที่ค้างอยู่ไปปรับดัชนีค้นหา")
def sync_command() -> None:
    if _outdated():
        raise click.ClickException(_outdated_message())
    applied = sync.drain(timeout=SYNC_LOCK_WAIT)
    if applied is None:
        raise click.ClickException(_("ดัชนีค้นหากำลังถูกเขียนโดยโปรเซสอื่น งานยังค้างอยู่ กรุณาลองใหม่"))
    click.echo(_("ปรับดัชนีแล้ว %(n)s งาน (ค้างอยู่ %(left)s งาน)", n=applied, left=sync.pending_count()))


@search_cli.command("reindex", help="สร้างดัชนีค้นหาใหม่ทั้งหมดจากฐานข้อมูล แล้วสลับเข้าใช้ทันที")
def reindex_command() -> None:
    result = reindex()
    rate = result.documents / result.seconds if result.seconds else 0.0
    click.echo(
        _(
            "สร้างดัชนีใหม่แล้ว: %(n)s บันทึก ใน %(s).2f วินาที (%(rate).0f บันทึก/วินาที)",
            n=result.documents,
            s=result.seconds,
            rate=rate,
        )
    )


@search_cli.command("status", help="จำนวนบันทึกที่ควรอยู่ในดัชนี เอกสารในดัชนี และงานที่ค้าง")
def status_command() -> None:
    expected = db.session.scalar(select(func.count()).select_from(indexable_entries_query().subquery())) or 0
    click.echo(_("บันทึกในฐานข้อมูลที่ควรค้นได้: %(n)s", n=expected))
    click.echo(_("เอกสารในดัชนีค้นหา: %(n)s", n=document_count()))
    click.echo(_("งานที่ค้างรอปรับดัชนี: %(n)s", n=sync.pending_count()))
    if _outdated():
        click.echo(_outdated_message())


def _outdated_message() -> str:
    return _("ดัชนีค้นหาสร้างด้วยโปรแกรมรุ่นก่อน ยังรับงานใหม่ไม่ได้ กรุณาสั่ง flask search reindex")


def _outdated() -> bool:
    """Whether an older release wrote the search documents (`flask search reindex` replaces them)."""
    try:
        backends.current().probe()
    except backends.IndexOutdated:
        return True
    return False


def _entry_path(entry: Entry) -> str:
    return url_for("entries.show", number=entry.number)


@search_cli.command("query", help="ค้นบันทึกแบบเดียวกับหน้าค้นหา")
@click.argument("text", default="")
@click.option("--json", "as_json", is_flag=True, help="พิมพ์ผลเป็น JSON แบบเดียวกับ API")
@click.option("--tag", default=None, help="คำสำคัญ")
@click.option("--station", default=None, help="ชื่อย่อของชุมชน")
@click.option("--blog", default=None, help="ชื่อย่อของบล็อก")
@click.option("--author", default=None, help="ชื่อผู้ใช้ของผู้เขียน")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None, help="ตั้งแต่วันที่ (YYYY-MM-DD)")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="ถึงวันที่ (YYYY-MM-DD)")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", help="เรียงตามความตรง หรือใหม่สุดก่อน")
@click.option("--page", type=int, default=1)
@click.option("--per-page", type=int, default=10)
def query_command(
    text: str, as_json: bool, tag, station, blog, author, date_from, date_to, sort: str, page: int, per_page: int
) -> None:
    filters = SearchFilters(
        tag=tag,
        station=station,
        blog=blog,
        author=author,
        date_from=_as_date(date_from),
        date_to=_as_date(date_to),
    )
    try:
        result = search(text, filters, sort=sort, page=page, per_page=per_page)
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    # URLs are built as in a request to the site's root (SERVER_NAME, when set, makes them absolute).
    with current_app.test_request_context("/"):
        if as_json:
            click.echo(json.dumps(page_as_json(result, _entry_path), ensure_ascii=False, indent=2))
            return
        _print_page(result)


def _as_date(value) -> date | None:
    return value.date() if value else None


def _print_page(result) -> None:
    if result.message:
        click.echo(result.message)
    found = _("พบประมาณ %(n)s บันทึก", n=result.total) if result.total_is_estimate else _("พบ %(n)s บันทึก", n=result.total)
    click.echo(_("%(found)s (หน้า %(page)s จาก %(pages)s)", found=found, page=result.page, pages=max(result.pages, 1)))
    for hit in result.hits:
        entry = hit.entry
        click.echo("")
        click.echo(f"#{entry.number}  {entry.title}")
        click.echo(f"    {_entry_path(entry)}")
        click.echo(f"    {entry.blog.title} · {entry.author.display_name} · {thai_date(entry.published_at)}")
        click.echo(f"    {hit.snippet_text}")

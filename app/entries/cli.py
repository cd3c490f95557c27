"""`flask related refresh`: rank and store related entries from the shell (after a migration or a reindex)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.entries import related
from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, RelatedList

related_cli = AppGroup("related", help="จัดการรายการบันทึกที่เกี่ยวข้อง")

# Entries refreshed per transaction: progress survives an interruption, and no transaction holds the lock long.
BATCH = 200


def _unlisted_ids() -> list[int]:
    """Published entries whose related entries were never computed."""
    stmt = (
        select(Entry.id)
        .outerjoin(RelatedList, RelatedList.entry_id == Entry.id)
        .where(Entry.status == STATUS_PUBLISHED, RelatedList.entry_id.is_(None))
        .order_by(Entry.id)
    )
    return list(db.session.scalars(stmt))


@related_cli.command("refresh", help="จัดอันดับบันทึกที่เกี่ยวข้องใหม่ (ค่าเริ่มต้น: เฉพาะบันทึกที่ยังไม่เคยจัด)")
@click.option("--all", "everything", is_flag=True, help="จัดใหม่ทุกบันทึก (เช่น หลังสร้างดัชนีค้นหาใหม่)")
def refresh_command(everything: bool) -> None:
    ids = list(db.session.scalars(select(Entry.id).order_by(Entry.id))) if everything else _unlisted_ids()
    changed = 0
    for start in range(0, len(ids), BATCH):
        changed += len(related.refresh(ids[start : start + BATCH]))
        db.session.commit()
    click.echo(_("จัดอันดับบันทึกที่เกี่ยวข้องแล้ว %(n)s บันทึก (รายการเปลี่ยน %(changed)s)", n=len(ids), changed=changed))

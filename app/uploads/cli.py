"""`flask uploads prune`: remove images no entry uses any more, after a grace period."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.uploads import services

uploads_cli = AppGroup("uploads", help="ดูแลรูปภาพที่สมาชิกอัปโหลด")


@uploads_cli.command("prune", help="ลบรูปภาพที่ไม่มีบันทึกใดใช้ และอัปโหลดไว้นานกว่าระยะผ่อนผัน")
@click.option(
    "--older-than",
    "hours",
    type=click.IntRange(min=0),
    default=None,
    help="ลบเฉพาะรูปที่อัปโหลดมานานกว่ากี่ชั่วโมง (ค่าเริ่มต้น UPLOAD_PRUNE_GRACE_HOURS = 168)",
)
@click.option("--dry-run", is_flag=True, help="แสดงว่าจะลบอะไร โดยไม่ลบจริง")
def prune_command(hours: int | None, dry_run: bool) -> None:
    """Rows go first (one commit), then their files: a crash in between leaves files the next run removes."""
    grace = timedelta(hours=current_app.config["UPLOAD_PRUNE_GRACE_HOURS"] if hours is None else hours)
    result = services.prune_uploads(grace)
    if dry_run:
        db.session.rollback()
        strays = services.stray_files(grace)
        click.echo(
            _(
                "จะลบรูปภาพ %(n)s รายการ (%(mb).1f MB) ไฟล์ %(files)s ไฟล์ และไฟล์ที่ไม่มีเจ้าของ %(strays)s ไฟล์",
                n=result.uploads,
                mb=result.bytes / services.MIB,
                files=len(result.files),
                strays=len(strays),
            )
        )
        return
    db.session.commit()
    deleted = services.delete_files(result.files)
    strays = services.delete_files(services.stray_files(grace))
    click.echo(
        _(
            "ลบรูปภาพแล้ว %(n)s รายการ (%(mb).1f MB) ลบไฟล์ %(files)s ไฟล์ และไฟล์ที่ไม่มีเจ้าของ %(strays)s ไฟล์",
            n=result.uploads,
            mb=result.bytes / services.MIB,
            files=deleted,
            strays=strays,
        )
    )

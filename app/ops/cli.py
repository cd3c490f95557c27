"""`flask backup DIR` and `flask restore DIR [--yes]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.ops.backup import BackupError, backup, restore


@click.command("backup", help="สำรองฐานข้อมูลและรูปภาพที่อัปโหลดลงโฟลเดอร์ใหม่ (ทำได้ขณะเว็บยังทำงาน)")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    try:
        manifest = backup(directory)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    counts = manifest["counts"]
    click.echo(
        _(
            "สำรองข้อมูลไว้ที่ %(path)s แล้ว: ผู้ใช้ %(users)s คน บันทึก %(entries)s เรื่อง ความเห็น %(comments)s "
            "รายการ รูปภาพ %(uploads)s ไฟล์ (schema %(revision)s)",
            path=directory,
            users=counts.get("users", 0),
            entries=counts.get("entries", 0),
            comments=counts.get("comments", 0),
            uploads=len(manifest["uploads"]),
            revision=manifest["schema_revision"],
        )
    )


@click.command("restore", help="กู้คืนฐานข้อมูลและรูปภาพจากโฟลเดอร์สำรอง แล้วสร้างดัชนีค้นหาใหม่")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="ยืนยันให้เขียนทับฐานข้อมูลที่มีข้อมูลอยู่แล้ว")
@with_appcontext
def restore_command(directory: Path, yes: bool) -> None:
    try:
        result = restore(directory, overwrite=yes)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        _(
            "กู้คืนข้อมูลสำรองเมื่อ %(time)s แล้ว: คัดลอกรูปภาพ %(uploads)s ไฟล์ ดัชนีค้นหามี %(documents)s บันทึก",
            time=result.manifest["created_at"],
            uploads=result.uploads,
            documents=result.documents,
        )
    )

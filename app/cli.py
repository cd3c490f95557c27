"""Command-line tools: `flask --app wsgi <command>`.

Each command works like a view: validate, call services, commit once; on any error roll back, print the
message on stderr and exit non-zero, so nothing is half written.
"""

from __future__ import annotations

import re
from typing import NoReturn

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from app.admin.services import restore_user, set_admin, suspend_user
from app.auth.forms import PASSWORD_MIN_LENGTH, USERNAME_PATTERN
from app.auth.services import find_user_by_username, register_user
from app.blogs.services import create_blog
from app.demo import DEMO_PASSWORD, MARKER_USERNAME, load_demo
from app.entries.cli import related_cli
from app.errors import DomainError
from app.extensions import db
from app.importer.cli import import_text_command
from app.models import User
from app.ops.cli import backup_command
from app.ops.cli import restore_command as restore_database_command
from app.search.cli import search_cli
from app.uploads.cli import uploads_cli

users_cli = AppGroup("users", help="จัดการบัญชีผู้ใช้")
blogs_cli = AppGroup("blogs", help="จัดการบล็อก")


def _fail(message: object) -> NoReturn:
    """Roll back and stop with `message` on stderr (exit code 1)."""
    db.session.rollback()
    raise click.ClickException(str(message))


def _check_new_user(username: str, email: str, password: str) -> str:
    """Shape checks the registration form makes; returns the normalised email."""
    if not re.fullmatch(USERNAME_PATTERN, username):
        _fail(_("ชื่อผู้ใช้ “%(name)s” ใช้ไม่ได้: ใช้ตัวอักษรอังกฤษ ตัวเลข - หรือ _ ยาว 3–30 ตัว", name=username))
    if len(password) < PASSWORD_MIN_LENGTH:
        _fail(_("รหัสผ่านต้องยาวอย่างน้อย %(n)s ตัวอักษร", n=PASSWORD_MIN_LENGTH))
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        _fail(_("อีเมล “%(email)s” รูปแบบไม่ถูกต้อง", email=email))


@users_cli.command("create", help="สร้างบัญชีสมาชิกโดยไม่ต้องใช้เบราว์เซอร์")
@click.argument("username")
@click.argument("email")
@click.option(
    "--password",
    prompt="รหัสผ่าน",
    hide_input=True,
    confirmation_prompt="ยืนยันรหัสผ่าน",
    help="รหัสผ่าน (ถ้าไม่ระบุจะถามโดยไม่แสดงบนจอ)",
)
@click.option("--display-name", default=None, help="ชื่อที่แสดง (ค่าเริ่มต้นคือชื่อผู้ใช้)")
@click.option("--admin", is_flag=True, help="ให้เป็นผู้ดูแลระบบ")
def create_user(username: str, email: str, password: str, display_name: str | None, admin: bool) -> None:
    """Create a member account without the browser."""
    email = _check_new_user(username, email, password)
    try:
        user = register_user(username, email, display_name or username, password, is_admin=admin)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    if user.is_admin:
        click.echo(_("สร้างบัญชีผู้ดูแลระบบ %(name)s <%(email)s> แล้ว", name=user.username, email=user.email))
    else:
        click.echo(_("สร้างบัญชี %(name)s <%(email)s> แล้ว", name=user.username, email=user.email))


def _existing_user(username: str) -> User:
    user = find_user_by_username(username)
    if user is None:
        _fail(_("ไม่พบผู้ใช้ “%(name)s”", name=username))
    return user


@users_cli.command("make-admin", help="ให้สิทธิ์ผู้ดูแลระบบแก่บัญชีที่มีอยู่")
@click.argument("username")
def make_admin(username: str) -> None:
    """Grant administrator rights."""
    user = _existing_user(username)
    try:
        changed = set_admin(user, True)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    if changed:
        click.echo(_("%(name)s เป็นผู้ดูแลระบบแล้ว", name=user.username))
    else:
        click.echo(_("%(name)s เป็นผู้ดูแลระบบอยู่แล้ว ไม่มีอะไรเปลี่ยน", name=user.username))


@users_cli.command("revoke-admin", help="ถอนสิทธิ์ผู้ดูแลระบบ")
@click.argument("username")
def revoke_admin(username: str) -> None:
    """Revoke administrator rights."""
    user = _existing_user(username)
    changed = set_admin(user, False)
    db.session.commit()
    if changed:
        click.echo(_("ถอนสิทธิ์ผู้ดูแลระบบของ %(name)s แล้ว", name=user.username))
    else:
        click.echo(_("%(name)s ไม่ได้เป็นผู้ดูแลระบบ ไม่มีอะไรเปลี่ยน", name=user.username))


@users_cli.command("suspend", help="ระงับบัญชี: ซ่อนเนื้อหาทั้งหมดและไม่ให้เข้าสู่ระบบ")
@click.argument("username")
@click.option("--reason", required=True, help="เหตุผลที่ระงับบัญชี (บันทึกไว้)")
def suspend_user_command(username: str, reason: str) -> None:
    """Suspend an account from the shell (recorded as suspended by nobody in particular)."""
    user = _existing_user(username)
    try:
        resolved = suspend_user(user, reason, by=None)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(_("ระงับบัญชี %(name)s แล้ว ปิดรายงานที่เกี่ยวข้อง %(n)s รายการ", name=user.username, n=resolved))


@users_cli.command("restore", help="ยกเลิกการระงับบัญชี")
@click.argument("username")
def restore_user_command(username: str) -> None:
    """Lift a suspension from the shell."""
    user = _existing_user(username)
    try:
        restore_user(user)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(_("ยกเลิกการระงับบัญชี %(name)s แล้ว", name=user.username))


@blogs_cli.command("create", help="สร้างบล็อกให้สมาชิกที่มีบัญชีอยู่แล้ว")
@click.argument("slug")
@click.option("--owner", required=True, help="ชื่อผู้ใช้ของเจ้าของบล็อก")
@click.option("--title", required=True, help="ชื่อบล็อก")
@click.option("--description", default="", help="คำอธิบายบล็อก")
def create_blog_command(slug: str, owner: str, title: str, description: str) -> None:
    """Create a blog for an existing member."""
    user = _existing_user(owner)
    try:
        blog = create_blog(user, slug, title, description)
    except DomainError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(
        _("สร้างบล็อก %(slug)s “%(title)s” ของ %(name)s แล้ว", slug=blog.slug, title=blog.title, name=user.username)
    )


@click.command("demo", help="โหลดข้อมูลตัวอย่างภาษาไทยชุดเล็ก (รันซ้ำจะไม่เพิ่มอะไร)")
@click.option("--force", is_flag=True, help="โหลดแม้เป็นเว็บไซต์จริง (production)")
@with_appcontext
def demo_command(force: bool) -> None:
    """Load a small Thai demo data set once (running it again adds nothing).

    The demo accounts share a published password, so a production site refuses them unless forced.
    """
    if not force and not current_app.config.get("DEMO_DATA_ALLOWED", True):
        _fail(
            _("ไม่โหลดข้อมูลตัวอย่างลงเว็บไซต์จริง (production): บัญชีตัวอย่างใช้รหัสผ่านที่ทุกคนรู้ ถ้าต้องการจริง ๆ ให้สั่ง flask demo --force")
        )
    try:
        summary = load_demo()
    except DomainError as error:
        _fail(error.message)
    if summary is None:
        click.echo(_("มีข้อมูลตัวอย่างอยู่แล้ว (พบผู้ใช้ %(name)s) จึงไม่ได้เพิ่มอะไร", name=MARKER_USERNAME))
        return
    db.session.commit()
    click.echo(
        _(
            "โหลดข้อมูลตัวอย่างแล้ว: ผู้ใช้ %(users)s คน บล็อก %(blogs)s บล็อก ชุมชน %(stations)s แห่ง "
            "บันทึก %(entries)s เรื่อง (ฉบับร่าง %(drafts)s) ความเห็น %(comments)s รายการ",
            users=summary.users,
            blogs=summary.blogs,
            stations=summary.stations,
            entries=summary.entries,
            drafts=summary.drafts,
            comments=summary.comments,
        )
    )
    click.echo(
        _(
            "เข้าสู่ระบบได้ด้วยชื่อผู้ใช้ %(names)s รหัสผ่าน %(password)s",
            names=", ".join(summary.usernames),
            password=DEMO_PASSWORD,
        )
    )


def register_cli(app: Flask) -> None:
    """Attach every command group of the application."""
    app.cli.add_command(users_cli)
    app.cli.add_command(blogs_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_text_command)
    app.cli.add_command(search_cli)
    app.cli.add_command(related_cli)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_database_command)

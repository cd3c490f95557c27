"""`flask import-text PATH... --blog SLUG --author USERNAME [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.auth.services import find_user_by_username
from app.blogs.services import find_blog
from app.errors import DomainError
from app.extensions import db
from app.importer.services import STATUS_FAILED, STATUS_IMPORTED, ImportResult, decode_file, import_text
from app.models import Blog, User


def _import_one(path: Path, blog: Blog, author: User) -> ImportResult:
    """One file, one transaction: committed when imported, rolled back when anything fails."""
    try:
        result = import_text(decode_file(path.read_bytes()), filename=str(path), blog=blog, author=author)
    except OSError as error:
        db.session.rollback()
        return ImportResult(str(path), None, STATUS_FAILED, error.strerror or str(error))
    except DomainError as error:
        db.session.rollback()
        return ImportResult(str(path), None, STATUS_FAILED, error.message)
    db.session.commit()
    return result


@click.command("import-text")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--blog", "blog_slug", required=True, help="Slug of the blog to import into.")
@click.option("--author", "username", required=True, help="Username of the entries' author.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of one line per file.")
@with_appcontext
def import_text_command(paths: tuple[Path, ...], blog_slug: str, username: str, as_json: bool) -> None:
    """Import plain-text or Markdown files (pages saved from GotoKnow included) as entries."""
    blog = find_blog(blog_slug)
    if blog is None:
        raise click.ClickException(f"no blog with slug {blog_slug!r}")
    author = find_user_by_username(username)
    if author is None:
        raise click.ClickException(f"no user named {username!r}")
    results = [_import_one(path, blog, author) for path in paths]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            outcome = f"/posts/{r.number}" if r.status == STATUS_IMPORTED else f"{r.status}: {r.reason}"
            click.echo(f"{r.file}\t{outcome}")
    if any(r.status == STATUS_FAILED for r in results):
        raise SystemExit(1)

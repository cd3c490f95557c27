"""`flask uploads prune`: uploads no entry body mentions go after a grace period, with their files."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Upload
from app.text.dates import utcnow
from tests.factories import make_blog, make_entry, make_user
from tests.uploads.images import name_of, noise_png, post_image, stored_files, upload_count


@pytest.fixture
def writer(app, auth):
    user = make_user("somchai")
    blog = make_blog(user, "km-notes")
    auth.login("somchai")
    return blog


def upload(client, seed: int) -> str:
    response = post_image(client, noise_png((40, 40), seed=seed), f"picture-{seed}.png")
    assert response.status_code == 201
    return response.get_json()["url"]


def age(url: str, hours: float) -> None:
    """Pretend the upload was made `hours` ago."""
    db.session.execute(
        update(Upload).where(Upload.stored_name == name_of(url)).values(created_at=utcnow() - timedelta(hours=hours))
    )
    db.session.commit()


def names_left() -> set[str]:
    return set(db.session.scalars(select(Upload.stored_name)))


def test_prune_removes_exactly_the_old_unreferenced_uploads(app, client, runner, writer):
    in_published = upload(client, 1)
    in_draft = upload(client, 2)
    unused_old = upload(client, 3)
    unused_new = upload(client, 4)
    make_entry(writer, title="มีรูป", body=f"ภาพกิจกรรม\n\n![ภาพ]({in_published})")
    make_entry(writer, title="ร่าง", body=f"![ภาพ](https://sala.example.org{in_draft})", publish=False)
    for url in (in_published, in_draft, unused_old):
        age(url, 200)
    age(unused_new, 2)

    result = runner.invoke(args=["uploads", "prune"])

    assert result.exit_code == 0, result.output
    assert "ลบรูปภาพแล้ว 1 รายการ" in result.output
    kept = {name_of(url) for url in (in_published, in_draft, unused_new)}
    assert names_left() == kept
    assert set(stored_files(app)) == kept
    assert client.get(unused_old).status_code == 404
    assert client.get(in_published).status_code == 200


def test_older_than_sets_the_grace_period(app, client, runner, writer):
    recent = upload(client, 1)
    age(recent, 3)
    assert runner.invoke(args=["uploads", "prune", "--older-than", "5"]).exit_code == 0
    assert names_left() == {name_of(recent)}
    assert runner.invoke(args=["uploads", "prune", "--older-than", "2"]).exit_code == 0
    assert names_left() == set()
    assert stored_files(app) == []


def test_default_grace_period_is_a_week(app, client, runner, writer):
    assert app.config["UPLOAD_PRUNE_GRACE_HOURS"] == 168
    six_days = upload(client, 1)
    eight_days = upload(client, 2)
    age(six_days, 6 * 24)
    age(eight_days, 8 * 24)
    runner.invoke(args=["uploads", "prune"])
    assert names_left() == {name_of(six_days)}


def test_deleting_an_entry_leaves_its_images_to_prune(app, client, runner, writer):
    url = upload(client, 1)
    entry = make_entry(writer, body=f"![ภาพ]({url})")
    assert db.session.scalar(select(Upload.entry_id)) == entry.id
    age(url, 200)
    runner.invoke(args=["uploads", "prune"])
    assert names_left() == {name_of(url)}

    response = client.post(f"/posts/{entry.number}/delete", data={"confirm": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Upload.entry_id)) is None
    runner.invoke(args=["uploads", "prune"])
    assert names_left() == set()
    assert stored_files(app) == []


def test_editing_an_image_out_of_the_body_makes_it_prunable(app, client, runner, writer):
    url = upload(client, 1)
    entry = make_entry(writer, body=f"![ภาพ]({url})")
    age(url, 200)
    data = {"title": entry.title, "body": "ไม่มีรูปแล้ว", "tags": "", "license": "cc-by", "status": "published"}
    assert client.post(f"/posts/{entry.number}/edit", data=data).status_code == 302
    runner.invoke(args=["uploads", "prune"])
    assert upload_count() == 0


def test_a_shared_file_stays_while_another_member_still_has_it(app, client, auth, runner, writer):
    picture = noise_png((40, 40), seed=9)
    url = post_image(client, picture, "mine.png").get_json()["url"]
    age(url, 200)
    make_user("malee")
    auth.logout()
    auth.login("malee")
    assert post_image(client, picture, "hers.png").get_json()["url"] == url  # same content, same name

    runner.invoke(args=["uploads", "prune"])

    assert upload_count() == 1
    assert stored_files(app) == [name_of(url)]


def test_stray_files_are_removed_after_the_grace_period_and_nothing_else_is_touched(app, runner, writer):
    folder = Path(app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    old_stray = folder / ("c" * 32 + ".jpg")
    new_stray = folder / ("d" * 32 + ".jpg")
    old_temp = folder / ".tmp-abandoned"
    not_ours = folder / "README.txt"
    for path in (old_stray, new_stray, old_temp, not_ours):
        path.write_bytes(b"x")
    long_ago = time.time() - 200 * 3600
    for path in (old_stray, old_temp, not_ours):
        os.utime(path, (long_ago, long_ago))

    result = runner.invoke(args=["uploads", "prune"])

    assert "ไฟล์ที่ไม่มีเจ้าของ 2 ไฟล์" in result.output
    assert stored_files(app) == ["README.txt", new_stray.name]


def test_dry_run_changes_nothing(app, client, runner, writer):
    url = upload(client, 1)
    age(url, 200)
    result = runner.invoke(args=["uploads", "prune", "--dry-run"])
    assert result.exit_code == 0
    assert "จะลบรูปภาพ 1 รายการ" in result.output
    assert names_left() == {name_of(url)}
    assert stored_files(app) == [name_of(url)]


def test_saving_an_entry_notes_it_on_the_authors_uploads_only(app, client, auth, writer):
    mine = upload(client, 1)
    make_user("malee")
    auth.logout()
    auth.login("malee")
    hers = upload(client, 2)
    entry = make_entry(writer, body=f"![a]({mine}) ![b]({hers})")
    owners = dict(db.session.execute(select(Upload.stored_name, Upload.entry_id)).all())
    assert owners == {name_of(mine): entry.id, name_of(hers): None}

"""The storage quota holds when one member's uploads arrive at once (issue 13, item 11), on SQLite and PostgreSQL.

Several threads post at the same moment, each through its own client, connection and application context, to
the real database of the run (a SQLite file, or PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.extensions import db
from app.models import Upload
from app.uploads.images import process_image
from tests.factories import make_user
from tests.uploads.images import noise_png, post_image, stored_files

THREADS = 8
QUOTA_FULL = "พื้นที่เก็บรูปภาพของคุณเต็มแล้ว"


def signed_in_client(app, login: str):
    client = app.test_client()
    assert client.post("/login", data={"login": login, "password": "password123"}).status_code == 302
    return client


def upload_all_at_once(clients, images):
    barrier = threading.Barrier(len(clients))

    def upload(index: int):
        barrier.wait()
        return post_image(clients[index], images[index], f"{index}.png")

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(upload, range(len(clients))))


def test_parallel_uploads_never_store_more_than_the_quota(app):
    make_user("somchai")
    # Noise does not compress: every stored image is about 750 KB, and the quota takes two of them.
    images = [noise_png((500, 500), seed=seed) for seed in range(THREADS)]
    stored_size = max(len(process_image(image, 2000).data) for image in images)
    app.config["UPLOAD_QUOTA_BYTES"] = int(stored_size * 2.5)
    clients = [signed_in_client(app, "somchai") for _ in range(THREADS)]

    responses = upload_all_at_once(clients, images)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 201] + [413] * (THREADS - 2), [r.get_data(as_text=True)[:200] for r in responses]
    for response in responses:
        if response.status_code == 413:
            assert response.get_json()["error"].startswith(QUOTA_FULL)
    total = db.session.scalar(select(func.sum(Upload.byte_size)))
    assert total <= app.config["UPLOAD_QUOTA_BYTES"]
    names = set(db.session.scalars(select(Upload.stored_name)))
    assert len(names) == 2
    assert set(stored_files(app)) == names  # a refused upload leaves no file behind


def test_members_do_not_wait_on_each_others_quota(app):
    for login in ("somchai", "malee"):
        make_user(login)
    images = [noise_png((200, 200), seed=seed) for seed in range(4)]
    app.config["UPLOAD_QUOTA_BYTES"] = int(max(len(process_image(image, 2000).data) for image in images) * 1.5)
    clients = [signed_in_client(app, login) for login in ("somchai", "somchai", "malee", "malee")]

    statuses = [response.status_code for response in upload_all_at_once(clients, images)]

    assert sorted(statuses[:2]) == [201, 413]
    assert sorted(statuses[2:]) == [201, 413]

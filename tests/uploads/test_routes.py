"""POST /uploads from the editor and GET /uploads/<name>: content checks, re-encoding, limits, headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags

from app.extensions import db
from app.models import Upload
from tests.csrf_client import csrf_protected_client, page_token
from tests.factories import make_blog, make_user
from tests.uploads.images import (
    GPS_LATITUDE,
    animated_gif,
    image_bytes,
    jpeg_with_exif,
    name_of,
    noise_png,
    opened,
    post_image,
    stored_files,
    upload_count,
)

IMMUTABLE = {"public", "max-age=31536000", "immutable"}


@pytest.fixture
def member(app, auth):
    user = make_user("somchai")
    auth.login("somchai")
    return user


def assert_nothing_written(app) -> None:
    assert upload_count() == 0
    assert stored_files(app) == []


def test_jpeg_comes_back_re_encoded_without_exif_or_gps(app, client, member):
    original = jpeg_with_exif(size=(64, 32))
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == GPS_LATITUDE

    response = post_image(client, original, "ประชุมทีม KM.jpg")

    assert response.status_code == 201
    payload = response.get_json()
    name = name_of(payload["url"])
    assert name.endswith(".jpg")
    assert payload["markdown"] == f"![ประชุมทีม KM]({payload['url']})"
    assert (payload["width"], payload["height"]) == (64, 32)
    served = client.get(payload["url"])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    image = opened(served.data)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    for marker in (b"Exif", b"SalaCam", b"Field Notes"):
        assert marker not in served.data
    upload = db.session.scalar(db.select(Upload))
    assert (upload.owner_id, upload.stored_name, upload.original_name) == (member.id, name, "ประชุมทีม KM.jpg")
    assert (upload.content_type, upload.byte_size, upload.width, upload.height) == (
        "image/jpeg",
        len(served.data),
        64,
        32,
    )
    assert upload.entry_id is None
    assert (Path(app.config["UPLOAD_DIR"]) / name).read_bytes() == served.data


def test_exif_orientation_is_applied_before_it_is_removed(client, member):
    # Orientation 6: the camera was turned; the picture must be shown rotated 90°, so 64×32 becomes 32×64.
    response = post_image(client, jpeg_with_exif(size=(64, 32), orientation=6))
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (32, 64)
    image = opened(client.get(response.get_json()["url"]).data)
    assert image.size == (32, 64)
    assert ExifTags.Base.Orientation not in image.getexif()


def test_type_is_judged_by_content_not_by_name(client, member):
    response = post_image(client, image_bytes("PNG"), "looks-like-a-photo.jpg")
    assert response.status_code == 201
    url = response.get_json()["url"]
    assert url.endswith(".png")
    assert client.get(url).headers["Content-Type"] == "image/png"
    assert db.session.scalar(db.select(Upload.content_type)) == "image/png"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"just some notes, not a picture\n", "notes.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "drawing.svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "drawing.png"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "report.jpg"),
        (image_bytes("BMP"), "old.bmp"),
        (image_bytes("TIFF"), "scan.tif"),
        (jpeg_with_exif()[:200], "cut-short.jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png"),
    ],
    ids=["text-named-png", "svg", "svg-named-png", "pdf", "bmp", "tiff", "truncated-jpeg", "broken-png"],
)
def test_anything_but_jpeg_png_webp_gif_is_refused_with_nothing_written(app, client, member, data, filename):
    response = post_image(client, data, filename)
    assert response.status_code == 400
    assert "ไม่ใช่รูปภาพที่รองรับ" in response.get_json()["error"]
    assert_nothing_written(app)


def test_webp_stays_webp_and_gif_becomes_a_still_png(client, member):
    webp = post_image(client, image_bytes("WEBP", mode="RGBA", color=(0, 0, 255, 128)), "a.webp")
    assert webp.status_code == 201
    served = opened(client.get(webp.get_json()["url"]).data)
    assert (served.format, served.mode) == ("WEBP", "RGBA")

    gif = post_image(client, animated_gif(), "moving.gif")
    assert gif.status_code == 201
    url = gif.get_json()["url"]
    assert url.endswith(".png")
    still = opened(client.get(url).data)
    assert still.format == "PNG"
    assert getattr(still, "n_frames", 1) == 1


def test_transparency_survives(client, member):
    response = post_image(client, image_bytes("PNG", mode="RGBA", color=(255, 0, 0, 0)), "clear.png")
    image = opened(client.get(response.get_json()["url"]).data).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 0


def test_large_image_is_bounded_to_the_longest_side(app, client, member):
    response = post_image(client, image_bytes("JPEG", size=(3000, 1500)), "wide.jpg")
    assert response.status_code == 201
    assert (response.get_json()["width"], response.get_json()["height"]) == (2000, 1000)
    assert opened(client.get(response.get_json()["url"]).data).size == (2000, 1000)
    app.config["UPLOAD_MAX_SIDE"] = 500
    tall = post_image(client, image_bytes("PNG", size=(300, 900)), "tall.png")
    assert (tall.get_json()["width"], tall.get_json()["height"]) == (167, 500)


def test_huge_dimensions_are_refused_before_decoding(app, client, member):
    # 12,000 × 12,000 one-bit pixels: a few kilobytes of PNG that would take 432 MB to decode as RGB.
    bomb = image_bytes("PNG", size=(12_000, 12_000), mode="1", color=0)
    assert len(bomb) < 100_000
    response = post_image(client, bomb, "bomb.png")
    assert response.status_code == 400
    assert "ล้านพิกเซล" in response.get_json()["error"]
    assert_nothing_written(app)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_images_just_over_the_pixel_limit_are_refused_too(app, client, member):
    # 60 million pixels: past the limit but under twice it, where Pillow itself only warns.
    response = post_image(client, image_bytes("PNG", size=(10_000, 6_000), mode="1", color=1), "big.png")
    assert response.status_code == 400
    assert "ล้านพิกเซล" in response.get_json()["error"]
    assert_nothing_written(app)


def test_file_over_the_size_limit_is_413_with_nothing_written(app, client, member):
    assert app.config["MAX_UPLOAD_BYTES"] == 10 * 1024 * 1024
    too_big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024)
    response = post_image(client, too_big, "huge.png")
    assert response.status_code == 413
    assert response.get_json()["error"] == "ไฟล์ใหญ่เกินไป: รูปภาพแต่ละไฟล์ต้องไม่เกิน 10 MB"
    assert_nothing_written(app)


def test_a_valid_image_over_a_smaller_limit_is_refused(app, client, member):
    picture = noise_png((100, 100))
    app.config["MAX_UPLOAD_BYTES"] = len(picture) - 1
    response = post_image(client, picture, "noise.png")
    assert response.status_code == 413
    assert "ไฟล์ใหญ่เกินไป" in response.get_json()["error"]
    assert_nothing_written(app)


def test_request_over_max_content_length_is_413_json(app, client, member):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    response = post_image(client, noise_png((200, 200)), "noise.png")
    assert response.status_code == 413
    assert response.get_json()["error"] == "ข้อมูลที่ส่งมาใหญ่เกินไป"
    assert_nothing_written(app)


def test_quota_overflow_is_refused_with_nothing_written(app, client, member):
    first = post_image(client, noise_png((120, 120), seed=1), "one.png")
    assert first.status_code == 201
    used = db.session.scalar(db.select(Upload.byte_size))
    app.config["UPLOAD_QUOTA_BYTES"] = used + used // 2
    files_before = stored_files(app)

    second = post_image(client, noise_png((120, 120), seed=2), "two.png")

    assert second.status_code == 413
    error = second.get_json()["error"]
    assert error.startswith("พื้นที่เก็บรูปภาพของคุณเต็มแล้ว")
    assert upload_count() == 1
    assert stored_files(app) == files_before


def test_quota_full_refuses_before_reading_the_image(app, client, member):
    app.config["UPLOAD_QUOTA_BYTES"] = 30 * 1024 * 1024
    db.session.add(
        Upload(
            owner_id=member.id,
            stored_name="0" * 32 + ".jpg",
            content_type="image/jpeg",
            byte_size=30 * 1024 * 1024,
            width=1,
            height=1,
        )
    )
    db.session.commit()
    response = post_image(client, image_bytes("PNG"), "small.png")
    assert response.status_code == 413
    assert "ใช้ไป 30 MB จาก 30 MB" in response.get_json()["error"]
    assert upload_count() == 1


def test_quota_is_per_member(app, client, auth, member):
    assert post_image(client, noise_png((120, 120), seed=1), "one.png").status_code == 201
    app.config["UPLOAD_QUOTA_BYTES"] = db.session.scalar(db.select(Upload.byte_size)) + 10
    make_user("malee")
    auth.logout()
    auth.login("malee")
    assert post_image(client, noise_png((120, 120), seed=2), "two.png").status_code == 201


def test_same_picture_twice_is_one_upload_and_one_file(app, client, member):
    picture = noise_png((80, 80))
    first = post_image(client, picture, "a.png").get_json()
    again = post_image(client, picture, "a-copy.png").get_json()
    assert first["url"] == again["url"]
    assert upload_count() == 1
    assert len(stored_files(app)) == 1


def test_visitors_must_log_in(app, client):
    response = post_image(client, image_bytes("PNG"), "a.png")
    assert response.status_code == 401
    assert response.get_json() == {"error": "กรุณาเข้าสู่ระบบก่อน"}
    assert_nothing_written(app)


def test_missing_file_field_is_400(client, member):
    response = client.post("/uploads", data={"other": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "กรุณาเลือกไฟล์รูปภาพ"
    empty = client.post("/uploads", data={"file": (io.BytesIO(b""), "")}, content_type="multipart/form-data")
    assert empty.status_code == 400


def test_csrf_token_is_required(app):
    make_blog(make_user("somchai"), "km-notes")
    client = csrf_protected_client(app, login="somchai")
    refused = post_image(client, image_bytes("PNG"), "a.png")
    assert refused.status_code == 400
    assert "แบบฟอร์มหมดอายุ" in refused.get_json()["error"]
    assert upload_count() == 0

    token = page_token(client.get("/b/km-notes/write").get_data(as_text=True))
    accepted = post_image(client, image_bytes("PNG"), "a.png", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert upload_count() == 1


def test_served_with_immutable_cache_headers(client, member):
    url = post_image(client, image_bytes("PNG"), "a.png").get_json()["url"]
    response = client.get(url)
    assert response.status_code == 200
    assert set(part.strip() for part in response.headers["Cache-Control"].split(",")) == IMMUTABLE
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Served to anyone: an entry's readers are not logged in.
    client.post("/logout")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/uploads/" + "a" * 32 + ".png",
        "/uploads/" + "A" * 32 + ".PNG",
        "/uploads/..%2Fconfig.py",
        "/uploads/%2e%2e/config.py",
        "/uploads/../config.py",
        "/uploads/.tmp-abc",
        "/uploads/",
    ],
)
def test_unknown_names_and_path_tricks_are_404(client, member, path):
    assert client.get(path).status_code == 404


def test_a_file_on_disk_without_an_upload_row_is_not_served(app, client, member):
    folder = Path(app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = "b" * 32 + ".png"
    (folder / name).write_bytes(image_bytes("PNG"))
    assert client.get(f"/uploads/{name}").status_code == 404


def test_png_and_webp_metadata_is_dropped(client, member):
    from PIL import ImageCms, PngImagePlugin

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = opened(jpeg_with_exif()).getexif()
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at home, 13.7N 100.5E")
    png = image_bytes("PNG", exif=exif, icc_profile=icc, pnginfo=text)
    webp = image_bytes("WEBP", exif=exif, icc_profile=icc, xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    for data, filename in ((png, "meta.png"), (webp, "meta.webp")):
        source = opened(data)
        assert {"exif", "icc_profile"} <= set(source.info)
        served = client.get(post_image(client, data, filename).get_json()["url"]).data
        image = opened(served)
        assert not {"exif", "icc_profile", "xmp", "Comment"} & set(image.info), filename
        assert dict(image.getexif()) == {}
        assert b"secret" not in served and b"13.7N" not in served and b"SalaCam" not in served

"""Who may do what: every route × every method × every role, through HTTP, asserting the exact status.

The world (two blogs, entries, comments, two stations, an upload, a reset token) is built once per module into
a template database; every case starts from a fresh copy of it, so an allowed action never changes what the
next case sees. A case that is refused must leave every table exactly as it was.

Roles: anonymous; an unrelated member; a commenter; the entry's author (a co-author of the blog); another
co-author; the blog's owner; a station moderator; the station's owner; an administrator (who owns nothing
here); and a suspended member — a co-author and station member who signs in and is then suspended, so the
case proves that an existing session stops working: every route answers them as it answers a visitor.

Adding a route: add one line to ROWS (the completeness test names any route or method without one). Name the
statuses that differ from `default`; `login_row` is for views behind login_required (visitors get LOGIN):

    login_row("admin.users", "GET", "/admin/users", default=403, admin=200)
    login_row("reports.create", "POST", "/posts/{entry}/report", default=302, data={"reason": "spam"})

Placeholders in paths ({entry}, {comment}, {upload}, {token}, ...) are filled from `build_world`'s ids.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from itsdangerous.encoding import base64_decode, base64_encode
from sqlalchemy import func, select

from app import create_app
from app.auth.services import make_password_reset_token
from app.blogs.services import add_coauthor, remove_coauthor
from app.comments.services import add_comment
from app.extensions import db
from app.models import Blog, BlogAuthor, Comment, Entry, Station, StationBlog, StationMember, User
from app.reports.services import report_comment, report_entry
from app.stations.services import approve_blog, approve_member, join_station, set_moderator, submit_blog
from app.uploads.services import store_upload
from app.users.services import follow
from tests.conftest import IsolatedClient
from tests.factories import make_blog, make_entry, make_station, make_user
from tests.uploads.images import image_bytes

# Who may do what does not depend on the database; the speed of this file comes from copying one SQLite world
# file per case, so the PostgreSQL run leaves it to the SQLite run.
pytestmark = pytest.mark.sqlite_only(reason="copies one SQLite world file per case")

ROLES = (
    "anonymous",
    "member",
    "commenter",
    "author",
    "coauthor",
    "owner",
    "moderator",
    "station_owner",
    "admin",
    "suspended",
)
LOGIN = "login"  # expected answer: 302 to the sign-in page
REFUSED = {LOGIN, 400, 401, 403, 404, 405, 409}
STATION = "Chumphon-KM-Station"


@dataclass(frozen=True)
class Row:
    """One route and method, and how each role is answered (`LOGIN` or an exact status)."""

    endpoint: str
    method: str
    path: str
    statuses: dict[str, int | str]
    default: int | str
    data: dict | Callable[[], dict] = field(default_factory=dict)
    label: str = ""

    def expected(self, role: str) -> int | str:
        # A suspended member's session is worth nothing: they are answered exactly as a visitor is.
        role = "anonymous" if role == "suspended" else role
        return self.statuses.get(role, self.default)

    def form(self) -> dict:
        return self.data() if callable(self.data) else dict(self.data)

    @property
    def name(self) -> str:
        return f"{self.method} {self.endpoint}{'[' + self.label + ']' if self.label else ''}"


def row(endpoint: str, method: str, path: str, *, default: int | str, data=None, label: str = "", **statuses) -> Row:
    assert set(statuses) <= set(ROLES) - {"suspended"}, statuses
    return Row(endpoint, method, path, statuses, default, data or {}, label)


def login_row(endpoint: str, method: str, path: str, *, default: int | str, data=None, label: str = "", **statuses):
    return row(endpoint, method, path, default=default, data=data, label=label, anonymous=LOGIN, **statuses)


ENTRY_FORM = {"title": "บันทึกใหม่", "body": "เนื้อหา", "tags": "km", "license": "cc-by", "status": "published"}
BLOG_FORM = {"title": "ชื่อบล็อกใหม่", "description": "คำอธิบาย", "allow_guest_comments": "y"}
STATION_FORM = {"name": "ชุมชนชื่อใหม่", "description": "คำอธิบาย", "join_policy": "approval"}
NEW_PASSWORD = {"new_password": "another-pass-456", "confirm": "another-pass-456"}
REGISTER_FORM = {
    "username": "newperson",
    "display_name": "คนใหม่",
    "email": "newperson@example.org",
    "password": "password123",
    "confirm": "password123",
}
OWNER_ONLY = {"owner": 200}
WRITERS = {"author": 200, "coauthor": 200, "owner": 200}
ENTRY_EDITORS = {"author": 200, "owner": 200}
MODERATORS = {"moderator": 302, "station_owner": 302}
REVIEWERS = {"author": 302, "owner": 302, **MODERATORS}
REPORT_FORM = {"reason": "spam", "details": "ข้อความโฆษณา"}
CONFIRM = {"confirm": "y"}
SUSPEND_FORM = {"reason": "โพสต์สแปมซ้ำ ๆ", **CONFIRM}


def upload_form() -> dict:
    return {"file": (io.BytesIO(image_bytes("PNG", color=(200, 90, 30))), "photo.png")}


def done(statuses: dict[str, int]) -> dict[str, int]:
    """The same roles, answered by a redirect after a successful POST."""
    return dict.fromkeys(statuses, 302)


ROWS: list[Row] = [
    # Accounts
    row("auth.register", "GET", "/register", default=302, anonymous=200),
    row("auth.register", "POST", "/register", default=302, data=REGISTER_FORM),
    row("auth.login", "GET", "/login", default=302, anonymous=200),
    row("auth.login", "POST", "/login", default=302, data={"login": "member", "password": "password123"}),
    row("auth.logout", "POST", "/logout", default=302),
    login_row("auth.change_password", "GET", "/account/password", default=200),
    login_row(
        "auth.change_password",
        "POST",
        "/account/password",
        default=302,
        data={"current_password": "password123", **NEW_PASSWORD},
    ),
    login_row("auth.edit_profile", "GET", "/account/profile", default=200),
    login_row(
        "auth.edit_profile",
        "POST",
        "/account/profile",
        default=302,
        data={"display_name": "ชื่อใหม่", "affiliation": "", "bio": ""},
    ),
    login_row("auth.change_email", "GET", "/account/email", default=200),
    login_row(
        "auth.change_email",
        "POST",
        "/account/email",
        default=302,
        data={"email": "new-address@example.org", "current_password": "password123"},
    ),
    row("auth.confirm_email", "GET", "/email/confirm/not-a-token", default=400, label="forged"),
    row("auth.forgot_password", "GET", "/password/forgot", default=200),
    # The "link sent" notice is shown on the sign-in page, whoever asks.
    row("auth.forgot_password", "POST", "/password/forgot", default=LOGIN, data={"email": "member@example.org"}),
    row("auth.reset_password", "GET", "/password/reset/{token}", default=200),
    row("auth.reset_password", "POST", "/password/reset/{token}", default=302, data=NEW_PASSWORD),
    row("auth.reset_password", "GET", "/password/reset/not-a-token", default=400, label="forged"),
    row("i18n.switch_language", "GET", "/lang/en", default=302),
    # Reading
    row("main.home", "GET", "/", default=200),
    login_row("main.dashboard", "GET", "/dashboard", default=200),
    row("search.index", "GET", "/search?q=km", default=200),
    row("api.search_entries", "GET", "/api/v1/search?q=km", default=200),
    row("tags.index", "GET", "/tags", default=200),
    row("tags.show", "GET", "/tags/km", default=200),
    row("tags.feed", "GET", "/tags/km/feed.atom", default=200),
    row("tags.suggest", "GET", "/tags/suggest?q=k", default=200),
    row("static", "GET", "/static/css/sala.css", default=200),
    row("uploads.show", "GET", "/uploads/{upload}", default=200),
    row("users.profile", "GET", "/u/author", default=200),
    row("users.profile", "GET", "/u/banned", default=404, admin=200, label="suspended member"),
    row("users.followers", "GET", "/u/author/followers", default=200),
    row("users.following", "GET", "/u/member/following", default=200),
    row("users.followers", "GET", "/u/banned/followers", default=404, admin=200, label="suspended member"),
    row("users.following", "GET", "/u/banned/following", default=404, admin=200, label="suspended member"),
    # Blogs
    login_row("blogs.new", "GET", "/blogs/new", default=200),
    login_row("blogs.new", "POST", "/blogs/new", default=302, data={"slug": "fresh-blog", **BLOG_FORM}),
    row("blogs.show", "GET", "/b/agency", default=200),
    row("blogs.feed", "GET", "/b/agency/feed.atom", default=200),
    login_row("blogs.edit", "GET", "/b/agency/edit", default=403, **OWNER_ONLY),
    login_row("blogs.edit", "POST", "/b/agency/edit", default=403, data=BLOG_FORM, **done(OWNER_ONLY)),
    login_row("blogs.authors", "GET", "/b/agency/authors", default=403, **OWNER_ONLY),
    login_row(
        "blogs.authors", "POST", "/b/agency/authors", default=403, data={"username": "member"}, **done(OWNER_ONLY)
    ),
    login_row("blogs.remove_author", "POST", "/b/agency/authors/coauthor/remove", default=403, **done(OWNER_ONLY)),
    login_row("blogs.delete", "GET", "/b/agency/delete", default=403, **OWNER_ONLY),
    login_row("blogs.delete", "POST", "/b/agency/delete", default=403, data={"confirm": "y"}, **done(OWNER_ONLY)),
    # Entries
    login_row("entries.choose_blog", "GET", "/write", default=302),
    login_row("entries.new", "GET", "/b/agency/write", default=403, **WRITERS),
    login_row("entries.new", "POST", "/b/agency/write", default=403, data=ENTRY_FORM, **done(WRITERS)),
    row("entries.show", "GET", "/posts/{entry}", default=200),
    row("entries.show", "GET", "/posts/{draft}", default=404, label="draft", **ENTRY_EDITORS),
    row("entries.show", "GET", "/posts/{banned_entry}", default=404, label="suspended author", owner=200),
    login_row("entries.edit", "GET", "/posts/{entry}/edit", default=403, **ENTRY_EDITORS),
    login_row("entries.edit", "POST", "/posts/{entry}/edit", default=403, data=ENTRY_FORM, **done(ENTRY_EDITORS)),
    login_row("entries.edit", "GET", "/posts/{draft}/edit", default=404, label="draft", **ENTRY_EDITORS),
    login_row("entries.delete", "GET", "/posts/{entry}/delete", default=403, **ENTRY_EDITORS),
    login_row(
        "entries.delete", "POST", "/posts/{entry}/delete", default=403, data={"confirm": "y"}, **done(ENTRY_EDITORS)
    ),
    row("editor.preview", "POST", "/preview", default=200, anonymous=401, data={"body": "**ตัวหนา**"}),
    row("uploads.api.create", "POST", "/uploads", default=201, anonymous=401, data=upload_form),
    # Comments: the form's own page (where guests write), then sending it.
    row("comments.new", "GET", "/posts/{entry}/comments", default=200),
    row("comments.new", "GET", "/posts/{draft}/comments", default=404, label="draft", author=403, owner=403),
    row(
        "comments.create", "POST", "/posts/{entry}/comments", default=302, data={"body": "ความเห็น", "guest_name": "แขก"}
    ),
    row(
        "comments.create",
        "POST",
        "/posts/{draft}/comments",
        default=404,
        label="draft",
        data={"body": "ความเห็น", "guest_name": "แขก"},
        author=403,
        owner=403,
    ),
    row("comments.hide", "POST", "/comments/{comment}/hide", default=403, **done(ENTRY_EDITORS)),
    row("comments.unhide", "POST", "/comments/{hidden_comment}/unhide", default=403, **done(ENTRY_EDITORS)),
    row("comments.delete", "POST", "/comments/{comment}/delete", default=403, commenter=302, **done(ENTRY_EDITORS)),
    # The moderation queue: the entry's author, the blog's owner and the station's moderators review.
    login_row("comments.queue", "GET", "/moderation", default=200),
    login_row("comments.approve", "POST", "/moderation/comments/{pending}/approve", default=403, **REVIEWERS),
    login_row("comments.reject", "POST", "/moderation/comments/{pending}/reject", default=403, **REVIEWERS),
    # Reports: any member but the author of what is reported.
    login_row("reports.entry", "GET", "/posts/{entry}/report", default=200, author=403),
    login_row("reports.entry", "POST", "/posts/{entry}/report", default=302, data=REPORT_FORM, author=403),
    login_row("reports.comment", "GET", "/comments/{comment}/report", default=200, commenter=403),
    login_row("reports.comment", "POST", "/comments/{comment}/report", default=302, data=REPORT_FORM, commenter=403),
    # Stations
    row("stations.index", "GET", "/c", default=200),
    login_row("stations.new", "GET", "/c/new", default=200),
    login_row("stations.new", "POST", "/c/new", default=302, data={"slug": "fresh-station", **STATION_FORM}),
    row("stations.show", "GET", f"/c/{STATION}", default=200),
    row("stations.feed", "GET", f"/c/{STATION}/feed.atom", default=200),
    row("stations.members", "GET", f"/c/{STATION}/members", default=200),
    login_row("stations.edit", "GET", f"/c/{STATION}/edit", default=403, station_owner=200),
    login_row("stations.edit", "POST", f"/c/{STATION}/edit", default=403, data=STATION_FORM, station_owner=302),
    # Joining when already in (or owning) the station is refused with the service's message.
    login_row("stations.join", "POST", f"/c/{STATION}/join", default=302, owner=400, moderator=400, station_owner=400),
    login_row(
        "stations.leave", "POST", f"/c/{STATION}/leave", default=400, owner=302, moderator=302, station_owner=403
    ),
    login_row("stations.approve_member", "POST", f"/c/{STATION}/members/newcomer/approve", default=403, **MODERATORS),
    login_row("stations.reject_member", "POST", f"/c/{STATION}/members/newcomer/reject", default=403, **MODERATORS),
    login_row(
        "stations.moderator",
        "POST",
        f"/c/{STATION}/members/owner/moderator",
        default=403,
        data={"on": "1"},
        station_owner=302,
    ),
    # Only the blog's owner (a station member who owns a blog) may offer one; theirs is in already (409).
    login_row("stations.submit", "GET", f"/c/{STATION}/submit", default=403, owner=200),
    login_row("stations.submit", "POST", f"/c/{STATION}/submit", default=403, data={"blog": "agency"}, owner=409),
    login_row("stations.approve_blog", "POST", f"/c/{STATION}/blogs/applicant-blog/approve", default=403, **MODERATORS),
    login_row("stations.reject_blog", "POST", f"/c/{STATION}/blogs/applicant-blog/reject", default=403, **MODERATORS),
    login_row(
        "stations.remove_blog", "POST", f"/c/{STATION}/blogs/agency/remove", default=403, owner=302, **MODERATORS
    ),
    # Site administration: admins only.
    login_row("admin.index", "GET", "/admin/", default=403, admin=200),
    login_row("admin.users", "GET", "/admin/users", default=403, admin=200),
    login_row("admin.user", "GET", "/admin/users/{member_id}", default=403, admin=200),
    login_row("admin.suspend", "POST", "/admin/users/{member_id}/suspend", default=403, data=SUSPEND_FORM, admin=302),
    login_row("admin.restore", "POST", "/admin/users/{banned_id}/restore", default=403, data=CONFIRM, admin=302),
    login_row("admin.reports_list", "GET", "/admin/reports", default=403, admin=200),
    login_row("admin.resolve_report", "POST", "/admin/reports/{entry_report}/resolve", default=403, admin=302),
    login_row("admin.dismiss_report", "POST", "/admin/reports/{entry_report}/dismiss", default=403, admin=302),
    login_row("admin.hide_comment", "POST", "/admin/reports/{comment_report}/hide-comment", default=403, admin=302),
    row("ops.healthz", "GET", "/healthz", default=200),
    # People
    login_row("users.follow", "POST", "/u/author/follow", default=302, author=400),
    login_row("users.unfollow", "POST", "/u/author/unfollow", default=302),
]

# Methods Werkzeug answers for every route without a view of ours.
AUTOMATIC_METHODS = {
    "HEAD": "runs the GET view and drops the body, so the GET row covers it",
    "OPTIONS": "answered by Werkzeug with the allowed methods; no view runs",
}
# (endpoint, method) pairs deliberately left without a row, each with the reason.
EXEMPT: dict[tuple[str, str], str] = {}


@dataclass
class Matrix:
    app: object
    live: Path
    template: Path
    ids: dict[str, object]


def build_world() -> dict[str, object]:
    """The people and content every row refers to; returns the ids the paths need."""
    names = ("member", "commenter", "author", "coauthor", "owner", "moderator", "station_owner", "suspended")
    users = {name: make_user(name) for name in names + ("applicant", "newcomer", "stranger", "banned")}
    users["admin"] = make_user("admin", is_admin=True)
    users["former"] = make_user("former")
    blog = make_blog(users["owner"], "agency", title="บล็อกสำนักงานจังหวัด")
    for name in ("author", "coauthor", "suspended", "banned", "former"):
        add_coauthor(blog, name)
    entry = make_entry(blog, users["author"], title="บันทึก ลปรร. ครั้งที่ ๑", body="เนื้อหา KM", tags="km")
    draft = make_entry(blog, users["author"], title="ร่างบันทึก", publish=False)
    banned_entry = make_entry(blog, users["banned"], title="บันทึกของสมาชิกที่ถูกระงับ")
    comment = add_comment(entry, "ขอบคุณครับ", user=users["commenter"])
    hidden_comment = add_comment(entry, "ความเห็นที่ถูกซ่อน", guest_name="แขก", hidden=True)
    pending = add_comment(entry, "โปรโมชัน http://a.example http://b.example http://c.example", guest_name="แขก")
    assert pending.is_pending
    # A co-author the owner removed: what they wrote stays in the blog, out of their hands.
    former_entry = make_entry(blog, users["former"], title="บันทึกของผู้เขียนร่วมคนเดิม")
    former_comment = add_comment(former_entry, "ความเห็นในบันทึกของผู้เขียนร่วมคนเดิม", user=users["commenter"])
    remove_coauthor(blog, users["former"])

    station = make_station(users["station_owner"], STATION, join_policy="approval")
    for name in ("moderator", "owner", "suspended", "applicant"):
        join_station(station, users[name])
        approve_member(station, users[name])
    set_moderator(station, users["moderator"], True)
    submit_blog(station, blog, users["owner"])
    approve_blog(station, blog)
    submit_blog(station, make_blog(users["applicant"], "applicant-blog", title="บล็อกผู้สมัคร"), users["applicant"])
    join_station(station, users["newcomer"])

    # Someone else's blog, entry, comment and station, for the id-swapping cases.
    other_blog = make_blog(users["stranger"], "other-blog", title="บล็อกของคนอื่น")
    other_entry = make_entry(other_blog, users["stranger"], title="บันทึกของคนอื่น")
    other_comment = add_comment(other_entry, "ความเห็นในบันทึกของคนอื่น", user=users["stranger"])
    other_station = make_station(users["stranger"], "other-station", name="ชุมชนของคนอื่น", join_policy="approval")
    submit_blog(other_station, other_blog, users["stranger"])
    for name in ("newcomer", "applicant"):
        join_station(other_station, users[name])
    approve_member(other_station, users["applicant"])
    submit_blog(other_station, db.session.scalar(select(Blog).where(Blog.slug == "applicant-blog")), users["applicant"])

    follow(users["member"], users["author"])
    entry_report = report_entry(users["stranger"], entry, "spam")
    comment_report = report_comment(users["stranger"], comment, "abuse")
    upload = store_upload(users["author"], io.BytesIO(image_bytes("PNG")), "photo.png")
    users["banned"].is_suspended = True
    token = make_password_reset_token(users["member"])
    db.session.commit()
    return {
        "entry": entry.number,
        "draft": draft.number,
        "banned_entry": banned_entry.number,
        "comment": comment.id,
        "hidden_comment": hidden_comment.id,
        "pending": pending.id,
        "entry_report": entry_report.id,
        "comment_report": comment_report.id,
        "member_id": users["member"].id,
        "banned_id": users["banned"].id,
        "former_entry": former_entry.number,
        "former_comment": former_comment.id,
        "other_entry": other_entry.number,
        "other_comment": other_comment.id,
        "upload": upload.stored_name,
        "token": token,
        "forged_token": repointed_token(token, users["owner"].id),
    }


def repointed_token(token: str, user_id: int) -> str:
    """A reset token whose payload is edited to name another account, keeping the original signature."""
    payload, timestamp, signature = token.rsplit(".", 2)
    data = json.loads(base64_decode(payload))
    data["user"] = user_id
    edited = base64_encode(json.dumps(data, separators=(",", ":"))).decode()
    return ".".join((edited, timestamp, signature))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, migrated_template) -> Matrix:
    root = tmp_path_factory.mktemp("matrix")
    live = root / "sala.db"
    shutil.copy(migrated_template, live)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{live}",
            "SEARCH_INDEX_DIR": str(root / "index"),
            "UPLOAD_DIR": str(root / "uploads"),
            # Search changes stay in the outbox: this file is about who may do what, not what search shows.
            "SEARCH_SYNC_ON_COMMIT": False,
        },
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        ids = build_world()
        db.session.remove()
        db.engine.dispose()
    template = root / "world.db"
    shutil.copy(live, template)
    return Matrix(app, live, template, ids)


@pytest.fixture
def app(matrix):
    """The module's app on a fresh copy of the world (replaces the conftest fixture in this module)."""
    for suffix in ("-wal", "-shm"):
        matrix.live.with_name(matrix.live.name + suffix).unlink(missing_ok=True)
    shutil.copy(matrix.template, matrix.live)
    with matrix.app.app_context():
        yield matrix.app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ids(matrix) -> dict[str, object]:
    return matrix.ids


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused request changed nothing."""
    tables = db.metadata.sorted_tables
    return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr) for table in tables}


def suspend(username: str) -> None:
    db.session.scalars(select(User).where(User.username == username)).one().is_suspended = True
    db.session.commit()


def sign_in(auth, role: str) -> None:
    """Sign in through the form; the suspended member signs in first and is suspended afterwards."""
    if role == "anonymous":
        return
    response = auth.login(role)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard"), role
    if role == "suspended":
        suspend("suspended")


def check_answer(response, expected: int | str, context) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, context
        assert response.headers["Location"].startswith("/login"), context
    else:
        assert response.status_code == expected, (context, response.headers.get("Location"))
        if expected == 302:  # done, not turned away to the sign-in page
            assert not response.headers["Location"].startswith("/login"), context


CASES = [pytest.param(r, role, id=f"{r.name}-{role}") for r in ROWS for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_route_answers_each_role_exactly(client, auth, ids, route: Row, role: str):
    sign_in(auth, role)
    expected = route.expected(role)
    before = snapshot() if expected in REFUSED else None
    response = client.open(route.path.format(**ids), method=route.method, data=route.form())
    check_answer(response, expected, (route.name, role))
    if before is not None:
        assert snapshot() == before, f"{route.name} refused {role} but changed the database"


def test_every_route_and_method_has_a_row(app):
    """A new route fails here until the table says how each role is answered (or EXEMPT says why not)."""
    served = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - AUTOMATIC_METHODS.keys()
    }
    rows = {(r.endpoint, r.method) for r in ROWS}
    assert sorted(served - rows - EXEMPT.keys()) == []
    assert sorted(rows - served) == [], "rows for routes that no longer exist"
    assert sorted(EXEMPT.keys() - served) == [], "exemptions for routes that no longer exist"


@pytest.mark.parametrize("route", ROWS, ids=[r.name for r in ROWS])
def test_each_row_reaches_its_own_endpoint(app, ids, route: Row):
    adapter = app.url_map.bind("localhost")
    path, _, query = route.path.format(**ids).partition("?")
    assert adapter.match(path, method=route.method)[0] == route.endpoint


def test_a_suspended_member_cannot_sign_in_and_their_session_ends(client, auth):
    assert auth.login("suspended").status_code == 302
    assert client.get("/dashboard").status_code == 200
    suspend("suspended")
    check_answer(client.get("/dashboard"), LOGIN, "existing session")
    assert auth.login("suspended").status_code == 401
    check_answer(client.get("/dashboard"), LOGIN, "after a refused sign-in")


def test_snapshot_sees_what_a_request_commits(client, auth):
    """The 'nothing changed' check would pass vacuously if it could not see another request's commit."""
    before = snapshot()
    auth.login("owner")
    assert client.post("/b/agency/edit", data=BLOG_FORM).status_code == 302
    assert snapshot() != before


@dataclass(frozen=True)
class Swap:
    """A signed-in person names someone else's thing in the URL; the exact refusal, and nothing changes."""

    label: str
    username: str | None
    method: str
    path: str
    status: int
    data: dict = field(default_factory=dict)


SWAPS = [
    Swap("removed co-author edits their old entry", "former", "POST", "/posts/{former_entry}/edit", 403, ENTRY_FORM),
    Swap(
        "removed co-author deletes their old entry",
        "former",
        "POST",
        "/posts/{former_entry}/delete",
        403,
        {"confirm": "y"},
    ),
    Swap("removed co-author hides a comment on it", "former", "POST", "/comments/{former_comment}/hide", 403),
    Swap("removed co-author deletes a comment on it", "former", "POST", "/comments/{former_comment}/delete", 403),
    Swap(
        "reset token re-pointed at another account", None, "POST", "/password/reset/{forged_token}", 400, NEW_PASSWORD
    ),
    Swap("co-author edits another blog's entry", "coauthor", "POST", "/posts/{other_entry}/edit", 403, ENTRY_FORM),
    Swap("entry author opens another blog's entry editor", "author", "GET", "/posts/{other_entry}/edit", 403),
    Swap(
        "entry author deletes another blog's entry",
        "author",
        "POST",
        "/posts/{other_entry}/delete",
        403,
        {"confirm": "y"},
    ),
    Swap("co-author writes into another blog", "author", "POST", "/b/other-blog/write", 403, ENTRY_FORM),
    Swap("blog owner hides a comment on another blog", "owner", "POST", "/comments/{other_comment}/hide", 403),
    Swap("entry author unhides a comment elsewhere", "author", "POST", "/comments/{other_comment}/unhide", 403),
    Swap("blog owner deletes a comment on another blog", "owner", "POST", "/comments/{other_comment}/delete", 403),
    Swap("commenter deletes another person's comment", "commenter", "POST", "/comments/{other_comment}/delete", 403),
    Swap("blog owner edits another blog", "owner", "POST", "/b/other-blog/edit", 403, BLOG_FORM),
    Swap("blog owner deletes another blog", "owner", "POST", "/b/other-blog/delete", 403, {"confirm": "y"}),
    Swap(
        "blog owner adds themself to another blog", "owner", "POST", "/b/other-blog/authors", 403, {"username": "owner"}
    ),
    Swap("blog owner removes another blog's owner", "owner", "POST", "/b/other-blog/authors/stranger/remove", 403),
    Swap(
        "blog owner removes someone who is not a co-author", "owner", "POST", "/b/agency/authors/stranger/remove", 404
    ),
    Swap("station owner edits another station", "station_owner", "POST", "/c/other-station/edit", 403, STATION_FORM),
    Swap(
        "station owner names a moderator elsewhere",
        "station_owner",
        "POST",
        "/c/other-station/members/applicant/moderator",
        403,
        {"on": "1"},
    ),
    Swap(
        "moderator approves a member elsewhere", "moderator", "POST", "/c/other-station/members/newcomer/approve", 403
    ),
    Swap("moderator rejects a member elsewhere", "moderator", "POST", "/c/other-station/members/newcomer/reject", 403),
    Swap(
        "moderator approves a blog elsewhere", "moderator", "POST", "/c/other-station/blogs/applicant-blog/approve", 403
    ),
    Swap("moderator removes a blog elsewhere", "moderator", "POST", "/c/other-station/blogs/other-blog/remove", 403),
    Swap(
        "moderator approves someone who asked elsewhere",
        "moderator",
        "POST",
        f"/c/{STATION}/members/stranger/approve",
        404,
    ),
    Swap(
        "moderator removes a blog that is not in the station",
        "moderator",
        "POST",
        f"/c/{STATION}/blogs/other-blog/remove",
        404,
    ),
    Swap("blog owner withdraws another blog", "owner", "POST", f"/c/{STATION}/blogs/applicant-blog/remove", 403),
    Swap("member offers a blog they do not own", "owner", "POST", f"/c/{STATION}/submit", 400, {"blog": "other-blog"}),
    Swap(
        "applicant offers a blog they do not own", "applicant", "POST", f"/c/{STATION}/submit", 400, {"blog": "agency"}
    ),
]


@pytest.mark.parametrize("swap", SWAPS, ids=[swap.label for swap in SWAPS])
def test_naming_someone_elses_thing_is_refused_and_changes_nothing(client, auth, ids, swap: Swap):
    if swap.username is not None:
        assert auth.login(swap.username).status_code == 302
    before = snapshot()
    response = client.open(swap.path.format(**ids), method=swap.method, data=swap.data)
    assert response.status_code == swap.status
    assert snapshot() == before


def smuggled(ids) -> dict[str, object]:
    """Form fields no form has, naming someone else's blog, station and account."""
    other = db.session.scalar(select(Blog).where(Blog.slug == "other-blog"))
    stranger = db.session.scalar(select(User).where(User.username == "stranger"))
    return {
        "blog": "other-blog",
        "blog_id": other.id,
        "slug": "other-blog",
        "station": "other-station",
        "author_id": stranger.id,
        "owner_id": stranger.id,
        "user_id": stranger.id,
        "username": "stranger",
        "entry_id": ids["other_entry"],
        "is_admin": "y",
        "is_suspended": "",
    }


def entry_by_number(number: int) -> Entry:
    return db.session.scalar(select(Entry).where(Entry.number == number))


def test_a_new_entry_lands_in_the_blog_of_the_url_by_the_signed_in_writer(client, auth, ids):
    auth.login("coauthor")
    response = client.post("/b/agency/write", data={**smuggled(ids), **ENTRY_FORM})
    assert response.status_code == 302
    entry = entry_by_number(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (entry.blog.slug, entry.author.username) == ("agency", "coauthor")
    assert entry_by_number(ids["other_entry"]).title == "บันทึกของคนอื่น"


def test_editing_an_entry_keeps_its_blog_and_author(client, auth, ids):
    auth.login("owner")
    assert client.post(f"/posts/{ids['entry']}/edit", data={**smuggled(ids), **ENTRY_FORM}).status_code == 302
    entry = entry_by_number(ids["entry"])
    assert (entry.title, entry.blog.slug, entry.author.username) == ("บันทึกใหม่", "agency", "author")


def test_a_members_comment_is_theirs_whatever_the_form_claims(client, auth, ids):
    auth.login("member")
    form = {**smuggled(ids), "body": "ความเห็นของสมาชิก", "guest_name": "stranger", "guest_email": "s@example.org"}
    assert client.post(f"/posts/{ids['entry']}/comments", data=form).status_code == 302
    comment = db.session.scalar(select(Comment).where(Comment.body_text == "ความเห็นของสมาชิก"))
    assert (comment.author.username, comment.guest_name, comment.entry.number) == ("member", None, ids["entry"])
    assert db.session.scalar(select(Entry.comment_count).where(Entry.number == ids["other_entry"])) == 1


def test_blog_settings_cannot_move_the_blog_to_another_owner_or_slug(client, auth, ids):
    auth.login("owner")
    assert client.post("/b/agency/edit", data={**smuggled(ids), **BLOG_FORM}).status_code == 302
    blog = db.session.scalar(select(Blog).where(Blog.title == BLOG_FORM["title"]))
    assert (blog.slug, blog.owner.username) == ("agency", "owner")
    assert db.session.get(BlogAuthor, (blog.id, smuggled(ids)["user_id"])) is None


def test_station_settings_cannot_hand_the_station_over(client, auth, ids):
    auth.login("station_owner")
    link_count = db.session.scalar(select(func.count()).select_from(StationBlog))
    assert client.post(f"/c/{STATION}/edit", data={**smuggled(ids), **STATION_FORM}).status_code == 302
    station = db.session.scalar(select(Station).where(Station.name == STATION_FORM["name"]))
    assert (station.slug, station.owner.username) == (STATION, "station_owner")
    assert db.session.scalar(select(func.count()).select_from(StationBlog)) == link_count
    stranger_id = smuggled(ids)["user_id"]
    assert db.session.get(StationMember, (station.id, stranger_id)) is None


def test_the_profile_form_changes_only_the_profile(client, auth, ids):
    auth.login("member")
    form = {**smuggled(ids), "display_name": "ชื่อใหม่", "affiliation": "", "bio": ""}
    assert client.post("/account/profile", data=form).status_code == 302
    member = db.session.scalar(select(User).where(User.display_name == "ชื่อใหม่"))
    assert (member.username, member.is_admin, member.is_suspended) == ("member", False, False)
    stranger = db.session.scalar(select(User).where(User.username == "stranger"))
    assert stranger.display_name == "คุณstranger"

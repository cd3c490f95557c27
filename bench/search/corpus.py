"""A synthetic Thai corpus for the search benchmark, loaded straight into a fresh Sala database.

Entries are written from this module's own Thai sentence templates and PyThaiNLP's word list (words_th.txt,
drawn with Zipf-like weights so some words are common and most are rare), with English acronyms (KM, CoP, KV,
KA, R2R, PMQA), Thai and Arabic digits, Buddhist-Era years, hyphenated station names, tags from a fixed
vocabulary, and comments (some hidden, some by guests), spread over authors, blogs, stations and twenty years.
Everything is derived from the seed, so the same arguments give the same corpus.

Loading uses SQLAlchemy Core bulk inserts into a database built by the real migrations (no web forms, no
services), which is why a search index must be rebuilt afterwards. body_html is generated together with the
Markdown from the same blocks, exactly as app.text.markdown.render_markdown renders them (checked on a sample
each run; `--render-markdown` renders every entry with it instead, at about 6 ms an entry).

Run alone to build and inspect a corpus:
    .venv/bin/python bench/search/corpus.py --entries 2000 --out /tmp/sala-corpus
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import shutil
import string
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    Blog,
    Comment,
    Counter,
    Entry,
    Station,
    StationBlog,
    StationMember,
    Tag,
    User,
    entry_tags,
)
from app.text.markdown import html_to_text, render_comment, render_markdown  # noqa: E402
from app.text.tags import normalize_tag  # noqa: E402

# --- vocabulary (written for this benchmark) -------------------------------------------------------------------

PROVINCES = [
    "ชุมพร",
    "ขอนแก่น",
    "กาฬสินธุ์",
    "เชียงใหม่",
    "สงขลา",
    "นครศรีธรรมราช",
    "อุบลราชธานี",
    "พิษณุโลก",
    "นครราชสีมา",
    "สุราษฎร์ธานี",
    "ลำปาง",
    "มหาสารคาม",
    "ร้อยเอ็ด",
    "ตรัง",
    "น่าน",
    "ยโสธร",
]
ORGS = [
    "โรงพยาบาล{p}",
    "สำนักงานสาธารณสุขจังหวัด{p}",
    "โรงเรียนบ้าน{w}",
    "มหาวิทยาลัย{p}",
    "ศาลากลางจังหวัด{p}",
    "องค์การบริหารส่วนตำบล{w}",
    "ห้องสมุดประชาชน{p}",
    "สำนักงานเกษตรอำเภอ{w}",
    "วิทยาลัยพยาบาล{p}",
]
TOPICS = [
    "การจัดการความรู้",
    "ชุมชนนักปฏิบัติ",
    "แลกเปลี่ยนเรียนรู้",
    "ถอดบทเรียน",
    "การเล่าเรื่องเร้าพลัง",
    "ภูมิปัญญาท้องถิ่น",
    "การพัฒนาคุณภาพ",
    "การวิจัยจากงานประจำ",
    "ตลาดนัดความรู้",
    "ขุมความรู้",
    "การเรียนรู้ร่วมกัน",
    "เกษตรอินทรีย์",
    "การดูแลผู้ป่วยเบาหวาน",
    "การอ่านของเด็ก",
    "ธนาคารความรู้",
]
ROLES = ["คุณอำนวย", "คุณกิจ", "คุณเอื้อ", "คุณลิขิต", "คุณประสาน"]
ACRONYMS = ["KM", "CoP", "R2R", "KV", "KA", "PMQA"]
NAMES = ["Chumphon-KM-Station", "KKU-KM", "Nan-CoP", "R2R-Siriraj", "PMQA-2549", "Songkhla-Learning-Hub"]
VERBS = [
    "เล่าให้ฟังว่า",
    "ได้ร่วมกัน",
    "ชวนกันคิดเรื่อง",
    "สรุปบทเรียนเรื่อง",
    "ทดลองทำ",
    "ตั้งใจจะพัฒนา",
    "เขียนบันทึกเรื่อง",
    "นำเสนอผลงานเรื่อง",
    "ลงพื้นที่ไปดู",
    "แลกเปลี่ยนประสบการณ์เรื่อง",
]
CONNECTORS = ["และ", "แต่", "เพราะ", "จึง", "ทำให้", "โดยเฉพาะ", "ซึ่ง", "หลังจากนั้น", "ในที่สุด"]

SENTENCES = [
    "วันนี้{role}ของ{org}{verb}{topic}กับทีม {acr} อีก {n} คน",
    "เมื่อวันที่ {date} ทีมงานจากจังหวัด{p}ได้ร่วมประชุมที่{org}{conn}{w}{w}",
    "ในปี {year} เราเริ่มทำ{topic}อย่างจริงจังโดยใช้เครื่องมือ {acr} {conn}{w}{w}{w}",
    "{role}บอกว่า{topic}ไม่ใช่เรื่องยาก{conn}ต้องเริ่มจาก{w}{w}ของแต่ละคน",
    "ผมได้เรียนรู้ว่า{w}{w}{conn}{w}{w}{w}",
    "ชุมชน {name} มีสมาชิก {n} คนที่สนใจ{topic}และ{w}{w}",
    "การประชุมครั้งที่ {n} ของ{org}{verb}{w}{w}{conn}{w}",
    "ทีม {acr} ของเรามีเป้าหมาย {n} ข้อ คือ{w}{w} {w}{w} และ{w}{w}",
    "หลายคนถามว่า{topic}ต่างจาก{w}{w}อย่างไร{conn}{role}ก็ตอบว่า{w}{w}{w}",
    "ข้อมูลปี {year} แสดงว่า{w}{w}เพิ่มขึ้นร้อยละ {n} {conn}{w}{w}",
    "{w}{w}{w}{conn}{w}{w}{w}{w}",
    "เราใช้ {acr} ร่วมกับ {acr} เพื่อ{w}{w}ใน{org}",
    "บันทึกนี้เขียนไว้เพื่อแลกเปลี่ยนเรียนรู้กับเพื่อนๆ ที่ทำ{topic}ในจังหวัด{p}",
    "{role}และ{role}ช่วยกัน{w}{w}ตั้งแต่ปี {year} จนถึงปี {year}",
    "ลปรร. ครั้งนี้มีคนมาร่วม {n} คนจาก {n} หน่วยงาน{conn}{w}{w}",
    "ขอบคุณ{org}ที่ให้โอกาส{w}{w}{w}",
]
TITLES = [
    "{topic}ที่{org} ครั้งที่ {n}",
    "บันทึก {acr}: {w}{w}",
    "{role}กับ{topic}",
    "ถอดบทเรียน{w}{w}จากจังหวัด{p}",
    "{topic} ปี {year}",
    "เรื่องเล่าจาก {name}",
    "{w}{w}{w}",
]
COMMENTS = [
    "ขอบคุณมากครับ ได้ความรู้เรื่อง{topic}เพิ่มขึ้นเยอะ",
    "ที่{org}ก็ทำ {acr} เหมือนกันค่ะ {w}{w}",
    "เห็นด้วยกับ{role}ครับ {w}{w}{w}",
    "อยากให้เล่าเรื่อง{w}{w}ต่ออีกครับ",
    "ชอบบันทึกนี้มาก {w}{w}{conn}{w}{w}",
]
HEADINGS = ["ที่มา", "สิ่งที่ได้เรียนรู้", "ขั้นตอน{topic}", "ข้อเสนอแนะ", "บทเรียนจาก{p}", "{acr} ในงานประจำ", "สรุป"]

TAGS = [
    "การจัดการความรู้",
    "KM",
    "CoP",
    "ชุมชนนักปฏิบัติ",
    "แลกเปลี่ยนเรียนรู้",
    "ถอดบทเรียน",
    "R2R",
    "PMQA",
    "KV",
    "KA",
    "คุณอำนวย",
    "คุณกิจ",
    "เล่าเรื่อง",
    "ภูมิปัญญาท้องถิ่น",
    "เกษตรอินทรีย์",
    "การศึกษา",
    "สาธารณสุข",
    "โรงพยาบาล",
    "โรงเรียน",
    "ห้องสมุด",
    "มหาวิทยาลัย",
    "วิจัย",
    "พัฒนาคุณภาพ",
    "เบาหวาน",
    "การอ่าน",
    "บันทึกประจำวัน",
    "ชุมพร",
    "ขอนแก่น",
    "กาฬสินธุ์",
    "เชียงใหม่",
    "สงขลา",
    "น่าน",
    "ตลาดนัดความรู้",
    "ขุมความรู้",
    "ธนาคารความรู้",
    "อบต",
    "ครู",
    "พยาบาล",
    "ชาวนา",
    "ผู้สูงอายุ",
]
STATIONS = [
    ("Chumphon-KM-Station", "ชุมชนคนทำ KM ชุมพร"),
    ("KKU-KM", "ชุมชน KM มหาวิทยาลัยขอนแก่น"),
    ("Nan-CoP", "ชุมชนนักปฏิบัติเมืองน่าน"),
    ("R2R-Network", "เครือข่าย R2R"),
    ("PMQA-Club", "ชมรม PMQA"),
    ("Songkhla-Learning-Hub", "ศูนย์เรียนรู้สงขลา"),
    ("Kalasin-KM", "KM กาฬสินธุ์"),
    ("Organic-Farmers", "เครือข่ายเกษตรอินทรีย์"),
    ("Library-Lovers", "คนรักห้องสมุด"),
    ("Diabetes-Care", "ชุมชนดูแลเบาหวาน"),
    ("Teachers-CoP", "ชุมชนครูเพื่อศิษย์"),
    ("Nurses-KM", "พยาบาลนักจัดการความรู้"),
    ("Elderly-Care", "ดูแลผู้สูงอายุ"),
    ("Lampang-CoP", "CoP ลำปาง"),
    ("Ubon-KM", "KM อุบล"),
    ("Trang-Story", "เล่าเรื่องเมืองตรัง"),
    ("Research-Routine", "วิจัยจากงานประจำ"),
    ("Reading-Kids", "ส่งเสริมการอ่านของเด็ก"),
    ("Local-Wisdom", "ภูมิปัญญาท้องถิ่น"),
    ("KM-Thailand", "KM ประเทศไทย"),
]
FIRST_NAMES = [
    "สมชาย",
    "สมศรี",
    "วิไล",
    "ประยูร",
    "มาลี",
    "สุดา",
    "ธีระ",
    "อรุณ",
    "กมล",
    "นภา",
    "ปราณี",
    "วันชัย",
    "สุรพล",
    "จันทร์เพ็ญ",
    "บุญมี",
    "ศิริพร",
    "เกษม",
    "พรทิพย์",
    "ชาญ",
    "อำไพ",
]
SURNAME_ENDINGS = ["วงศ์", "สกุล", "ทอง", "ศรี", "พันธ์", "ชัย"]
BLOG_PREFIXES = ["km", "cop", "r2r", "note", "learn"]
BLOG_PLACES = ["chumphon", "kku", "nan", "trang", "ubon", "bkk"]
DATE_FROM = datetime(2005, 1, 1, tzinfo=UTC)
DATE_TO = datetime(2025, 12, 31, tzinfo=UTC)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def word_list() -> list[str]:
    """PyThaiNLP's Thai word list (a bench-only dependency: bench/requirements.txt)."""
    import pythainlp

    path = Path(pythainlp.__file__).parent / "corpus" / "words_th.txt"
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()]
    # Single words only: the list also holds phrases with spaces, which would look like segmentation hints.
    return sorted(w for w in words if w and " " not in w and "." not in w)


@dataclass
class EntrySpec:
    number: int
    blog_index: int
    title: str
    body_markdown: str
    body_html: str
    tags: list[str]
    published_at: datetime
    draft: bool
    comments: list[tuple[str, bool, bool]] = field(default_factory=list)  # (text, hidden, by guest)


class ThaiText:
    """Sentences from the templates above, with filler words drawn from the word list by Zipf-like weights.

    Each entry has a theme (`new_theme`): maybe a province, a topic or two, a role, acronyms, a station name.
    Templates that need something the theme lacks are not used, so the domain words occur in a realistic
    share of the entries (a province in a few percent, ความรู้ in about a third) rather than in all of them;
    the rest of the text is generic filler from the word list.
    """

    def __init__(self, seed: int) -> None:
        words = word_list()
        random.Random(seed).shuffle(words)
        self.words = words
        self.cum_weights = _zipf(len(words), 20)
        self.rng = random.Random(seed)
        self.theme: dict[str, list[str]] = {}
        self.new_theme()

    def reseed(self, seed: int) -> None:
        self.rng.seed(seed)
        self.new_theme()

    def new_theme(self) -> None:
        rng = self.rng

        def some(items: list[str], chance: float, most: int, offset: int) -> list[str]:
            if rng.random() >= chance:
                return []
            return sorted(set(rng.choices(items, cum_weights=_zipf(len(items), offset), k=rng.randint(1, most))))

        self.theme = {
            "p": some(PROVINCES, 0.25, 1, 3),
            "topic": some(TOPICS, 0.5, 2, 2),
            "role": some(ROLES, 0.25, 2, 1),
            "acr": some(ACRONYMS, 0.35, 2, 1),
            "name": some(NAMES, 0.05, 1, 1),
            "org": some(ORGS, 0.35, 1, 2),
        }

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=k)

    def _year(self) -> str:
        year = str(self.rng.randint(2540, 2568))
        return year.translate(THAI_DIGITS) if self.rng.random() < 0.4 else year

    def _number(self) -> str:
        n = str(self.rng.randint(2, 120))
        return n.translate(THAI_DIGITS) if self.rng.random() < 0.2 else n

    def _usable(self, template: str) -> bool:
        return all(self.theme[slot] for slot in _SLOTS[template])

    def fill(self, template: str) -> str:
        rng = self.rng
        pool = iter(self._words(template.count("{w}") + 2))
        out = []
        for literal, name, _, _ in _FORMATTER.parse(template):
            out.append(literal)
            if name is None:
                continue
            if name == "w":
                out.append(next(pool))
            elif name == "org":
                out.append(self.fill(rng.choice(self.theme["org"])))
            elif name in self.theme:
                # Only "p" can be missing here (inside an organisation's name): a made-up place then.
                out.append(rng.choice(self.theme[name]) if self.theme[name] else next(pool))
            elif name == "verb":
                out.append(rng.choice(VERBS))
            elif name == "conn":
                out.append(rng.choice(CONNECTORS))
            elif name == "n":
                out.append(self._number())
            elif name == "year":
                out.append(self._year())
            elif name == "date":
                out.append(f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{self._year()}")
        return "".join(out)

    def generic(self) -> str:
        """A sentence of filler words: clauses of 2-4 words written together, joined by connectors or spaces."""
        rng = self.rng
        clauses = ["".join(self._words(rng.randint(2, 4))) for _ in range(rng.randint(2, 4))]
        out = clauses[0]
        for clause in clauses[1:]:
            roll = rng.random()
            joint = rng.choice(CONNECTORS) if roll < 0.5 else f" {self._number()} " if roll < 0.6 else " "
            out += joint + clause
        return out

    def _pick(self, templates: list[str], generic_share: float) -> str:
        usable = [t for t in templates if self._usable(t)]
        if not usable or self.rng.random() < generic_share:
            return self.generic()
        return self.fill(self.rng.choice(usable))

    def sentence(self) -> str:
        return self._pick(SENTENCES, 0.55)

    def title(self) -> str:
        return self._pick(TITLES, 0.2)[:200]

    def comment(self) -> str:
        return self._pick(COMMENTS, 0.3)


def _zipf(n: int, offset: int) -> list[float]:
    """Cumulative weights 1/(rank + offset): the first items common, the rest rare."""
    return list(itertools.accumulate(1.0 / (rank + offset) for rank in range(n)))


_FORMATTER = string.Formatter()
_SLOTS = {
    t: {name for _, name, _, _ in _FORMATTER.parse(t) if name in ("p", "topic", "role", "acr", "name", "org")}
    for t in SENTENCES + TITLES + COMMENTS + HEADINGS
}


def body(text: ThaiText, target: int, limit: int = 3000) -> tuple[str, str]:
    """Markdown and its HTML (as render_markdown makes it), `target` to `limit` characters of Markdown."""
    rng = text.rng
    md: list[str] = []
    html: list[str] = []
    length = -2
    while length < target:
        roll = rng.random()
        if roll < 0.08 and md:
            heading = text._pick(HEADINGS, 0.0)
            block_md, block_html = f"## {heading}", f"<h2>{heading}</h2>"
        elif roll < 0.16 and not (md and md[-1].startswith("- ")):  # adjacent lists would merge into one
            items = [text.sentence() for _ in range(rng.randint(2, 4))]
            block_md = "\n".join(f"- {item}" for item in items)
            block_html = "<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>"
        else:
            sentences = [text.sentence() for _ in range(rng.randint(2, 5))]
            if rng.random() < 0.3:
                k = rng.randrange(len(sentences))
                sentences[k] = f"**{sentences[k]}**"
            block_md = " ".join(sentences)
            block_html = "<p>" + _strong(block_md) + "</p>"
        if md and length + 2 + len(block_md) > limit:
            break
        md.append(block_md)
        html.append(block_html)
        length += 2 + len(block_md)
    return "\n\n".join(md), "\n".join(html)


def _strong(paragraph: str) -> str:
    parts = paragraph.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def generate(count: int, seed: int, n_blogs: int, start_number: int = 1) -> Iterator[EntrySpec]:
    """`count` entries; entry i depends only on (seed, i), so any slice can be regenerated alone."""
    text = ThaiText(seed)
    blog_weights = list(itertools.accumulate(1.0 / (r + 3) for r in range(n_blogs)))
    tag_weights = list(itertools.accumulate(1.0 / (r + 2) for r in range(len(TAGS))))
    span = (DATE_TO - DATE_FROM).total_seconds()
    for i in range(count):
        text.reseed(seed * 1_000_003 + start_number + i)
        rng = text.rng
        markdown, html = body(text, rng.randint(300, 2700))
        tags = sorted({t for t in rng.choices(TAGS, cum_weights=tag_weights, k=rng.randint(0, 5))})
        comments = [
            (text.comment(), rng.random() < 0.05, rng.random() < 0.3) for _ in range(rng.choice((0, 0, 0, 1, 2, 4)))
        ]
        yield EntrySpec(
            number=start_number + i,
            blog_index=bisect.bisect_left(blog_weights, rng.random() * blog_weights[-1]),
            title=text.title(),
            body_markdown=markdown,
            body_html=html,
            tags=tags,
            published_at=DATE_FROM + timedelta(seconds=int(rng.random() * span)),
            draft=rng.random() < 0.03,
            comments=comments,
        )


# --- loading ---------------------------------------------------------------------------------------------------


# Settings over the defaults below (run.py --backend postgres puts a PostgreSQL database and backend here).
APP_SETTINGS: dict[str, str] = {}


def open_app(workdir: Path) -> Flask:
    """A Sala app on the database and index directory inside `workdir` (or those of APP_SETTINGS)."""
    return create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'sala.db'}",
            "SEARCH_INDEX_DIR": str(workdir / "index"),
            "UPLOAD_DIR": str(workdir / "uploads"),
            **APP_SETTINGS,
        },
    )


def make_app(workdir: Path) -> Flask:
    """A Sala app on a fresh database (built by the migrations) and index directory inside `workdir`."""
    from flask_migrate import upgrade

    workdir.mkdir(parents=True, exist_ok=True)
    app = open_app(workdir)
    with app.app_context():
        upgrade()
    return app


@dataclass
class Layout:
    """Ids of the people, blogs and stations the entries are spread over."""

    users: list[int]
    blogs: list[tuple[int, str, int]]  # (id, slug, owner id)
    stations: list[str]
    blog_stations: dict[str, list[str]]  # blog slug -> accepted station slugs


def layout_from_db() -> Layout:
    """The Layout of a corpus already in the database (blogs in id order, as `load_people` made them)."""
    users = list(db.session.scalars(db.select(User.id).order_by(User.id)))
    rows = db.session.execute(db.select(Blog.id, Blog.slug, Blog.owner_id).order_by(Blog.id))
    blogs = [(b.id, b.slug, b.owner_id) for b in rows]
    links = db.session.execute(
        db.select(Blog.slug, Station.slug)
        .join(StationBlog, StationBlog.blog_id == Blog.id)
        .join(Station, Station.id == StationBlog.station_id)
    )
    blog_stations: dict[str, list[str]] = {}
    for blog_slug, station_slug in links:
        blog_stations.setdefault(blog_slug, []).append(station_slug)
    return Layout(users, blogs, [s for s, _ in STATIONS], blog_stations)


def load_people(seed: int, n_authors: int, n_blogs: int) -> Layout:
    """Users, blogs, stations and accepted station memberships, in bulk; a few authors are suspended."""
    from werkzeug.security import generate_password_hash

    rng = random.Random(seed)
    now = datetime.now(UTC)
    password = generate_password_hash("password123", method="pbkdf2:sha256:1000")
    users = [
        {
            "username": f"author{i:04d}",
            "username_key": f"author{i:04d}",
            "email": f"author{i:04d}@example.org",
            "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(FIRST_NAMES)}{rng.choice(SURNAME_ENDINGS)}",
            "affiliation": "",
            "bio": "",
            "password_hash": password,
            "is_admin": False,
            "is_suspended": rng.random() < 0.01,
            "session_version": 1,
            "created_at": now,
        }
        for i in range(n_authors)
    ]
    db.session.execute(insert(User), users)
    user_ids = list(db.session.scalars(db.select(User.id).order_by(User.id)))
    blogs = []
    for i in range(n_blogs):
        slug = f"{rng.choice(BLOG_PREFIXES)}-{rng.choice(BLOG_PLACES)}-{i}"
        title = f"บันทึก{rng.choice(TOPICS)}" if rng.random() < 0.4 else f"บล็อก{rng.choice(FIRST_NAMES)}"
        blogs.append(
            {
                "slug": slug,
                "slug_key": slug.lower(),
                "title": title,
                "description": "",
                "owner_id": user_ids[i % len(user_ids)],
                "allow_guest_comments": True,
                "created_at": now,
            }
        )
    db.session.execute(insert(Blog), blogs)
    rows = db.session.execute(db.select(Blog.id, Blog.slug, Blog.owner_id).order_by(Blog.id))
    blog_rows = [(b.id, b.slug, b.owner_id) for b in rows]
    stations = [
        {
            "slug": slug,
            "slug_key": slug.lower(),
            "name": name,
            "description": "",
            "join_policy": "open",
            "owner_id": user_ids[k],
            "created_at": now,
        }
        for k, (slug, name) in enumerate(STATIONS)
    ]
    db.session.execute(insert(Station), stations)
    station_ids = dict(db.session.execute(db.select(Station.slug, Station.id)).all())
    db.session.execute(
        insert(StationMember),
        [
            {
                "station_id": station_ids[s["slug"]],
                "user_id": s["owner_id"],
                "role": "owner",
                "status": "active",
                "created_at": now,
            }
            for s in stations
        ],
    )
    links = []
    blog_stations: dict[str, list[str]] = {}
    for blog_id, slug, _owner in blog_rows:
        chosen = rng.sample(STATIONS, rng.choice((0, 1, 1, 2)))
        blog_stations[slug] = [s for s, _ in chosen]
        links += [
            {
                "station_id": station_ids[s],
                "blog_id": blog_id,
                "status": "accepted",
                "submitted_by_id": None,
                "created_at": now,
                "decided_at": now,
            }
            for s, _ in chosen
        ]
    if links:
        db.session.execute(insert(StationBlog), links)
    db.session.commit()
    return Layout(user_ids, blog_rows, [s for s, _ in STATIONS], blog_stations)


def load_entries(
    layout: Layout,
    count: int,
    seed: int,
    *,
    batch: int = 2000,
    render: bool = False,
    start_number: int = 1,
    progress: bool = False,
) -> int:
    """Insert `count` generated entries with their tags and comments; returns the highest number used."""
    names = sorted({normalize_tag(t) for t in TAGS})
    db.session.execute(insert(Tag), [{"name": n} for n in names])
    tag_ids = dict(db.session.execute(db.select(Tag.name, Tag.id)).all())
    normalized = {t: normalize_tag(t) for t in TAGS}
    user_ids = layout.users
    specs = generate(count, seed, len(layout.blogs), start_number)
    highest = start_number - 1
    started = time.perf_counter()
    done = 0
    while chunk := list(itertools.islice(specs, batch)):
        rows = []
        for spec in chunk:
            blog_id, _slug, owner_id = layout.blogs[spec.blog_index]
            body_html = render_markdown(spec.body_markdown) if render else spec.body_html
            rows.append(
                {
                    "number": spec.number,
                    "blog_id": blog_id,
                    "author_id": owner_id,
                    "title": spec.title,
                    "body_markdown": spec.body_markdown,
                    "body_html": body_html,
                    "body_text": html_to_text(body_html),  # what Entry's body_html validator keeps
                    "license": "cc-by",
                    "status": STATUS_DRAFT if spec.draft else STATUS_PUBLISHED,
                    "comments_enabled": True,
                    "comment_count": sum(1 for c in spec.comments if not c[1]),
                    "read_count": 0,
                    "created_at": spec.published_at,
                    "updated_at": spec.published_at,
                    "published_at": None if spec.draft else spec.published_at,
                    "import_key": None,
                }
            )
        db.session.execute(insert(Entry), rows)
        ids = dict(
            db.session.execute(
                db.select(Entry.number, Entry.id).where(Entry.number.between(chunk[0].number, chunk[-1].number))
            ).all()
        )
        links = [{"entry_id": ids[s.number], "tag_id": tag_ids[normalized[t]]} for s in chunk for t in s.tags]
        if links:
            db.session.execute(insert(entry_tags), links)
        comments = []
        for spec in chunk:
            for k, (text, hidden, guest) in enumerate(spec.comments):
                comments.append(
                    {
                        "entry_id": ids[spec.number],
                        "author_id": None if guest else user_ids[(spec.number + k) % len(user_ids)],
                        "guest_name": "ผู้มาเยือน" if guest else None,
                        "guest_email": f"guest{spec.number}@example.org" if guest else None,
                        "body_text": text,
                        "body_html": f"<p>{text}</p>",
                        "ip_address": "192.0.2.10" if guest else None,
                        "is_hidden": hidden,
                        "created_at": spec.published_at + timedelta(hours=k + 1),
                    }
                )
        if comments:
            db.session.execute(insert(Comment), comments)
        db.session.commit()
        highest = chunk[-1].number
        done += len(chunk)
        if progress:
            rate = done / (time.perf_counter() - started)
            print(f"  loaded {done:,}/{count:,} entries ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    _set_counter(highest)
    return highest


def _set_counter(highest: int) -> None:
    """Move the public-number counter past the loaded entries so create_entry numbers new ones after them."""
    counter = db.session.get(Counter, "entry_number")
    if counter is None:
        db.session.add(Counter(name="entry_number", value=highest))
    else:
        counter.value = max(counter.value, highest)
    db.session.commit()


def check_html(seed: int, n_blogs: int, sample: int = 30) -> int:
    """Compare generated body_html with render_markdown on a sample; returns the number that differ."""
    bad = 0
    for spec in generate(sample, seed, n_blogs):
        if render_markdown(spec.body_markdown) != spec.body_html:
            bad += 1
        for text, _, _ in spec.comments:
            if render_comment(text) != f"<p>{text}</p>":
                bad += 1
    return bad


def build(
    workdir: Path,
    entries: int,
    seed: int = 2549,
    *,
    authors: int | None = None,
    blogs: int | None = None,
    render: bool = False,
    progress: bool = False,
) -> tuple[Flask, Layout, dict[str, float]]:
    """Create the app and database in `workdir` and load the corpus; returns timings in seconds."""
    authors = authors or max(20, entries // 200)
    blogs = blogs or max(30, entries // 120)
    timings = {}
    started = time.perf_counter()
    app = make_app(workdir)
    timings["migrate"] = time.perf_counter() - started
    with app.app_context():
        mismatches = check_html(seed, blogs)
        if mismatches:
            raise SystemExit(f"generated body_html differs from render_markdown in {mismatches} sampled entries")
        started = time.perf_counter()
        layout = load_people(seed, authors, blogs)
        load_entries(layout, entries, seed, render=render, progress=progress)
        timings["load"] = time.perf_counter() - started
    return app, layout, timings


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a synthetic Thai Sala database.")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2549)
    parser.add_argument("--out", type=Path, required=True, help="directory for sala.db (replaced)")
    parser.add_argument("--render-markdown", action="store_true", help="render every body with render_markdown")
    parser.add_argument("--sample", type=int, default=0, help="print this many generated entries and exit")
    args = parser.parse_args()
    if args.sample:
        for spec in generate(args.sample, args.seed, 50):
            print(f"# {spec.number} {spec.title}  [{', '.join(spec.tags)}] {spec.published_at:%Y-%m-%d}")
            print(spec.body_markdown, "\n")
        return
    if args.out.exists():
        shutil.rmtree(args.out)
    _app, _layout, timings = build(args.out, args.entries, args.seed, render=args.render_markdown, progress=True)
    size = (args.out / "sala.db").stat().st_size / 1024 / 1024
    print(
        f"{args.entries:,} entries in {timings['load']:.1f} s "
        f"({args.entries / timings['load']:,.0f}/s); database {size:.1f} MiB at {args.out / 'sala.db'}"
    )


if __name__ == "__main__":
    main()

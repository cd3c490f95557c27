"""A Thai test corpus with substring truth, for measuring search recall and precision per query kind.

Entries are written from word lists and sentence templates in the style of Thai agencies' KM notes (workshops,
ขุมความรู้, CoP, KM indicators, health, agriculture, schools), with Thai/English acronyms, Thai digits and
Buddhist-Era years; the same seed always gives the same entries and queries. None of it comes from the seed
pages (../shared/seeds).

Truth is the text itself: an entry is relevant to a query iff one section of its search document (title,
tags, names, body, comments: app.search.documents) contains the query, both normalised as the analyzer
normalises (NFC, zero-width characters dropped, Thai digits folded) and lower-cased. Where the query begins or
ends with a Latin letter or digit, the text beside the match must not be one (a query for KM does not find
KMUTT, 2567 does not find 25678): Latin words and numbers are searched as words. Quotes around a query only
make it one phrase for the parser; the truth is the text inside them.

Used by tests/search/test_recall.py and bench/search/recall.py.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.search.analyzer import prepare

SEED = 2567
ENTRIES = 240
QUERIES_PER_KIND = 50
# The kinds of query the target (recall and precision >= 0.995) is for, and "all" of them together.
KINDS = ("whole words", "inside compounds", "across boundaries", "acronyms", "digits and years", "mixed")
# Measured, not a target: stretches cut at any letter (มดันโลหิ), which no reader types; alternatives of many
# more pieces than the query's own are left out for speed (app.search.substring.EXTRA_PIECES).
EXTRA_KINDS = ("any stretch",)


def _words(text: str) -> list[str]:
    return text.split()


PROVINCES = _words(
    "ชุมพร กาฬสินธุ์ ขอนแก่น นครศรีธรรมราช แม่ฮ่องสอน อุบลราชธานี สุราษฎร์ธานี ร้อยเอ็ด ลำปาง พัทลุง "
    "ศรีสะเกษ น่าน ตรัง สกลนคร เพชรบูรณ์ ฉะเชิงเทรา"
)
PEOPLE = _words(
    "สมศรี บุญมี วิไลวรรณ ประเสริฐ จันทร์เพ็ญ ทองใบ สุภาพร ณัฐวุฒิ กิตติพงษ์ อรุณี พรทิพย์ เกียรติศักดิ์ ศิริลักษณ์ ธนากร ละเอียด บุญเรือน"
)
VILLAGES = _words("บ้านหนองบัว บ้านโคกสูง บ้านนาเจริญ บ้านห้วยทราย บ้านดอนแก้ว บ้านท่าข้าม บ้านป่าตึง บ้านคลองยาง")
# Words of the KM notes; many are compounds whose parts are words too (คำในคำ).
TOPICS = _words(
    "การจัดการความรู้ ขุมความรู้ องค์ความรู้ ความรู้ฝังลึก ความรู้ชัดแจ้ง ชุมชนนักปฏิบัติ ตลาดนัดความรู้ "
    "เวทีแลกเปลี่ยนเรียนรู้ การถอดบทเรียน เรื่องเล่าเร้าพลัง คุณอำนวย คุณกิจ คุณลิขิต ภูมิปัญญาท้องถิ่น "
    "โรงเรียนผู้สูงอายุ โรงพยาบาลส่งเสริมสุขภาพตำบล อาสาสมัครสาธารณสุขประจำหมู่บ้าน การดูแลผู้ป่วยเบาหวาน "
    "ความดันโลหิตสูง เกษตรอินทรีย์ เกษตรกรรุ่นใหม่ แปลงใหญ่ วิสาหกิจชุมชน ปุ๋ยหมักชีวภาพ ข้าวหอมมะลิ "
    "การเลี้ยงปลานิล นักเรียนชั้นประถม ครูพี่เลี้ยง ห้องเรียนกลับด้าน การอ่านออกเขียนได้ ห้องสมุดมีชีวิต "
    "ตัวชี้วัดความสำเร็จ แผนปฏิบัติการ การประเมินผลลัพธ์ ความรู้สึกของผู้เรียน ความพึงพอใจของผู้รับบริการ "
    "ศูนย์เรียนรู้เศรษฐกิจพอเพียง ระบบสารสนเทศ นวัตกรรมบริการ การพัฒนาคุณภาพ"
)
ACRONYMS = _words("KM CoP KPI PMQA R2R OTOP AAR BAR SAR LINE Zoom KMUTT HA PDCA SDGs")
ACTIVITIES = _words(
    "ประชุมเชิงปฏิบัติการ อบรมเชิงปฏิบัติการ ศึกษาดูงาน สัมมนาวิชาการ ลงพื้นที่ติดตาม จัดเวทีสรุปบทเรียน ประชุมทีมงาน ทบทวนหลังปฏิบัติงาน"
)
MONTHS = _words("มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม")
TAGS = _words("km cop ขุมความรู้ เกษตร สุขภาพ โรงเรียน ตัวชี้วัด ถอดบทเรียน")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

TITLE_TEMPLATES = (
    "{activity} {topic} จังหวัด{province}",
    "บันทึก{activity} ทีม {acronym} {village}",
    "ถอดบทเรียน{topic} ปี {year}",
    "สรุปผล {acronym} ครั้งที่ {number} เรื่อง{topic}",
    "{topic}กับ{topic2} ที่{village}",
)
SENTENCE_TEMPLATES = (
    "เมื่อวันที่ {day} {month} {year} ทีม{acronym}ของ{province}ได้{activity}เรื่อง{topic}ร่วมกับ{village}",
    "คุณ{person}เล่าว่า{topic}ช่วยให้{topic2}ดีขึ้นอย่างเห็นได้ชัด",
    "ผู้เข้าร่วม {number} คนแบ่งกลุ่มย่อยเพื่อแลกเปลี่ยน{topic} โดยมีคุณอำนวยชวนคุยและคุณลิขิตจดบันทึก",
    "ตัวชี้วัด {acronym} ปีงบประมาณ พ.ศ. {year} ตั้งเป้าไว้ร้อยละ {percent} และทำได้จริงร้อยละ {percent2}",
    "ทีมงานใช้เครื่องมือ {acronym} และ {acronym2} ทบทวน{activity}ทุกเดือน",
    "ความรู้ที่ได้ถูกเก็บเข้าขุมความรู้ของ{province} เพื่อให้{topic}ใช้ต่อได้",
    "{village}มีสมาชิก {number} ครัวเรือน ทำ{topic}มาตั้งแต่ปี {year_thai}",
    "โครงการ{topic}ได้รับงบประมาณ {money} บาท จาก{province}ในปี {year}",
    "ชุมชนนักปฏิบัติ ({acronym}) ครู{province}พบกันทาง{acronym2}ทุกวันพุธที่ {day}",
    "ข้อเสนอจากเวที: ควรขยาย{topic}ไปยัง{village}และ{village2} ภายในเดือน{month}",
    "คุณ{person} อสม.{village} บอกว่าความรู้สึกของผู้ป่วยสำคัญพอๆกับ{topic}",
    "ครั้งที่ {number_thai} ของ{activity} มีคุณ{person}และคุณ{person2}เป็นวิทยากร ที่{province}",
    "รพ.สต.{village}ร่วมกับโรงเรียน{village2}จัดกิจกรรม{topic}ให้นักเรียนและผู้ปกครอง",
    "เกษตรกร{village}ใช้{topic}ลดต้นทุนได้ {percent} เปอร์เซ็นต์ เทียบกับปี {year_thai}",
)
COMMENT_TEMPLATES = (
    "ขอบคุณที่แบ่งปันเรื่อง{topic}ครับ",
    "อยากให้ทีม{acronym}{province}มาเล่าอีกค่ะ",
    "ที่{village}ก็ทำ{topic}อยู่ แต่ยังไม่มี{acronym}",
)


@dataclass
class CorpusEntry:
    title: str
    body: str
    tags: list[str]
    comments: list[str] = field(default_factory=list)


@dataclass
class Query:
    kind: str
    text: str  # as a reader types it (a phrase with spaces is quoted)


def _values(rng: random.Random) -> dict[str, str]:
    year = rng.randint(2545, 2569)
    return {
        "province": rng.choice(PROVINCES),
        "person": rng.choice(PEOPLE),
        "person2": rng.choice(PEOPLE),
        "village": rng.choice(VILLAGES),
        "village2": rng.choice(VILLAGES),
        "topic": rng.choice(TOPICS),
        "topic2": rng.choice(TOPICS),
        "acronym": rng.choice(ACRONYMS),
        "acronym2": rng.choice(ACRONYMS),
        "activity": rng.choice(ACTIVITIES),
        "month": rng.choice(MONTHS),
        "day": str(rng.randint(1, 28)),
        "year": str(year),
        "year_thai": str(year).translate(THAI_DIGITS),
        "number": str(rng.randint(2, 120)),
        "number_thai": str(rng.randint(2, 40)).translate(THAI_DIGITS),
        "percent": str(rng.randint(40, 99)),
        "percent2": str(rng.randint(40, 99)),
        "money": f"{rng.randint(1, 900) * 1000:,}",
    }


def _fill(template: str, rng: random.Random) -> str:
    return template.format(**_values(rng))


def entries(seed: int = SEED, count: int = ENTRIES) -> list[CorpusEntry]:
    """The corpus: `count` entries of a title, a body of 4-12 sentences in 1-3 paragraphs, tags and comments."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        sentences = [_fill(rng.choice(SENTENCE_TEMPLATES), rng) for _ in range(rng.randint(4, 12))]
        cut = sorted(rng.sample(range(1, len(sentences)), k=min(2, len(sentences) - 1)))
        parts = (sentences[: cut[0]], sentences[cut[0] : cut[-1]], sentences[cut[-1] :])
        paragraphs = [" ".join(part) for part in parts]
        made.append(
            CorpusEntry(
                title=_fill(rng.choice(TITLE_TEMPLATES), rng),
                body="\n\n".join(p for p in paragraphs if p),
                tags=rng.sample(TAGS, k=rng.randint(0, 3)),
                comments=[_fill(rng.choice(COMMENT_TEMPLATES), rng) for _ in range(rng.randint(0, 2))],
            )
        )
    return made


_LATIN = re.compile(r"[0-9a-z\u00c0-\u024f]")
# Vowel signs and tone marks written above, below or after a letter: a query does not start with one.
_MARKS = frozenset(chr(c) for c in (*range(0x0E31, 0x0E3B), *range(0x0E47, 0x0E4F)) if c != 0x0E32)
_LEADING_VOWELS = frozenset("เแโใไ")
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]{6,}")


# What the analyzer indexes (app.search.analyzer): Thai letters and marks, Latin letters and digits, other
# letters; everything else (spaces, punctuation, ๆ ฯ) only separates.
_INDEXED = r"\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e0-9a-z\u00c0-\u024f"
_SEPARATORS = re.compile(rf"(?:[^{_INDEXED}\w]|_|[\u0e2f\u0e46])+")
_LATIN_BOTH_SIDES = re.compile(r"[0-9a-z\u00c0-\u024f]")


def _separator(match: re.Match) -> str:
    """Nothing, or one space between two Latin letters or digits (Latin words stay apart; Thai text and the
    Latin words written into it join, as the analyzer's adjacent positions join them)."""
    text, start, end = match.string, match.start(), match.end()
    between_latin = start > 0 and end < len(text)
    between_latin = between_latin and _LATIN_BOTH_SIDES.match(text[start - 1]) and _LATIN_BOTH_SIDES.match(text[end])
    return " " if between_latin else ""


def normalised(text: str) -> str:
    """Text as the truth compares it: the analyzer's normalisation, lower-cased, and separators (spaces,
    punctuation) dropped, since the analyzer indexes words and their order, not what stands between them."""
    return _SEPARATORS.sub(_separator, prepare(text).lower())


def truth_pattern(query: str) -> re.Pattern:
    """What a query's truth looks for: its text, with word edges where it begins or ends in Latin or digits."""
    needle = normalised(query.strip('"'))
    before = r"(?<![0-9a-z\u00c0-\u024f])" if _LATIN.match(needle[0]) else ""
    after = r"(?![0-9a-z\u00c0-\u024f])" if _LATIN.match(needle[-1]) else ""
    return re.compile(before + re.escape(needle) + after)


def relevant(query: str, documents: dict[int, list[str]]) -> set[int]:
    """Ids of the documents (id -> normalised sections) one of whose sections contains the query."""
    pattern = truth_pattern(query)
    return {doc_id for doc_id, sections in documents.items() if any(pattern.search(s) for s in sections)}


def _cuttable(text: str, i: int) -> bool:
    """Whether a reader's query could start or end at `i`: not before a mark or after a leading vowel."""
    if i <= 0 or i >= len(text):
        return True
    return text[i] not in _MARKS and text[i] not in "ะาำๅ" and text[i - 1] not in _LEADING_VOWELS


def _spans(texts: Iterable[str], rng: random.Random, count: int) -> list[str]:
    """`count` distinct stretches of 3-12 characters taken at random places inside Thai runs of `texts`."""
    runs = sorted({run for text in texts for run in _THAI_RUN.findall(normalised(text))})
    found: list[str] = []
    while len(found) < count:
        run = rng.choice(runs)
        start = rng.randrange(0, len(run) - 3)
        end = min(len(run), start + rng.randint(3, 12))
        if _cuttable(run, start) and _cuttable(run, end) and run[start:end] not in found:
            found.append(run[start:end])
    return found


def _chunks(template: str, rng: random.Random) -> list[str]:
    """A filled sentence template as its word-aligned chunks (slot values and the literal words between them);
    a space is a chunk of its own."""
    values = _values(rng)
    chunks: list[str] = []
    for part in re.split(r"(\{\w+\})", template):
        if part.startswith("{"):
            chunks.append(values[part[1:-1]])
        else:
            chunks.extend(piece for piece in re.split(r"( )", part) if piece)
    return chunks


def _phrases(rng: random.Random, count: int) -> list[str]:
    """`count` distinct phrases of 2-3 neighbouring chunks of Thai text written without a space: where a word
    of the template meets a filled-in word (ได้ศึกษาดูงาน, เรื่องการถอดบทเรียนกับ)."""
    found: list[str] = []
    while len(found) < count:
        chunks = _chunks(rng.choice(SENTENCE_TEMPLATES + TITLE_TEMPLATES), rng)
        width = rng.randint(2, 3)
        start = rng.randrange(0, max(1, len(chunks) - width + 1))
        window = chunks[start : start + width]
        phrase = "".join(window)
        if len(window) == width and " " not in window and THAI_ONLY.fullmatch(phrase) and phrase not in found:
            found.append(phrase)
    return found


THAI_ONLY = re.compile(r"[\u0e01-\u0e4e]+")

# Words found inside the compounds above (and inside longer words ICU keeps whole).
INNER_WORDS = _words(
    "ความรู้ เรียนรู้ เรียน ปฏิบัติ ปฏิบัติการ นักปฏิบัติ ชุมชน ตลาด แลกเปลี่ยน บทเรียน เรื่องเล่า พลัง อำนวย ลิขิต "
    "ปัญญา ท้องถิ่น ผู้สูงอายุ สูงอายุ อายุ พยาบาล สุขภาพ ตำบล สาธารณสุข หมู่บ้าน ผู้ป่วย เบาหวาน ความดัน โลหิต "
    "อินทรีย์ เกษตร รุ่นใหม่ วิสาหกิจ หมัก ชีวภาพ หอมมะลิ มะลิ ปลานิล ประถม พี่เลี้ยง กลับด้าน เขียน ห้องสมุด ชีวิต "
    "ชี้วัด สำเร็จ ประเมิน ผลลัพธ์ รู้สึก ผู้เรียน พึงพอใจ บริการ เศรษฐกิจ พอเพียง สารสนเทศ นวัตกรรม คุณภาพ ฝังลึก "
    "ชัดแจ้ง ขุม องค์ หนองบัว โคก เจริญ ทราย แก้ว ข้าม ตึง ยาง ราชธานี ธรรมราช ฮ่องสอน สินธุ์ ธานี เชิงเทรา "
    "สัมมนา วิชาการ ดูงาน พื้นที่ ติดตาม สรุป ทบทวน เชิงปฏิบัติการ ครัวเรือน งบประมาณ วิทยากร ผู้ปกครอง ต้นทุน"
)
MIXED_QUERIES = (
    '"ทีม KM" "ทีมKM" "KM ปีงบประมาณ" "ตัวชี้วัด KPI" "R2R ปีงบประมาณ" "พ.ศ. 2560" "พ.ศ. ๒๕๕๕" "ร้อยละ 80" '
    '"ร้อยละ ๙๐" "อสม.บ้าน" "รพ.สต." "รพ.สต.บ้านหนองบัว" "ทาง LINE" "ทาง Zoom" "เครื่องมือ AAR" "และ BAR" '
    '"ทีมCoP" "ทีมOTOP" "(KM)" "(CoP)" "ครั้งที่ ๑๒" "ครั้งที่ 5" "วันพุธที่ 12" "ปี 2567" "ปี ๒๕๖๐" '
    '"งบประมาณ 150,000 บาท" "KMUTT" "ทีมSDGs" "สรุปผล PDCA" "HA ครั้งที่"'
)


def queries(corpus: list[CorpusEntry], seed: int = SEED, per_kind: int = QUERIES_PER_KIND) -> list[Query]:
    """`per_kind` queries of each kind (fewer where the lists are shorter), drawn from the word lists."""
    rng = random.Random(seed + 1)
    whole = sorted(set(PROVINCES + PEOPLE + VILLAGES + TOPICS + ACTIVITIES + MONTHS))
    texts = [part for entry in corpus for part in (entry.title, entry.body, *entry.comments)]
    years = [str(y) for y in range(2545, 2570)]
    digits = rng.sample(years, 15) + [y.translate(THAI_DIGITS) for y in rng.sample(years, 15)]
    digits += [str(n) for n in rng.sample(range(2, 120), 12)] + ["๑๒", "๔๐", "๙๙", "150,000", "12,000", "๒๕๖๗"]
    kinds: dict[str, list[str]] = {
        "whole words": rng.sample(whole, min(QUERIES_PER_KIND, len(whole))),
        "inside compounds": rng.sample(INNER_WORDS, min(QUERIES_PER_KIND, len(INNER_WORDS))),
        "across boundaries": _phrases(rng, QUERIES_PER_KIND),
        "acronyms": ACRONYMS + [a.lower() for a in ACRONYMS[:6]] + ["Km", "cop", "R2", "2R", "ERA"],
        "digits and years": digits,
        "mixed": re.findall(r'"[^"]+"', MIXED_QUERIES),
        "any stretch": _spans(texts, rng, QUERIES_PER_KIND),
    }
    return [Query(kind, text) for kind in (*KINDS, *EXTRA_KINDS) for text in kinds[kind][:per_kind]]


@dataclass
class Tally:
    """Counts over the queries of one kind: hits found that are relevant, hits found, relevant entries."""

    queries: int = 0
    true_hits: int = 0
    found: int = 0
    relevant: int = 0
    worst: list[tuple[float, str, int, int]] = field(default_factory=list)  # (recall, query, missed, extra)

    @property
    def recall(self) -> float:
        return self.true_hits / self.relevant if self.relevant else 1.0

    @property
    def precision(self) -> float:
        return self.true_hits / self.found if self.found else 1.0


def score(
    query_set: list[Query], documents: dict[int, list[str]], search: Callable[[str], set[int]]
) -> dict[str, Tally]:
    """Recall and precision per kind (micro-averaged over the kind's (query, entry) pairs), and in "all" the
    target kinds together."""
    tallies = {kind: Tally() for kind in (*KINDS, "all", *EXTRA_KINDS)}
    for query in query_set:
        truth = relevant(query.text, documents)
        got = search(query.text)
        for tally in (tallies[query.kind], tallies["all"]) if query.kind in KINDS else (tallies[query.kind],):
            tally.queries += 1
            tally.true_hits += len(truth & got)
            tally.found += len(got)
            tally.relevant += len(truth)
        if truth != got:
            query_recall = len(truth & got) / len(truth) if truth else 1.0
            tallies[query.kind].worst.append((query_recall, query.text, len(truth - got), len(got - truth)))
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    """The Markdown table of a `score` result."""
    rows = ["| kind | queries | relevant | found | recall | precision |", "|---|---:|---:|---:|---:|---:|"]
    for kind, tally in tallies.items():
        rows.append(
            f"| {kind} | {tally.queries} | {tally.relevant:,} | {tally.found:,} | {tally.recall:.4f} |"
            f" {tally.precision:.4f} |"
        )
    return "\n".join(rows)


def load(corpus: list[CorpusEntry]) -> dict[int, list[str]]:
    """Write the corpus into the current app's database as one member's published entries, rebuild the search
    index, and return each entry's search document as the truth reads it (id -> normalised sections)."""
    from app.auth.services import register_user
    from app.blogs.services import create_blog
    from app.comments.services import add_comment
    from app.entries.services import create_entry
    from app.extensions import db
    from app.search.documents import entries_by_id, entry_document, load_context

    user = register_user("recall", "recall@example.org", "ผู้ทดสอบ", "a long enough password 2567")
    blog = create_blog(user, "recall-notes", "สมุดจด", "")
    ids = []
    for item in corpus:
        entry = create_entry(blog, user, title=item.title, body_markdown=item.body, tags=item.tags)
        for comment in item.comments:
            add_comment(entry, comment, guest_name="แขก", enforce_rules=False)
        ids.append(entry.id)
    db.session.commit()  # the outbox sync indexes them, as it does a member's new entries
    found = entries_by_id(db.session, ids)
    context = load_context(db.session, found)
    documents = {}
    for entry in found:
        document = entry_document(entry, context)
        documents[entry.id] = [normalised(text) for text, _ in document["text"].sections]
    return documents


def search_ids(q: str) -> set[int]:
    """Every entry id the configured backend finds for `q`, as one window (matching, not paging, is measured)."""
    from app.search import backends
    from app.search.parse import SearchFilters, read_lookup

    lookup, _message = read_lookup(q, SearchFilters(), "relevance")
    if lookup is None:
        return set()
    return set(backends.current().window(lookup, 1, ALL_AT_ONCE).ids)


ALL_AT_ONCE = 100_000

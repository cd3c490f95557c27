# Markdown paragraphs below stay on one line each: the renderer turns source line breaks into <br>.
# ruff: noqa: E501
"""A small Thai demo data set for trying Sala out: `flask demo`.

Everything goes through the same services the views use, so the demo data obeys the same rules as real
data. `load_demo` only adds and flushes; the command commits once. The demo member "somchai" is the
marker: when that account exists the demo is treated as loaded and nothing is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.auth.services import find_user_by_username, register_user, update_profile
from app.blogs.services import add_coauthor, create_blog
from app.comments.services import add_comment
from app.entries.services import create_entry
from app.models import Blog, Entry, Station, User
from app.models.types import utcnow
from app.stations.services import (
    approve_blog,
    approve_member,
    create_station,
    join_station,
    set_moderator,
    submit_blog,
)
from app.users.services import follow

DEMO_PASSWORD = "sala-demo-2569"
MARKER_USERNAME = "somchai"
# The demo site "opened" this many days ago; accounts, blogs and stations are dated from then.
SITE_AGE_DAYS = 180


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    affiliation: str
    bio: str


@dataclass(frozen=True)
class DemoBlog:
    slug: str
    owner: str
    title: str
    description: str
    coauthors: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoEntry:
    key: str
    blog: str
    author: str
    days_ago: int
    title: str
    tags: str
    body: str
    license: str = "all-rights-reserved"
    publish: bool = True


@dataclass(frozen=True)
class DemoComment:
    entry: str
    body: str
    hours_after: int
    user: str | None = None
    guest_name: str | None = None
    guest_email: str | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class DemoSummary:
    users: int
    blogs: int
    stations: int
    entries: int
    drafts: int
    comments: int
    usernames: tuple[str, ...]


USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "somchai",
        "สมชาย ใจดี",
        "สำนักงานจังหวัดชุมพร",
        "คุณอำนวย (KF) ประจำจังหวัด ดูแลเวทีแลกเปลี่ยนเรียนรู้ของส่วนราชการ\nชอบฟังเรื่องเล่าจากหน้างานมากกว่าอ่านรายงาน",
    ),
    DemoUser(
        "pranee",
        "ปราณี แก้วมณี",
        "สำนักงานจังหวัดชุมพร",
        "เลขานุการทีม KM จังหวัด ดูแลแบบฟอร์ม ตาราง และตัวเลขทั้งหลาย",
    ),
    DemoUser(
        "malee",
        "มาลี ศรีสุข",
        "โรงพยาบาลหลังสวน",
        "พยาบาลวิชาชีพ ห้องอุบัติเหตุและฉุกเฉิน\nชวนเพื่อนพยาบาลในอำเภอใกล้เคียงมาเป็นชุมชนนักปฏิบัติ (CoP)",
    ),
    DemoUser(
        "wichai",
        "วิชัย ทองมา",
        "โรงเรียนบ้านท่าแซะ",
        "ครูประถมที่สอนคณิตศาสตร์ วิทยาศาสตร์ และอีกหลายวิชาตามประสาโรงเรียนเล็ก",
    ),
)

BLOGS: tuple[DemoBlog, ...] = (
    DemoBlog(
        "chumphon-km",
        "somchai",
        "บันทึก KM สำนักงานจังหวัดชุมพร",
        "บันทึกจากเวทีจัดการความรู้ของส่วนราชการจังหวัดชุมพร เขียนร่วมกันโดยทีม KM จังหวัด",
        coauthors=("pranee",),
    ),
    DemoBlog(
        "langsuan-er-cop",
        "malee",
        "CoP พยาบาลห้องฉุกเฉินหลังสวน",
        "เรื่องเล่า คำถาม และขุมความรู้จากพยาบาลห้องฉุกเฉินและพยาบาลเยี่ยมบ้าน",
    ),
    DemoBlog(
        "kru-wichai",
        "wichai",
        "ห้องเรียนครูวิชัย",
        "สะท้อนคิดหลังสอน และเรื่องเล่าจากวง PLC ของโรงเรียนเล็ก ๆ ในอำเภอท่าแซะ",
    ),
)

ENTRIES: tuple[DemoEntry, ...] = (
    DemoEntry(
        "kickoff",
        "chumphon-km",
        "somchai",
        160,
        "เปิดเวที KM ส่วนราชการจังหวัดชุมพร ครั้งที่ 1",
        "KM, ชุมพร, คุณอำนวย",
        """เช้าวันนี้ห้องประชุมชั้นสองของศาลากลางคึกคักกว่าทุกวัน ผู้แทนจาก 28 ส่วนราชการมาร่วมเวทีเปิดตัวการจัดการความรู้ (KM) ของจังหวัด หลายคนบอกว่าได้ยินคำว่า KM มาหลายปี แต่ยังไม่เคยเห็นว่าลงมือทำจริงแล้วหน้าตาเป็นอย่างไร

## สิ่งที่เราตกลงกันในวันนี้

1. แต่ละหน่วยงานเลือก "คุณอำนวย" (KF) หนึ่งคน ทำหน้าที่ชวนคุยและจดบันทึก
2. เลือกงานที่ทำอยู่แล้วหนึ่งเรื่องมาเป็นหัวปลา ไม่ต้องสร้างงานใหม่
3. นัดแลกเปลี่ยนเรียนรู้ (ลปรร.) เดือนละครั้ง ครั้งละครึ่งวัน
4. ทุกหน่วยงานเปิดบล็อกในศาลา แล้วส่งเข้าชุมชน Chumphon-KM-Station

## คำถามที่ยังค้างอยู่

- จะวัดผล KM อย่างไรโดยไม่เพิ่มงานเอกสาร
- คุณกิจที่ไม่ถนัดเขียน จะเล่าเรื่องผ่านช่องทางไหนได้บ้าง

ใครมีประสบการณ์เรื่องนี้ ฝากแลกเปลี่ยนไว้ในความเห็นได้เลยครับ
""",
        license="cc-by",
    ),
    DemoEntry(
        "ka-table",
        "chumphon-km",
        "pranee",
        145,
        "ตารางองค์ความรู้ที่จำเป็นของแต่ละหน่วยงาน",
        "KM, ขุมความรู้, แผนการจัดการความรู้",
        """หลังเวทีครั้งแรก ทีมเลขานุการรวบรวมแบบฟอร์มจากหน่วยงานที่ส่งมาแล้ว สรุปเป็นตารางด้านล่าง ให้เห็นภาพรวมว่าแต่ละที่เลือกองค์ความรู้เรื่องอะไร

| หน่วยงาน | องค์ความรู้ที่เลือก | คุณอำนวย | สถานะ |
|---|---|---|---|
| สำนักงานเกษตรจังหวัด | การลดต้นทุนปุ๋ยในสวนทุเรียน | คุณวันดี | เริ่มแล้ว |
| สำนักงานสาธารณสุขจังหวัด | การเยี่ยมบ้านผู้ป่วยติดเตียง | คุณอนุชา | เริ่มแล้ว |
| สำนักงานพัฒนาชุมชนจังหวัด | การทำบัญชีครัวเรือน | คุณสมศรี | วางแผน |
| สำนักงานจังหวัด | การประชุมแบบไร้กระดาษ | คุณปราณี | วางแผน |

ข้อสังเกตจากตาราง: หน่วยงานที่ "เริ่มแล้ว" ล้วนเลือกเรื่องที่ทำอยู่ทุกวัน ไม่ใช่เรื่องใหม่ ตรงกับที่ตกลงกันไว้ว่าให้ KM อยู่ในเนื้องานประจำ

หน่วยงานที่ยังไม่ส่งแบบฟอร์ม ส่งได้ถึงสิ้นเดือนนี้ค่ะ
""",
    ),
    DemoEntry(
        "aar-questions",
        "chumphon-km",
        "somchai",
        120,
        "AAR หลังเวที: สามคำถามที่ใช้ได้ทุกครั้ง",
        "AAR, ลปรร, ชุมพร",
        """เราปิดเวทีทุกครั้งด้วย AAR (After Action Review) ใช้เวลาไม่เกินสิบห้านาที และถามเพียงสามข้อ

1. เราคาดหวังอะไรจากเวทีวันนี้
2. สิ่งที่ได้จริงเป็นอย่างไร ต่างจากที่คาดไว้ตรงไหน
3. ครั้งหน้าจะทำอะไรให้ดีขึ้น

> เวทีที่ดีไม่ได้วัดจากจำนวนสไลด์ แต่วัดจากจำนวนเรื่องเล่าที่คนกล้าเล่า
>
> — ผู้เข้าร่วมท่านหนึ่ง จากสำนักงานเกษตรอำเภอ

ครั้งนี้คำตอบข้อสามที่ได้ยินบ่อยที่สุดคือ อยากให้แบ่งกลุ่มเล็กลงเหลือกลุ่มละห้าถึงหกคน คนที่เงียบในกลุ่มใหญ่จะได้มีโอกาสเล่าบ้าง ครั้งหน้าเราจะลองดูครับ
""",
        license="cc-by",
    ),
    DemoEntry(
        "year-review",
        "chumphon-km",
        "pranee",
        45,
        "ย้อนดูงาน KM ปีงบประมาณ ๒๕๖๘ ก่อนวางแผนปีใหม่",
        "KM, รายงานประจำปี, ขุมความรู้",
        """ก่อนเริ่มแผนปีใหม่ ทีมงานย้อนดูสิ่งที่ทำมาในปีงบประมาณ ๒๕๖๘ สรุปเป็นตัวเลขสั้น ๆ ดังนี้

- จัดเวทีแลกเปลี่ยนเรียนรู้ระดับจังหวัด ๖ ครั้ง
- มีผู้เข้าร่วมรวม ๓๔๒ คน จาก ๒๘ หน่วยงาน
- หน่วยงานที่เขียนบันทึกในบล็อกอย่างน้อยเดือนละเรื่อง ๑๗ แห่ง
- ขุมความรู้ (KA) ที่สกัดได้และผ่านการทบทวนแล้ว ๔๕ เรื่อง

ตัวเลขที่น่าดีใจที่สุดไม่ใช่จำนวนเวที แต่เป็นจำนวนบันทึกที่คุณกิจเขียนเองโดยไม่มีใครสั่ง ซึ่งเพิ่มขึ้นเกือบสองเท่าในครึ่งปีหลัง

ปีนี้เราจะปรับหัวปลา (KV) ให้ชัดขึ้น โดยเน้นการเก็บเกี่ยวความรู้จากข้าราชการที่ใกล้เกษียณ ก่อนที่ความรู้เหล่านั้นจะเกษียณตามไปด้วย
""",
        license="cc-by-nc",
    ),
    DemoEntry(
        "start-writing",
        "chumphon-km",
        "somchai",
        20,
        "ชวนคุณกิจเขียนบล็อก: เริ่มจากเรื่องเล็ก ๆ ที่ทำได้จริง",
        "คุณกิจ, การเขียนบล็อก, KM",
        """หลายคนบอกผมว่า "ไม่รู้จะเขียนอะไร" ผมจึงลองรวบรวมหัวข้อที่เขียนได้ทันทีโดยไม่ต้องค้นคว้าเพิ่ม

- ปัญหาที่แก้ได้สำเร็จเมื่อสัปดาห์ที่แล้ว และแก้อย่างไร
- เคล็ดลับเล็ก ๆ ที่ใช้ทุกวันแต่ไม่เคยบอกใคร
- คำถามที่อยากถามเพื่อนร่วมอาชีพในจังหวัดอื่น
- สิ่งที่เรียนรู้จากความผิดพลาด เล่าได้โดยไม่ต้องโทษใคร

บันทึกที่ดีไม่จำเป็นต้องยาว สามย่อหน้าก็พอ ขอให้เป็นเรื่องจริงจากงานจริง ใครอยากจัดรูปแบบให้อ่านง่าย ดูวิธีเขียนหัวข้อ รายการ และตารางได้ที่ [คู่มือ Markdown ฉบับย่อ](https://www.markdownguide.org/basic-syntax/)
""",
        license="cc-by",
    ),
    DemoEntry(
        "next-agenda",
        "chumphon-km",
        "pranee",
        3,
        "ร่างกำหนดการเวทีไตรมาสหน้า",
        "KM, กำหนดการ",
        """- 09.00 ลงทะเบียน
- 09.30 เล่าเรื่องความสำเร็จ กลุ่มละ 5–6 คน
- 11.00 สกัดขุมความรู้จากเรื่องเล่า
- 12.00 AAR และนัดหมายครั้งต่อไป

ยังไม่ได้ยืนยันห้องประชุม รอคุณสมชายตรวจก่อนเผยแพร่
""",
        publish=False,
    ),
    DemoEntry(
        "er-triage",
        "langsuan-er-cop",
        "malee",
        130,
        "CoP พยาบาลห้องฉุกเฉิน: คำถามแรกที่อยากชวนคุย",
        "CoP, พยาบาล, ห้องฉุกเฉิน",
        """ชุมชนนักปฏิบัติ (CoP) ของเราเริ่มจากพยาบาลห้องฉุกเฉินสามโรงพยาบาลในอำเภอใกล้กัน วันนี้ขอเปิดด้วยคำถามที่ค้างใจมานาน

**ในเวรดึกที่มีพยาบาลสองคน เราคัดกรองผู้ป่วยที่มาพร้อมกันหลายรายอย่างไรให้ไม่พลาดรายที่อาการหนัก?**

ที่ห้องฉุกเฉินของเราทำแบบนี้

1. คนแรกคัดกรองตามเกณฑ์ห้าระดับทันทีที่ผู้ป่วยมาถึง
2. คนที่สองดูแลผู้ป่วยที่อยู่ในห้องแล้ว
3. ถ้าพบระดับหนึ่งหรือสอง โทรตามแพทย์เวรทันที ไม่รอให้คัดกรองครบทุกราย

อยากรู้ว่าที่อื่นจัดการอย่างไร ช่วยเล่าแลกเปลี่ยนกันได้ค่ะ
""",
    ),
    DemoEntry(
        "night-referral",
        "langsuan-er-cop",
        "malee",
        100,
        "เล่าเรื่องการส่งต่อผู้ป่วยกลางดึก",
        "เล่าเรื่อง, การส่งต่อผู้ป่วย, CoP",
        """คืนนั้นฝนตกหนัก ผู้ป่วยชายวัยหกสิบมาด้วยอาการเจ็บหน้าอก ผลคลื่นไฟฟ้าหัวใจบอกว่าต้องส่งต่อไปโรงพยาบาลจังหวัดโดยเร็ว แต่ถนนสายหลักมีน้ำท่วมขัง

สิ่งที่ช่วยให้เราผ่านคืนนั้นมาได้ไม่ใช่ตำรา แต่เป็น "สมุดเส้นทาง" ที่พี่พยาบาลรุ่นก่อนจดไว้ ว่าหน้าฝนควรเลี่ยงถนนเส้นไหน และควรโทรประสานใครที่ปลายทาง

บทเรียนที่อยากฝากไว้

- ความรู้ฝังลึก (tacit knowledge) มักอยู่ในสมุดเล่มเล็ก หรือในหัวของคนที่ทำงานมานาน
- ถ้าไม่ชวนกันเขียน วันหนึ่งความรู้นั้นจะเกษียณไปพร้อมเจ้าของ

ตอนนี้เราถ่ายภาพสมุดเล่มนั้นเก็บไว้ และกำลังพิมพ์เป็นบันทึกในศาลาทีละหน้า
""",
        license="cc-by-sa",
    ),
    DemoEntry(
        "diabetic-wounds",
        "langsuan-er-cop",
        "malee",
        70,
        "ขุมความรู้: ดูแลแผลเบาหวานที่บ้านให้หายไว",
        "ขุมความรู้, เบาหวาน, การเยี่ยมบ้าน",
        """สรุปจากวง ลปรร. ของพยาบาลเยี่ยมบ้านเมื่อเดือนก่อน เป็นขุมความรู้ (KA) ที่ทุกคนในวงเห็นตรงกัน

1. **ดูรองเท้าก่อนดูแผล** แผลที่เท้าหลายรายเริ่มจากรองเท้าที่คับเกินไป
2. **สอนญาติหนึ่งคนให้ทำแผลเป็น** ไม่ต้องสอนทุกคน เลือกคนที่อยู่บ้านทั้งวัน
3. **ถ่ายรูปแผลทุกสามวัน** ด้วยโทรศัพท์ของญาติแล้วส่งให้พยาบาลดู ช่วยลดการเดินทาง
4. **คุยเรื่องอาหารไปพร้อมกับเรื่องแผล** เพราะเมื่อคุมน้ำตาลได้ แผลก็หายเร็วขึ้นมาก

ข้อควรระวัง: ขุมความรู้นี้มาจากประสบการณ์ของทีม ไม่ใช่แนวทางเวชปฏิบัติ ควรใช้ร่วมกับคำแนะนำของแพทย์
""",
        license="cc-by-nc-sa",
    ),
    DemoEntry(
        "mass-casualty-aar",
        "langsuan-er-cop",
        "malee",
        30,
        "AAR การซ้อมแผนรับอุบัติเหตุหมู่ประจำปี",
        "AAR, ห้องฉุกเฉิน, การซ้อมแผน",
        """เราซ้อมแผนรับอุบัติเหตุหมู่ร่วมกับมูลนิธิกู้ภัยและโรงเรียนใกล้โรงพยาบาล สมมติเหตุรถโดยสารพลิกคว่ำ มีผู้บาดเจ็บยี่สิบราย

| คำถาม AAR | สิ่งที่พบ |
|---|---|
| คาดหวังอะไร | คัดแยกผู้บาดเจ็บเสร็จใน 15 นาที |
| เกิดอะไรขึ้นจริง | ใช้เวลา 22 นาที เพราะป้ายสีคัดแยกไม่พอ |
| ทำไมจึงต่าง | ป้ายเก็บอยู่ในห้องพัสดุ ไม่ได้อยู่ที่จุดคัดแยก |
| ครั้งหน้าจะทำอะไร | วางชุดคัดแยกพร้อมใช้ไว้หน้าห้องฉุกเฉิน |

สิ่งที่ทำได้ดีคือการสื่อสารทางวิทยุ ทุกจุดรู้สถานการณ์ตรงกันตลอดการซ้อม
""",
    ),
    DemoEntry(
        "fractions",
        "kru-wichai",
        "wichai",
        110,
        "สะท้อนคิดหลังสอนเรื่องเศษส่วน ป.4",
        "ห้องเรียน, คณิตศาสตร์, สะท้อนคิด",
        """วันนี้ผมสอนเรื่องเศษส่วนด้วยการแบ่งขนมครกจากตลาดหน้าโรงเรียน เด็ก ๆ ตื่นเต้นกันมาก แต่พอถึงตอนเขียนเป็นตัวเลข หลายคนกลับงงว่า 3/4 กับ 4/3 ต่างกันอย่างไร

สิ่งที่ได้เรียนรู้

- ของจริงช่วยให้เข้าใจความหมาย แต่ต้องมีขั้นเชื่อมไปสู่สัญลักษณ์
- คำถามว่า "ถ้าแบ่งให้เพื่อนเพิ่มอีกคน แต่ละคนจะได้มากขึ้นหรือน้อยลง" ทำให้เด็กคิดมากกว่าการทำแบบฝึกหัด

พรุ่งนี้จะลองให้เด็กวาดรูปก่อนเขียนตัวเลข แล้วจะกลับมาเล่าต่อครับ
""",
    ),
    DemoEntry(
        "small-school-plc",
        "kru-wichai",
        "wichai",
        85,
        "PLC ในโรงเรียนเล็ก: เริ่มอย่างไรเมื่อมีครูหกคน",
        "PLC, CoP, โรงเรียนขนาดเล็ก",
        """โรงเรียนของเรามีครูหกคน นักเรียนร้อยยี่สิบคน ครูหนึ่งคนสอนหลายวิชา การประชุม PLC ตามแบบฟอร์มสัปดาห์ละหลายชั่วโมงจึงเป็นไปได้ยาก

เราเลยปรับเป็นแบบนี้

1. คุยกันวันพุธหลังเลิกเรียน ครั้งละสี่สิบห้านาทีเท่านั้น
2. แต่ละครั้งมีคนเล่าหนึ่งเรื่อง จากห้องเรียนของตัวเองในสัปดาห์นั้น
3. คนที่เหลือช่วยกันถาม ไม่ตัดสิน และไม่รีบเสนอทางแก้
4. จดสั้น ๆ ลงบล็อกนี้ ให้ครูโรงเรียนอื่นในชุมชนได้อ่านด้วย

ผ่านไปสองเดือน สิ่งที่เปลี่ยนชัดที่สุดคือเราเริ่มเข้าไปดูห้องเรียนของกันและกันโดยไม่ต้องมีใครสั่ง
""",
        license="cc-by",
    ),
    DemoEntry(
        "knowledge-market",
        "kru-wichai",
        "wichai",
        50,
        "ตลาดนัดความรู้ฉบับเด็ก ป.6",
        "ตลาดนัดความรู้, ห้องเรียน, KM",
        """ปลายภาคเรียนนี้เราลองจัด "ตลาดนัดความรู้" ให้นักเรียน ป.6 แต่ละกลุ่มตั้งซุ้มเล่าสิ่งที่ตัวเองทำได้ดี เช่น การปลูกผักสวนครัว การซ่อมจักรยาน และการทำขนมจากมะพร้าว

เด็ก ๆ เดินชมซุ้มของเพื่อนพร้อมกระดาษโน้ตสามแผ่น เขียนคำถามหรือคำชมแปะไว้ที่ซุ้ม เป็นการแลกเปลี่ยนเรียนรู้ที่ไม่ต้องมีครูยืนพูดหน้าห้องเลย

เด็กหญิงคนหนึ่งเขียนไว้ว่า

> หนูไม่รู้มาก่อนว่าเพื่อนที่ไม่ค่อยพูดในห้อง ซ่อมโซ่จักรยานเก่งขนาดนี้

ประโยคนี้ทำให้ครูทั้งโรงเรียนอยากจัดอีกครั้งในเทอมหน้า
""",
    ),
    DemoEntry(
        "wait-time",
        "kru-wichai",
        "wichai",
        8,
        "รอห้าวินาที: เทคนิคเล็ก ๆ ที่เปลี่ยนห้องเรียน",
        "การตั้งคำถาม, ห้องเรียน, สะท้อนคิด",
        """มีเพื่อนครูในวง PLC ถามว่าผมเปลี่ยนวิธีถามในห้องเรียนตั้งแต่เมื่อไร คำตอบคือตั้งแต่ลองจับเวลาตัวเอง แล้วพบว่าผมรอคำตอบไม่ถึงสองวินาทีก็เรียกคนที่ยกมือเร็วที่สุดแล้ว

สิ่งที่ลองทำต่อจากนั้น

- ถามแล้ว **รออย่างน้อยห้าวินาที** ก่อนเรียกใครตอบ
- ให้ทุกคนเขียนคำตอบลงกระดานเล็กก่อน แล้วค่อยสุ่มเรียก
- ถามว่า "คิดอย่างไรถึงได้คำตอบนี้" ทั้งกับคำตอบที่ถูกและผิด

ความเงียบสั้น ๆ นั้นทำให้เด็กที่คิดช้าแต่คิดลึกได้มีโอกาสยกมือ ใครสนใจพื้นฐานเรื่องการจัดการความรู้ที่เราใช้ในวงคุย อ่านต่อได้ที่ [วิกิพีเดีย: การจัดการความรู้](https://th.wikipedia.org/wiki/การจัดการความรู้)
""",
        license="cc-by",
    ),
)

COMMENTS: tuple[DemoComment, ...] = (
    DemoComment(
        "kickoff",
        "ขอบคุณที่สรุปให้ค่ะ ที่โรงพยาบาลก็เจอคำถามเรื่องการวัดผลเหมือนกัน ลองนับจำนวนเรื่องเล่าที่มีคนนำไปใช้จริงเป็นตัวชี้วัดดูไหมคะ",
        hours_after=5,
        user="malee",
    ),
    DemoComment(
        "er-triage",
        "ที่สำนักงานสาธารณสุขอำเภอเคยเล่าว่าใช้วิธีโทรตามแพทย์พร้อมกันแบบนี้เหมือนกันครับ เดี๋ยวจะชวนมาแลกเปลี่ยนในชุมชนนะครับ",
        hours_after=20,
        user="somchai",
    ),
    DemoComment(
        "small-school-plc",
        "ชอบข้อสามมากค่ะ ถามโดยไม่ตัดสิน ขออนุญาตนำไปใช้ในวงของสำนักงานจังหวัดนะคะ",
        hours_after=30,
        user="pranee",
    ),
    DemoComment(
        "fractions",
        "ลูกกลับมาเล่าเรื่องแบ่งขนมครกให้ฟังทั้งเย็นเลยค่ะ ขอบคุณคุณครูนะคะ",
        hours_after=9,
        guest_name="แม่น้องฟ้า",
        guest_email="fah.mom@example.com",
        ip_address="203.0.113.45",
    ),
    DemoComment(
        "diabetic-wounds",
        "ข้อถ่ายรูปแผลส่งให้พยาบาลดีมากเลยค่ะ จะนำไปบอกต่อในการประชุม อสม. ของหมู่บ้าน",
        hours_after=48,
        guest_name="อสม. บ้านนาโพธิ์",
        ip_address="198.51.100.23",
    ),
)

FOLLOWS: tuple[tuple[str, str], ...] = (
    ("somchai", "malee"),
    ("somchai", "wichai"),
    ("pranee", "somchai"),
    ("malee", "somchai"),
    ("wichai", "somchai"),
)


def demo_loaded() -> bool:
    return find_user_by_username(MARKER_USERNAME) is not None


def _create_users(now: datetime) -> dict[str, User]:
    users = {}
    for index, spec in enumerate(USERS):
        user = register_user(spec.username, f"{spec.username}@example.org", spec.display_name, DEMO_PASSWORD)
        update_profile(user, spec.display_name, spec.affiliation, spec.bio)
        user.created_at = now - timedelta(days=SITE_AGE_DAYS - index)
        users[spec.username] = user
    for follower, followed in FOLLOWS:
        follow(users[follower], users[followed])
    return users


def _create_blogs(users: dict[str, User], now: datetime) -> dict[str, Blog]:
    blogs = {}
    for spec in BLOGS:
        blog = create_blog(users[spec.owner], spec.slug, spec.title, spec.description)
        blog.created_at = now - timedelta(days=SITE_AGE_DAYS - 5)
        for username in spec.coauthors:
            add_coauthor(blog, username)
        blogs[spec.slug] = blog
    return blogs


def _create_entries(users: dict[str, User], blogs: dict[str, Blog], now: datetime) -> dict[str, Entry]:
    entries = {}
    # Oldest first, so public entry numbers grow with the dates as they would have on a real site.
    for spec in sorted(ENTRIES, key=lambda item: -item.days_ago):
        written = (now - timedelta(days=spec.days_ago)).replace(hour=2, minute=30, second=0, microsecond=0)
        entries[spec.key] = create_entry(
            blogs[spec.blog],
            users[spec.author],
            title=spec.title,
            body_markdown=spec.body,
            tags=spec.tags,
            license=spec.license,
            publish=spec.publish,
            published_at=written if spec.publish else None,
            created_at=written,
            updated_at=written,
        )
    return entries


def _create_comments(users: dict[str, User], entries: dict[str, Entry]) -> None:
    for spec in COMMENTS:
        entry = entries[spec.entry]
        add_comment(
            entry,
            spec.body,
            user=users[spec.user] if spec.user else None,
            guest_name=spec.guest_name,
            guest_email=spec.guest_email,
            ip_address=spec.ip_address,
            created_at=entry.published_at + timedelta(hours=spec.hours_after),
        )


def _create_stations(users: dict[str, User], blogs: dict[str, Blog], now: datetime) -> list[Station]:
    """Two stations; the ER blog is in both, and a few requests are left waiting for moderators."""
    chumphon = create_station(
        users["somchai"],
        "Chumphon-KM-Station",
        "ชุมชนนักปฏิบัติการจัดการความรู้จังหวัดชุมพร",
        "พื้นที่แลกเปลี่ยนเรียนรู้ของส่วนราชการ โรงพยาบาล และโรงเรียนในจังหวัดชุมพร ส่งบล็อกเข้ามาร่วมได้ทุกหน่วยงาน",
    )
    for username in ("pranee", "malee", "wichai"):
        join_station(chumphon, users[username])
    set_moderator(chumphon, users["pranee"], True)
    submit_blog(chumphon, blogs["chumphon-km"], users["somchai"])
    submit_blog(chumphon, blogs["langsuan-er-cop"], users["malee"])
    approve_blog(chumphon, blogs["langsuan-er-cop"])
    submit_blog(chumphon, blogs["kru-wichai"], users["wichai"])

    health = create_station(
        users["malee"],
        "Health-CoP-Chumphon",
        "ชุมชนคนทำงานสุขภาพชุมพร",
        "CoP ของพยาบาล อสม. และเจ้าหน้าที่สาธารณสุข เล่าเรื่องจากหน้างานและถามกันตรง ๆ",
        join_policy="approval",
    )
    submit_blog(health, blogs["langsuan-er-cop"], users["malee"])
    join_station(health, users["somchai"])
    approve_member(health, users["somchai"])
    join_station(health, users["wichai"])
    for station in (chumphon, health):
        station.created_at = now - timedelta(days=SITE_AGE_DAYS - 7)
    return [chumphon, health]


def load_demo() -> DemoSummary | None:
    """Add the demo set (flushing, not committing); None when it is already there."""
    if demo_loaded():
        return None
    now = utcnow()
    users = _create_users(now)
    blogs = _create_blogs(users, now)
    entries = _create_entries(users, blogs, now)
    _create_comments(users, entries)
    stations = _create_stations(users, blogs, now)
    return DemoSummary(
        users=len(users),
        blogs=len(blogs),
        stations=len(stations),
        entries=len(entries),
        drafts=sum(1 for spec in ENTRIES if not spec.publish),
        comments=len(COMMENTS),
        usernames=tuple(users),
    )

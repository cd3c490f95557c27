"""The licenses an entry can carry, in the order the editor offers them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class License:
    code: str
    short_name: str
    label: object  # a lazy string, resolved in the reader's language
    summary: object
    url: str | None


LICENSES: tuple[License, ...] = (
    License("all-rights-reserved", "สงวนสิทธิ์ทุกประการ", _l("สงวนสิทธิ์ทุกประการ"), _l("ผู้อื่นต้องขออนุญาตก่อนนำไปใช้ซ้ำ"), None),
    License(
        "cc-by",
        "CC BY",
        _l("ครีเอทีฟคอมมอนส์ แสดงที่มา (CC BY)"),
        _l("นำไปใช้ ดัดแปลง และใช้เชิงพาณิชย์ได้ โดยต้องอ้างอิงผู้เขียน"),
        "https://creativecommons.org/licenses/by/4.0/deed.th",
    ),
    License(
        "cc-by-sa",
        "CC BY-SA",
        _l("แสดงที่มา-อนุญาตแบบเดียวกัน (CC BY-SA)"),
        _l("นำไปใช้และดัดแปลงได้ อ้างอิงผู้เขียน และเผยแพร่งานดัดแปลงด้วยสัญญาอนุญาตเดียวกัน"),
        "https://creativecommons.org/licenses/by-sa/4.0/deed.th",
    ),
    License(
        "cc-by-nc",
        "CC BY-NC",
        _l("แสดงที่มา-ไม่ใช้เพื่อการค้า (CC BY-NC)"),
        _l("นำไปใช้และดัดแปลงได้ อ้างอิงผู้เขียน แต่ห้ามใช้เพื่อการค้า"),
        "https://creativecommons.org/licenses/by-nc/4.0/deed.th",
    ),
    License(
        "cc-by-nc-sa",
        "CC BY-NC-SA",
        _l("แสดงที่มา-ไม่ใช้เพื่อการค้า-อนุญาตแบบเดียวกัน (CC BY-NC-SA)"),
        _l("ใช้และดัดแปลงได้โดยไม่ใช้เพื่อการค้า อ้างอิงผู้เขียน และใช้สัญญาอนุญาตเดียวกัน"),
        "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.th",
    ),
    License(
        "cc-by-nd",
        "CC BY-ND",
        _l("แสดงที่มา-ไม่ดัดแปลง (CC BY-ND)"),
        _l("เผยแพร่ต่อได้ทั้งเชิงพาณิชย์ อ้างอิงผู้เขียน แต่ห้ามดัดแปลง"),
        "https://creativecommons.org/licenses/by-nd/4.0/deed.th",
    ),
    License(
        "cc-by-nc-nd",
        "CC BY-NC-ND",
        _l("แสดงที่มา-ไม่ใช้เพื่อการค้า-ไม่ดัดแปลง (CC BY-NC-ND)"),
        _l("เผยแพร่ต่อได้โดยไม่ใช้เพื่อการค้า อ้างอิงผู้เขียน และห้ามดัดแปลง"),
        "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.th",
    ),
    License(
        "cc0",
        "CC0",
        _l("อุทิศเป็นสาธารณสมบัติ (CC0)"),
        _l("สละสิทธิ์ทั้งหมด ทุกคนนำไปใช้ได้อย่างอิสระ"),
        "https://creativecommons.org/publicdomain/zero/1.0/deed.th",
    ),
)

LICENSES_BY_CODE: dict[str, License] = {lic.code: lic for lic in LICENSES}
DEFAULT_LICENSE = "all-rights-reserved"


def license_for(code: str) -> License:
    """The license with this code, falling back to the default for unknown codes."""
    return LICENSES_BY_CODE.get(code, LICENSES_BY_CODE[DEFAULT_LICENSE])


def license_code_from_text(text: str | None) -> str | None:
    """Map a printed license name (as GotoKnow shows it) to a code, or None."""
    if not text:
        return None
    cleaned = " ".join(text.split()).upper().replace("CC-", "CC ")
    for lic in LICENSES:
        if cleaned in (lic.short_name.upper(), lic.code.upper()):
            return lic.code
    if "สงวนสิทธิ์" in text:
        return "all-rights-reserved"
    if "CC0" in cleaned or "PUBLIC DOMAIN" in cleaned:
        return "cc0"
    return None

"""The search form: GET parameters shared by the /search page and the JSON API.

Both read the same names (q, tag, station, blog, author, from, to, sort, page); the API adds per_page.
Parsing lives here so the page and the API accept and refuse exactly the same things.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, NumberRange, StopValidation

from app.pagination import BAD_PAGE_MESSAGE, MAX_PAGE, BadPageNumber, parse_page_number
from app.search.parse import MAX_PER_PAGE, SORTS, SearchFilters
from app.text.dates import BE_OFFSET
from app.text.normalize import fold_thai_digits
from app.text.tags import normalize_tag

MAX_QUERY_LENGTH = 2000
MAX_FILTER_LENGTH = 100
DEFAULT_PER_PAGE = 10
# Years from this one up are Buddhist Era (2400 BE is 1857 CE), as everywhere else in Sala.
FIRST_BE_YEAR = 2400

_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class QueryField(SearchField):
    """The search box, cut at MAX_QUERY_LENGTH characters.

    The cut only bounds what a request can make the page echo back; the search itself reads a shorter
    prefix and says so in its own message (app.search.parse.MAX_QUERY_LENGTH).
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = (valuelist[0] if valuelist else "").strip()[:MAX_QUERY_LENGTH].strip()


class _StopAfterParseError:
    """Mixin: when the text could not be parsed, report that one message and skip the validators."""

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class ThaiDateField(_StopAfterParseError, DateField):
    """YYYY-MM-DD with the year in CE or, from 2400 up, in the Buddhist Era; Thai digits are accepted."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = fold_thai_digits(valuelist[0]).strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        match = _ISO_DATE_RE.fullmatch(raw)
        try:
            if match is None:
                raise ValueError(raw)
            year, month, day = (int(part) for part in match.groups())
            self.data = date(year - BE_OFFSET if year >= FIRST_BE_YEAR else year, month, day)
        except ValueError as exc:
            self.data = None
            raise ValueError(self.invalid_value_message) from exc

    def _value(self) -> str:
        # A Buddhist-Era date typed into the URL is shown back as the CE date the date picker expects.
        if self.data is not None:
            return self.data.isoformat()
        return self.raw_data[0] if self.raw_data else ""


class PositiveIntegerField(_StopAfterParseError, IntegerField):
    """A whole number from 1 up, read as every page number of the site is (app.pagination.parse_page_number)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = parse_page_number(valuelist[0] if valuelist else None, default=self.default)
        except BadPageNumber:
            self.data = None
            raise ValueError(self.invalid_value_message) from None


def _filter_field(label: str, too_long: str) -> StringField:
    return StringField(label, filters=[_strip], validators=[Length(max=MAX_FILTER_LENGTH, message=too_long)])


class SearchForm(FlaskForm):
    """Read from the query string (a GET form: nothing changes, so there is no CSRF token)."""

    class Meta:
        csrf = False

    q = QueryField(_l("คำค้น"), render_kw={"maxlength": MAX_QUERY_LENGTH})
    tag = _filter_field(_l("คำสำคัญ"), _l("คำสำคัญยาวได้ไม่เกิน %(max)d ตัวอักษร"))
    station = _filter_field(_l("ชุมชน (ชื่อย่อในที่อยู่ เช่น Chumphon-KM-Station)"), _l("ชื่อย่อชุมชนยาวได้ไม่เกิน %(max)d ตัวอักษร"))
    blog = _filter_field(_l("บล็อก (ชื่อย่อในที่อยู่)"), _l("ชื่อย่อบล็อกยาวได้ไม่เกิน %(max)d ตัวอักษร"))
    author = _filter_field(_l("ผู้เขียน (ชื่อผู้ใช้)"), _l("ชื่อผู้ใช้ยาวได้ไม่เกิน %(max)d ตัวอักษร"))
    date_from = ThaiDateField(
        _l("ตั้งแต่วันที่"),
        name="from",
        invalid_value_message=_l("วันที่ไม่ถูกต้อง ใช้รูปแบบ ปปปป-ดด-วว เช่น 2006-05-23 หรือ 2549-05-23"),
    )
    date_to = ThaiDateField(
        _l("ถึงวันที่"),
        name="to",
        invalid_value_message=_l("วันที่ไม่ถูกต้อง ใช้รูปแบบ ปปปป-ดด-วว เช่น 2006-05-23 หรือ 2549-05-23"),
    )
    sort = SelectField(
        _l("เรียงตาม"),
        choices=[SelectChoice("relevance", _l("ตรงกับคำค้นที่สุด")), SelectChoice("newest", _l("ใหม่ที่สุดก่อน"))],
        default="relevance",
        validate_choice=False,
        filters=[lambda value: value or "relevance"],
        validators=[AnyOf(SORTS, message=_l("การเรียงลำดับต้องเป็น relevance หรือ newest"))],
    )
    page = PositiveIntegerField(
        _l("หน้า"),
        default=1,
        invalid_value_message=BAD_PAGE_MESSAGE,
        validators=[NumberRange(min=1, max=MAX_PAGE, message=BAD_PAGE_MESSAGE)],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            self.date_to.errors.append(_l("วันที่สิ้นสุดต้องไม่อยู่ก่อนวันที่เริ่มต้น"))
            valid = False
        return valid

    @property
    def filter_fields(self) -> tuple:
        return (self.tag, self.station, self.blog, self.author, self.date_from, self.date_to)

    @property
    def has_filters(self) -> bool:
        """Whether any filter was given, valid or not (the filter section opens to show it)."""
        return any(field.data or field.errors for field in self.filter_fields)

    @property
    def has_criteria(self) -> bool:
        """Whether there is anything to search for: words or at least one filter."""
        return bool(self.q.data) or self.has_filters

    def search_filters(self) -> SearchFilters:
        return SearchFilters(
            tag=normalize_tag(self.tag.data or "") or None,
            station=self.station.data or None,
            blog=self.blog.data or None,
            author=(self.author.data or "").lstrip("@") or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )

    def error_messages(self) -> list[tuple[str | None, str]]:
        """(id of the field to jump to, or None for a field not on the page, message) for every error."""
        shown = {field.name for field in (self.q, self.sort, *self.filter_fields)}
        return [(field.id if field.name in shown else None, str(message)) for field in self for message in field.errors]


class ApiSearchForm(SearchForm):
    """The API's parameters: the page's, plus how many results per page."""

    per_page = PositiveIntegerField(
        default=DEFAULT_PER_PAGE,
        invalid_value_message=_l("per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100"),
        validators=[NumberRange(min=1, max=MAX_PER_PAGE, message=_l("per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100"))],
    )

    def first_error(self) -> str:
        return self.error_messages()[0][1]

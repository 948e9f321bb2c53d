"""One cell to one value of the spec, or a refusal that says why in English and Chinese.

Spreadsheets hold what people typed and what Excel made of it: dates as text in
five local forms or as serial numbers, money with separators, units and a yuan
sign, ID numbers that Excel turned into numbers and so cut short. Each function
here takes a cell as the reader gives it (text, a number, a date or a time) and
returns the spec's form, or raises ``Refusal``: nothing is guessed, an ID number
Excel has damaged is flagged and never "repaired". Money leaves here as a plain
decimal and passes the project's one money gate, ``engine.money.parse_money``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.identity import id_check_char
from engine.money import MoneyError, parse_money
from engine.privacy import mask_account, mask_person_id
from engine.quarantine import Reason

CHINA = timezone(timedelta(hours=8))
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 past Excel's phantom 1900-02-29
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number; the rest become zeros
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
CENT = Decimal("0.01")  # every amount leaves with two decimals: 700 and 700.00 are one event


class Refusal(ValueError):
    """A cell that cannot become the field's value: the reason code and a message en / zh."""

    def __init__(self, reason: Reason, en: str, zh: str):
        super().__init__(f"{en} {zh}")
        self.reason = reason
        self.en = en
        self.zh = zh


Parser = Callable[[Any], Any]
UNREAD: Any = object()  # a quick reader's "not the usual form": the full reader decides


def is_blank(cell: Any) -> bool:
    """An empty cell: nothing, or only spaces (full-width ones too)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def plain(cell: Any) -> str:
    """Text with full-width forms made ASCII (NFKC) and stray spaces at the ends removed."""
    if cell.__class__ is str:
        return cell.strip() if cell.isascii() else unicodedata.normalize("NFKC", cell).strip()
    return _number_text(cell) if isinstance(cell, float | int) else str(cell).strip()


def _number_text(value: float | int) -> str:
    """A number as a person reads it in the cell: ``3`` not ``3.0``; Excel's 15 digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(format(value, f".{EXCEL_DIGITS}g")), "f")


def text(cell: Any) -> str:
    """Free text (a name, a venue): kept as written, only the ends trimmed."""
    if isinstance(cell, str):
        return cell.strip()
    return plain(cell)


def identifier(cell: Any) -> str:
    """A code (class, institution, claim …): full-width made ASCII, every space removed.

    A number is taken as the digits it shows unless it has more digits than Excel
    keeps, in which case the last ones are already lost."""
    if isinstance(cell, float) and not cell.is_integer():
        raise Refusal(Reason.WRONG_TYPE, f"{_number_text(cell)} is a decimal, not a code",
                      "是小数而不是编号")
    if isinstance(cell, float | int) and not isinstance(cell, bool) and abs(cell) >= 1e15:
        raise Refusal(Reason.IMPOSSIBLE_VALUE,
                      f"{_number_text(cell)} was stored as a number of more than 15 digits: "
                      "Excel has replaced its last digits by zeros; export the column as text",
                      "编号被 Excel 存成超过 15 位的数字，末尾数字已丢失，请以文本格式导出")
    return re.sub(r"\s+", "", plain(cell))


_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_DIGITS_ONLY = re.compile(r"[0-9]+")


def id_number(cell: Any) -> str:
    """A resident ID number as text; one Excel stored as a number is refused, not repaired.

    Excel keeps 15 significant digits, so an 18-digit ID number typed into a
    number cell ends in zeros and one ending in ``X`` loses it. The damage that
    shows is refused: a number cell, Excel's display of one (``1.41123E+17``,
    ``…468.0``), 17 digits that a trailing ``X`` would make valid. Text is taken
    as written, an invalid checksum included (the detectors flag it): eighteen
    digits ending ``000`` may be a number column saved as text, or a real but
    mistyped ID, and only the source can tell."""
    if cell.__class__ is str and len(cell) == 18 and cell[:17].isdigit() and cell.isascii() \
            and (cell[17].isdigit() or cell[17] == "X"):
        return cell  # the usual case, as the checks below would leave it
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        shown = mask_person_id(_number_text(cell))
        raise Refusal(Reason.BAD_ID_NUMBER,
                      f"ID number {shown} was stored as a number: Excel keeps only 15 digits, "
                      "so its last digits (or a trailing X) are lost; export the column as text",
                      "证件号以数字形式保存，Excel 只保留 15 位，末位或 X 已丢失，请以文本格式导出")
    value = re.sub(r"\s+", "", plain(cell)).upper()
    if _SCIENTIFIC.fullmatch(value) or value.endswith(".0"):
        raise Refusal(Reason.BAD_ID_NUMBER,
                      f"ID number {mask_person_id(value)} is a number as Excel displays it: its "
                      "digits are lost; "
                      "export the column as text",
                      "证件号是 Excel 显示的科学计数法数字，位数已丢失，请以文本格式导出")
    if len(value) == 17 and value.isdigit() and id_check_char(value) == "X":
        raise Refusal(Reason.BAD_ID_NUMBER,
                      f"ID number {mask_person_id(value)} has 17 digits and its check character "
                      "would be X: the trailing X was lost; correct it in the source",
                      "证件号只有 17 位，末位 X 疑似丢失，请在源数据中更正")
    return value


def account(cell: Any) -> str:
    """A bank account as text; one stored as a number of more than 15 digits is refused."""
    if isinstance(cell, float | int) and not isinstance(cell, bool) and abs(cell) >= 1e15:
        raise Refusal(Reason.BAD_ID_NUMBER,
                      f"account {mask_account(_number_text(cell))} was stored as a number: Excel "
                      "keeps only 15 digits; export the column as text",
                      "账号以数字形式保存，Excel 只保留 15 位，请以文本格式导出")
    value = re.sub(r"[\s-]+", "", plain(cell))
    if _SCIENTIFIC.fullmatch(value):
        raise Refusal(Reason.BAD_ID_NUMBER,
                      f"account {value} is a number as Excel displays it: its digits are lost",
                      "账号是科学计数法数字，位数已丢失，请以文本格式导出")
    return value


def phone(cell: Any) -> str:
    """A phone number: full-width digits made ASCII, spaces removed (dashes kept)."""
    return re.sub(r"\s+", "", plain(cell))


# -- dates and times ---------------------------------------------------------------------------

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_COMPACT = r"(\d{4})(\d{2})(\d{2})"
_TIME = (r"(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?|\s*分)?")
_OFFSET = r"\s*(Z|[+-]\d{2}:?\d{2})?"
_DATE_RE = re.compile(f"(?:{_DATE}|{_COMPACT})")
_MOMENT_RE = re.compile(f"(?:{_DATE}|{_COMPACT})(?:(?:\\s*T\\s*|\\s+|(?<=日)){_TIME}{_OFFSET})?")
_COMPACT_MOMENT = re.compile(r"(\d{4})(\d{2})(\d{2})\s*(\d{2})(\d{2})(\d{2})?")
_SERIAL = re.compile(r"\d{1,6}(?:\.\d+)?")
_DATE_HELP = ("2023-03-01, 2023/3/1, 2023.3.1, 2023年3月1日, 20230301 or an Excel date; a time "
              "as 2023-03-01 08:00[:00]")


def _bad_date(value: str, why: str = "") -> Refusal:
    en = f"{value!r} is not a date{': ' + why if why else ''} (write {_DATE_HELP})"
    return Refusal(Reason.BAD_DATE, en, "不是有效的日期或时间")


def _day(y: str | int, m: str | int, d: str | int, shown: str) -> date:
    try:
        day = date(int(y), int(m), int(d))
    except ValueError:
        raise _bad_date(shown, "no such day") from None
    if not EARLIEST <= day <= LATEST:
        raise _bad_date(shown, f"outside {EARLIEST.year}-{LATEST.year}")
    return day


def _serial(value: float, shown: str) -> datetime:
    """An Excel serial number (days since 1899-12-30, the fraction the time of day)."""
    if value < 1:
        raise _bad_date(shown, "an Excel date number must be 1 or more")
    moment = datetime.combine(EXCEL_EPOCH, time()) + timedelta(seconds=round(value * 86_400))
    _day(moment.year, moment.month, moment.day, shown)
    return moment


def day(cell: Any) -> str:
    """A calendar date as ``YYYY-MM-DD`` from any of the local forms or an Excel date."""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        moment = _serial(float(cell), _number_text(cell))
        if moment.time() != time():
            raise _bad_date(_number_text(cell), "it holds a time of day, a date was expected")
        return moment.date().isoformat()
    value = plain(cell)
    m = _DATE_RE.fullmatch(value)
    if m:
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        return _day(y, mo, d, value).isoformat()
    m = re.fullmatch(r"(.+?)\s*(?:T|\s)\s*0{1,2}:00(?::00(?:\.0+)?)?", value)
    if m and _DATE_RE.fullmatch(m.group(1)):  # a date exported with a midnight time
        return day(m.group(1))
    if _SERIAL.fullmatch(value) and len(value.split(".")[0]) <= 5:
        return day(float(value))
    raise _bad_date(value)


def _offset(text: str | None) -> timezone:
    if not text or text == "Z":
        return CHINA if not text else UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def quick_moment(cell: Any) -> Any:
    """``moment`` of the form most exports write (``2023-03-01 08:00:05``, nothing around
    it), without a call per step; anything else is left to ``moment`` (``UNREAD``)."""
    if cell.__class__ is str and len(cell) == 19 and cell[4] == "-" and cell[10] == " " \
            and cell[13] == ":" and cell[16] == ":":
        try:
            datetime.fromisoformat(cell)  # a real day and time
        except ValueError:
            return UNREAD
        return f"{cell[:10]}T{cell[11:]}+08:00"
    return UNREAD



def _iso_or_none(value: str) -> datetime | None:
    """``value`` as an ISO day and time, or None when it is not one (the other forms and
    the error message below take it from there)."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None

def moment(cell: Any, *, date_only: bool = True) -> str:
    """A time with its UTC offset (``+08:00`` unless the cell gives one), ISO 8601.

    ``date_only=False`` refuses a bare date where the time of day matters (a check-in)."""
    if isinstance(cell, datetime):
        return _iso(cell if cell.tzinfo else cell.replace(tzinfo=CHINA))
    if isinstance(cell, date):
        if not date_only:
            raise _bad_date(cell.isoformat(), "a time of day is needed")
        return _iso(datetime.combine(cell, time(), CHINA))
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        when = _serial(float(cell), _number_text(cell))
        if not date_only and when.time() == time() and float(cell).is_integer():
            raise _bad_date(_number_text(cell), "a time of day is needed")
        return _iso(when.replace(tzinfo=CHINA))
    value = plain(cell)
    if len(value) in (16, 19) and value[4] == "-" and value[10] in " T" and value[13] == ":" \
            and (len(value) == 16 or value[16] == ":"):  # the usual export: no offset
        if _iso_or_none(value) is not None:  # a real day and time
            return f"{value[:10]}T{value[11:]}{':00' if len(value) == 16 else ''}+08:00"
    elif len(value) >= 16 and value[4] == "-" and value[10] in " T":  # ISO with more
        parsed = _iso_or_none(value)
        if parsed is not None:
            return _iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA))
    m = _COMPACT_MOMENT.fullmatch(value)
    if m and len(value.replace(" ", "")) in (12, 14):
        y, mo, d, hh, mm, ss = m.groups()
        return _at(_day(y, mo, d, value), hh, mm, ss or "0", None, CHINA, value)
    m = _MOMENT_RE.fullmatch(value)
    if m is None:
        if _SERIAL.fullmatch(value) and len(value.split(".")[0]) <= 5:
            return moment(float(value), date_only=date_only)
        raise _bad_date(value)
    y, mo, d = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
    when = _day(y, mo, d, value)
    hh, mm, ss, frac, off = m.group(7, 8, 9, 10, 11)
    if hh is None:
        if not date_only:
            raise _bad_date(value, "a time of day is needed")
        return _iso(datetime.combine(when, time(), CHINA))
    return _at(when, hh, mm, ss or "0", frac, _offset(off), value)


def _at(when: date, hh: str, mm: str, ss: str, frac: str | None, tz: timezone,
        shown: str) -> str:
    try:
        clock = time(int(hh), int(mm), int(ss), int((frac or "0").ljust(6, "0")), tz)
    except ValueError:
        raise _bad_date(shown, "no such time of day") from None
    return _iso(datetime.combine(when, clock))


# -- money and numbers -------------------------------------------------------------------------

_MONEY = re.compile(r"(?:¥|RMB|CNY)?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(?:元|圆)?",
                    re.IGNORECASE)
_MONEY_HELP = "write 1000, 1000.00, 1,000.00, 1000元, ￥1000 or 1,000.00元"


def money(cell: Any) -> str:
    """Yuan as a plain decimal string (``"1000.00"`` stays ``"1000.00"``).

    Separators in threes, a yuan sign before or 元 after are read; anything else
    (万元, words, a comma in the wrong place, a sign, more than two decimals) is
    refused with the reason, never guessed."""
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        if isinstance(cell, float) and not cell == cell:  # NaN
            raise Refusal(Reason.BAD_MONEY, "not an amount", "不是金额")
        figure = _number_text(cell)
    else:
        value = plain(cell)
        m = _MONEY.fullmatch(value)
        if m is None:
            raise Refusal(Reason.BAD_MONEY, f"{value!r} is not an amount in yuan ({_MONEY_HELP})",
                          "不是以元为单位的金额")
        figure = m.group(1).replace(",", "") + (m.group(2) or "")
    try:
        return str(parse_money(figure).quantize(CENT))
    except MoneyError as exc:
        raise Refusal(Reason.BAD_MONEY, str(exc), "金额不合规（负数、多于两位小数或过大）") \
            from None


def _decimal(cell: Any) -> Decimal:
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return Decimal(_number_text(cell))
    value = plain(cell)
    try:
        number = Decimal(value.replace(",", "")) if re.fullmatch(r"-?[\d,]*\.?\d+", value) \
            else None
    except InvalidOperation:
        number = None
    if number is None:
        raise Refusal(Reason.WRONG_TYPE, f"{value!r} is not a number", "不是数字")
    return number


def integer(cell: Any) -> int:
    """A whole number (a capacity, a headcount, days)."""
    number = _decimal(cell)
    if number != number.to_integral_value():
        raise Refusal(Reason.WRONG_TYPE, f"{number} is not a whole number", "不是整数")
    return int(number)


def number(cell: Any) -> int | Decimal:
    """A measurement (hours, a score, a coordinate), exact as written: whole numbers stay
    whole, others stay ``Decimal`` (stored digit for digit, as ``ingest`` stores them)."""
    value = _decimal(cell)
    return int(value) if value == value.to_integral_value() else Decimal(
        format(value.normalize(), "f"))


def year(cell: Any) -> int:
    """A year: ``2023``, ``2023年`` or ``2023年度``."""
    value = plain(cell) if isinstance(cell, str) else cell
    if isinstance(value, str):
        value = re.sub(r"年度?$", "", value)
    return integer(value)


# -- choices -----------------------------------------------------------------------------------

def choice(table: Mapping[str, Any], what: str, what_zh: str) -> Parser:
    """A value from a fixed list: the spec's codes and the Chinese words for them."""
    lookup = {_key(k): v for k, v in table.items()}
    allowed = sorted({str(v) for v in table.values()}, key=str)
    words = [k for k in table if not k.isascii()]

    def parse(cell: Any) -> Any:
        found = lookup.get(_key(plain(cell)))
        if found is None:
            raise Refusal(Reason.UNKNOWN_VALUE,
                          f"{plain(cell)!r} is not a known {what}: allowed {', '.join(allowed)} "
                          f"or {'、'.join(words)}",
                          f"不是有效的{what_zh}，允许：{'、'.join(words)}")
        return found
    parse.words = dict(table)  # type: ignore[attr-defined]  # for the manual and its test
    parse.what = what  # type: ignore[attr-defined]
    return parse


def _key(value: str) -> str:
    return re.sub(r"\s+", "", value).lower()


def codes(cell: Any) -> list[str]:
    """A list of codes in one cell, separated by 、 , ; / or line breaks."""
    return [c for c in re.split(r"[\s,;/、，；]+", plain(cell)) if c]

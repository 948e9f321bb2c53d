"""Files to rows: each sheet of a workbook, or a CSV/TXT file, as numbered lists of cells.

Workbooks (``.xlsx``, ``.xls``, ``.ods``) are read by calamine (``python-calamine``,
the reader pandas' ``engine="calamine"`` uses), rows converted to Python one at a
time. Text files are decoded in the encoding ``charset-normalizer`` finds among
UTF-8 (with or without its byte-order mark), GB18030 (which reads GBK and GB2312)
and UTF-16 (Excel's "Unicode text"), and split by the standard ``csv`` reader,
streaming. A line whose bytes the encoding cannot read is handed on as bytes, to
be quarantined; the other lines go on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine
from charset_normalizer import from_bytes

from engine.errors import SkillauditError, UsageError

WORKBOOKS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
TEXTS = frozenset({".csv", ".txt", ".tsv"})
SUFFIXES = WORKBOOKS | TEXTS
SAMPLE = 1 << 20  # bytes charset-normalizer looks at
CHUNK = 1 << 20  # bytes of a text file decoded at once
ENCODINGS = ["utf_8", "gb18030", "utf_16"]  # what Chinese government exports are written in

Row = tuple[int, list[Any] | bytes]  # (row number as the file shows it, cells or unread bytes)


class UnreadableFile(SkillauditError):
    """A file that cannot be read as a spreadsheet at all (the message names it and why)."""


@dataclass
class Sheet:
    """One table to import: a workbook's sheet or a whole text file."""

    file: str
    name: str | None  # None for a text file
    total_rows: int | None  # for progress; None when unknown until read
    size: int  # the file's bytes
    _rows: Iterator[Row]
    first_column: int = 0  # 0-based column of the first cell (workbooks skip empty columns)
    consumed: int = 0  # bytes of a text file read so far (progress)
    encoding: str | None = None  # a text file's, as detected

    @property
    def label(self) -> str:
        return self.file if self.name is None else f"{self.file}#{self.name}"

    def rows(self) -> Iterator[Row]:
        return self._rows


def column_letter(index: int) -> str:
    """0 → ``A``, 26 → ``AA``: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheets_of(path: str, sheet: str | None = None) -> list[Sheet]:
    """The sheets of one file (only ``sheet`` when named), ready to be read row by row."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: not a spreadsheet ({', '.join(sorted(SUFFIXES))}) "
                         "不是支持的表格文件")
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if suffix in TEXTS:
        if sheet is not None:
            raise UsageError(f"{path} is a text file and has no sheets: leave out --sheet")
        return [_text_sheet(str(p), size)]
    return _workbook_sheets(str(p), size, sheet)


# -- workbooks ---------------------------------------------------------------------------------

def _workbook_sheets(path: str, size: int, wanted: str | None) -> list[Sheet]:
    try:
        book = python_calamine.CalamineWorkbook.from_path(path)
        names = [m.name for m in book.sheets_metadata
                 if str(m.typ).endswith("WorkSheet") and str(m.visible).endswith("Visible")]
    except Exception as exc:  # calamine's own errors: a damaged or mislabelled file
        raise UnreadableFile(f"{path}: cannot be read as a workbook ({exc}); open it in a "
                             "spreadsheet program and save it again as .xlsx 无法读取") from None
    if wanted is not None:
        if wanted not in book.sheet_names:
            raise UsageError(f"{path} has no sheet {wanted!r}; its sheets: "
                             f"{', '.join(book.sheet_names)} 无此工作表")
        names = [wanted]
    out = []
    for name in names:
        try:
            sheet = book.get_sheet_by_name(name)
        except Exception as exc:
            raise UnreadableFile(f"{path}: sheet {name!r} cannot be read ({exc})") from None
        out.append(Sheet(path, name, sheet.total_height or sheet.height, size,
                         _workbook_rows(sheet), first_column=sheet.start[1] if sheet.start
                         else 0))
    return out


def _workbook_rows(sheet: Any) -> Iterator[Row]:
    yield from enumerate(sheet.iter_rows(), 1)


# -- text files --------------------------------------------------------------------------------

def detect_encoding(path: str) -> str:
    """The file's encoding, as Python names it (``utf-8-sig``, ``utf-8``, ``gb18030``, …).

    charset-normalizer looks at the first megabyte; when that is plain ASCII it
    looks again where the first other byte stands, so a GBK file whose first
    rows are digits is not taken for UTF-8."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE)
        if sample.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        while sample.isascii():
            more = f.read(SAMPLE)
            if not more:
                return "utf-8"
            if not more.isascii():
                start = next(i for i, b in enumerate(more) if b > 0x7F)
                sample = more[max(0, start - 1024):start + SAMPLE // 4]
    best = from_bytes(sample, cp_isolation=ENCODINGS).best()
    if best is None:  # some line no encoding reads (a stray byte): judge by the others
        best = from_bytes(b"\n".join(_readable_lines(sample)), cp_isolation=ENCODINGS).best()
    if best is None:
        raise UnreadableFile(f"{path}: its encoding is none of UTF-8, GBK/GB18030 or UTF-16; "
                             "save it as UTF-8 CSV 无法识别文件编码")
    return {"utf_8": "utf-8", "gb18030": "gb18030", "utf_16": "utf-16"}.get(
        best.encoding, best.encoding)


def _readable_lines(sample: bytes) -> list[bytes]:
    """The sample's lines that one of the candidate encodings reads."""
    out = []
    for line in sample.split(b"\n"):
        for encoding in ("utf-8", "gb18030"):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                continue
            out.append(line)
            break
    return out


def _dialect(path: str, encoding: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma for ``.csv``; for ``.txt``/``.tsv`` whichever of tab, comma, ``;``, ``|`` fits."""
    if path.lower().endswith(".csv"):
        return csv.excel
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(64 << 10)
    try:
        return csv.Sniffer().sniff(sample, delimiters="\t,;|")
    except csv.Error:
        return csv.excel_tab


def _text_sheet(path: str, size: int) -> Sheet:
    encoding = detect_encoding(path)
    sheet = Sheet(path, None, None, size, iter(()), encoding=encoding)
    sheet._rows = _text_rows(path, encoding, _dialect(path, encoding), sheet)
    return sheet


def _lines(path: str, encoding: str, bad: dict[int, bytes], sheet: Sheet) -> Iterator[str]:
    """Decoded lines; one the encoding cannot read is kept in ``bad`` and read as empty."""
    if encoding == "utf-16":  # two bytes a character: decode the stream as a whole
        with open(path, encoding=encoding, newline="") as f:
            for line in f:
                sheet.consumed = min(sheet.size, sheet.consumed + 2 * len(line))
                yield line
        return
    n = 0
    with open(path, "rb") as f:
        while chunk := f.readlines(CHUNK):  # decoded a megabyte at a time; line by line
            sheet.consumed += sum(map(len, chunk))  # only where a byte does not decode
            try:
                yield from io.StringIO(b"".join(chunk).decode(encoding), newline="\n")
            except UnicodeDecodeError:
                for n_, raw in enumerate(chunk, n + 1):
                    try:
                        yield raw.decode(encoding)
                    except UnicodeDecodeError:
                        bad[n_] = raw.rstrip(b"\r\n")
                        yield "\n"
            n += len(chunk)


def _text_rows(path: str, encoding: str, dialect: Any, sheet: Sheet) -> Iterator[Row]:
    bad: dict[int, bytes] = {}
    reader = csv.reader(_lines(path, encoding, bad, sheet), dialect)
    first = 1
    try:
        for cells in reader:
            n, first = first, reader.line_num + 1
            if n in bad:
                yield n, bad.pop(n)
            else:
                yield n, cells
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: line {reader.line_num}: {exc}; the rows before it are "
                             "imported 文件格式错误") from None
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path}: not readable as {encoding} ({exc})") from None


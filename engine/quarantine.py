"""Why a line was not stored: the one ``Reason`` code list and the quarantine record.

Malformed lines are never stored as events and never stop an ingest; each is
kept with its source, line number, raw bytes and reason so it can be listed,
corrected at the source and retried.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    NOT_UTF8 = "not_utf8"
    NOT_JSON = "not_json"
    NOT_OBJECT = "not_object"
    UNKNOWN_TYPE = "unknown_type"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    BAD_DATE = "bad_date"
    IMPOSSIBLE_VALUE = "impossible_value"
    BAD_MONEY = "bad_money"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    # a spreadsheet row (skillaudit import): the reasons a cell can give beyond the above
    BAD_ID_NUMBER = "bad_id_number"
    UNKNOWN_VALUE = "unknown_value"
    BAD_ENCODING = "bad_encoding"

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {
    Reason.NOT_UTF8: "不是 UTF-8 编码（如 GBK），请转为 UTF-8",
    Reason.NOT_JSON: "不是合法的 JSON",
    Reason.NOT_OBJECT: "不是 JSON 对象",
    Reason.UNKNOWN_TYPE: "未知的事件类型",
    Reason.MISSING_FIELD: "缺少必填字段",
    Reason.WRONG_TYPE: "字段类型错误",
    Reason.BAD_DATE: "日期或时间无法解析或缺少时区",
    Reason.IMPOSSIBLE_VALUE: "不可能的取值",
    Reason.BAD_MONEY: "金额不是最多两位小数的普通数字",
    Reason.CONFLICTING_DUPLICATE: "事件编号重复但内容不同",
    Reason.BAD_ID_NUMBER: "证件号被 Excel 存成数字而损坏（末位或 X 丢失），请以文本格式重新导出",
    Reason.UNKNOWN_VALUE: "取值不在允许的范围内",
    Reason.BAD_ENCODING: "该行字节无法按文件的编码解码",
}


class Malformed(Exception):
    """A line that cannot become an event, with its reason code and a readable message."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class QuarantineEntry:
    """One rejected line as it is kept in the quarantine table."""

    source: str
    line_no: int
    raw: bytes
    reason: Reason
    message: str

    @property
    def raw_hash(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True)
class QuarantinedLine:
    """A quarantine row read back, with its id and state."""

    id: int
    source: str
    line_no: int
    raw: bytes
    reason: Reason
    message: str
    received_at: str
    status: str  # "open" | "resolved"
    attempts: int
    resolved_event_id: str | None

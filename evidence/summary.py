"""The human-readable page of an evidence pack: one self-contained HTML file, 中文 and English.

It opens offline (inline CSS, no scripts, fonts or links to fetch) and shows
what the finding says, each event it rests on, and the chain head and Merkle
root a reader can compare with a trusted copy. It shows what the pack holds:
the finding as listed and each event's masked copy, unless the pack was made
with ``--unmask``; the proof lives in the JSON files, not here.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from evidence.records import record_envelope

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;
color:#222;max-width:70em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f2;white-space:nowrap}code{font-size:.85em;word-break:break-all}
.sev-critical,.sev-high{color:#b00020;font-weight:bold}.note{color:#555;font-size:.9em}
"""


def fields_line(data: dict[str, Any]) -> str:
    """An event's data in one line: its fields, long lists counted, cut at 400 characters."""
    parts = []
    for k, v in data.items():
        if isinstance(v, list) and len(v) > 3:
            v = f"[{len(v)} items]"
        elif isinstance(v, dict | list):
            v = json.dumps(v, ensure_ascii=False, default=str)
        parts.append(f"{k}={v}")
    text = ", ".join(parts)
    return text if len(text) <= 400 else text[:400] + " …"


def render_summary(record: dict[str, Any], events: list[dict[str, Any]],
                   chain: dict[str, Any], *, unmask: bool = False) -> str:
    """The summary page of one pack; ``record`` and ``events`` are masked already unless
    ``unmask`` (the page shows what the pack's JSON files hold, nothing more)."""

    def cell(value: Any) -> str:
        return escape(str(value))

    finding_rows = [
        ("finding id 问题编号", record["finding_id"]), ("rule 规则", record["code"]),
        ("category 类别", record["category"]), ("severity 严重程度", record["severity"]),
        ("title 标题", record["title"]), ("amount at risk 涉及金额 (元 yuan)",
                                           record["amount_at_risk"]),
        ("subject 对象", f"{record['subject_type']} {record['subject_id']}"),
        ("detected at 检出时间", record.get("detected_at", "")),
        ("rules 规则版本", f"{record.get('rules_version', '')} ({record.get('rules_digest', '')})"),
        ("说明 (中文)", record["explanation_zh"]), ("explanation (English)",
                                                   record["explanation_en"]),
    ]
    head, tree = chain["head"], chain["merkle"]
    event_rows = []
    for e in events:
        try:
            env = record_envelope(e)
        except (KeyError, ValueError):
            env = {}
        env = env if isinstance(env, dict) else {}
        role = "问题记录 finding" if e["role"] == "finding" else "证据 evidence"
        event_rows.append(
            f"<tr><td>{e['chain_seq']}</td><td>{e['position']}</td><td>{escape(role)}</td>"
            f"<td>{cell(e['topic'])}</td><td><code>{cell(e['event_id'])}</code></td>"
            f"<td>{cell(env.get('occurred_at', ''))}</td>"
            f"<td>{cell(fields_line(env.get('data', {})))}</td>"
            f"<td><code>{escape(e['chain_hash'][:16])}…</code></td></tr>")
    sev = escape(str(record["severity"]))
    shown_as = "" if unmask else " (masked copy 脱敏副本)"
    masked_note = ("Personal data shown in full (--unmask) 个人信息未脱敏; events.jsonl keeps "
                   "each event's stored bytes" if unmask else
                   "ID numbers, phones, bank accounts and names are masked 个人信息已脱敏; "
                   "events.jsonl keeps each event's content digest, which its chain link and "
                   "Merkle proof verify, and a masked copy, checked against the store with "
                   "verify-evidence --db")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>证据包 Evidence pack {cell(record['finding_id'])}</title>
<style>{_CSS}</style></head><body>
<h1>证据包 Evidence pack — {cell(record['title'])}</h1>
<p class="note">{escape(masked_note)}. Packed 生成于 {cell(chain['packed_at'])}.</p>
<h2>问题 The finding</h2>
<table>{''.join(f'<tr><th>{escape(k)}</th><td class="{"sev-" + sev if "severity" in k else ""}">'
                f'{cell(v)}</td></tr>' for k, v in finding_rows)}</table>
<h2>证据事件 Evidence events ({len(events)})</h2>
<p class="note">Each event as stored in the log{escape(shown_as)}, in log order 按日志顺序.</p>
<table><tr><th>chain # 链序号</th><th>position 位置</th><th>role 作用</th><th>type 类型</th>
<th>event id 事件编号</th><th>occurred 发生时间</th><th>data 内容</th>
<th>chain hash 链哈希</th></tr>
{''.join(event_rows)}</table>
<h2>完整性证明 Integrity</h2>
<table>
<tr><th>chain head 链头</th><td><code>{head['seq']}:{escape(head['hash'])}</code>
 (position 位置 {head['position']})</td></tr>
<tr><th>Merkle root 默克尔根</th><td><code>{escape(tree['root'])}</code>
 over 覆盖 {tree['leaves']} chain hashes 链哈希</td></tr>
<tr><th>scheme 算法</th><td>{escape(tree['scheme'])}</td></tr>
<tr><th>events verified 已校验事件</th><td>{chain['verified_events']}</td></tr>
</table>
<p>To check this pack 校验方法: <code>skillaudit verify-evidence DIR</code> (no database needed
无需数据库); add <code>--db URL</code> to compare the head and root with the live store
与在线存储比对. Compare the chain head with one noted independently 与独立记录的链头比对.
A changed byte in any file makes the check fail 任何字节被改动都会校验失败.</p>
</body></html>
"""

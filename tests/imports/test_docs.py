"""The manual's import pages say what the code does: every header name and every word it
reads is listed, and the guide's mapping-file example is a mapping file the import reads."""

from __future__ import annotations

import re
from pathlib import Path

from imports import codes
from imports.headers import field_names
from imports.kinds import ENVELOPE, KINDS
from imports.mapping import load_mapping
from tests.docs.paths import DOCS

COLUMNS = DOCS / "reference" / "import-columns.md"
GUIDE = DOCS / "guides" / "imports.md"


def test_every_header_name_of_every_kind_is_in_the_reference() -> None:
    page = COLUMNS.read_text(encoding="utf-8")
    for name, kind in KINDS.items():
        section = page.split(f"### {name} → `{kind.event_type}`")[1].split("###")[0]
        for field in [*kind.fields, *ENVELOPE]:
            row = next((line for line in section.splitlines()
                        if line.startswith(f"| `{field.replace('items.', 'items[].')}` |")), None)
            assert row, f"{name}.{field} is not in {COLUMNS.name}"
            for header in field_names(name, field):
                assert header in row, f"{name}.{field}: {header} is not listed"


def test_every_word_read_as_a_code_is_in_the_reference() -> None:
    page = COLUMNS.read_text(encoding="utf-8")
    for parse in vars(codes).values():
        for word in getattr(parse, "words", {}):
            if not word.isascii():
                assert word in page, f"{word} ({parse.what}) is not listed"


def test_the_guides_mapping_example_is_a_mapping_file(tmp_path: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    example = re.search(r"```toml\n(# map\.toml\n.*?)```", text, re.S)
    assert example, "the guide has no mapping-file example"
    path = tmp_path / "map.toml"
    path.write_text(example.group(1), encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.match("2023年花名册.xlsx").kind == "persons"
    assert mapping.match("开班信息.xlsx").sheet == "开班信息"
    assert mapping.names("attendance")["刷脸时间"] == "occurred_at"
    assert mapping.fixed_values("persons")["county"] == "交口县"

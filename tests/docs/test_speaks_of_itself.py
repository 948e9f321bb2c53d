"""The product speaks of itself only: no development history in the README, the manual or the code.

What was tried and dropped, which run was faster on which computer, the ticket a
change answered: all of it belongs in commit messages. A word of it that comes back
fails here, with every hit listed as file:line. An official report is named by its
title (the Jinzhong 2023 work plan), never by its file number.

The README and the hand-written manual are checked strictly. The code, and the
reference pages generated from it, are checked by a second test, marked as an
expected failure until the code's own words are cleaned; once they are, that test
passes, the strict marker turns the pass into a failure, and the marker goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from skillaudit.reference import GENERATED
from tests.docs.paths import DOCS, REPO

ORDINAL = (r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
           r"twelfth|[0-9]+(?:st|nd|rd|th)|previous|earlier|later|last|this|next|same|one|each")
HISTORY = {
    "a development session": re.compile(
        rf"\b(?:{ORDINAL}) (?:development |work )?sessions?\b", re.IGNORECASE),
    "an issue number": re.compile(r"\bissue \d+\b", re.IGNORECASE),
    # the phrases are spelt in parts so that this file does not name them itself
    "a machine of the moment": re.compile(r"\bthis" + r" machine\b", re.IGNORECASE),
    "the developers' instructions": re.compile(r"\bthe" + r" brief\b", re.IGNORECASE),
    "a seed report's file number (name it by its title)": re.compile(
        r"\bseed 00\d", re.IGNORECASE),
    "a path outside the repository": re.compile(r"\.\./shared"),
}
# sessions the product itself knows: a class's training sessions (the spec's SessionHeld),
# a user's login session, an HTTP session, a database session
ALLOWED = re.compile(r"\b(?:training|class|login|HTTP|database) sessions?\b|SessionHeld",
                     re.IGNORECASE)
SKIP_DIRS = {".venv", ".git"}
CODE_SUFFIXES = {".py", ".toml", ".yml", ".yaml"}


def hits(paths: Iterable[Path]) -> list[str]:
    found = []
    for path in sorted(set(paths)):
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            plain = ALLOWED.sub(" ", line)
            for what, pattern in HISTORY.items():
                for match in pattern.finditer(plain):
                    found.append(f"{path.relative_to(REPO)}:{number}: {what}: "
                                 f"{match.group(0)!r} in {line.strip()[:120]!r}")
    return found


def manual() -> list[Path]:
    generated = {DOCS / rel for rel in GENERATED}
    pages = [p for p in DOCS.rglob("*.md") if p not in generated]
    return [REPO / "README.md", REPO / "mkdocs.yml", *pages]


def code() -> list[Path]:
    this = Path(__file__).resolve()
    files = [p for p in REPO.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file()
             and not SKIP_DIRS & set(p.relative_to(REPO).parts) and p.resolve() != this]
    return files + [DOCS / rel for rel in GENERATED]


def test_the_words_are_caught() -> None:
    """The patterns find what they are for, and leave the product's own sessions alone."""
    lines = ["In the eighth " + "session we tried it.", "the previous " + "development session",
             "As issue " + "9 asks,", "on this " + "machine", "as the " + "brief says",
             "as seed 003 asks", "see ../shared/spec/events.md", "the 12th " + "session"]
    for line in lines:
        plain = ALLOWED.sub(" ", line)
        assert any(p.search(plain) for p in HISTORY.values()), line
    for line in ["each training session", "before the first class session", "SessionHeld",
                 "the same login session", "as long as this database session",
                 "the Jinzhong 2023 work plan"]:
        plain = ALLOWED.sub(" ", line)
        assert not any(p.search(plain) for p in HISTORY.values()), line


def test_readme_and_manual_speak_of_the_product_only() -> None:
    found = hits(manual())
    assert not found, "development history in the README or the manual:\n" + "\n".join(found)


def test_code_and_generated_reference_speak_of_the_product_only() -> None:
    found = hits(code())
    assert not found, ("development history in the code (or in the reference pages "
                       "generated from it; fix the code, then run "
                       "`python -m skillaudit.reference`):\n" + "\n".join(found))

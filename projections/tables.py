"""SQLAlchemy metadata of the read models, derived from ``projections.sources``.

Every table starts with the event's ``position`` (global order) and
``recorded_us`` (when the source recorded it), the two keys "as of" filters
on, and ``occurred_at`` as the source wrote it (offset kept) plus
``occurred_ts`` (UTC epoch seconds) for arithmetic on times.
"""

from __future__ import annotations

import sqlalchemy as sa

from projections.sources import ARRAY_TABLES, FACT_TABLES, Col

metadata = sa.MetaData()

_TYPES: dict[str, type[sa.types.TypeEngine]] = {  # type: ignore[type-arg]
    "str": sa.Text,
    "int": sa.BigInteger,
    "num": sa.Float,  # coordinates, hours, scores: never money
    "money": sa.BigInteger,  # integer fen: exact
    "date": sa.Text,  # YYYY-MM-DD compares correctly as text on every backend
    "bool": sa.Boolean,
    "json": sa.Text,
}


# On SQLite a lone ``INTEGER`` primary key is the rowid itself: one B-tree per table
# instead of two, and rows copied table to table by SQLite's transfer optimisation.
_POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _common(*, rowid: bool = True) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("position", _POSITION if rowid else sa.BigInteger, primary_key=True,
                  autoincrement=False),
        sa.Column("recorded_us", sa.BigInteger, nullable=False),
        sa.Column("occurred_at", sa.Text, nullable=False),
        sa.Column("occurred_ts", sa.BigInteger, nullable=False),  # UTC epoch seconds
    ]


def _column(c: Col) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(c.name, _TYPES[c.kind], nullable=True)


for _f in FACT_TABLES:
    sa.Table(_f.name, metadata, *_common(), *(_column(c) for c in _f.columns),
             *(sa.Index(f"ix_{_f.name}_{k}", k) for k in _f.keys))

for _a in ARRAY_TABLES:
    sa.Table(_a.name, metadata, *_common(rowid=False),
             sa.Column("item_no", sa.Integer, primary_key=True, autoincrement=False),
             *(_column(c) for c in _a.parent), *(_column(c) for c in _a.element),
             *(sa.Index(f"ix_{_a.name}_{k}", k) for k in _a.keys))

subjects = sa.Table(
    "rm_subjects", metadata,
    sa.Column("subject_type", sa.Text, primary_key=True),
    sa.Column("subject_id", sa.Text, primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
)

tracking = sa.Table(
    "rm_tracking", metadata,
    sa.Column("projection", sa.Text, primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)

PROJECTION_NAME = "read_models"

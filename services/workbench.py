"""The workbench every use case acts on: one store, its read models, the rules.

Built once by an adapter (``skillaudit.wiring`` from ``--db`` and ``--rules``,
the web app from its settings); opens what a use case needs when it first
needs it, so a command that only reads the log never loads rules. Without a
rules file, the rules are those in force in the log: the latest adopted
(``skillaudit rules adopt``), else the defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time

import sqlalchemy as sa

from detectors.rules import Rules, RulesFileError, load_rules
from engine.errors import UsageError
from engine.store.base import EventStore
from engine.store.factory import normalise_url, open_store
from findings.adoption import Adoption, adoptions
from projections.asof import NOW, AsOf
from projections.chinatime import CHINA
from projections.projector import Projector, engine_for
from projections.views import Views
from services.accounts_db import open_accounts


@dataclass
class Workbench:
    """A store URL and a rules file (None: the rules in force), opened on demand."""

    url: str
    rules_path: str | None = None
    _engine: sa.Engine | None = field(default=None, repr=False)
    _rules: Rules | None = field(default=None, repr=False)
    _held: EventStore | None = field(default=None, repr=False)
    _accounts: sa.Engine | None = field(default=None, repr=False)
    _projector: Projector | None = field(default=None, repr=False)
    # the read models' applied position as the last update found it (None: not asked yet)
    applied: int | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.url = normalise_url(self.url)

    @classmethod
    def over(cls, store: EventStore, engine: sa.Engine, rules: Rules, url: str = ""
             ) -> Workbench:
        """A workbench on a store, engine and rules a long-running adapter keeps open
        (the stream follower cycles every second: it does not reopen them each time)."""
        return cls(url or "sqlite:///:memory:", None, engine, rules, store)

    @contextmanager
    def store(self, *, create: bool = True) -> Iterator[EventStore]:
        """The event store, closed when the use case is done with it."""
        if self._held is not None:
            yield self._held
            return
        store = open_store(self.url, create=create)
        try:
            yield store
        finally:
            store.close()

    def require_store(self) -> None:
        """A store that does not exist yet is an error, not a new empty file."""
        with self.store(create=False):
            pass

    @property
    def engine(self) -> sa.Engine:
        """SQLAlchemy on the store's database (the read models live beside the events)."""
        if self._engine is None:
            with self.store():  # the event tables exist before anything reads them
                pass
            self._engine = engine_for(self.url)
        return self._engine

    @property
    def accounts(self) -> sa.Engine:
        """The workbench accounts' own engine (``services.accounts_db``): durable writes."""
        if self._accounts is None:
            with self.store():  # the database exists before its tables are added
                pass
            self._accounts = open_accounts(self.url)
        return self._accounts

    @property
    def rules(self) -> Rules:
        """The rules file merged over the defaults, else the rules in force in the log;
        a bad file is the user's to fix."""
        if self._rules is None:
            try:
                self._rules = (self.rules_in_force()[0] if self.rules_path is None
                               else load_rules(self.rules_path))
            except RulesFileError as exc:
                raise UsageError(str(exc)) from None
        return self._rules

    def rules_in_force(self, upto: int | None = None) -> tuple[Rules, Adoption | None]:
        """The rules the log has in force (at position ``upto``): the latest adopted and
        its adoption, else the defaults and None. A rules file given is not asked."""
        adopted = adoptions(self.engine, upto)
        if adopted:
            return adopted[-1].rules(), adopted[-1]
        return load_rules(), None

    def forget_rules(self) -> None:
        """Read the rules again when next asked (after an adoption changed them)."""
        if self.rules_path is None:
            self._rules = None

    def views(self, as_of: AsOf = NOW, *, update: bool = True) -> Views:
        """Read-side views as of a point, after applying any new events to the read models."""
        if update:
            if self._projector is None or self._projector.engine is not self.engine:
                self._projector = Projector(self.engine)  # its statements, built once
            self.applied = self._projector.run().to_position
        return Views(self.engine, as_of)

    def position_of(self, as_of: AsOf) -> int | None:
        """The log position an as-of point names (None: the present)."""
        positions = [] if as_of.position is None else [as_of.position]
        if as_of.recorded_us is not None:
            with self.store() as store:
                positions.append(store.position_recorded_by(as_of.recorded_us))
        return min(positions) if positions else None

    @classmethod
    def held_open(cls, url: str, rules_path: str | None = None) -> Workbench:
        """A workbench whose store and engine stay open until ``close(release=True)``."""
        url = normalise_url(url)
        wb = cls(url, rules_path)
        wb._held = open_store(url)
        return wb

    def close(self, *, release: bool = False) -> None:
        """Let the engine go (a held workbench keeps its own unless ``release``)."""
        if self._accounts is not None:
            self._accounts.dispose()
            self._accounts = None
        if self._held is not None and not release:
            return
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._held is not None:
            self._held.close()
            self._held = None


def as_of(time: str | None = None, position: int | None = None, day: str | None = None
          ) -> AsOf:
    """An as-of point from a time with its offset and/or a log position, or a calendar day
    (what was recorded by its end in Beijing time); a bad one is refused."""
    if day is not None and time is None:
        try:
            end = datetime.combine(date.fromisoformat(day), dt_time.max, CHINA)
        except ValueError:
            raise UsageError(f"as-of day {day!r} is not a date YYYY-MM-DD 日期格式应为年-月-日"
                             ) from None
        time = end.isoformat()
    elif day is not None:
        raise UsageError("give an as-of time or an as-of day, not both 时间与日期只能选一")
    try:
        return AsOf.parse(time, position)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

"""aiosqlite storage: the only place with SQL."""

from __future__ import annotations

from pathlib import Path

from storage.audit import AuditRepo
from storage.coordination import CoordinationRepo
from storage.db import Database, DatabaseTooNew
from storage.needs import NeedRepo
from storage.offers import OfferRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.privacy import PrivacyRepo
from storage.reports import ReportRepo
from storage.roles import RoleRepo
from storage.safety import SafetyRepo
from storage.volunteers import VolunteerRepo
from storage.work import WorkRepo


class Store:
    """Every repository over one database file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.people = PeopleRepo(db)
        self.volunteers = VolunteerRepo(db)
        self.needs = NeedRepo(db)
        self.offers = OfferRepo(db)
        self.work = WorkRepo(db)
        self.roles = RoleRepo(db)
        self.audit = AuditRepo(db)
        self.coordination = CoordinationRepo(db)
        self.privacy = PrivacyRepo(db)
        self.safety = SafetyRepo(db)
        self.reports = ReportRepo(db)
        self.outbox = OutboxRepo(db)

    @classmethod
    def at(cls, path: str | Path) -> Store:
        """A store for this file; it connects and migrates on first use."""
        return cls(Database(path))

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()


__all__ = ["Database", "DatabaseTooNew", "Store"]

"""aiosqlite storage: the only place with SQL."""

from __future__ import annotations

from pathlib import Path

from storage.audit import AuditRepo
from storage.casework import CaseRepo
from storage.coordination import CoordinationRepo
from storage.db import Database, DatabaseTooNew
from storage.directory import DirectoryRepo
from storage.held import HeldRepo
from storage.menus import MenuRepo
from storage.needs import NeedRepo
from storage.offers import OfferRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.privacy import PrivacyRepo
from storage.referrals import ReferralRepo
from storage.relay import RelayRepo
from storage.reports import ReportRepo
from storage.roles import RoleRepo
from storage.safety import SafetyRepo
from storage.volunteers import VolunteerRepo
from storage.web import WebRepo
from storage.work import WorkRepo


class Store:
    """Every repository over one database file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.people = PeopleRepo(db)
        self.volunteers = VolunteerRepo(db)
        self.needs = NeedRepo(db)
        self.held = HeldRepo(db)  # needs waiting for a coordinator
        self.referrals = ReferralRepo(db)  # council referrals
        self.offers = OfferRepo(db)
        self.work = WorkRepo(db)
        self.roles = RoleRepo(db)
        self.audit = AuditRepo(db)
        self.coordination = CoordinationRepo(db)
        self.privacy = PrivacyRepo(db)
        self.safety = SafetyRepo(db)
        self.reports = ReportRepo(db)
        self.outbox = OutboxRepo(db)
        self.relay = RelayRepo(db)
        self.web = WebRepo(db)  # the dashboard's sign-ins and lists
        self.directory = DirectoryRepo(db)  # people as coordinators find them
        self.cases = CaseRepo(db)  # a need as coordinators work on it: history, notes
        self.menus = MenuRepo(db)  # the command menu each chat was last given

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

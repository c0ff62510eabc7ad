"""What the domain needs from outside: a store and a clock, as Protocols."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from domain.models import Candidate, Claim, Need, NeedStatus, VolunteerProfile, When


class Clock(Protocol):
    def now(self) -> datetime: ...


class NeedStore(Protocol):
    async def create(
        self,
        resident_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        window: tuple[datetime, datetime],
        now: datetime,
    ) -> Need: ...

    async def get(self, need_id: int) -> Need | None: ...

    async def with_status(self, status: NeedStatus) -> list[Need]: ...

    async def candidates(
        self, need: Need, areas: Iterable[str], now: datetime
    ) -> list[Candidate]: ...

    async def open_wave(
        self, need_id: int, volunteer_ids: list[int], now: datetime
    ) -> int | None: ...

    async def claim(
        self, proposal_id: int, volunteer_id: int, code: str, now: datetime
    ) -> tuple[Claim, Need | None]: ...

    async def decline(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[int | None, int]: ...

    async def open_proposal_count(self, need_id: int) -> int: ...


class VolunteerStore(Protocol):
    async def save(self, profile: VolunteerProfile, now: datetime) -> VolunteerProfile: ...

    async def get(self, user_id: int) -> VolunteerProfile | None: ...


class Store(Protocol):
    @property
    def needs(self) -> NeedStore: ...

    @property
    def volunteers(self) -> VolunteerStore: ...

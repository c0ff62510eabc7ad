"""What the domain needs from outside: a store and a clock, as Protocols."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from domain.models import (
    Candidate,
    Claim,
    Need,
    NeedStatus,
    Offer,
    Proposal,
    VolunteerProfile,
    When,
)


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

    async def proposal(self, proposal_id: int) -> Proposal | None: ...

    async def with_status(self, status: NeedStatus) -> list[Need]: ...

    async def candidates(
        self,
        need: Need,
        areas: Iterable[str],
        now: datetime,
        *,
        offers_need_approval: bool = False,
        with_radius: bool = True,
        availabilities: Iterable[str] | None = None,
        vetted_only: bool = False,
        limit: int | None = None,
    ) -> list[Candidate]: ...

    async def open_wave(
        self, need_id: int, volunteer_ids: list[int], now: datetime, deadline: datetime
    ) -> int | None: ...

    async def claim(
        self,
        proposal_id: int,
        volunteer_id: int,
        code: str,
        now: datetime,
        schedule: Callable[[Need], list[tuple[str, datetime]]] = ...,
    ) -> tuple[Claim, Need | None]: ...

    async def decline(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[int | None, int]: ...

    async def open_proposal_count(self, need_id: int) -> int: ...

    async def waiting(self, need_id: int, wave: int | None = None) -> bool: ...

    async def ran_out(self, need_id: int, now: datetime) -> bool: ...

    async def complete(
        self, need_id: int, volunteer_id: int, hours: float, now: datetime
    ) -> bool: ...

    async def drop(self, need_id: int, volunteer_id: int, now: datetime) -> bool: ...

    async def extend(self, need_id: int, new_end: datetime, now: datetime) -> bool: ...

    async def withdraw_proposals_of(self, volunteer_id: int, now: datetime) -> list[int]: ...


class VolunteerStore(Protocol):
    async def save(self, profile: VolunteerProfile, now: datetime) -> VolunteerProfile: ...

    async def get(self, user_id: int) -> VolunteerProfile | None: ...

    async def set_on_duty(self, user_id: int, on_duty: bool) -> bool: ...


class PeopleStore(Protocol):
    async def mark_unreachable(self, user_id: int) -> None: ...


class OfferStore(Protocol):
    async def create(
        self,
        user_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        window: tuple[datetime, datetime],
        now: datetime,
    ) -> Offer: ...


class WorkStore(Protocol):
    async def add(
        self, kind: str, due_at: datetime, now: datetime, **payload: int | str | None
    ) -> None: ...


class Store(Protocol):
    @property
    def needs(self) -> NeedStore: ...

    @property
    def volunteers(self) -> VolunteerStore: ...

    @property
    def people(self) -> PeopleStore: ...

    @property
    def work(self) -> WorkStore: ...

    @property
    def offers(self) -> OfferStore: ...

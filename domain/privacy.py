"""Data rights and retention: what a person can get and delete, and how long details stay.

Forgetting someone keeps the group's anonymous counts: their rows stay (category, area,
status, times, volunteer hours) but point at a pseudonymous person that no Telegram account
can ever be (ids at or below ANONYMOUS), and lose every word and detail they gave.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from domain.models import Need, NeedStatus

# Telegram ids fit in 52 bits; nothing at or below this is anyone's chat. Needs past
# retention point at ANONYMOUS itself; each forgotten person gets their own id below it, so
# counts of distinct volunteers stay right without saying who.
ANONYMOUS = -(2**60)
CLOSED_STATUSES = frozenset({NeedStatus.DONE, NeedStatus.CANCELLED, NeedStatus.CLOSED})


def is_anonymous(user_id: int | None) -> bool:
    """A pseudonymous stand-in for someone forgotten: never messaged, never matched."""
    return user_id is not None and user_id <= ANONYMOUS


def retention_cutoff(now: datetime, retention: timedelta) -> datetime:
    """Needs closed before this lose their personal details."""
    return now - retention


class PersonalData(BaseModel):
    """Everything kept about one person, as `/mydata` sends it."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    generated_at: datetime
    person: dict[str, Any] | None = None
    roles: list[dict[str, Any]] = Field(default_factory=list)
    volunteer_profile: dict[str, Any] | None = None
    needs: list[dict[str, Any]] = Field(default_factory=list)
    offers: list[dict[str, Any]] = Field(default_factory=list)
    proposals: list[dict[str, Any]] = Field(default_factory=list)
    tasks: list[dict[str, Any]] = Field(default_factory=list)
    volunteer_hours: float = 0.0
    concerns: list[dict[str, Any]] = Field(default_factory=list)
    coordinator_actions: list[dict[str, Any]] = Field(default_factory=list)
    messages_sent: list[dict[str, Any]] = Field(default_factory=list)  # through the relay
    referrals_made: list[dict[str, Any]] = Field(default_factory=list)  # as a council liaison
    form_in_progress: dict[str, Any] | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing at all is kept about them."""
        return not (
            self.person
            or self.roles
            or self.volunteer_profile
            or self.needs
            or self.offers
            or self.proposals
            or self.tasks
            or self.concerns
            or self.messages_sent
            or self.referrals_made
            or self.coordinator_actions
            or self.form_in_progress
        )


class Forgotten(BaseModel):
    """What `/forget` did."""

    model_config = ConfigDict(frozen=True)

    needs_withdrawn: tuple[int, ...] = ()
    tasks_returned: tuple[int, ...] = ()
    asked_elsewhere: tuple[int, ...] = ()  # needs whose proposals to them were withdrawn
    pseudonym: int | None = None


class NeedsForForgetting(Protocol):
    async def cancel(self, need_id: int, resident_id: int, now: datetime) -> Need | None: ...

    async def tasks_of(self, volunteer_id: int) -> list[Need]: ...

    async def drop(self, need_id: int, volunteer_id: int, now: datetime) -> bool: ...

    async def withdraw_proposals_of(self, volunteer_id: int, now: datetime) -> list[int]: ...


class PrivacyStore(Protocol):
    async def open_needs_of(self, user_id: int) -> list[int]: ...

    async def anonymise(self, user_id: int, now: datetime) -> int | None: ...


async def forget(
    needs: NeedsForForgetting,
    privacy: PrivacyStore,
    match: Callable[[int, datetime], Awaitable[int]],
    user_id: int,
    now: datetime,
) -> Forgotten:
    """Withdraw what is still open (the other side is told, neutrally, by the usual timed
    work), then anonymise everything kept, then let the needs they held find someone else.

    Each step is conditional, so running it again after a crash finishes the job.
    """
    withdrawn = [
        need_id
        for need_id in await privacy.open_needs_of(user_id)
        if await needs.cancel(need_id, user_id, now) is not None
    ]
    returned = [
        task.id for task in await needs.tasks_of(user_id) if await needs.drop(task.id, user_id, now)
    ]
    proposals = await needs.withdraw_proposals_of(user_id, now)
    pseudonym = await privacy.anonymise(user_id, now)
    for need_id in sorted(set(returned) | set(proposals)):
        await match(need_id, now)  # unless its current wave still waits on someone
    return Forgotten(
        needs_withdrawn=tuple(withdrawn),
        tasks_returned=tuple(returned),
        asked_elsewhere=tuple(proposals),
        pseudonym=pseudonym,
    )

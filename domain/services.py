"""The group's operations, over the store's Protocols: post, match, accept, decline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.community import Community
from domain.lifecycle import new_doorstep_code, window_for
from domain.matching import next_wave
from domain.models import Claim, Need, NeedStatus, VolunteerProfile, When
from domain.ports import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    wave_size: int = 3
    timezone: str = "Europe/London"
    volunteer_approval: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class MutualAid:
    """Use cases: each changes the store in transactions and queues what must be sent."""

    def __init__(self, store: Store, community: Community, policy: Policy) -> None:
        self.store = store
        self.community = community
        self.policy = policy

    async def post_need(
        self,
        resident_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        now: datetime,
    ) -> Need:
        window = window_for(when, now, self.policy.tz)
        need = await self.store.needs.create(
            resident_id, category, area, description, when, window, now
        )
        await self.match(need.id, now)
        return need

    async def match(self, need_id: int, now: datetime) -> int:
        """Ask the next wave for an open need; returns how many were asked."""
        need = await self.store.needs.get(need_id)
        if need is None or need.status is not NeedStatus.OPEN:
            return 0
        areas = {need.area} | self.community.neighbours_of(need.area)
        candidates = await self.store.needs.candidates(need, areas, now)
        wave = next_wave(need, candidates, self.community, self.policy.tz, self.policy.wave_size)
        if not wave:
            logger.info("Need #%s has no eligible volunteer left", need.id)
            return 0
        opened = await self.store.needs.open_wave(need.id, [c.user_id for c in wave], now)
        return len(wave) if opened is not None else 0

    async def accept(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[Claim, Need | None]:
        return await self.store.needs.claim(proposal_id, volunteer_id, new_doorstep_code(), now)

    async def decline(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[bool, Need | None]:
        """Record a decline; when the whole wave has answered no, ask the next one."""
        need_id, left = await self.store.needs.decline(proposal_id, volunteer_id, now)
        if need_id is None:
            return False, None
        if left == 0:
            await self.match(need_id, now)
        return True, await self.store.needs.get(need_id)

    async def save_volunteer(self, profile: VolunteerProfile, now: datetime) -> VolunteerProfile:
        """Save a profile and, if they can be asked already, offer them open needs."""
        saved = await self.store.volunteers.save(profile, now)
        if saved.approved and saved.on_duty:
            await self.match_open_needs(now)
        return saved

    async def match_open_needs(self, now: datetime) -> None:
        """Give every open need without an open proposal another chance (new volunteers)."""
        for need in await self.store.needs.with_status(NeedStatus.OPEN):
            if not await self.store.needs.open_proposal_count(need.id):
                await self.match(need.id, now)

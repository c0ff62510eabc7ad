"""The group's operations, over the store's Protocols: post, match, accept, decline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.community import Community
from domain.lifecycle import (
    EXTENSION,
    after_accept,
    is_urgent,
    new_doorstep_code,
    wave_deadline,
    window_for,
)
from domain.matching import NeedView, rank
from domain.models import Candidate, Claim, Need, NeedStatus, Offer, VolunteerProfile, When
from domain.ports import Store
from domain.quiet import QuietHours, after_quiet, is_quiet

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    wave_size: int = 3
    timezone: str = "Europe/London"
    volunteer_approval: bool = True
    wave_timeout: timedelta = timedelta(hours=2)
    urgent_wave_timeout: timedelta = timedelta(minutes=20)
    quiet_hours: QuietHours | None = None  # MUTUALAID_QUIET_HOURS; None is `off`

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

    def held_until(self, now: datetime) -> datetime | None:
        """When proposals may go out, if `now` is in quiet hours (None outside them)."""
        tz, quiet = self.policy.tz, self.policy.quiet_hours
        return after_quiet(now, quiet, tz) if is_quiet(now, quiet, tz) else None

    async def match(self, need_id: int, now: datetime, *, reopened: bool = False) -> int:
        """Ask the next candidates about an open need, unless someone in its current wave
        has yet to answer; returns how many were asked. Waves widen the circle: everyone
        asked before keeps a live Accept until the need is taken or closes. `reopened`: the
        need is back from a volunteer who couldn't do it, news even if it had run out."""
        need = await self.store.needs.get(need_id)
        if need is None or need.status is not NeedStatus.OPEN:
            return 0
        if await self.store.needs.waiting(need.id):
            return 0
        return await self._widen(need, now, reopened=reopened)

    async def _widen(self, need: Need, now: datetime, *, reopened: bool = False) -> int:
        """The next wave, added to those already asked. In quiet hours nobody is asked:
        matching is booked for when they end. With nobody left, a need wanted today is
        escalated, once each time it runs out."""
        held = self.held_until(now)
        if held is not None:
            again = {"reopened": 1} if reopened else {}
            await self.store.work.add("match", held, now, need_id=need.id, **again)
            return 0
        wave = await self.choose_wave(need, now)
        if not wave:
            logger.info("Need #%s has no eligible volunteer left", need.id)
            news = await self.store.needs.ran_out(need.id, now)
            if (news or reopened) and is_urgent(need.when):
                # Wanted today and nobody left to ask: a coordinator must hear now, and the
                # resident is told one has been asked. Other needs wait in the digest.
                await self.store.work.add("alert_unmatched", now, now, need_id=need.id)
            return 0
        deadline = wave_deadline(
            need.when,
            now,
            self.policy.wave_timeout,
            self.policy.urgent_wave_timeout,
            quiet=self.policy.quiet_hours,
            tz=self.policy.tz,
        )
        opened = await self.store.needs.open_wave(need.id, [c.user_id for c in wave], now, deadline)
        return len(wave) if opened is not None else 0

    async def choose_wave(self, need: Need, now: datetime) -> list[Candidate]:
        """The next wave, best first. Candidates are fetched nearest first (own area, then
        neighbours, then those with a radius) and only as many as a wave needs, so a city
        of volunteers costs no more than a street."""
        size, tz = self.policy.wave_size, self.policy.tz
        view = NeedView.of(need, self.community, tz)
        allowed = [a.value for a, ok in view.available.items() if ok]
        chosen: list[Candidate] = []
        seen: set[int] = set()
        for areas, radius in (({need.area}, False), (view.neighbours, False), (set(), True)):
            wanted = size - len(chosen)
            if wanted <= 0:
                break
            if not areas and not radius:
                continue
            limit: int | None = None if radius else wanted * 2 + 2
            while True:
                found = await self.store.needs.candidates(
                    need,
                    areas,
                    now,
                    offers_need_approval=self.policy.volunteer_approval,
                    with_radius=radius,
                    availabilities=allowed,
                    vetted_only=view.vetted_only,
                    limit=limit,
                )
                fresh = [c for c in found if c.user_id not in seen]
                eligible = rank(need, fresh, self.community, tz)
                if len(eligible) >= wanted or limit is None or len(found) < limit:
                    break
                limit = None  # the domain turned some down: look at the whole tier
            chosen += eligible
            seen |= {c.user_id for c in found}
        return chosen[:size]

    async def accept(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[Claim, Need | None]:
        tz = self.policy.tz
        return await self.store.needs.claim(
            proposal_id,
            volunteer_id,
            new_doorstep_code(),
            now,
            schedule=lambda need: after_accept(need, now, tz),
        )

    async def post_offer(
        self,
        user_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        now: datetime,
    ) -> Offer:
        """A one-off offer, then open needs it could serve are looked at again."""
        window = window_for(when, now, self.policy.tz)
        offer = await self.store.offers.create(
            user_id, category, area, description, when, window, now
        )
        await self.match_open_needs(now)
        return offer

    async def wave_timed_out(self, need_id: int, wave: int, now: datetime) -> None:
        """Nobody in this wave accepted in time: the next candidates are asked as well, and
        this wave's proposals stay open (a late yes still wins). Nothing if the wave is no
        longer the need's current one or everyone in it has answered (that moved on then)."""
        if not await self.store.needs.waiting(need_id, wave):
            return
        held = self.held_until(now)
        if held is not None:  # overdue after a night with the bot down: in the morning
            await self.store.work.add("wave_timeout", held, now, need_id=need_id, wave=wave)
            return
        need = await self.store.needs.get(need_id)
        if need is not None:
            await self._widen(need, now)

    async def done(self, need_id: int, volunteer_id: int, hours: float, now: datetime) -> bool:
        return await self.store.needs.complete(need_id, volunteer_id, hours, now)

    async def drop(self, need_id: int, volunteer_id: int, now: datetime) -> bool:
        """`Couldn't do it`: back to matching, this volunteer excluded."""
        if not await self.store.needs.drop(need_id, volunteer_id, now):
            return False
        await self.match(need_id, now, reopened=True)
        return True

    async def keep_open(self, need_id: int, now: datetime) -> bool:
        """`Yes, keep it open`: a week more; anyone new who could help is asked too."""
        if not await self.store.needs.extend(need_id, now + EXTENSION, now):
            return False
        await self.match(need_id, now)
        return True

    async def unreachable(self, user_id: int, now: datetime) -> None:
        """Someone blocked the bot: never asked again, and their open proposals move on."""
        await self.store.people.mark_unreachable(user_id)
        for need_id in await self.store.needs.withdraw_proposals_of(user_id, now):
            await self.match(need_id, now)

    async def set_on_duty(self, user_id: int, on_duty: bool, now: datetime) -> bool:
        """/pause and /resume; resuming looks at open needs again."""
        if not await self.store.volunteers.set_on_duty(user_id, on_duty):
            return False
        if on_duty:
            await self.match_open_needs(now)
        return True

    async def decline(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[bool, Need | None]:
        """Record a decline; when the whole current wave has said no, ask the next one
        (earlier waves' silent proposals stay open, but nobody waits on them)."""
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
        """Give every open need no wave is waiting on another chance (new volunteers). One
        that ran out already is not escalated again for this (see `NeedStore.ran_out`)."""
        for need in await self.store.needs.with_status(NeedStatus.OPEN):
            await self.match(need.id, now)

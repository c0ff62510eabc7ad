"""`mutualaid demo --dashboard`: a realistic month in a temporary database, the dashboard
over it, and sign-in links for a coordinator and a council liaison.

The month is lived through by the real application on a clock that moves: residents post
requests (more on weekday mornings), the bot's own timed work runs as it falls due (waves,
reminders, follow-ups, `Still need help?`, closing what nobody answered), volunteers
accept after a while or let a wave pass, and report hours when done. Nothing reaches
Telegram: a stand-in inside the process answers (bot/sandbox.py). The screenshots script
(docs/screenshots.py) and the browser tests use the same month.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application, build_dashboard
from bot.config import Settings
from bot.sandbox import Person, Sandbox, SandboxRequest
from domain.community import Area, Community
from domain.models import Availability, Claim, NeedStatus, Role, VolunteerProfile, When
from handlers import jobs, texts
from handlers.context import Ctx, Services
from web.server import Server, listen

COORDINATOR = Person(70_000_001, "Cora", "cora_coordinates")
LIAISON = Person(70_000_002, "Lena", "lena_council")

# Frome's council wards, for the example community's areas (the demo adds them).
WARDS = {
    "Town Centre": "Frome Market",
    "Trinity": "Frome Market",
    "Badcox": "Frome Oakfield",
    "Oakfield": "Frome Oakfield",
    "Keyford": "Frome Keyford",
    "Welshmill": "Frome Park",
    "Fromefield": "Frome Park",
    "Berkley Down": "Frome Berkley Down",
}

FIRST_NAMES = (
    "Margaret Harold Joan Dennis Pat Brian Sheila Keith Maureen Roy Irene Derek Valerie Colin "
    "Pauline Trevor Gwen Alan Doreen Barry Ann Graham Jean Raymond Mavis Clive Rita Norman "
    "Hilda Stanley Beryl Frank Elsie Arthur Olive Leslie Edna Cyril Peggy Walter Aisha Tomasz "
    "Olena Mohammed Siobhan Kwame"
).split()
VOLUNTEER_NAMES = (
    "Priya Sam Jo Alex Chris Ravi Kate Tom Lucy Ben Hannah Dan Amira Ollie Zofia Marek "
    "Ellie Jamie Rosa Theo Nadia Will Freya Kofi Isla Owen Maya Luke Ines Rory"
).split()
DESCRIPTIONS = {
    "Shopping & essentials": (
        "Bread, milk and a few tins from the Co-op",
        "A weekly shop from Sainsbury's, list to follow",
        "Cat food and bin bags",
    ),
    "Prescriptions": (
        "Collect a repeat prescription from Boots on Cheap Street",
        "Pick up my husband's tablets from the surgery pharmacy",
    ),
    "Dog walking & pets": ("Walk Bonnie, a gentle spaniel, for half an hour", "Feed the cat"),
    "Phone befriending": ("A chat on the phone now and then", "Someone to call on Sundays"),
    "Transport to appointments": (
        "A lift to the eye clinic at 10",
        "Lift to the dentist and back",
    ),
    "Post & errands": ("Post a parcel at the post office", "Return library books"),
    "Lending items": ("Borrow a step ladder for an afternoon", "A wheelchair for a week"),
    "Other": ("Help carrying recycling to the kerb", "Change a light bulb in the hall"),
}
CATEGORY_WEIGHTS = {
    "Shopping & essentials": 9,
    "Prescriptions": 6,
    "Dog walking & pets": 2,
    "Phone befriending": 2,
    "Transport to appointments": 3,
    "Post & errands": 2,
    "Lending items": 1,
    "Other": 1,
}
AREA_WEIGHTS = (5, 4, 3, 3, 2, 2, 2, 1)
HOURS = (0.25, 0.5, 0.5, 1.0, 1.0, 1.0, 2.0, 3.0)


class MovingClock:
    """The demo's clock: moved by the story, then live (the real time) once it is told."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self.live = False

    def now(self) -> datetime:
        return datetime.now(UTC) if self.live else self._now

    def set(self, moment: datetime) -> None:
        self._now = max(self._now, moment)


def with_wards(community: Community) -> Community:
    """The example community with its areas' council wards."""
    areas = tuple(
        Area(**{**a.model_dump(), "ward": a.ward or WARDS.get(a.name)}) for a in community.areas
    )
    return Community(**{**community.model_dump(exclude={"areas"}), "areas": areas})


@dataclass
class Story:
    """What the month left behind, for the caller to point at."""

    residents: list[Person] = field(default_factory=list)
    volunteers: list[Person] = field(default_factory=list)
    needs: int = 0


Step = Callable[[], Awaitable[None]]


async def live_a_month(
    app: Any,
    clock: MovingClock,
    *,
    days: float = 30,
    per_day: float = 7.0,
    residents: int = 45,
    volunteers: int = 28,
    seed: int = 2020,
) -> Story:
    """A month of the group's life up to the clock's `now + days`, through the real
    services and the bot's own timed work."""
    rng = random.Random(seed)
    s: Services = app.bot_data["services"]
    community = s.community
    start = clock.now()
    end = start + timedelta(days=days)
    story = Story()
    context = Ctx(app)

    async def tick() -> None:
        await jobs.run_due_work(context)

    # The people: residents, and volunteers with a couple of skills and nearby areas.
    areas = community.area_names()
    categories = list(CATEGORY_WEIGHTS)
    for i, name in enumerate(VOLUNTEER_NAMES[:volunteers]):
        who = Person(80_000_000 + i, name, f"{name.lower()}_helps" if i % 3 else None)
        story.volunteers.append(who)
        await s.store.people.upsert(who.id, who.first_name, who.username, start)
        await s.store.people.consent(who.id, texts.PRIVACY_VERSION, start)
        home = areas[i % len(areas)]
        near = sorted({home, *rng.sample(sorted(community.neighbours_of(home)) or [home], 1)})
        skills = sorted(set(rng.choices(categories, weights=list(CATEGORY_WEIGHTS.values()), k=3)))
        profile = VolunteerProfile(
            user_id=who.id,
            skills=tuple(skills),
            areas=tuple(near),
            availability=rng.choice(list(Availability)),
            approved=i < volunteers - 3,  # the last few wait for a coordinator
            vetted=i % 4 == 0,
        )
        async with s.store.db.unit():
            await s.aid.save_volunteer(profile, start)
    for i in range(residents):
        name = FIRST_NAMES[i % len(FIRST_NAMES)]
        who = Person(60_000_000 + i, name, None)
        story.residents.append(who)
        await s.store.people.upsert(who.id, who.first_name, who.username, start)
        await s.store.people.consent(who.id, texts.PRIVACY_VERSION, start)

    # The month as events in time order: (when, order, what to do).
    events: list[tuple[datetime, int, Step]] = []
    order = itertools.count()

    def at(moment: datetime, step: Step) -> None:
        if moment < end:
            heapq.heappush(events, (moment, next(order), step))

    day = start
    while day < end:
        weekday = day.weekday() < 5
        for _ in range(_poisson(rng, per_day * (1.2 if weekday else 0.6))):
            hour = rng.choices(range(24), weights=_HOURLY)[0]
            moment = day.replace(hour=hour, minute=rng.randrange(60))
            if start <= moment < end:
                at(moment, _post(rng, s, clock, story, at))
        day += timedelta(days=1)

    while events:
        moment, _, step = heapq.heappop(events)
        clock.set(moment)
        await tick()
        await step()
    clock.set(end)
    await tick()
    return story


_HOURLY = (0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 8, 7, 6, 5, 5, 5, 4, 4, 3, 3, 2, 1, 1, 0)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = pow(2.718281828, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _post(
    rng: random.Random,
    s: Services,
    clock: MovingClock,
    story: Story,
    at: Callable[[datetime, Step], None],
) -> Step:
    async def post() -> None:
        community = s.community
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        area = rng.choices(community.area_names(), weights=AREA_WEIGHTS)[0]
        # Some residents ask again and again; most once or twice.
        who = story.residents[min(int(rng.paretovariate(1.3)) - 1, len(story.residents) - 1)]
        who = who if rng.random() < 0.6 else rng.choice(story.residents)
        when = rng.choices(list(When), weights=(4, 3, 2, 1))[0]
        words = rng.choice(DESCRIPTIONS[category])
        async with s.store.db.unit():
            need = await s.aid.post_need(who.id, category, area, words, when, clock.now())
        story.needs += 1
        if rng.random() < 0.84:
            wait = timedelta(hours=rng.expovariate(1 / (1.5 if when is When.TODAY else 6)))
            at(clock.now() + wait, _accept(rng, s, clock, need.id, at))

    return post


def _accept(
    rng: random.Random,
    s: Services,
    clock: MovingClock,
    need_id: int,
    at: Callable[[datetime, Step], None],
) -> Step:
    async def accept() -> None:
        proposals = [
            p for p in await s.store.needs.proposals_for(need_id) if p.status.value == "open"
        ]
        need = await s.store.needs.get(need_id)
        if not proposals or need is None or need.status is not NeedStatus.OPEN:
            return
        chosen = rng.choice(proposals)
        async with s.store.db.unit():
            result, claimed = await s.aid.accept(chosen.id, chosen.volunteer_id, clock.now())
        if result is not Claim.WON or claimed is None:
            return
        later = max(claimed.window_start, clock.now()) + timedelta(hours=rng.uniform(1, 30))
        if rng.random() < 0.93:
            at(later, _done(rng, s, clock, need_id, chosen.volunteer_id))
        if rng.random() < 0.02:  # now and then, a worry for the coordinators
            words = rng.choice(CONCERNS)
            at(
                clock.now() + timedelta(hours=2),
                _concern(s, clock, need_id, chosen.volunteer_id, words),
            )

    return accept


CONCERNS = (
    "Nobody answered the door and the curtains were closed. Could someone check on them?",
    "They asked me to come inside and help with their medication. I said I couldn't.",
    "The shopping came to more than expected and they couldn't pay me back yet.",
)


def _concern(s: Services, clock: MovingClock, need_id: int, who: int, words: str) -> Step:
    async def concern() -> None:
        async with s.store.db.unit():
            await s.store.needs.add_concern(need_id, who, words, clock.now())

    return concern


def _done(rng: random.Random, s: Services, clock: MovingClock, need_id: int, who: int) -> Step:
    async def done() -> None:
        async with s.store.db.unit():
            await s.aid.done(need_id, who, rng.choice(HOURS), clock.now())

    return done


_LINK = re.compile(r'href="([^"]+/signin/[^"]+)"')


async def sign_in_link(app: Any, sandbox: Sandbox, who: Person) -> str:
    """The link /dashboard gives this person, as the chat would show it."""
    await sandbox.say(who, "/dashboard")
    found = _LINK.search(sandbox.last_text(who))
    if found is None:
        raise RuntimeError(f"/dashboard gave no link: {sandbox.last_text(who)!r}")
    return found.group(1)


async def staged(
    settings: Settings, community: Community, *, days: int | None = None
) -> tuple[Any, Any]:
    """The application over a month's story, live from now on: (app, sandbox). The caller
    shuts it down (`post_shutdown`)."""
    community = with_wards(community)
    now = datetime.now(UTC)
    # From the first of last month: last month whole, and this month so far.
    local = now.astimezone(settings.tz)
    first = (local.replace(day=1) - timedelta(days=1)).replace(day=1, hour=0, minute=0)
    start = first.astimezone(UTC) if days is None else now - timedelta(days=days)
    clock = MovingClock(start)
    request = SandboxRequest()
    app = build_application(
        settings.model_copy(update={"coordinator_ids": [COORDINATOR.id], "quiet_hours": None}),
        community,
        request=request,
        clock=clock,
        rate_limit=False,
    )
    sandbox = Sandbox(app, request)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    s: Services = app.bot_data["services"]
    for who in (COORDINATOR, LIAISON):
        await sandbox.say(who, "/start")
        await sandbox.press(who, "I agree")
    await s.store.people.grant(LIAISON.id, Role.LIAISON, clock.now(), COORDINATOR.id)
    await live_a_month(app, clock, days=(now - start).total_seconds() / 86400)
    clock.live = True
    return app, sandbox


async def show(settings: Settings, community: Community) -> int:
    """Seed, serve the dashboard, print the links, and wait for Ctrl-C."""
    host, port = settings.web_host or "127.0.0.1", settings.web_port
    try:
        sock = listen(host, port)
    except OSError as exc:
        print(
            f"The dashboard can't listen on {host}:{port} ({exc.strerror}); set "
            "MUTUALAID_WEB_PORT to a free port.",
            file=sys.stderr,
        )
        return 4
    print("Living through a month of requests (a few seconds)...", flush=True)
    app, sandbox = await staged(settings, community)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = Server(build_dashboard(app), sock)
    serving = asyncio.create_task(server.serve())
    try:
        coordinator = await sign_in_link(app, sandbox, COORDINATOR)
        liaison = await sign_in_link(app, sandbox, LIAISON)
        print(
            f"\nThe dashboard of {community.name}, over a month of made-up requests, is at "
            f"{settings.dashboard_url}\n\n"
            f"  Sign in as a coordinator:    {coordinator}\n"
            f"  Sign in as a council liaison: {liaison}\n\n"
            "Each link works once, within 10 minutes. Press Ctrl-C to stop.",
            flush=True,
        )
        serving.add_done_callback(lambda _: stop.set())
        await stop.wait()
    finally:
        server.stop()
        await asyncio.gather(serving, return_exceptions=True)
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    return 0

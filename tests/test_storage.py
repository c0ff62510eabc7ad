"""Storage: migrations on a real SQLite file, and contract tests every backend must pass.

The contract tests take the `store` fixture, parametrised over `BACKENDS`; a second
backend joins by adding a `Backend` there. Migration tests are SQLite's own.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from domain.lifecycle import new_doorstep_code
from domain.models import (
    Availability,
    Claim,
    Need,
    NeedStatus,
    Proposal,
    ProposalStatus,
    Role,
    VolunteerProfile,
    When,
)
from storage import DatabaseTooNew, Store

NOW = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
WAVE_TIMEOUT = timedelta(hours=2)
RESIDENT = 900
MIGRATION_FILES = sorted((Path(storage.__file__).parent / "migrations").glob("*.sql"))


# --- backends ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    """How the contract tests reach one storage backend."""

    open: Callable[[Path], Awaitable[Store]]
    # A coordinator's block, which no repository method sets yet.
    block: Callable[[Store, int], Awaitable[None]]


async def _sqlite_open(path: Path) -> Store:
    return await Store.open(path)


async def _sqlite_block(store: Store, user_id: int) -> None:
    assert await store.db.execute("UPDATE people SET blocked=1 WHERE id=?", (user_id,)) == 1


BACKENDS = [pytest.param(Backend(_sqlite_open, _sqlite_block), id="sqlite")]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return request.param


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mutualaid.db"


@pytest.fixture
async def store(backend: Backend, db_path: Path) -> AsyncIterator[Store]:
    opened = await backend.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


# --- helpers ----------------------------------------------------------------------------


async def add_person(store: Store, user_id: int) -> None:
    await store.people.upsert(user_id, f"Person {user_id}", None, NOW)


async def add_volunteer(
    store: Store,
    user_id: int,
    *,
    skills: tuple[str, ...] = ("Shopping",),
    areas: tuple[str, ...] = ("North",),
    approved: bool = True,
    **extra: object,
) -> VolunteerProfile:
    await add_person(store, user_id)
    profile = VolunteerProfile.model_validate(
        {"user_id": user_id, "skills": skills, "areas": areas, "approved": approved, **extra}
    )
    return await store.volunteers.save(profile, NOW)


async def post_need(
    store: Store, *, category: str = "Shopping", area: str = "North", now: datetime = NOW
) -> Need:
    await add_person(store, RESIDENT)
    return await store.needs.create(
        RESIDENT,
        category,
        area,
        "Milk, bread and a paper",
        When.THIS_WEEK,
        (now, now + timedelta(days=7)),
        now,
    )


async def ask(
    store: Store, need_id: int, volunteer_ids: list[int], now: datetime = NOW
) -> int | None:
    """Open the need's next wave, moving on after WAVE_TIMEOUT."""
    return await store.needs.open_wave(need_id, volunteer_ids, now, now + WAVE_TIMEOUT)


async def need_with_wave(
    store: Store, volunteer_ids: Iterable[int], now: datetime = NOW
) -> tuple[Need, list[Proposal]]:
    """An open need proposed to these volunteers, and its proposals in their order."""
    ids = list(volunteer_ids)
    need = await post_need(store, now=now)
    for user_id in ids:
        await add_volunteer(store, user_id)
    assert await ask(store, need.id, ids, now) is not None
    proposals = await store.needs.proposals_for(need.id)
    assert [p.volunteer_id for p in proposals] == ids
    return need, proposals


async def scalar(store: Store, sql: str) -> object:
    row = await store.db.fetchone(sql)
    assert row is not None
    return row[0]


def applied(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Applying")]


# --- migrations (SQLite) ----------------------------------------------------------------


async def test_a_fresh_file_gets_every_migration(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.db")
    fresh = await Store.open(db_path)
    try:
        assert MIGRATION_FILES
        assert await scalar(fresh, "PRAGMA user_version") == len(MIGRATION_FILES)
        assert await scalar(fresh, "PRAGMA journal_mode") == "wal"
        assert await scalar(fresh, "PRAGMA foreign_keys") == 1
        # Foreign keys bite: no volunteer profile without a person, and nothing half-saved.
        ghost = VolunteerProfile(user_id=4242, skills=("Shopping",), areas=("North",))
        with pytest.raises(sqlite3.IntegrityError):
            await fresh.volunteers.save(ghost, NOW)
        assert await fresh.volunteers.get(4242) is None
    finally:
        await fresh.close()
    assert applied(caplog) == [f"Applying migration {f.name}" for f in MIGRATION_FILES]
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


async def test_reopening_applies_nothing_and_keeps_the_data(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.db")
    first = await Store.open(db_path)
    await first.people.upsert(1, "Ada", "ada", NOW)
    need = await post_need(first)
    await first.close()
    assert applied(caplog)
    caplog.clear()

    again = await Store.open(db_path)
    try:
        assert await scalar(again, "PRAGMA user_version") == len(MIGRATION_FILES)
        ada = await again.people.get(1)
        assert ada is not None and ada.first_name == "Ada"
        assert await again.needs.get(need.id) == need
    finally:
        await again.close()
    assert applied(caplog) == []


async def test_a_database_from_a_newer_bot_is_refused(db_path: Path) -> None:
    newer = len(MIGRATION_FILES) + 1
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={newer}")
    conn.close()

    with pytest.raises(DatabaseTooNew) as caught:
        await Store.open(db_path)
    message = str(caught.value)
    assert "Upgrade the bot" in message
    assert str(db_path) in message
    assert f"version {newer}" in message

    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == newer
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        conn.close()


async def test_several_starting_at_once_on_an_empty_file_all_open_it(db_path: Path) -> None:
    # An empty database, already in WAL mode (as the first open leaves it).
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    conn.close()

    opened = await asyncio.gather(*(Store.open(db_path) for _ in range(5)), return_exceptions=True)
    stores = [s for s in opened if isinstance(s, Store)]
    try:
        assert [s for s in opened if not isinstance(s, Store)] == []
        await stores[0].people.upsert(1, "Ada", None, NOW)
        for s in stores:
            assert await scalar(s, "PRAGMA user_version") == len(MIGRATION_FILES)
            ada = await s.people.get(1)
            assert ada is not None and ada.first_name == "Ada"
    finally:
        for s in stores:
            await s.close()


# --- people -----------------------------------------------------------------------------


async def test_people_are_recorded_and_their_names_refreshed(store: Store) -> None:
    assert await store.people.get(1) is None
    await store.people.upsert(1, "Ada", "ada", NOW)
    ada = await store.people.get(1)
    assert ada is not None
    assert (ada.first_name, ada.username, ada.roles) == ("Ada", "ada", frozenset())
    assert (ada.consent_at, ada.consent_version, ada.reachable, ada.blocked) == (
        None,
        0,
        True,
        False,
    )
    await store.people.upsert(1, "Ada L", None, NOW + timedelta(days=1))
    ada = await store.people.get(1)
    assert ada is not None and (ada.first_name, ada.username) == ("Ada L", None)


async def test_someone_who_blocked_the_bot_is_reachable_again_when_they_write(
    store: Store,
) -> None:
    await store.people.upsert(1, "Ada", None, NOW)
    await store.people.grant(1, Role.COORDINATOR, NOW)
    await store.people.mark_unreachable(1)
    assert await store.people.with_role(Role.COORDINATOR) == []
    before = await store.people.get(1)
    assert before is not None and not before.reachable
    await store.people.upsert(1, "Ada", None, NOW)
    after = await store.people.get(1)
    assert after is not None and after.reachable
    assert await store.people.with_role(Role.COORDINATOR) == [1]


async def test_consent_is_recorded_with_its_version(store: Store) -> None:
    await store.people.upsert(1, "Ada", None, NOW)
    await store.people.consent(1, 2, NOW + timedelta(minutes=1))
    ada = await store.people.get(1)
    assert ada is not None
    assert ada.consent_version == 2
    assert ada.consent_at == NOW + timedelta(minutes=1)


async def test_roles_are_granted_once_each(store: Store) -> None:
    await store.people.upsert(1, "Ada", None, NOW)
    await store.people.upsert(2, "Bo", None, NOW)
    await store.people.grant(1, Role.COORDINATOR, NOW)
    await store.people.grant(1, Role.COORDINATOR, NOW, by=2)
    await store.people.grant(1, Role.LIAISON, NOW, by=2)
    ada = await store.people.get(1)
    assert ada is not None and ada.roles == {Role.COORDINATOR, Role.LIAISON}
    bo = await store.people.get(2)
    assert bo is not None and bo.roles == frozenset()
    assert await store.people.with_role(Role.COORDINATOR) == [1]


# --- volunteers -------------------------------------------------------------------------


async def test_a_volunteer_profile_reads_back(store: Store) -> None:
    assert await store.volunteers.get(5) is None
    saved = await add_volunteer(
        store,
        5,
        skills=("Shopping", "Prescriptions"),
        areas=("North", "Centre"),
        availability=Availability.EVENINGS,
        approved=False,
    )
    assert await store.volunteers.get(5) == saved
    assert set(saved.skills) == {"Shopping", "Prescriptions"}
    assert set(saved.areas) == {"North", "Centre"}
    assert saved.availability is Availability.EVENINGS
    assert (saved.on_duty, saved.approved, saved.vetted) == (True, False, False)
    assert await store.volunteers.pending() == [5]


async def test_resaving_replaces_skills_and_areas_and_keeps_approval(store: Store) -> None:
    await add_volunteer(
        store, 5, skills=("Shopping", "Prescriptions"), areas=("North", "Centre"), approved=False
    )
    assert await store.volunteers.set_approved(5, True)
    assert await store.volunteers.set_vetted(5, True)
    assert not await store.volunteers.set_approved(6, True)

    edited = VolunteerProfile(
        user_id=5,
        skills=("Dog walking & pets",),
        areas=("South",),
        availability=Availability.WEEKENDS,
    )
    again = await store.volunteers.save(edited, NOW + timedelta(days=1))
    assert again.skills == ("Dog walking & pets",)
    assert again.areas == ("South",)
    assert again.availability is Availability.WEEKENDS
    assert again.approved and again.vetted
    assert await store.volunteers.pending() == []
    # Their old skills and areas no longer bring them needs; the new ones do.
    shopping_north = await post_need(store, category="Shopping", area="North")
    assert await store.needs.candidates(shopping_north, ["North"], NOW) == []
    pets_south = await post_need(store, category="Dog walking & pets", area="South")
    assert [c.user_id for c in await store.needs.candidates(pets_south, ["South"], NOW)] == [5]


# --- needs ------------------------------------------------------------------------------


async def test_a_posted_need_reads_back(store: Store) -> None:
    need = await post_need(store, category="Prescriptions", area="Centre")
    assert (need.resident_id, need.category, need.area) == (RESIDENT, "Prescriptions", "Centre")
    assert need.description == "Milk, bread and a paper"
    assert need.when is When.THIS_WEEK
    assert (need.window_start, need.window_end) == (NOW, NOW + timedelta(days=7))
    assert need.created_at == NOW
    assert need.status is NeedStatus.OPEN
    assert (need.wave, need.volunteer_id, need.doorstep_code, need.accepted_at) == (
        0,
        None,
        None,
        None,
    )
    assert await store.needs.get(need.id) == need
    # If nobody takes it, the resident is asked "Still need help?" when the window ends.
    [still_needed] = await store.work.pending("still_needed")
    assert (still_needed.payload, still_needed.due_at) == ({"need_id": need.id}, need.window_end)
    other = await post_need(store)
    assert other.id != need.id
    assert await store.needs.get(max(need.id, other.id) + 1) is None


# --- candidates -------------------------------------------------------------------------


async def test_candidates_are_from_the_need_area_and_the_listed_neighbours(
    store: Store,
) -> None:
    need = await post_need(store, area="North")
    await add_volunteer(store, 1, areas=("North",))
    await add_volunteer(store, 2, areas=("Centre", "Hilltop"), availability=Availability.WEEKENDS)
    await add_volunteer(store, 3, areas=("South",))
    await store.volunteers.set_vetted(2, True)
    found = {c.user_id: c for c in await store.needs.candidates(need, ["North", "Centre"], NOW)}
    assert set(found) == {1, 2}
    assert found[2].areas == {"Centre", "Hilltop"}
    assert found[2].skills == {"Shopping"}
    assert found[2].availability is Availability.WEEKENDS
    assert found[2].vetted and not found[1].vetted
    # Only the need's own area listed: the neighbour is left out.
    assert [c.user_id for c in await store.needs.candidates(need, ["North"], NOW)] == [1]


FLAWS = [
    "lacks the skill",
    "lives elsewhere",
    "is paused",
    "is not approved",
    "is blocked",
    "blocked the bot",
    "is the resident",
    "was already asked",
    "declined before",
]


@pytest.mark.parametrize("flaw", FLAWS)
async def test_candidates_leave_out_a_volunteer_who(
    store: Store, backend: Backend, flaw: str
) -> None:
    need = await post_need(store)
    await add_volunteer(store, 1)  # someone who may be asked, so the query is not just empty
    flawed = RESIDENT if flaw == "is the resident" else 2
    await add_volunteer(
        store,
        flawed,
        skills=("Prescriptions",) if flaw == "lacks the skill" else ("Shopping",),
        areas=("South",) if flaw == "lives elsewhere" else ("North",),
        approved=flaw != "is not approved",
    )
    if flaw == "is paused":
        assert await store.volunteers.set_on_duty(flawed, False)
    elif flaw == "is blocked":
        await backend.block(store, flawed)
    elif flaw == "blocked the bot":
        await store.people.mark_unreachable(flawed)
    elif flaw in {"was already asked", "declined before"}:
        await ask(store, need.id, [flawed])
        if flaw == "declined before":
            [proposal] = await store.needs.proposals_for(need.id)
            assert (await store.needs.decline(proposal.id, flawed, NOW))[0] == need.id
    found = await store.needs.candidates(need, ["North", "Centre"], NOW)
    assert [c.user_id for c in found] == [1]


async def test_candidates_carry_their_task_counts(store: Store) -> None:
    await add_volunteer(store, 1, max_open_tasks=5)
    await add_volunteer(store, 2)
    for days_ago in (40, 10):
        then = NOW - timedelta(days=days_ago)
        _, [proposal] = await need_with_wave(store, [1], now=then)
        result, _ = await store.needs.claim(proposal.id, 1, "1234", then)
        assert result is Claim.WON
    need = await post_need(store)
    found = {c.user_id: c for c in await store.needs.candidates(need, ["North"], NOW)}
    assert set(found) == {1, 2}
    busy, fresh = found[1], found[2]
    assert (busy.open_tasks, busy.tasks_last_30_days, busy.max_open_tasks) == (2, 1, 5)
    assert busy.last_task_at == NOW - timedelta(days=10)
    assert (fresh.open_tasks, fresh.tasks_last_30_days, fresh.max_open_tasks) == (0, 0, 3)
    assert fresh.last_task_at is None


# --- waves ------------------------------------------------------------------------------


async def test_open_wave_asks_each_volunteer_once_and_queues_the_messages(store: Store) -> None:
    need = await post_need(store)
    for user_id in (1, 2, 3, 4):
        await add_volunteer(store, user_id)
    assert await ask(store, need.id, [1, 2, 3]) == 1
    first = await store.needs.proposals_for(need.id)
    assert [(p.volunteer_id, p.wave, p.status) for p in first] == [
        (1, 1, ProposalStatus.OPEN),
        (2, 1, ProposalStatus.OPEN),
        (3, 1, ProposalStatus.OPEN),
    ]
    due = await store.work.due(NOW)
    assert [(w.kind, w.payload) for w in due] == [
        ("send_proposal", {"proposal_id": p.id}) for p in first
    ]
    assert await store.work.due(NOW - timedelta(seconds=1)) == []
    latest = await store.needs.get(need.id)
    assert latest is not None and latest.wave == 1
    # Unless someone accepts, the wave moves on at its deadline.
    [timeout] = await store.work.pending("wave_timeout")
    assert timeout.payload == {"need_id": need.id, "wave": 1}
    assert timeout.due_at == NOW + WAVE_TIMEOUT

    # The next wave: volunteer 3 was asked already and is not asked (or messaged) again.
    assert await ask(store, need.id, [3, 4]) == 2
    waves = {p.volunteer_id: p.wave for p in await store.needs.proposals_for(need.id)}
    assert waves == {1: 1, 2: 1, 3: 1, 4: 2}
    assert len(await store.work.pending("send_proposal")) == 4


async def test_open_wave_refuses_a_need_that_is_not_open(store: Store) -> None:
    need, [proposal] = await need_with_wave(store, [1])
    assert (await store.needs.claim(proposal.id, 1, "1234", NOW))[0] is Claim.WON
    await add_volunteer(store, 2)
    work_before = await store.work.pending()
    assert await ask(store, need.id, [2]) is None
    assert [p.volunteer_id for p in await store.needs.proposals_for(need.id)] == [1]
    assert await store.work.pending() == work_before
    assert await ask(store, need.id + 100, [2]) is None


# --- accepting and declining ------------------------------------------------------------


async def test_the_first_accept_wins_and_everyone_else_is_told(store: Store) -> None:
    need, (p1, p2, p3) = await need_with_wave(store, [1, 2, 3])
    later = NOW + timedelta(minutes=5)
    code = new_doorstep_code()

    assert await store.needs.claim(p1.id, 77, "0000", later) == (Claim.NOT_YOURS, None)
    still = await store.needs.get(need.id)
    assert still is not None and still.status is NeedStatus.OPEN

    remind = later + timedelta(hours=20)

    def schedule(accepted: Need) -> list[tuple[str, datetime]]:
        return [("reminder", remind), ("followup", accepted.window_end)]

    result, won = await store.needs.claim(p1.id, 1, code, later, schedule=schedule)
    assert result is Claim.WON
    assert won is not None
    assert (won.status, won.volunteer_id, won.accepted_at) == (NeedStatus.ACCEPTED, 1, later)
    assert won.doorstep_code == code and len(code) == 4 and code.isdigit()
    assert await store.needs.get(need.id) == won

    statuses = {p.volunteer_id: p.status for p in await store.needs.proposals_for(need.id)}
    assert statuses == {
        1: ProposalStatus.ACCEPTED,
        2: ProposalStatus.TAKEN,
        3: ProposalStatus.TAKEN,
    }
    closed = await store.work.pending("proposal_closed")
    assert sorted(w.payload["proposal_id"] for w in closed) == [p2.id, p3.id]  # type: ignore[type-var]
    told = await store.work.pending("tell_resident_accepted")
    assert [w.payload for w in told] == [{"need_id": need.id}]
    assert all(w.due_at <= later for w in (*closed, *told))
    # What follows an accept (reminder, follow-up) is queued for the winner.
    follow = [(w.kind, w.payload, w.due_at) for w in await store.work.pending()]
    assert ("reminder", {"need_id": need.id, "volunteer_id": 1}, remind) in follow
    assert ("followup", {"need_id": need.id, "volunteer_id": 1}, won.window_end) in follow


async def test_a_late_accept_is_turned_away_and_changes_nothing(store: Store) -> None:
    _, (p1, p2) = await need_with_wave(store, [1, 2])
    code = new_doorstep_code()
    assert (await store.needs.claim(p1.id, 1, code, NOW))[0] is Claim.WON

    work_before = await store.work.pending()

    def schedule(accepted: Need) -> list[tuple[str, datetime]]:
        return [("reminder", NOW + timedelta(hours=1))]

    result, seen = await store.needs.claim(p2.id, 2, "9999", NOW, schedule=schedule)
    assert result in {Claim.TAKEN, Claim.STALE}
    assert seen is not None and (seen.volunteer_id, seen.doorstep_code) == (1, code)
    # The winner pressing Accept again does not get a new code.
    result, seen = await store.needs.claim(p1.id, 1, "9999", NOW)
    assert result is Claim.STALE
    assert seen is not None and seen.doorstep_code == code
    assert await store.needs.claim(p2.id, 1, "9999", NOW) == (Claim.NOT_YOURS, None)
    assert await store.work.pending() == work_before


async def test_declines_count_down_the_open_proposals(store: Store) -> None:
    need, (p1, p2) = await need_with_wave(store, [1, 2])
    assert await store.needs.decline(p1.id, 2, NOW) == (None, 0)  # not theirs
    assert await store.needs.decline(p1.id, 1, NOW) == (need.id, 1)
    assert await store.needs.decline(p1.id, 1, NOW) == (None, 0)  # already answered
    assert await store.needs.open_proposal_count(need.id) == 1
    assert await store.needs.decline(p2.id, 2, NOW) == (need.id, 0)
    assert [p.status for p in await store.needs.proposals_for(need.id)] == [
        ProposalStatus.DECLINED,
        ProposalStatus.DECLINED,
    ]
    after = await store.needs.get(need.id)
    assert after is not None and after.status is NeedStatus.OPEN
    # Having declined, they cannot accept through the old message.
    assert (await store.needs.claim(p1.id, 1, "1234", NOW))[0] is Claim.STALE


# --- timed work -------------------------------------------------------------------------


async def test_work_is_due_at_its_time_and_completed_once(store: Store) -> None:
    soon = NOW + timedelta(hours=1)
    await store.work.add("reminder", soon, NOW, need_id=5)
    assert await store.work.due(NOW) == []
    [job] = await store.work.due(soon)
    assert (job.kind, job.payload, job.due_at) == ("reminder", {"need_id": 5}, soon)
    assert await store.work.complete(job.id, soon) is True
    assert await store.work.complete(job.id, soon) is False
    assert await store.work.due(soon + timedelta(hours=1)) == []


# --- the race ---------------------------------------------------------------------------

RACERS = 20


async def assert_one_winner(
    store: Store, need: Need, proposals: list[Proposal], results: list[tuple[Claim, Need | None]]
) -> None:
    winners = [
        p.volunteer_id
        for p, (result, _) in zip(proposals, results, strict=True)
        if result is Claim.WON
    ]
    assert len(winners) == 1
    [winner] = winners
    losers = [result for result, _ in results if result is not Claim.WON]
    assert set(losers) <= {Claim.TAKEN, Claim.STALE}
    # Everyone, winner or not, was shown the need as the winner left it.
    assert all(seen is not None and seen.volunteer_id == winner for _, seen in results)
    final = await store.needs.get(need.id)
    assert final is not None
    assert (final.status, final.volunteer_id) == (NeedStatus.ACCEPTED, winner)
    statuses = [p.status for p in await store.needs.proposals_for(need.id)]
    assert statuses.count(ProposalStatus.ACCEPTED) == 1
    assert statuses.count(ProposalStatus.TAKEN) == RACERS - 1
    assert len(await store.work.pending("tell_resident_accepted")) == 1
    assert len(await store.work.pending("proposal_closed")) == RACERS - 1


async def test_twenty_accepts_at_once_on_separate_connections(
    store: Store, backend: Backend, db_path: Path
) -> None:
    need, proposals = await need_with_wave(store, range(1, RACERS + 1))
    racers = await asyncio.gather(*(backend.open(db_path) for _ in proposals))
    try:
        results = await asyncio.gather(
            *(
                racer.needs.claim(p.id, p.volunteer_id, new_doorstep_code(), NOW)
                for racer, p in zip(racers, proposals, strict=True)
            )
        )
    finally:
        for racer in racers:
            await racer.close()
    await assert_one_winner(store, need, proposals, results)


async def test_twenty_accepts_at_once_through_one_store(store: Store) -> None:
    need, proposals = await need_with_wave(store, range(1, RACERS + 1))
    results = await asyncio.gather(
        *(store.needs.claim(p.id, p.volunteer_id, new_doorstep_code(), NOW) for p in proposals)
    )
    await assert_one_winner(store, need, proposals, results)

"""The dashboard's storage (storage/web.py) on a temporary SQLite file: sign-in links used
once, sessions ended with the person, and the counts behind the new figures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.models import Role
from domain.privacy import ANONYMOUS
from storage import Store

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _ts(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def _store(path: Path) -> Store:
    store = await Store.open(path / "web.db")
    await store.db.execute(
        "INSERT INTO people (id, first_name, created_at) VALUES "
        "(1, 'Ann', ?), (2, 'Bob', ?), (3, 'Cy', ?), (9, 'Vi', ?), (?, '', ?)",
        (_ts(T0), _ts(T0), _ts(T0), _ts(T0), ANONYMOUS, _ts(T0)),
    )
    return store


async def _need(
    store: Store,
    resident: int,
    done_at: datetime | None,
    *,
    area: str = "Trinity",
    phoned: str | None = None,
    accepted_at: datetime | None = None,
) -> None:
    status = "done" if done_at else ("accepted" if accepted_at else "open")
    created = (done_at or accepted_at or T0) - timedelta(hours=5)
    await store.db.execute(
        "INSERT INTO needs (resident_id, category, area, description, wanted, window_start, "
        "window_end, status, volunteer_id, accepted_at, done_at, hours, on_behalf_of, "
        "created_at, updated_at) VALUES (?, 'Other', ?, 'x', 'today', ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?)",
        (
            resident,
            area,
            _ts(created),
            _ts(created + timedelta(days=1)),
            status,
            9 if (done_at or accepted_at) else None,
            _ts(accepted_at or (done_at - timedelta(hours=2) if done_at else created)),
            _ts(done_at) if done_at else None,
            1.5 if done_at else None,
            phoned,
            _ts(created),
            _ts(created),
        ),
    )


async def test_people_helped_and_those_helped_before(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    march, april = T0.replace(day=1), T0.replace(month=4, day=1)
    try:
        await _need(store, 1, T0 - timedelta(days=20))  # Ann, helped in February too
        await _need(store, 1, T0)
        await _need(store, 1, T0 + timedelta(days=2))
        await _need(store, 2, T0)  # Bob, once
        await _need(store, 3, T0 + timedelta(days=30))  # Cy, in April: not March's
        await _need(store, 9, T0, phoned="Doris")  # a caller: a person of their own
        await _need(store, 9, T0, phoned="Edna")
        await _need(store, ANONYMOUS, T0)  # past retention: who asked is gone
        await _need(store, 2, None)  # open: not helped
        assert await store.web.people_helped(march, april) == (4, 1, 1)
        assert await store.web.people_helped(april, april + timedelta(days=30)) == (1, 0, 0)
    finally:
        await store.close()


async def test_the_dashboards_tallies_are_the_reports(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        for day in range(8):
            await _need(
                store, 1 + day % 3, T0 + timedelta(days=day), area=("Trinity", "Keyford")[day % 2]
            )
        await _need(store, 2, None, accepted_at=T0 + timedelta(days=1))
        await _need(store, 3, None)
        now = T0 + timedelta(days=10)
        weeks = [(T0 + timedelta(days=7 * i), T0 + timedelta(days=7 * (i + 1))) for i in range(2)]
        for buckets in ([(T0 - timedelta(days=1), now)], weeks):
            assert await store.web.tallies(buckets, now) == await store.reports.tallies(
                buckets, now
            )
        weekly = await store.web.weekly_counts(weeks)
        assert [(t.bucket, t.done, t.hours) for t in weekly] == [(0, 7, 10.5), (1, 1, 1.5)]
    finally:
        await store.close()


async def test_a_link_signs_in_once_whatever_the_timing(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        await store.web.add_link("h" * 64, 1, T0, T0 + timedelta(minutes=10))
        assert await store.web.link_state("h" * 64, T0) == "valid"
        won = await asyncio.gather(
            *(
                store.web.sign_in("h" * 64, f"s{i}".ljust(64, "x"), T0, T0 + timedelta(hours=12))
                for i in range(5)
            )
        )
        assert sorted(won, key=str) == [1, None, None, None, None]
        assert await store.web.link_state("h" * 64, T0) == "used"
        assert await store.web.sessions_of(1) == 1
        rows = await store.db.fetchall("SELECT action, actor_id FROM audit_log")
        assert [tuple(r) for r in rows] == [("web_signin", 1)]
        # Expired links and unknown ones sign nobody in.
        await store.web.add_link("e" * 64, 2, T0, T0 + timedelta(minutes=10))
        later = T0 + timedelta(minutes=10)
        assert await store.web.link_state("e" * 64, later) == "expired"
        assert await store.web.sign_in("e" * 64, "z" * 64, later, later) is None
        assert await store.web.link_state("u" * 64, T0) == "unknown"
    finally:
        await store.close()


async def test_a_session_reads_the_roles_now_and_ends_with_the_person(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        await store.web.add_link("h" * 64, 2, T0, T0 + timedelta(minutes=10))
        await store.web.sign_in("h" * 64, "s" * 64, T0, T0 + timedelta(hours=12))
        found = await store.web.session_person("s" * 64, T0)
        assert found is not None and found[1] is not None and found[1].roles == frozenset()
        await store.people.grant(2, Role.LIAISON, T0)
        found = await store.web.session_person("s" * 64, T0)
        assert found is not None and found[1] is not None
        assert found[1].roles == frozenset({Role.LIAISON})
        assert await store.web.session_person("s" * 64, T0 + timedelta(hours=12)) is None
        # /forget takes the person's row: the session goes with it.
        await store.db.execute("DELETE FROM roles WHERE user_id=2")
        await store.db.execute("DELETE FROM people WHERE id=2")
        assert await store.web.session_person("s" * 64, T0) is None
        assert await store.web.sessions_of(2) == 0
    finally:
        await store.close()

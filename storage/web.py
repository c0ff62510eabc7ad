"""The dashboard's rows: sign-in links and sessions (kept as hashes), the counts behind the
liaison's new figures, and the coordinators' lists.

Long reads go through `Database.read` (a connection of their own), so a page never holds
up a conversation. Sign-in writes are one statement each, or one transaction with their
audit row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiosqlite

from domain.dashboard import SupplyRow
from domain.models import NeedStatus, Person, Role, When
from domain.privacy import ANONYMOUS
from domain.reports import Tally
from domain.workrows import (
    PAGE_SIZE,
    AuditRow,
    ConcernRow,
    NeedDetail,
    NeedFilter,
    NeedRow,
    Page,
    ProposalRow,
    VolunteerRow,
)
from storage.db import Database, at, parse_ts, ts
from storage.directory import VOLUNTEERS_SINCE, volunteer_fields
from storage.directory import names as _names
from storage.reports import merge_tallies, tally_query

# The whole group in one bucket (?{start}, ?{stop}): needs posted, matched and done, and
# their hours; each count one range of an index kept in time order (0006), with nothing to
# sort. The buckets of a period are the columns of one row: a row is handed over to Python
# one at a time, and while another thread works out figures each would wait its turn.
_WEEK = """
  (SELECT count(*) FROM needs INDEXED BY needs_created
    WHERE created_at >= ?{start} AND created_at < ?{stop}),
  (SELECT count(*) FROM needs INDEXED BY needs_accepted
    WHERE accepted_at >= ?{start} AND accepted_at < ?{stop}),
  (SELECT count(*) FROM needs INDEXED BY needs_done
    WHERE done_at >= ?{start} AND done_at < ?{stop} AND status = 'done'),
  (SELECT total(hours) FROM needs INDEXED BY needs_done
    WHERE done_at >= ?{start} AND done_at < ?{stop} AND status = 'done')"""
# People helped in [?1, ?2) (?3: ANONYMOUS). Distinct residents with a request of their own
# done in it, and of them those with more than one done by its end; requests phoned in,
# each a person of its own; requests whose resident is gone. Two ways to the same figures:
# a short period reads its own done requests and looks each resident up
# (_HELPED_SHORT); a long one walks the residents' done requests once, in resident order
# (_HELPED_LONG: its cost is the requests still naming their resident, which retention
# keeps to recent ones, rather than a sort of the period's).
_HELPED_SHORT = """
WITH helped AS (
  SELECT DISTINCT CASE WHEN on_behalf_of IS NULL THEN resident_id END AS who,
         CASE WHEN on_behalf_of IS NOT NULL THEN id END AS call
    FROM needs WHERE done_at >= ?1 AND done_at < ?2 AND status = 'done'
     AND resident_id > ?3)
SELECT count(*), coalesce(sum(who IS NOT NULL AND
  (SELECT count(*) FROM needs m WHERE m.resident_id = helped.who
    AND m.status = 'done' AND m.done_at < ?2 AND m.on_behalf_of IS NULL) > 1), 0),
  (SELECT count(*) FROM needs WHERE done_at >= ?1 AND done_at < ?2
    AND status = 'done' AND resident_id <= ?3)
FROM helped
"""
_HELPED_LONG = """
SELECT own.people + other.calls, own.back, other.unknown FROM
  (SELECT count(*) AS people, coalesce(sum(times > 1), 0) AS back FROM
    (SELECT count(*) AS times FROM needs INDEXED BY needs_resident_done
      WHERE status = 'done' AND resident_id > ?3 AND done_at < ?2 AND on_behalf_of IS NULL
      GROUP BY resident_id HAVING max(done_at) >= ?1)) AS own,
  (SELECT coalesce(sum(on_behalf_of IS NOT NULL AND resident_id > ?3), 0) AS calls,
          coalesce(sum(resident_id <= ?3), 0) AS unknown
     FROM needs INDEXED BY needs_helped
    WHERE status = 'done' AND done_at >= ?1 AND done_at < ?2) AS other
"""
HELPED_LONG_FROM = timedelta(days=62)  # about where the walk costs less (benchmarks/dashboard.py)
SIGNIN = "web_signin"  # the audit log's word for a dashboard sign-in
LINKS_KEPT = timedelta(days=1)  # used or expired links, then gone
_T = TypeVar("_T")


def _paged(rows: Sequence[Any], page: int, row: Callable[[Any], _T]) -> Page[_T]:
    """One page of rows read with LIMIT PAGE_SIZE + 1 (the one more says there is more)."""
    return Page(tuple(row(r) for r in rows[:PAGE_SIZE]), page, len(rows) > PAGE_SIZE)


def _offset(page: int) -> int:
    return (max(page, 1) - 1) * PAGE_SIZE


class WebRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- sign-in links and sessions ----------------------------------------------------------

    async def add_link(
        self, token_hash: str, user_id: int, now: datetime, expires_at: datetime
    ) -> None:
        """A one-time sign-in link, known here only by its hash."""
        async with self.db.tx() as conn:
            await conn.execute(
                "DELETE FROM web_links WHERE expires_at < ?", (ts(now - LINKS_KEPT),)
            )
            await conn.execute(
                "INSERT INTO web_links (token_hash, user_id, created_at, expires_at) "
                "VALUES (?,?,?,?)",
                (token_hash, user_id, ts(now), ts(expires_at)),
            )

    async def link_state(self, token_hash: str, now: datetime) -> str:
        """`valid`, `used`, `expired` or `unknown`: what the sign-in page says."""
        row = await self.db.fetchone(
            "SELECT used_at, expires_at FROM web_links WHERE token_hash=?", (token_hash,)
        )
        if row is None:
            return "unknown"
        if row["used_at"] is not None:
            return "used"
        return "valid" if at(row["expires_at"]) > now else "expired"

    async def sign_in(
        self, token_hash: str, session_hash: str, now: datetime, expires_at: datetime
    ) -> int | None:
        """Use a link once and start a session with it, in one transaction (one conditional
        UPDATE decides, whatever the timing). Returns the person, or None."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE web_links SET used_at=? WHERE token_hash=? AND used_at IS NULL "
                "AND expires_at > ? RETURNING user_id",
                (ts(now), token_hash, ts(now)),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            user_id = int(row[0])
            await conn.execute("DELETE FROM web_sessions WHERE expires_at <= ?", (ts(now),))
            await conn.execute(
                "INSERT INTO web_sessions (session_hash, user_id, created_at, expires_at) "
                "VALUES (?,?,?,?)",
                (session_hash, user_id, ts(now), ts(expires_at)),
            )
            await conn.execute(
                "INSERT INTO audit_log (actor_id, action, target, detail, at) "
                "VALUES (?, ?, NULL, NULL, ?)",
                (user_id, SIGNIN, ts(now)),
            )
            return user_id

    async def session_person(
        self, session_hash: str, now: datetime
    ) -> tuple[int, Person | None] | None:
        """Whose live session this is, and that person with their roles as they stand now
        (None if they are gone); one read, on the reading connection, so a page never waits
        for a conversation's transaction. None if there is no such live session."""
        rows = await self.db.read(
            "SELECT p.*, (SELECT group_concat(role) FROM roles r WHERE r.user_id = p.id) "
            "AS roles, s.user_id AS session_user FROM web_sessions s "
            "LEFT JOIN people p ON p.id = s.user_id WHERE s.session_hash=? AND s.expires_at > ?",
            (session_hash, ts(now)),
        )
        if not rows:
            return None
        r = rows[0]
        if r["id"] is None:
            return r["session_user"], None
        return r["session_user"], Person(
            id=r["id"],
            first_name=r["first_name"],
            username=r["username"],
            consent_at=parse_ts(r["consent_at"]),
            consent_version=r["consent_version"],
            roles=frozenset(Role(x) for x in (r["roles"] or "").split(",") if x),
            reachable=bool(r["reachable"]),
            blocked=bool(r["blocked"]),
            language=r["language"],  # the dashboard speaks it (web/core.py own_language)
        )

    async def end_session(self, session_hash: str) -> None:
        await self.db.execute("DELETE FROM web_sessions WHERE session_hash=?", (session_hash,))

    async def end_sessions_of(self, user_id: int) -> int:
        """Every session and unused link of this person ends (a role lost)."""
        async with self.db.tx() as conn:
            cur = await conn.execute("DELETE FROM web_sessions WHERE user_id=?", (user_id,))
            await conn.execute("DELETE FROM web_links WHERE user_id=?", (user_id,))
            return cur.rowcount

    async def sessions_of(self, user_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT count(*) FROM web_sessions WHERE user_id=?", (user_id,)
        )
        return int(row[0]) if row else 0

    # --- the liaison's new figures -------------------------------------------------------------

    async def people_helped(self, start: datetime, stop: datetime) -> tuple[int, int, int]:
        """(distinct residents with a request done in [start, stop), how many of them had
        been helped before (more than one request done by `stop`), how many requests done
        in it no longer say who asked, past retention). Each request a coordinator entered
        for someone who phoned in counts as its own person: who phoned is not known."""
        sql = _HELPED_LONG if stop - start > HELPED_LONG_FROM else _HELPED_SHORT
        rows = await self.db.read(sql, (ts(start), ts(stop), ANONYMOUS))
        people, back, unknown = rows[0]
        return int(people), int(back), int(unknown)

    async def tallies(
        self, buckets: Sequence[tuple[datetime, datetime]], now: datetime
    ) -> list[Tally]:
        """storage/reports.py's tallies (the same SQL, the same rows), with the reading of
        long lists of hours and volunteers done in a thread: a year's figures hold a
        hundred thousand of them, and the dashboard shares its event loop with the bot."""
        if not buckets:
            return []
        rows = await self.db.read(*tally_query(buckets, now))
        return await asyncio.to_thread(merge_tallies, rows)

    async def weekly_counts(self, buckets: Sequence[tuple[datetime, datetime]]) -> list[Tally]:
        """The whole group's needs posted, matched and done (with hours) in each bucket (the
        weeks of a period): the weekly trend, without the per-area and per-category split."""
        if not buckets:
            return []
        sql = "SELECT" + ",".join(
            _WEEK.format(start=2 * i + 1, stop=2 * i + 2) for i in range(len(buckets))
        )
        row = (await self.db.read(sql, [ts(t) for bucket in buckets for t in bucket]))[0]
        return [
            Tally(
                area="",
                category="",
                bucket=i,
                posted=posted,
                matched=matched,
                done=done,
                hours=float(hours) if done else 0.0,
            )
            for i, (posted, matched, done, hours) in enumerate(
                zip(row[0::4], row[1::4], row[2::4], row[3::4], strict=True)
            )
            if posted or matched or done
        ]

    async def supply_rows(self) -> list[SupplyRow]:
        """Who could be asked now (approved, on duty, not blocked, reachable), as plain rows
        for domain.dashboard.supply_of: (skills, areas, vetted, lat, lon, radius_km)."""
        rows = await self.db.read(
            "SELECT v.vetted, v.lat, v.lon, v.radius_km, "
            "(SELECT group_concat(s.category, char(31)) FROM volunteer_skills s "
            " WHERE s.user_id = v.user_id) AS skills, "
            "(SELECT group_concat(a.area, char(31)) FROM volunteer_areas a "
            " WHERE a.user_id = v.user_id) AS areas "
            "FROM volunteers v JOIN people p ON p.id = v.user_id "
            "WHERE v.approved = 1 AND v.on_duty = 1 AND p.blocked = 0 AND p.reachable = 1"
        )
        return await asyncio.to_thread(
            lambda: [(_names(r[4]), _names(r[5]), bool(r[0]), r[1], r[2], r[3]) for r in rows]
        )

    # --- the coordinators' lists ---------------------------------------------------------------

    async def needs(self, where: NeedFilter, now: datetime) -> Page[NeedRow]:
        before = where.created_before(now)
        oldest_first = where.status in (NeedStatus.OPEN, NeedStatus.HELD)
        order = "ASC" if oldest_first else "DESC"
        rows = await self.db.read(
            "SELECT n.id, n.category, n.area, n.status, n.wanted, n.created_at, n.window_end, "
            "coalesce(n.on_behalf_of, r.first_name) AS resident, v.first_name AS volunteer, "
            "(SELECT count(*) FROM proposals p WHERE p.need_id = n.id) AS asked, "
            "(SELECT count(*) FROM proposals p WHERE p.need_id = n.id AND p.status='open') "
            "AS waiting "
            "FROM needs n LEFT JOIN people r ON r.id = n.resident_id "
            "LEFT JOIN people v ON v.id = n.volunteer_id "
            "WHERE (?1 IS NULL OR n.area = ?1) AND (?2 IS NULL OR n.category = ?2) "
            "AND (?3 IS NULL OR n.status = ?3) AND (?4 IS NULL OR n.created_at < ?4) "
            f"ORDER BY n.created_at {order}, n.id {order} LIMIT ?5 OFFSET ?6",
            (
                where.area,
                where.category,
                where.status.value if where.status else None,
                ts(before) if before else None,
                PAGE_SIZE + 1,
                _offset(where.page),
            ),
        )
        return _paged(rows, where.page, _need_row)

    async def need(self, need_id: int) -> NeedDetail | None:
        """A need in full, for a coordinator: who asked, who helps, every proposal, its
        concerns and what coordinators did to it."""
        found = await self.db.read(
            "SELECT n.*, r.first_name AS resident, r.username AS resident_username, "
            "v.first_name AS volunteer FROM needs n "
            "LEFT JOIN people r ON r.id = n.resident_id "
            "LEFT JOIN people v ON v.id = n.volunteer_id WHERE n.id = ?",
            (need_id,),
        )
        if not found:
            return None
        n = found[0]
        proposals = await self.db.read(
            "SELECT p.volunteer_id, p.wave, p.status, p.created_at, p.answered_at, "
            "v.first_name FROM proposals p LEFT JOIN people v ON v.id = p.volunteer_id "
            "WHERE p.need_id = ? ORDER BY p.created_at, p.id",
            (need_id,),
        )
        concerns = await self.db.read(
            "SELECT c.id, c.need_id, c.text, c.created_at, c.status, p.first_name "
            "FROM concerns c LEFT JOIN people p ON p.id = c.raised_by "
            "WHERE c.need_id = ? ORDER BY c.created_at, c.id",
            (need_id,),
        )
        audit = await self.db.read(
            "SELECT a.*, p.first_name FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id "
            "WHERE a.target = ? ORDER BY a.id",
            (f"need:{need_id}",),
        )
        keys = n.keys()
        return NeedDetail(
            id=n["id"],
            category=n["category"],
            area=n["area"],
            description=n["description"],
            status=NeedStatus(n["status"]),
            when=When(n["wanted"]),
            created_at=at(n["created_at"]),
            window_start=at(n["window_start"]),
            window_end=at(n["window_end"]),
            resident_id=n["resident_id"],
            resident=n["resident"],
            resident_username=n["resident_username"],
            caller=n["on_behalf_of"] if "on_behalf_of" in keys else None,
            volunteer_id=n["volunteer_id"],
            volunteer=n["volunteer"],
            accepted_at=parse_ts(n["accepted_at"]),
            done_at=parse_ts(n["done_at"]),
            closed_at=parse_ts(n["closed_at"]),
            hours=n["hours"],
            proposals=tuple(
                ProposalRow(
                    volunteer_id=p["volunteer_id"],
                    volunteer=p["first_name"] or f"id {p['volunteer_id']}",
                    wave=p["wave"],
                    status=p["status"],
                    created_at=at(p["created_at"]),
                    answered_at=parse_ts(p["answered_at"]),
                )
                for p in proposals
            ),
            concerns=tuple(_concern(c) for c in concerns),
            audit=tuple(_audit(a) for a in audit),
        )

    async def volunteers(
        self, words: str | None, now: datetime, page: int = 1, pending_only: bool = False
    ) -> Page[VolunteerRow]:
        """Volunteers by name, username, id, skill or area; those waiting for approval
        first (oldest first), then the rest in the order they joined."""
        text = (words or "").strip()
        pattern = f"%{text.replace('%', '').replace('_', '')}%" if text else None
        month_ago = ts(now - timedelta(days=30))
        rows = await self.db.read(
            VOLUNTEERS_SINCE + "WHERE (?2 IS NULL OR p.first_name LIKE ?2 OR p.username LIKE ?2 "
            "   OR CAST(v.user_id AS TEXT) = ?3 "
            "   OR EXISTS (SELECT 1 FROM volunteer_skills s WHERE s.user_id = v.user_id "
            "              AND s.category LIKE ?2) "
            "   OR EXISTS (SELECT 1 FROM volunteer_areas a WHERE a.user_id = v.user_id "
            "              AND a.area LIKE ?2)) "
            "AND (?4 = 0 OR (v.approved = 0 AND p.blocked = 0)) "
            "ORDER BY v.approved, v.created_at, v.user_id LIMIT ?5 OFFSET ?6",
            (
                month_ago,
                pattern,
                text.lstrip("#"),
                int(pending_only),
                PAGE_SIZE + 1,
                _offset(page),
            ),
        )
        return _paged(
            rows, page, lambda r: VolunteerRow(**volunteer_fields(r), roles=_names(r["roles"]))
        )

    async def concerns(self, limit: int = 100) -> list[ConcernRow]:
        """Open concerns (oldest first), then the latest resolved ones."""
        rows = await self.db.read(
            "SELECT * FROM ("
            " SELECT c.id, c.need_id, c.text, c.created_at, c.status, p.first_name "
            " FROM concerns c LEFT JOIN people p ON p.id = c.raised_by "
            " WHERE c.status = 'open' ORDER BY c.created_at, c.id) "
            "UNION ALL SELECT * FROM ("
            " SELECT c.id, c.need_id, c.text, c.created_at, c.status, p.first_name "
            " FROM concerns c LEFT JOIN people p ON p.id = c.raised_by "
            " WHERE c.status != 'open' ORDER BY c.id DESC LIMIT ?)",
            (limit,),
        )
        return [_concern(r) for r in rows]

    async def audit(self, page: int = 1) -> Page[AuditRow]:
        rows = await self.db.read(
            "SELECT a.*, p.first_name FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id "
            "ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (PAGE_SIZE + 1, _offset(page)),
        )
        return _paged(rows, page, _audit)


def _need_row(r: aiosqlite.Row) -> NeedRow:
    return NeedRow(
        id=r["id"],
        category=r["category"],
        area=r["area"],
        status=NeedStatus(r["status"]),
        when=When(r["wanted"]),
        created_at=at(r["created_at"]),
        window_end=at(r["window_end"]),
        resident=r["resident"] or "",
        volunteer=r["volunteer"],
        asked=r["asked"],
        waiting=r["waiting"],
    )


def _concern(r: aiosqlite.Row) -> ConcernRow:
    return ConcernRow(
        id=r["id"],
        need_id=r["need_id"],
        raised_by=r["first_name"] or "someone",
        text=r["text"],
        created_at=at(r["created_at"]),
        status=r["status"],
    )


def _audit(r: aiosqlite.Row) -> AuditRow:
    return AuditRow(
        id=r["id"],
        at=at(r["at"]),
        actor_id=r["actor_id"],
        actor=r["first_name"],
        action=r["action"],
        target=r["target"],
        detail=r["detail"],
    )

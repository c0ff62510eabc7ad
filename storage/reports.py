"""The rows behind the coordinators' digest and the liaison's figures.

Counting happens here in SQL, one pass per kind of event, so a report over a database of
200,000 needs reads only the needs of its period (benchmarks/reports.py); the figures,
medians and suppression are domain/reports.py's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from domain.digest import ConcernRow, DigestRows, NeedRow, PendingVolunteer
from domain.lifecycle import NUDGE_AFTER
from domain.models import Availability, Candidate, When
from domain.reports import Tally
from storage.db import Database, at, parse_ts, ts
from storage.directory import names as _names

# One pass per event. Each stream is (bucket, area, category, kind, count, hours,
# hours-to-match list, volunteer ids); `b` holds the buckets: (index, start, stop, cut), the
# cut being the moment "still open" is judged (the bucket's end, or now if sooner).
_TALLY = """
WITH b(i, start, stop, cut) AS (VALUES {buckets})
SELECT b.i, n.area, n.category, 'posted', count(*), NULL, NULL, NULL
  FROM b JOIN needs n ON n.created_at >= b.start AND n.created_at < b.stop
  GROUP BY b.i, n.area, n.category
UNION ALL
SELECT b.i, n.area, n.category, 'matched', count(*), NULL,
       group_concat(round((julianday(n.accepted_at) - julianday(n.created_at)) * 24, 4)),
       group_concat(DISTINCT n.volunteer_id)
  FROM b JOIN needs n ON n.accepted_at >= b.start AND n.accepted_at < b.stop
  GROUP BY b.i, n.area, n.category
UNION ALL
SELECT b.i, n.area, n.category, 'done', count(*), total(n.hours), NULL,
       group_concat(DISTINCT n.volunteer_id)
  FROM b JOIN needs n ON n.done_at >= b.start AND n.done_at < b.stop AND n.status = 'done'
  GROUP BY b.i, n.area, n.category
UNION ALL
SELECT b.i, n.area, n.category, 'unmet', count(*), NULL, NULL, NULL
  FROM b JOIN needs n ON n.closed_at >= b.start AND n.closed_at < b.stop
   AND n.status = 'closed'
  GROUP BY b.i, n.area, n.category
UNION ALL
SELECT b.i, n.area, n.category, 'still_open', count(*), NULL, NULL, NULL
  FROM needs n JOIN b ON n.created_at < b.cut
   AND (n.accepted_at IS NULL OR n.accepted_at >= b.cut)
   AND (n.closed_at IS NULL OR n.closed_at >= b.cut)
 WHERE n.id IN (SELECT id FROM needs WHERE status = 'open'
                UNION SELECT id FROM needs WHERE accepted_at >= ?
                UNION SELECT id FROM needs WHERE closed_at >= ?)
  GROUP BY b.i, n.area, n.category
"""

_VOLUNTEERS = """
SELECT v.user_id, v.availability, v.vetted, v.lat, v.lon, v.radius_km,
       (SELECT group_concat(s.category, char(31)) FROM volunteer_skills s
         WHERE s.user_id = v.user_id) AS skills,
       (SELECT group_concat(a.area, char(31)) FROM volunteer_areas a
         WHERE a.user_id = v.user_id) AS areas
  FROM volunteers v JOIN people p ON p.id = v.user_id
 WHERE v.approved = 1 AND v.on_duty = 1 AND p.blocked = 0 AND p.reachable = 1
"""


def tally_query(
    buckets: Sequence[tuple[datetime, datetime]], now: datetime
) -> tuple[str, list[Any]]:
    """_TALLY and its parameters for these (non-empty) buckets."""
    params: list[Any] = []
    for i, (start, stop) in enumerate(buckets):
        params += [i, ts(start), ts(stop), ts(min(stop, now))]
    first_cut = min(ts(min(stop, now)) for _, stop in buckets)
    sql = _TALLY.format(buckets=", ".join(["(?, ?, ?, ?)"] * len(buckets)))
    # Only needs open now, or accepted or closed since the first cut, were ever open at one.
    return sql, [*params, first_cut, first_cut]


def merge_tallies(rows: Sequence[Any]) -> list[Tally]:
    """_TALLY's rows as one Tally per bucket, area and category."""
    merged: dict[tuple[int, str, str], dict[str, Any]] = defaultdict(dict)
    for bucket, area, category, kind, count, hours, delays, who in rows:
        cell = merged[(bucket, area, category)]
        cell[kind] = count
        if kind == "done":
            cell["hours"] = float(hours or 0.0)
        if kind == "matched" and delays:
            cell["match_hours"] = tuple(float(d) for d in str(delays).split(","))
        if who:
            ids = {int(v) for v in str(who).split(",")}
            cell["volunteers"] = cell.get("volunteers", frozenset()) | ids
    return [
        Tally(area=area, category=category, bucket=bucket, **values)
        for (bucket, area, category), values in sorted(merged.items())
    ]


def _note(need: str) -> str:
    """A need's latest note from a coordinator, for its digest line (`need`: its table)."""
    return (
        f"(SELECT x.text FROM need_notes x WHERE x.need_id = {need}.id AND x.kind = 'note' "
        "ORDER BY x.id DESC LIMIT 1) AS note"
    )


def _need_row(row: aiosqlite.Row) -> NeedRow:
    keys = row.keys()
    return NeedRow(
        id=row["id"],
        category=row["category"],
        area=row["area"],
        created_at=at(row["created_at"]),
        window_end=at(row["window_end"]),
        accepted_at=parse_ts(row["accepted_at"]) if "accepted_at" in keys else None,
        done_at=parse_ts(row["done_at"]) if "done_at" in keys else None,
        hours=row["hours"] if "hours" in keys else None,
        volunteer=row["volunteer"] if "volunteer" in keys else None,
        volunteer_id=row["volunteer_id"] if "volunteer_id" in keys else None,
        volunteer_username=row["volunteer_username"] if "volunteer_username" in keys else None,
        note=row["note"] if "note" in keys else None,
        when=When(row["wanted"]) if "wanted" in keys else None,
        window_start=at(row["window_start"]) if "window_start" in keys else None,
    )


class ReportRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- the digest ---------------------------------------------------------------------------

    async def digest_rows(self, now: datetime, since: datetime) -> DigestRows:
        """Open needs, accepted ones old enough to be overdue, done ones since `since`,
        volunteers waiting for approval, open concerns and who could be asked."""
        waiting = await self.db.read(
            "SELECT id, category, area, created_at, window_end, window_start, wanted, "
            f"{_note('needs')} FROM needs WHERE status='open' ORDER BY created_at, id"
        )
        held = await self.db.read(
            f"SELECT id, category, area, created_at, window_end, {_note('needs')} FROM needs "
            "WHERE status='held' ORDER BY created_at, id"
        )
        referred = await self.db.read(
            "SELECT id, category, area, created_at, window_end FROM needs "
            "WHERE status='referred' ORDER BY created_at, id"
        )
        # Overdue is a day after the follow-up, which is never before accepting.
        accepted = await self.db.read(
            "SELECT n.id, n.category, n.area, n.created_at, n.window_end, n.accepted_at, "
            f"n.volunteer_id, p.username AS volunteer_username, {_note('n')}, "
            "p.first_name AS volunteer FROM needs n LEFT JOIN people p ON p.id = n.volunteer_id "
            "WHERE n.status='accepted' AND n.accepted_at <= ? ORDER BY n.accepted_at, n.id",
            (ts(now - NUDGE_AFTER),),
        )
        done = await self.db.read(
            "SELECT n.id, n.category, n.area, n.created_at, n.window_end, n.accepted_at, "
            "n.done_at, n.hours, p.first_name AS volunteer "
            "FROM needs n LEFT JOIN people p ON p.id = n.volunteer_id "
            "WHERE n.done_at > ? AND n.done_at <= ? AND n.status='done' ORDER BY n.done_at, n.id",
            (ts(since), ts(now)),
        )
        pending = await self.db.read(
            "SELECT v.user_id, p.first_name, p.username, v.created_at, "
            "(SELECT group_concat(s.category, char(31)) FROM volunteer_skills s "
            " WHERE s.user_id = v.user_id) AS skills, "
            "(SELECT group_concat(a.area, char(31)) FROM volunteer_areas a "
            " WHERE a.user_id = v.user_id) AS areas "
            "FROM volunteers v JOIN people p ON p.id = v.user_id "
            "WHERE v.approved=0 AND p.blocked=0 ORDER BY v.created_at, v.user_id"
        )
        concerns = await self.db.read(
            "SELECT c.id, c.need_id, c.text, c.created_at, n.category, n.area, c.raised_by "
            "AS raised_by_id, p.username, p.first_name AS raised_by FROM concerns c "
            "LEFT JOIN needs n ON n.id = c.need_id LEFT JOIN people p ON p.id = c.raised_by "
            "WHERE c.status='open' ORDER BY c.created_at, c.id"
        )
        return DigestRows(
            waiting=tuple(_need_row(r) for r in waiting),
            held=tuple(_need_row(r) for r in held),
            referred=tuple(_need_row(r) for r in referred),
            accepted=tuple(_need_row(r) for r in accepted),
            done=tuple(_need_row(r) for r in done),
            pending=tuple(
                PendingVolunteer(
                    user_id=r["user_id"],
                    first_name=r["first_name"],
                    since=at(r["created_at"]),
                    skills=_names(r["skills"]),
                    areas=_names(r["areas"]),
                    username=r["username"],
                )
                for r in pending
            ),
            concerns=tuple(
                ConcernRow(
                    id=r["id"],
                    raised_by=r["raised_by"] or "someone",
                    text=r["text"],
                    created_at=at(r["created_at"]),
                    need_id=r["need_id"],
                    category=r["category"],
                    area=r["area"],
                    raised_by_id=r["raised_by_id"],
                    raised_by_username=r["username"],
                )
                for r in concerns
            ),
            volunteers=tuple(await self.available_volunteers()),
        )

    # --- supply -------------------------------------------------------------------------------

    async def available_volunteers(self) -> list[Candidate]:
        """Volunteers who could be asked now: approved, on duty, not blocked, reachable."""
        rows = await self.db.read(_VOLUNTEERS)
        return [
            Candidate(
                user_id=r["user_id"],
                skills=frozenset(_names(r["skills"])),
                areas=frozenset(_names(r["areas"])),
                availability=Availability(r["availability"]),
                vetted=bool(r["vetted"]),
                lat=r["lat"],
                lon=r["lon"],
                radius_km=r["radius_km"],
            )
            for r in rows
        ]

    # --- the liaison's figures ------------------------------------------------------------------

    async def tallies(
        self, buckets: Sequence[tuple[datetime, datetime]], now: datetime
    ) -> list[Tally]:
        """Counts per bucket (a period, or the weeks of one), area and category."""
        if not buckets:
            return []
        return merge_tallies(await self.db.read(*tally_query(buckets, now)))

    # --- the timed work behind digests and weekly reports ---------------------------------------

    async def schedule_once(
        self,
        kind: str,
        due_at: datetime,
        now: datetime,
        *,
        beyond: datetime | None = None,
        **payload: int | str | None,
    ) -> bool:
        """Add a `kind` row at `due_at` unless one is pending already (with `beyond`: one
        due after it, so the row being performed does not count). True if added."""
        cutoff = ts(beyond) if beyond is not None else ""
        return (
            await self.db.execute(
                "INSERT INTO scheduled_work (due_at, kind, payload, created_at) "
                "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM scheduled_work "
                "WHERE done_at IS NULL AND kind = ? AND due_at > ?)",
                (ts(due_at), kind, json.dumps(payload, sort_keys=True), ts(now), kind, cutoff),
            )
            == 1
        )

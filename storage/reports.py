"""The rows behind the coordinators' digest and the liaison's figures.

Counting happens here in SQL, cell by cell (an area and a category), each figure one short
range of an index that keeps the cell's needs in time order (0013): a report over a
database of 200,000 needs reads only the needs of its period, and never sorts them to
group them (benchmarks/reports.py, benchmarks/dashboard.py); the figures, medians and
suppression are domain/reports.py's.
"""

from __future__ import annotations

import json
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

# `c` steps through the needs' cells (area, category), a few index seeks from one to the
# next however many needs each holds; `b` holds the buckets: (index, start, stop, cut), the
# cut being the moment "still open" is judged (the bucket's end, or now if sooner).
_CELLS = """
c(area, category) AS (
  SELECT * FROM (SELECT area, category FROM needs INDEXED BY needs_cell_created
                  ORDER BY area, category LIMIT 1)
  UNION ALL
  SELECT CASE WHEN (SELECT min(n.category) FROM needs n INDEXED BY needs_cell_created
                     WHERE n.area = c.area AND n.category > c.category) IS NULL
              THEN (SELECT min(n.area) FROM needs n INDEXED BY needs_cell_created
                     WHERE n.area > c.area)
              ELSE c.area END,
         coalesce((SELECT min(n.category) FROM needs n INDEXED BY needs_cell_created
                    WHERE n.area = c.area AND n.category > c.category),
                  (SELECT min(n.category) FROM needs n INDEXED BY needs_cell_created
                    WHERE n.area = (SELECT min(m.area) FROM needs m INDEXED BY needs_cell_created
                                     WHERE m.area > c.area)))
    FROM c WHERE c.area IS NOT NULL)
"""
_CELL = "n.area = c.area AND n.category = c.category"
# Hours from posting to a match in whole ten-thousandths (round(..., 4) of the hours, as an
# integer): exactly the expression needs_cell_accepted holds, so it is read from the index.
_DELAY = (
    "CAST(round(round((julianday(n.accepted_at) - julianday(n.created_at)) * 24, 4) * 10000) "
    "AS INTEGER)"
)
_DONE = f"""FROM needs n INDEXED BY needs_cell_done
    WHERE {_CELL} AND n.done_at >= b.start AND n.done_at < b.stop AND n.status = 'done'"""
# One row per bucket and cell: posted; matched as one JSON array [count, hours waited, who],
# read in one pass; done as [count, who] (who only for those accepted outside the bucket:
# the others are among who matched), and their hours; unmet; and still open at the cut:
# accepted after it, closed after it without being accepted, or open now and never
# accepted or closed (each posted before the cut).
_TALLY = f"""
WITH RECURSIVE b(i, start, stop, cut) AS (VALUES {{buckets}}),
{_CELLS}
SELECT b.i, c.area, c.category,
  (SELECT count(*) FROM needs n INDEXED BY needs_cell_created
    WHERE {_CELL} AND n.created_at >= b.start AND n.created_at < b.stop),
  (SELECT json_array(count(*),
            json_group_array({_DELAY}) FILTER (WHERE {_DELAY} IS NOT NULL),
            json_group_array(n.volunteer_id) FILTER (WHERE n.volunteer_id IS NOT NULL))
     FROM needs n INDEXED BY needs_cell_accepted
    WHERE {_CELL} AND n.accepted_at >= b.start AND n.accepted_at < b.stop),
  (SELECT json_array(count(*),
            json_group_array(n.volunteer_id) FILTER (WHERE n.volunteer_id IS NOT NULL
              AND (n.accepted_at IS NULL OR n.accepted_at < b.start
                   OR n.accepted_at >= b.stop))) {_DONE}),
  (SELECT total(n.hours) {_DONE}),
  (SELECT count(*) FROM needs n INDEXED BY needs_cell_closed
    WHERE {_CELL} AND n.closed_at >= b.start AND n.closed_at < b.stop
      AND n.status = 'closed'),
  (SELECT count(*) FROM needs n INDEXED BY needs_cell_accepted
    WHERE {_CELL} AND n.accepted_at >= b.cut AND n.created_at < b.cut
      AND (n.closed_at IS NULL OR n.closed_at >= b.cut))
  + (SELECT count(*) FROM needs n INDEXED BY needs_cell_closed
      WHERE {_CELL} AND n.closed_at >= b.cut AND n.accepted_at IS NULL
        AND n.created_at < b.cut)
  + (SELECT count(*) FROM needs n INDEXED BY needs_cell_open
      WHERE {_CELL} AND n.status = 'open' AND n.created_at < b.cut
        AND n.accepted_at IS NULL AND n.closed_at IS NULL)
  FROM b, c WHERE c.area IS NOT NULL
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
    return _TALLY.format(buckets=", ".join(["(?, ?, ?, ?)"] * len(buckets))), params


def merge_tallies(rows: Sequence[Any]) -> list[Tally]:
    """_TALLY's rows as one Tally per bucket, area and category where anything happened.

    Hours to a match come as whole ten-thousandths: k / 10000 is the double nearest k
    ten-thousandths, as reading round(hours, 4)'s text "0.1234" is, so they are the same
    numbers to the last bit; each cell's are sorted, so the medians of areas, categories
    and the whole group sort runs already in order."""
    out = []
    for bucket, area, category, posted, matched_json, done_json, hours, unmet, still_open in rows:
        matched, delays, matched_by = json.loads(matched_json)
        done, done_by = json.loads(done_json)
        if not (posted or matched or done or unmet or still_open):
            continue
        match_hours = [k / 10000 for k in delays]
        match_hours.sort()
        out.append(
            Tally(
                area=area,
                category=category,
                bucket=bucket,
                posted=posted,
                matched=matched,
                done=done,
                still_open=still_open,
                unmet=unmet,
                hours=float(hours or 0.0),
                match_hours=tuple(match_hours),
                volunteers=frozenset(matched_by).union(done_by),
            )
        )
    out.sort(key=lambda t: (t.bucket, t.area, t.category))
    return out


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

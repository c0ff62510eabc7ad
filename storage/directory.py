"""Finding people for coordinators: whoever a typed name could mean, volunteers by name,
skill or area with what they did in 30 days, and the volunteers an announcement reaches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from domain.announce import Listener
from domain.people import Known, PersonRef, RefKind, VolunteerCard, standing_of
from domain.privacy import ANONYMOUS
from storage.db import Database, ts

_SEP = "\x1f"
FIND_LIMIT = 500  # rows a name may bring back before the domain picks who it means


def names(text: str | None) -> tuple[str, ...]:
    """The sorted names of a group_concat(..., char(31))."""
    return tuple(sorted(t for t in (text or "").split(_SEP) if t))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Someone as a coordinator tells people apart: roles, volunteering, and an area to name.
_KNOWN = f"""
SELECT p.id, p.first_name, p.username, p.blocked,
       (SELECT group_concat(r.role, char(31)) FROM roles r WHERE r.user_id = p.id) AS roles,
       v.user_id IS NOT NULL AS volunteer, coalesce(v.approved, 0) AS approved,
       (SELECT min(a.area) FROM volunteer_areas a WHERE a.user_id = p.id) AS volunteer_area,
       (SELECT n.area FROM needs n WHERE n.resident_id = p.id ORDER BY n.id DESC LIMIT 1)
           AS need_area
FROM people p LEFT JOIN volunteers v ON v.user_id = p.id
WHERE p.id > {ANONYMOUS} AND p.first_name != ''
  AND (p.consent_at IS NOT NULL OR EXISTS (SELECT 1 FROM roles r WHERE r.user_id = p.id))
"""


def _known(row: aiosqlite.Row) -> Known:
    volunteer, approved = bool(row["volunteer"]), bool(row["approved"])
    return Known(
        user_id=row["id"],
        first_name=row["first_name"],
        username=row["username"],
        standing=standing_of(names(row["roles"]), volunteer, approved),
        area=row["volunteer_area"] or row["need_area"],
        blocked=bool(row["blocked"]),
        volunteer=volunteer,
        approved=approved,
    )


# Every volunteer with their skills, areas and roles, open tasks, and tasks and hours since
# ?1: /volunteers' cards and the dashboard's list (storage/web.py) add their WHERE.
VOLUNTEERS_SINCE = (
    "SELECT v.user_id, v.approved, v.vetted, v.on_duty, v.radius_km, p.first_name, "
    "p.username, p.blocked, p.reachable, "
    "(SELECT group_concat(s.category, char(31)) FROM volunteer_skills s "
    " WHERE s.user_id = v.user_id) AS skills, "
    "(SELECT group_concat(a.area, char(31)) FROM volunteer_areas a "
    " WHERE a.user_id = v.user_id) AS areas, "
    "(SELECT group_concat(r.role, char(31)) FROM roles r WHERE r.user_id = v.user_id) "
    "AS roles, "
    "(SELECT count(*) FROM needs n WHERE n.volunteer_id = v.user_id "
    " AND n.status = 'accepted') AS open_tasks, "
    "(SELECT count(*) FROM needs n WHERE n.volunteer_id = v.user_id "
    " AND n.accepted_at >= ?1) AS tasks, "
    "(SELECT total(n.hours) FROM needs n WHERE n.volunteer_id = v.user_id "
    " AND n.status = 'done' AND n.done_at >= ?1) AS hours "
    "FROM volunteers v JOIN people p ON p.id = v.user_id "
)


def volunteer_fields(r: aiosqlite.Row) -> dict[str, Any]:
    """A VOLUNTEERS_SINCE row as the fields a volunteer's card and row share."""
    return {
        "user_id": r["user_id"],
        "first_name": r["first_name"],
        "username": r["username"],
        "skills": names(r["skills"]),
        "areas": names(r["areas"]),
        "approved": bool(r["approved"]),
        "vetted": bool(r["vetted"]),
        "on_duty": bool(r["on_duty"]),
        "blocked": bool(r["blocked"]),
        "reachable": bool(r["reachable"]),
        "radius_km": r["radius_km"],
        "open_tasks": r["open_tasks"],
        "tasks_30d": r["tasks"],
        "hours_30d": float(r["hours"] or 0.0),
    }


class DirectoryRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def find(self, ref: PersonRef) -> list[Known]:
        """Everyone `ref` could mean (and perhaps a few it does not: domain.people.match
        decides). Only people who agreed to the privacy notice or hold a role."""
        if ref.kind is RefKind.ID:
            rows = await self.db.fetchall(_KNOWN + " AND p.id = ?", (ref.user_id,))
        elif ref.kind is RefKind.USERNAME:
            rows = await self.db.fetchall(
                _KNOWN + " AND lower(p.username) = lower(?)", (ref.value,)
            )
        else:
            typed = ref.folded()
            # SQLite's LIKE ignores case in ASCII only: names in other scripts are found by
            # their first letter in either case, and the domain compares them properly.
            first = typed[:1]
            rows = await self.db.fetchall(
                _KNOWN + " AND (p.first_name LIKE ?1 ESCAPE '\\' OR lower(p.username) = ?2 "
                "OR substr(p.first_name, 1, 1) IN (?3, ?4)) ORDER BY p.id LIMIT ?5",
                (_like(typed), typed, first, first.upper(), FIND_LIMIT),
            )
        return [_known(r) for r in rows]

    async def known(self, user_id: int) -> Known | None:
        rows = await self.db.fetchall(_KNOWN + " AND p.id = ?", (user_id,))
        return _known(rows[0]) if rows else None

    async def listeners(self) -> list[Listener]:
        """Approved volunteers, on duty or paused, not blocked and reachable."""
        rows = await self.db.fetchall(
            "SELECT v.user_id, v.lat, v.lon, v.radius_km, "
            "(SELECT group_concat(s.category, char(31)) FROM volunteer_skills s "
            " WHERE s.user_id = v.user_id) AS skills, "
            "(SELECT group_concat(a.area, char(31)) FROM volunteer_areas a "
            " WHERE a.user_id = v.user_id) AS areas "
            "FROM volunteers v JOIN people p ON p.id = v.user_id "
            "WHERE v.approved = 1 AND p.blocked = 0 AND p.reachable = 1 ORDER BY v.user_id"
        )
        return [
            Listener(
                user_id=r["user_id"],
                skills=names(r["skills"]),
                areas=names(r["areas"]),
                lat=r["lat"],
                lon=r["lon"],
                radius_km=r["radius_km"],
            )
            for r in rows
        ]

    async def volunteer_cards(
        self, now: datetime, user_id: int | None = None
    ) -> list[VolunteerCard]:
        """Every volunteer (or one), with their open tasks, and tasks and hours in the last
        30 days. Read on the reading connection: a long list holds up no one."""
        month_ago = ts(now - timedelta(days=30))
        sql = VOLUNTEERS_SINCE + "WHERE ?2 IS NULL OR v.user_id = ?2"
        params = (month_ago, user_id)
        rows = await (self.db.fetchall if user_id is not None else self.db.read)(sql, params)
        return [VolunteerCard(**volunteer_fields(r)) for r in rows]

    async def pending(self) -> list[int]:
        """Volunteers waiting for approval, oldest first (blocked people are not)."""
        rows = await self.db.fetchall(
            "SELECT v.user_id FROM volunteers v JOIN people p ON p.id = v.user_id "
            "WHERE v.approved = 0 AND p.blocked = 0 ORDER BY v.created_at, v.user_id"
        )
        return [int(r[0]) for r in rows]

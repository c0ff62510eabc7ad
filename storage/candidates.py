"""Who could be asked about a need: the hard rules SQL can check, nearest first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.models import Availability, Candidate, Need, ProposalStatus
from storage.db import Database, parse_ts, ts
from storage.volunteers import split_codes

# Proposal statuses that do not stop a volunteer being asked about the need again: beaten
# to it, when the need comes back after `Couldn't do it` (and `lapsed`, in old rows only).
ASK_AGAIN = ", ".join(f"'{s.value}'" for s in (ProposalStatus.TAKEN, ProposalStatus.LAPSED))


async def find_candidates(
    db: Database,
    need: Need,
    areas: Iterable[str],
    now: datetime,
    *,
    offers_need_approval: bool = False,
    with_radius: bool = True,
    availabilities: Iterable[str] | None = None,
    vetted_only: bool = False,
    limit: int | None = None,
) -> list[Candidate]:
    """Volunteers who pass the rules SQL can check cheaply; the domain checks the rest.

    `areas` are the areas whose volunteers are wanted (the need's own, or its
    neighbours); volunteers with a radius are added for the domain to measure unless
    `with_radius` is off. Given `availabilities`, `vetted_only` and `limit`, the rules
    those express are applied here too and only the first `limit` volunteers in the
    ranking's own order (fewest recent tasks, longest idle, id) come back.
    """
    area_list = sorted(set(areas))
    params: dict[str, object] = {
        "category": need.category,
        "since": ts(now - timedelta(days=30)),
        "resident": need.resident_id,
        "need": need.id,
        "limit": -1 if limit is None else limit,
        "language": f",{need.language}," if need.language else "",
    }
    params |= {f"a{i}": area for i, area in enumerate(area_list)}
    in_areas = ",".join(f":a{i}" for i in range(len(area_list)))
    radius = (
        "UNION SELECT r.user_id FROM volunteers r INDEXED BY volunteers_with_radius "
        "JOIN volunteer_skills rs ON rs.category = :category AND rs.user_id = r.user_id "
        "WHERE r.radius_km IS NOT NULL"
        if with_radius
        else ""
    )
    extra = ""
    if availabilities is not None:
        allowed = sorted(set(availabilities)) or [""]
        params |= {f"v{i}": value for i, value in enumerate(allowed)}
        extra += f" AND v.availability IN ({','.join(f':v{i}' for i in range(len(allowed)))})"
    if vetted_only:
        extra += " AND v.vetted = 1"
    order = ""
    if limit is not None:
        order = (
            "WHERE open_tasks < max_open_tasks "
            "ORDER BY instr(languages, :language) = 0, recent, last_task IS NOT NULL, "
            "last_task, user_id"
        )
    rows = await db.fetchall(
        f"""
        WITH near(user_id) AS (
            SELECT user_id FROM volunteer_cells
            WHERE category = :category AND area IN ({in_areas})
            {radius}
        ),
        ranked AS MATERIALIZED (
            SELECT v.user_id, v.availability, v.on_duty, v.approved, v.vetted,
                   v.max_open_tasks, v.lat, v.lon, v.radius_km, v.languages,
                   p.blocked, p.reachable,
                   (SELECT count(*) FROM needs n
                      WHERE n.volunteer_id = v.user_id AND n.status = 'accepted')
                      AS open_tasks,
                   (SELECT count(*) FROM needs n
                      WHERE n.volunteer_id = v.user_id AND n.status IN ('accepted', 'done')
                        AND n.accepted_at >= :since) AS recent,
                   (SELECT max(n.accepted_at) FROM needs n
                      WHERE n.volunteer_id = v.user_id AND n.status IN ('accepted', 'done'))
                      AS last_task
            FROM near
            JOIN volunteers v ON v.user_id = near.user_id
            JOIN people p ON p.id = v.user_id
            WHERE v.on_duty = 1 AND v.approved = 1 AND p.blocked = 0 AND p.reachable = 1
              AND v.user_id != :resident {extra}
              AND NOT EXISTS (SELECT 1 FROM proposals pr
                              WHERE pr.need_id = :need AND pr.volunteer_id = v.user_id
                                AND pr.status NOT IN ({ASK_AGAIN}))
        ),
        chosen AS MATERIALIZED (SELECT * FROM ranked {order} LIMIT :limit)
        SELECT chosen.*,
               (SELECT group_concat(a.area, char(31)) FROM volunteer_areas a
                  WHERE a.user_id = chosen.user_id) AS areas
        FROM chosen
        """,
        params,
    )
    found = [
        Candidate(
            user_id=r["user_id"],
            skills=frozenset({need.category}),
            areas=frozenset((r["areas"] or "").split("\x1f")) - {""},
            availability=Availability(r["availability"]),
            on_duty=bool(r["on_duty"]),
            approved=bool(r["approved"]),
            vetted=bool(r["vetted"]),
            blocked=bool(r["blocked"]),
            reachable=bool(r["reachable"]),
            open_tasks=r["open_tasks"],
            max_open_tasks=r["max_open_tasks"],
            tasks_last_30_days=r["recent"],
            last_task_at=parse_ts(r["last_task"]),
            lat=r["lat"],
            lon=r["lon"],
            radius_km=r["radius_km"],
            languages=frozenset(split_codes(r["languages"])),
        )
        for r in rows
    ]
    seen = {c.user_id for c in found}
    return found + [
        c
        for c in await _offer_candidates(db, need, area_list, now, offers_need_approval)
        if c.user_id not in seen
    ]


async def _offer_candidates(
    db: Database, need: Need, areas: list[str], now: datetime, need_approval: bool
) -> list[Candidate]:
    """One-off offers that could serve this need: same category, an area the need
    accepts, a window that overlaps. The offerer is asked like a volunteer."""
    marks = ",".join("?" * len(areas))
    rows = await db.fetchall(
        f"""
        SELECT o.user_id, o.area, COALESCE(v.vetted, 0) AS vetted,
               COALESCE(v.approved, 0) AS approved, p.blocked, p.reachable,
               (SELECT count(*) FROM needs n
                  WHERE n.volunteer_id = o.user_id AND n.status = 'accepted') AS open_tasks
        FROM offers o
        JOIN people p ON p.id = o.user_id
        LEFT JOIN volunteers v ON v.user_id = o.user_id
        WHERE o.status = 'open' AND o.category = ? AND o.area IN ({marks})
          AND o.window_end > ? AND o.window_start < ?
          AND p.blocked = 0 AND p.reachable = 1 AND o.user_id != ?
          AND NOT EXISTS (SELECT 1 FROM proposals pr
                          WHERE pr.need_id = ? AND pr.volunteer_id = o.user_id
                            AND pr.status NOT IN ({ASK_AGAIN}))
        ORDER BY o.id
        """,
        (need.category, *areas, ts(now), ts(need.window_end), need.resident_id, need.id),
    )
    return [
        Candidate(
            user_id=r["user_id"],
            skills=frozenset({need.category}),
            areas=frozenset({r["area"]}),
            approved=bool(r["approved"]) or not need_approval,
            vetted=bool(r["vetted"]),
            blocked=bool(r["blocked"]),
            reachable=bool(r["reachable"]),
            open_tasks=r["open_tasks"],
        )
        for r in rows
    ]

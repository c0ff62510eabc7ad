"""Volunteer profiles: skills, areas, availability, duty and approval."""

from __future__ import annotations

from datetime import datetime

from domain.models import Availability, VolunteerProfile
from storage.db import Database, ts


def joined_codes(codes: tuple[str, ...] | frozenset[str]) -> str:
    """Language codes as kept in a row: `,en,uk,` (so `,uk,` finds one)."""
    return "," + ",".join(sorted(set(codes))) + ","


def split_codes(text: str | None) -> tuple[str, ...]:
    return tuple(code for code in (text or "").split(",") if code)


class VolunteerRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, profile: VolunteerProfile, now: datetime) -> VolunteerProfile:
        """Create or replace a profile; approval and vetting survive an edit."""
        async with self.db.tx() as conn:
            await conn.execute(
                "INSERT INTO volunteers (user_id, availability, on_duty, approved, vetted, "
                "max_open_tasks, lat, lon, radius_km, languages, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(user_id) DO UPDATE SET availability=excluded.availability, "
                "lat=excluded.lat, lon=excluded.lon, radius_km=excluded.radius_km, "
                "languages=excluded.languages, updated_at=excluded.updated_at",
                (
                    profile.user_id,
                    profile.availability.value,
                    int(profile.on_duty),
                    int(profile.approved),
                    int(profile.vetted),
                    profile.max_open_tasks,
                    profile.lat,
                    profile.lon,
                    profile.radius_km,
                    joined_codes(profile.languages),
                    ts(now),
                    ts(now),
                ),
            )
            await conn.execute("DELETE FROM volunteer_skills WHERE user_id=?", (profile.user_id,))
            await conn.executemany(
                "INSERT INTO volunteer_skills (category, user_id) VALUES (?, ?)",
                [(s, profile.user_id) for s in profile.skills],
            )
            await conn.execute("DELETE FROM volunteer_areas WHERE user_id=?", (profile.user_id,))
            await conn.executemany(
                "INSERT INTO volunteer_areas (area, user_id) VALUES (?, ?)",
                [(a, profile.user_id) for a in profile.areas],
            )
        saved = await self.get(profile.user_id)
        assert saved is not None
        return saved

    async def get(self, user_id: int) -> VolunteerProfile | None:
        row = await self.db.fetchone("SELECT * FROM volunteers WHERE user_id=?", (user_id,))
        if row is None:
            return None
        skills = await self.db.fetchall(
            "SELECT category FROM volunteer_skills WHERE user_id=? ORDER BY category", (user_id,)
        )
        areas = await self.db.fetchall(
            "SELECT area FROM volunteer_areas WHERE user_id=? ORDER BY area", (user_id,)
        )
        return VolunteerProfile(
            user_id=user_id,
            skills=tuple(r[0] for r in skills),
            areas=tuple(r[0] for r in areas),
            availability=Availability(row["availability"]),
            on_duty=bool(row["on_duty"]),
            approved=bool(row["approved"]),
            vetted=bool(row["vetted"]),
            max_open_tasks=row["max_open_tasks"],
            lat=row["lat"],
            lon=row["lon"],
            radius_km=row["radius_km"],
            languages=split_codes(row["languages"]),
        )

    async def set_approved(self, user_id: int, approved: bool) -> bool:
        return (
            await self.db.execute(
                "UPDATE volunteers SET approved=? WHERE user_id=?", (int(approved), user_id)
            )
            == 1
        )

    async def set_on_duty(self, user_id: int, on_duty: bool) -> bool:
        return (
            await self.db.execute(
                "UPDATE volunteers SET on_duty=? WHERE user_id=?", (int(on_duty), user_id)
            )
            == 1
        )

    async def set_vetted(self, user_id: int, vetted: bool) -> bool:
        return (
            await self.db.execute(
                "UPDATE volunteers SET vetted=? WHERE user_id=?", (int(vetted), user_id)
            )
            == 1
        )

    async def pending(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM volunteers WHERE approved=0 ORDER BY created_at, user_id"
        )
        return [r[0] for r in rows]

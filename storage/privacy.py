"""What is kept about a person: exporting it, forgetting it, and retention of closed needs.

The database connects with `PRAGMA secure_delete=ON` (storage.db), so what is deleted or
overwritten here is zeroed in the file, not left in free pages.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from domain.privacy import ANONYMOUS, PersonalData
from storage.db import Database, at, current_unit, ts
from storage.volunteers import split_codes
from storage.work import add_work

# Keys in timed work's payload that name a person.
_PERSON_KEYS = ("user_id", "volunteer_id", "resident_id", "chat_id", "raised_by")


def _row(row: aiosqlite.Row, *skip: str) -> dict[str, Any]:
    return {k: row[k] for k in row.keys() if k not in skip}


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type='table'") as cur:
        return {r[0] for r in await cur.fetchall()}


async def _columns(conn: aiosqlite.Connection, table: str) -> set[str]:
    async with conn.execute(f"PRAGMA table_info({table})") as cur:
        return {r[1] for r in await cur.fetchall()}


async def _all(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


class PrivacyRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- /mydata --------------------------------------------------------------------------

    async def export(self, user_id: int, now: datetime) -> PersonalData:
        """Everything kept about this person (not about the people they helped or asked)."""
        await self.db.connect()
        conn = self.db.conn
        async with self.db.tx():  # one consistent view; nothing is written
            tables = await _tables(conn)
            people = await _all(conn, "SELECT * FROM people WHERE id=?", (user_id,))
            roles = await _all(
                conn, "SELECT role, granted_at FROM roles WHERE user_id=? ORDER BY role", (user_id,)
            )
            volunteer = await _all(conn, "SELECT * FROM volunteers WHERE user_id=?", (user_id,))
            skills = await _all(
                conn,
                "SELECT category FROM volunteer_skills WHERE user_id=? ORDER BY category",
                (user_id,),
            )
            areas = await _all(
                conn, "SELECT area FROM volunteer_areas WHERE user_id=? ORDER BY area", (user_id,)
            )
            needs = await _all(
                conn,
                "SELECT n.*, (SELECT group_concat(l.related_id) FROM need_links l "
                "WHERE l.need_id = n.id) AS linked_to "
                "FROM needs n WHERE n.resident_id=? ORDER BY n.id",
                (user_id,),
            )
            offers = await _all(
                conn, "SELECT * FROM offers WHERE user_id=? ORDER BY id", (user_id,)
            )
            proposals = await _all(
                conn,
                "SELECT id, need_id, wave, status, created_at, answered_at FROM proposals "
                "WHERE volunteer_id=? ORDER BY id",
                (user_id,),
            )
            # Their part in other people's needs: no resident, no description.
            tasks = await _all(
                conn,
                "SELECT id AS need_id, category, area, status, accepted_at, done_at, hours "
                "FROM needs WHERE volunteer_id=? ORDER BY id",
                (user_id,),
            )
            concerns = await _all(
                conn,
                "SELECT id, need_id, text, status, created_at, resolved_at FROM concerns "
                "WHERE raised_by=? ORDER BY id",
                (user_id,),
            )
            actions = (
                await _all(
                    conn,
                    "SELECT action, target, at FROM audit_log WHERE actor_id=? ORDER BY id",
                    (user_id,),
                )
                if "audit_log" in tables
                else []
            )
            relayed = (
                await _all(
                    conn,
                    "SELECT need_id, text, created_at FROM relay_messages WHERE sender_id=? "
                    "ORDER BY id",
                    (user_id,),
                )
                if "relay_messages" in tables
                else []
            )
            referred = (
                await _all(
                    conn,
                    "SELECT council_ref, referred_at, taken_at, declined_at, decline_reason "
                    "FROM referrals WHERE liaison_id=? ORDER BY referred_at, need_id",
                    (user_id,),
                )
                if "referrals" in tables
                else []
            )
            form = await _all(conn, "SELECT data FROM user_data WHERE user_id=?", (user_id,))
        profile: dict[str, Any] | None = None
        if volunteer:
            profile = _row(volunteer[0], "user_id")
            profile["skills"] = [r[0] for r in skills]
            profile["areas"] = [r[0] for r in areas]
            profile["languages"] = list(split_codes(profile.get("languages")))
        need_rows = []
        for r in needs:
            need = _row(r, "resident_id", "volunteer_id", "linked_to")
            need["linked_to"] = [int(x) for x in (r["linked_to"] or "").split(",") if x]
            need_rows.append(need)
        return PersonalData(
            user_id=user_id,
            generated_at=now,
            person=_row(people[0]) if people else None,
            roles=[_row(r) for r in roles],
            volunteer_profile=profile,
            needs=need_rows,
            offers=[_row(r, "user_id") for r in offers],
            proposals=[_row(r) for r in proposals],
            tasks=[_row(r) for r in tasks],
            volunteer_hours=sum(float(r["hours"] or 0) for r in tasks if r["status"] == "done"),
            concerns=[_row(r) for r in concerns],
            coordinator_actions=[_row(r) for r in actions],
            messages_sent=[_row(r) for r in relayed],
            referrals_made=[_row(r) for r in referred],
            form_in_progress=json.loads(form[0][0]) if form else None,
        )

    # --- /forget --------------------------------------------------------------------------

    async def open_needs_of(self, user_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM needs WHERE resident_id=? "
            "AND status IN ('open', 'accepted', 'held') "
            "ORDER BY id",
            (user_id,),
        )
        return [int(r[0]) for r in rows]

    async def anonymise(self, user_id: int, now: datetime) -> int | None:
        """Everything kept about this person, in one transaction: their words and details
        removed, their rows moved to a new pseudonymous person (so counts stay right), their
        profile, roles and any half-filled form deleted, and then the person themselves.

        Someone a coordinator has blocked keeps a bare row (id and the block), so deleting
        their data does not undo the block. Returns the pseudonym, or None if nothing was kept.
        """
        async with self.db.tx() as conn:
            tables = await _tables(conn)
            person = await _all(conn, "SELECT blocked FROM people WHERE id=?", (user_id,))
            if not person:
                await self._forget_forms(conn, user_id)
                return None
            blocked = bool(person[0][0])
            low = await _all(conn, "SELECT min(id) FROM people", ())
            pseudonym = min(int(low[0][0]), ANONYMOUS) - 1
            await conn.execute(
                "INSERT INTO people (id, first_name, reachable, created_at) VALUES (?, '', 0, ?)",
                (pseudonym, ts(now)),
            )
            # The volunteers who took their requests keep no copy of them on screen: each
            # accepted message is edited down to "no longer open" (the proposal_closed work).
            taken = await _all(
                conn,
                "SELECT p.id FROM proposals p JOIN needs n ON n.id = p.need_id "
                "WHERE n.resident_id=? AND p.status='accepted'",
                (user_id,),
            )
            for (proposal_id,) in taken:
                await add_work(conn, "proposal_closed", now, now, proposal_id=proposal_id)
            if "need_notes" in tables:
                # What coordinators noted about their requests, or sent them, goes; notes a
                # coordinator wrote stay with the requests, by no one.
                await conn.execute(
                    "DELETE FROM need_notes WHERE need_id IN "
                    "(SELECT id FROM needs WHERE resident_id=?)",
                    (user_id,),
                )
                await conn.execute(
                    "UPDATE need_notes SET author_id=? WHERE author_id=?", (pseudonym, user_id)
                )
            await self._move_needs(conn, user_id, pseudonym, now)
            await conn.execute(
                "UPDATE proposals SET volunteer_id=?, chat_id=NULL, message_id=NULL "
                "WHERE volunteer_id=?",
                (pseudonym, user_id),
            )
            await conn.execute(
                "UPDATE concerns SET raised_by=?, text='' WHERE raised_by=?", (pseudonym, user_id)
            )
            if "relay_messages" in tables:
                # Their words go; what others wrote to them loses who it was for.
                await conn.execute("DELETE FROM relay_messages WHERE sender_id=?", (user_id,))
                await conn.execute(
                    "UPDATE relay_messages SET recipient_id=? WHERE recipient_id=?",
                    (pseudonym, user_id),
                )
            await conn.execute(
                "UPDATE concerns SET resolved_by=? WHERE resolved_by=?", (pseudonym, user_id)
            )
            if "referrals" in tables:
                # A liaison's referrals stay the group's (and the council's) to count; who
                # referred or took them does not.
                await conn.execute(
                    "UPDATE referrals SET liaison_id=? WHERE liaison_id=?", (pseudonym, user_id)
                )
                await conn.execute(
                    "UPDATE referrals SET taken_by=? WHERE taken_by=?", (pseudonym, user_id)
                )
            await conn.execute("DELETE FROM volunteers WHERE user_id=?", (user_id,))
            await conn.execute("DELETE FROM roles WHERE user_id=?", (user_id,))
            await conn.execute(
                "UPDATE roles SET granted_by=? WHERE granted_by=?", (pseudonym, user_id)
            )
            await self._move_coordination(conn, tables, user_id, pseudonym, blocked)
            if "command_menus" in tables:  # which menu they had says what they were
                await conn.execute("DELETE FROM command_menus WHERE chat_id=?", (user_id,))
            await self._move_work(conn, user_id, pseudonym)
            await self._forget_forms(conn, user_id)
            await self._remove_person(conn, user_id, blocked)
            return pseudonym

    async def _move_needs(
        self, conn: aiosqlite.Connection, user_id: int, pseudonym: int, now: datetime
    ) -> None:
        columns = await _columns(conn, "needs")
        extra = ", on_behalf_of=NULL" if "on_behalf_of" in columns else ""
        extra += ", caller_contact=NULL" if "caller_contact" in columns else ""
        await conn.execute(
            f"UPDATE needs SET resident_id=?, description='', doorstep_code=NULL{extra} "
            "WHERE resident_id=?",
            (pseudonym, user_id),
        )
        # The hours they gave stay, as the group's anonymous social value.
        await conn.execute(
            "UPDATE needs SET volunteer_id=? WHERE volunteer_id=?", (pseudonym, user_id)
        )
        await conn.execute(
            "UPDATE offers SET user_id=?, description='', updated_at=?, "
            "status=CASE WHEN status='open' THEN 'cancelled' ELSE status END WHERE user_id=?",
            (pseudonym, ts(now), user_id),
        )

    async def _move_coordination(
        self,
        conn: aiosqlite.Connection,
        tables: set[str],
        user_id: int,
        pseudonym: int,
        blocked: bool,
    ) -> None:
        if "audit_log" in tables:
            await conn.execute(
                "UPDATE audit_log SET actor_id=? WHERE actor_id=?", (pseudonym, user_id)
            )
            if not blocked:  # a block and its reason stay with the bare row that keeps it
                await conn.execute(
                    "UPDATE audit_log SET target=? WHERE target=?",
                    (f"user:{pseudonym}", f"user:{user_id}"),
                )
        if "invites" in tables:
            await conn.execute(
                "UPDATE invites SET created_by=? WHERE created_by=?", (pseudonym, user_id)
            )
            await conn.execute("UPDATE invites SET used_by=? WHERE used_by=?", (pseudonym, user_id))
            await conn.execute("UPDATE invites SET pending_by=NULL WHERE pending_by=?", (user_id,))

    async def _move_work(self, conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
        """Timed work naming them (done or not) names the pseudonym instead."""
        rows = await _all(
            conn,
            "SELECT id, payload FROM scheduled_work WHERE payload LIKE ?",
            (f"%{user_id}%",),
        )
        for work_id, payload in rows:
            data = json.loads(payload)
            changed = {k: pseudonym for k in _PERSON_KEYS if data.get(k) == user_id}
            if changed:
                await conn.execute(
                    "UPDATE scheduled_work SET payload=? WHERE id=?",
                    (json.dumps(data | changed, sort_keys=True), work_id),
                )

    async def _forget_forms(self, conn: aiosqlite.Connection, user_id: int) -> None:
        await conn.execute("DELETE FROM user_data WHERE user_id=?", (user_id,))
        await conn.execute(
            "DELETE FROM conversations WHERE key=?", (json.dumps([user_id, user_id]),)
        )

    async def _remove_person(self, conn: aiosqlite.Connection, user_id: int, blocked: bool) -> None:
        # Nothing more is owed to them, and no trace of what was sent is kept (the message
        # saying it is done is owed after this, and leaves no row once sent).
        await conn.execute("DELETE FROM outbox WHERE chat_id=?", (user_id,))
        unit = current_unit()
        if unit is not None:
            unit.state.setdefault("forgotten", set()).add(user_id)
        if not blocked:
            try:
                await conn.execute("DELETE FROM people WHERE id=?", (user_id,))
                return
            except sqlite3.IntegrityError:
                pass  # a table this code does not know still points at them: keep a bare row
        await conn.execute(
            "UPDATE people SET first_name='', username=NULL, consent_at=NULL, "
            "consent_version=0 WHERE id=?",
            (user_id,),
        )

    async def purge_copies(self) -> None:
        """Old versions of changed pages can sit in the -wal file until a checkpoint: once
        the deletion has committed, copy everything into the main file (where secure_delete
        has zeroed what was removed) and empty the -wal, so what was deleted is nowhere on
        disk. Asked for inside the unit of work that deletes, it is written down there too
        (`pending_scrub`), so a crash before it is done is finished at start-up
        (`finish_scrubs`) before anything else happens."""
        unit = current_unit()
        if unit is None:
            await self.db.checkpoint()
            return
        if not unit.state.get("scrub"):
            unit.state["scrub"] = True
            await self.db.execute_one(
                "INSERT INTO pending_scrub (requested_at) VALUES (datetime('now'))"
            )
            unit.after.append(self._finish_scrubs_after)

    async def _finish_scrubs_after(self) -> None:
        await self.finish_scrubs()

    async def finish_scrubs(self) -> int:
        """Empty the -wal after deletions that asked for it; how many were waiting."""
        row = await self.db.fetchone("SELECT count(*) FROM pending_scrub")
        waiting = int(row[0]) if row else 0
        if waiting:
            await self.db.checkpoint()
            # What this deletion writes holds nothing personal; the next checkpoint takes it.
            await self.db.execute_one("DELETE FROM pending_scrub")
        return waiting

    # --- retention --------------------------------------------------------------------------

    async def scrub_closed(self, before: datetime, now: datetime) -> int:
        """Needs (and offers) that closed before `before` lose their personal details: the
        description, the doorstep code and who asked. Counts, times and hours stay."""
        async with self.db.tx() as conn:
            tables = await _tables(conn)
            columns = await _columns(conn, "needs")
            rows = await _all(
                conn,
                f"SELECT id FROM needs WHERE {_CLOSED_NEED} AND {_UNSCRUBBED} AND {_CLOSED_AT} < ?",
                (ts(before),),
            )
            ids = [int(r[0]) for r in rows]
            offers = await _all(
                conn,
                f"SELECT id FROM offers WHERE {_CLOSED_OFFER} AND updated_at < ? "
                "AND (description != '' OR user_id > ?)",
                (ts(before), ANONYMOUS),
            )
            if not ids and not offers:
                return 0
            await conn.execute(
                "INSERT OR IGNORE INTO people (id, first_name, reachable, created_at) "
                "VALUES (?, '', 0, ?)",
                (ANONYMOUS, ts(now)),
            )
            clear = ", on_behalf_of=NULL" if "on_behalf_of" in columns else ""
            clear += ", caller_contact=NULL" if "caller_contact" in columns else ""
            for need_id in ids:
                # Someone already forgotten keeps their pseudonym (it is no one's anyway).
                await conn.execute(
                    "UPDATE needs SET description='', doorstep_code=NULL, "
                    f"resident_id=CASE WHEN resident_id > ? THEN ? ELSE resident_id END{clear} "
                    "WHERE id=?",
                    (ANONYMOUS, ANONYMOUS, need_id),
                )
                if "relay_messages" in tables:  # what resident and volunteer said
                    await conn.execute("DELETE FROM relay_messages WHERE need_id=?", (need_id,))
                if "need_notes" in tables:  # coordinators' notes, and what they sent
                    await conn.execute("DELETE FROM need_notes WHERE need_id=?", (need_id,))
                # A link says two requests were one person's: moot now, and telling.
                await conn.execute(
                    "DELETE FROM need_links WHERE need_id=? OR related_id=?", (need_id, need_id)
                )
                if "audit_log" in tables:  # e.g. the name of someone who phoned it in
                    await conn.execute(
                        "UPDATE audit_log SET detail=NULL WHERE target=?", (f"need:{need_id}",)
                    )
            await conn.executemany(
                "UPDATE offers SET description='', "
                "user_id=CASE WHEN user_id > ? THEN ? ELSE user_id END WHERE id=?",
                [(ANONYMOUS, ANONYMOUS, r[0]) for r in offers],
            )
            return len(ids) + len(offers)

    async def ensure_retention(self, now: datetime, retention: timedelta) -> datetime | None:
        """A `retention` row is pending for when the next closed need (or offer) is due to
        lose its details, if any is waiting. Safe to call at every tick and after a restart:
        there is never more than one such row, and a shorter retention brings it forward."""
        async with self.db.tx() as conn:
            need = await _all(
                conn,
                f"SELECT min({_CLOSED_AT}) FROM needs WHERE {_CLOSED_NEED} AND {_UNSCRUBBED}",
                (),
            )
            offer = await _all(
                conn,
                f"SELECT min(updated_at) FROM offers WHERE {_CLOSED_OFFER} "
                "AND (description != '' OR user_id > ?)",
                (ANONYMOUS,),
            )
            closings = [at(r[0][0]) for r in (need, offer) if r and r[0][0]]
            if not closings:
                return None
            due = min(closings) + retention
            pending = await _all(
                conn,
                "SELECT id, due_at FROM scheduled_work WHERE kind='retention' AND done_at IS NULL "
                "ORDER BY due_at LIMIT 1",
                (),
            )
            if not pending:
                await add_work(conn, "retention", due, now)
            elif at(pending[0][1]) > due:
                await conn.execute(
                    "UPDATE scheduled_work SET due_at=? WHERE id=?", (ts(due), pending[0][0])
                )
            return due


# Closed needs that still hold personal details (matches the partial index needs_retention).
_CLOSED_NEED = "status IN ('done', 'cancelled', 'closed')"
_UNSCRUBBED = f"(description != '' OR doorstep_code IS NOT NULL OR resident_id > {ANONYMOUS})"
_CLOSED_AT = "coalesce(closed_at, done_at, updated_at)"
_CLOSED_OFFER = "status IN ('accepted', 'cancelled', 'closed')"

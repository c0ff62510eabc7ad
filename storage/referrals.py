"""Council referrals: created held for a coordinator, then taken (to matching) or declined;
what the liaison may read of their own; and the rows behind the report's referral figures.

The resident's first name, contact note and words are kept on the need (on_behalf_of,
caller_contact, description), never here, so retention and /forget remove them as they do
any phoned-in need's. Until a coordinator takes it, a referral's need belongs to nobody
(the ANONYMOUS stand-in, never messaged): the liaison is not its resident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from domain.coordination import Audit
from domain.models import Need, NeedStatus, When
from domain.privacy import ANONYMOUS
from domain.referrals import Referral, ReferralFacts, ReferralTally
from storage.audit import add_audit
from storage.db import Database, at, parse_ts, ts
from storage.needs import POSTING_COLUMNS, NeedRepo, posting_values
from storage.work import add_work

# One pass per event, as storage/reports.py counts needs: referred in a bucket, matched in
# it (hours from the referral to the match), done in it (volunteer hours).
_TALLY = """
WITH b(i, start, stop) AS (VALUES {buckets})
SELECT b.i, n.area, n.category, 'referred', count(*), NULL, NULL
  FROM b JOIN referrals r ON r.referred_at >= b.start AND r.referred_at < b.stop
  JOIN needs n ON n.id = r.need_id
  GROUP BY b.i, n.area, n.category
UNION ALL
SELECT b.i, n.area, n.category, 'matched', count(*), NULL,
       group_concat(round((julianday(n.accepted_at) - julianday(r.referred_at)) * 24, 4))
  FROM b JOIN needs n ON n.accepted_at >= b.start AND n.accepted_at < b.stop
  JOIN referrals r ON r.need_id = n.id
  GROUP BY b.i, n.area, n.category
UNION ALL
SELECT b.i, n.area, n.category, 'met', count(*), total(n.hours), NULL
  FROM b JOIN needs n ON n.done_at >= b.start AND n.done_at < b.stop AND n.status = 'done'
  JOIN referrals r ON r.need_id = n.id
  GROUP BY b.i, n.area, n.category
"""


def _referral(row: aiosqlite.Row) -> Referral:
    return Referral(
        need_id=row["need_id"],
        liaison_id=row["liaison_id"],
        council_ref=row["council_ref"],
        referred_at=at(row["referred_at"]),
        taken_at=parse_ts(row["taken_at"]),
        taken_by=row["taken_by"],
        declined_at=parse_ts(row["declined_at"]),
        decline_reason=row["decline_reason"],
    )


class ReferralRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._needs = NeedRepo(db)

    async def create(
        self,
        liaison_id: int,
        council_ref: str,
        category: str,
        area: str,
        description: str,
        when: When,
        window: tuple[datetime, datetime],
        first_name: str,
        contact: str,
        now: datetime,
    ) -> Need:
        """A referral nobody is asked about yet; every coordinator hears of it at once."""
        async with self.db.tx() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO people (id, first_name, reachable, created_at) "
                "VALUES (?, '', 0, ?)",
                (ANONYMOUS, ts(now)),
            )
            cur = await conn.execute(
                f"INSERT INTO needs (resident_id, status, on_behalf_of, caller_contact, "
                f"{POSTING_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ANONYMOUS,
                    NeedStatus.REFERRED.value,
                    first_name,
                    contact,
                    *posting_values(category, area, description, when, window, now),
                ),
            )
            need_id = int(cur.lastrowid or 0)
            await conn.execute(
                "INSERT INTO referrals (need_id, liaison_id, council_ref, referred_at) "
                "VALUES (?,?,?,?)",
                (need_id, liaison_id, council_ref, ts(now)),
            )
            await add_work(conn, "alert_referral", now, now, need_id=need_id)
        need = await self._needs.get(need_id)
        assert need is not None
        return need

    async def get(self, need_id: int) -> Referral | None:
        row = await self.db.fetchone("SELECT * FROM referrals WHERE need_id=?", (need_id,))
        return _referral(row) if row else None

    async def waiting(self) -> list[tuple[Need, Referral]]:
        """Referrals no coordinator has taken or declined yet, oldest first."""
        rows = await self.db.fetchall(
            "SELECT r.* FROM referrals r JOIN needs n ON n.id = r.need_id "
            "WHERE n.status='referred' ORDER BY n.created_at, n.id"
        )
        found = []
        for row in rows:
            need = await self._needs.get(int(row["need_id"]))
            if need is not None:
                found.append((need, _referral(row)))
        return found

    async def take(
        self, need_id: int, by: int, window: tuple[datetime, datetime], now: datetime
    ) -> bool:
        """A coordinator takes a referral: they become its resident of record (its follow-up
        contact) and it may be matched, in this window. False if it was taken or declined
        meanwhile. `Still need help?` goes to them at the window's end."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='open', resident_id=?, window_start=?, window_end=?, "
                "updated_at=? WHERE id=? AND status='referred'",
                (by, ts(window[0]), ts(window[1]), ts(now), need_id),
            )
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE referrals SET taken_at=?, taken_by=? WHERE need_id=?",
                (ts(now), by, need_id),
            )
            await add_work(conn, "still_needed", window[1], now, need_id=need_id)
            await add_audit(conn, by, Audit.TAKE_REFERRAL, f"need:{need_id}", now)
            return True

    async def decline(self, need_id: int, by: int, reason: str, now: datetime) -> bool:
        """A coordinator declines a referral, with a reason for the liaison; False if it was
        taken or declined meanwhile. Its need closes (and its details go with retention)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='closed', closed_at=?, updated_at=? "
                "WHERE id=? AND status='referred'",
                (ts(now), ts(now), need_id),
            )
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE referrals SET declined_at=?, decline_reason=? WHERE need_id=?",
                (ts(now), reason, need_id),
            )
            await add_audit(conn, by, Audit.DECLINE_REFERRAL, f"need:{need_id}", now)
            return True

    # --- what the liaison sees ------------------------------------------------------------

    async def of_liaison(self, liaison_id: int, limit: int) -> tuple[list[ReferralFacts], int]:
        """This liaison's referrals, newest first (at most `limit`), and how many there are:
        the reference, the status and the times, read from nothing that names anyone."""
        rows = await self.db.fetchall(
            "SELECT r.council_ref, r.referred_at, r.taken_at, r.declined_at, "
            "r.decline_reason, n.status, n.accepted_at, n.done_at, n.closed_at "
            "FROM referrals r JOIN needs n ON n.id = r.need_id WHERE r.liaison_id=? "
            "ORDER BY r.referred_at DESC, r.need_id DESC LIMIT ?",
            (liaison_id, limit),
        )
        count = await self.db.fetchone(
            "SELECT count(*) FROM referrals WHERE liaison_id=?", (liaison_id,)
        )
        facts = [
            ReferralFacts(
                council_ref=r["council_ref"],
                referred_at=at(r["referred_at"]),
                need_status=NeedStatus(r["status"]),
                taken_at=parse_ts(r["taken_at"]),
                matched_at=parse_ts(r["accepted_at"]),
                done_at=parse_ts(r["done_at"]),
                closed_at=parse_ts(r["closed_at"]),
                declined_at=parse_ts(r["declined_at"]),
                decline_reason=r["decline_reason"],
            )
            for r in rows
        ]
        return facts, int(count[0]) if count else 0

    # --- the report's figures -------------------------------------------------------------

    async def tallies(self, buckets: Sequence[tuple[datetime, datetime]]) -> list[ReferralTally]:
        """Referral counts per bucket (a period, or the weeks of one), area and category."""
        if not buckets:
            return []
        params: list[Any] = []
        for i, (start, stop) in enumerate(buckets):
            params += [i, ts(start), ts(stop)]
        sql = _TALLY.format(buckets=", ".join(["(?, ?, ?)"] * len(buckets)))
        rows = await self.db.read(sql, params)
        merged: dict[tuple[int, str, str], dict[str, Any]] = defaultdict(dict)
        for bucket, area, category, kind, count, hours, delays in rows:
            cell = merged[(bucket, area, category)]
            cell[kind] = count
            if kind == "met":
                cell["hours"] = float(hours or 0.0)
            if kind == "matched" and delays:
                cell["match_hours"] = tuple(float(d) for d in str(delays).split(","))
        return [
            ReferralTally(area=area, category=category, bucket=bucket, **values)
            for (bucket, area, category), values in sorted(merged.items())
        ]

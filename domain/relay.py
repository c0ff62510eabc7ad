"""Resident and volunteer reach each other through the bot: which conversations are open."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.models import Frozen

# A task's conversation stays open this long after the task ends (done, dropped, cancelled,
# handed to someone else), for a thank-you or a returned bag; then it closes.
OPEN_AFTER_END = timedelta(days=2)
MAX_RELAYED = 1000  # characters in one relayed message


class RelayLink(Frozen):
    """One side's view of a task they share with someone: the need and the other person."""

    need_id: int
    other_id: int
    other_name: str
    ended_at: datetime | None = None  # None while the task is live

    def is_open(self, now: datetime) -> bool:
        return self.ended_at is None or now - self.ended_at < OPEN_AFTER_END


def open_links(links: list[RelayLink], now: datetime) -> list[RelayLink]:
    """The conversations a plain text may go to, newest task first, one per need and person."""
    seen: set[tuple[int, int]] = set()
    chosen = []
    for link in sorted(links, key=lambda x: -x.need_id):
        key = (link.need_id, link.other_id)
        if link.is_open(now) and key not in seen:
            seen.add(key)
            chosen.append(link)
    return chosen

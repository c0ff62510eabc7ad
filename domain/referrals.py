"""Council referrals (product.md, Council referrals): a request the council's liaison passes
to the group for a resident who called the council, and what became of it.

A referral is a need with the status `referred`, held for a coordinator, and a row of its
own: the council's case reference, who referred it and when each step came. A coordinator
takes it (it is matched like any need, the coordinator its follow-up contact, as with
/newneed) or declines it with a reason the liaison sees. The resident's first name and
contact note reach the volunteer who accepts and nobody else.

What the liaison sees of their referrals (`ReferralFacts`) holds the reference they typed,
the status and the times of each step, and nothing else: no volunteer, no coordinator, no
note, no message, no request number. The report's figures ("referred by the council") are
suppressed as the rest of the report is (domain/reports.py).

Plain data in, plain data out: every time is an argument.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.coordination import MAX_CONTACT_NOTE
from domain.models import NeedStatus
from domain.reports import (
    SMALLEST_SHOWN,
    WITHHELD,
    Line,
    Shown,
    count_shown,
    median_and_hours,
    pounds,
    protect,
)

MAX_REFERENCE = 40  # the council's case reference, as typed
MAX_FIRST_NAME = 40
MAX_REASON = 300  # why a coordinator declined, for the liaison
MIN_PHONE_DIGITS = 6  # a contact note is a phone number the volunteer can ring


# --- what the liaison types ------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def council_reference(text: str) -> str | None:
    """The council's own case reference: one line, at most MAX_REFERENCE characters."""
    ref = _one_line(text)
    return ref if 0 < len(ref) <= MAX_REFERENCE else None


def first_name(text: str) -> str | None:
    """The resident's first name: short, and not a number (a phone typed a step early)."""
    name = _one_line(text)
    if not name or len(name) > MAX_FIRST_NAME or any(c.isdigit() or c == "@" for c in name):
        return None
    return name


def contact_note(text: str) -> str | None:
    """A contact note: a phone number, with any words around it (`07700 900123, after 2pm`)."""
    note = _one_line(text)
    digits = sum(c.isdigit() for c in note)
    if digits < MIN_PHONE_DIGITS or len(note) > MAX_CONTACT_NOTE:
        return None
    return note


def decline_reason(text: str) -> str | None:
    reason = " ".join(text.split())
    return reason[:MAX_REASON] if reason else None


# --- a referral and what became of it -----------------------------------------------------------


@dataclass(frozen=True)
class Referral:
    """The referral's own row (for coordinators and the bot; never shown to a liaison as is)."""

    need_id: int
    liaison_id: int
    council_ref: str
    referred_at: datetime
    taken_at: datetime | None = None
    taken_by: int | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None


class ReferralStatus(StrEnum):
    WAITING = "waiting"  # for the group: no coordinator has taken it yet
    TAKEN = "taken"  # a coordinator has it; volunteers are being asked
    MATCHED = "matched"  # a volunteer found
    DONE = "done"
    CLOSED = "closed"  # closed without help
    DECLINED = "declined"


@dataclass(frozen=True)
class ReferralFacts:
    """A referral as its liaison may see it: the reference they typed, the status of its
    need and the times of each step. Nothing here names or numbers anyone."""

    council_ref: str
    referred_at: datetime
    need_status: NeedStatus
    taken_at: datetime | None = None
    matched_at: datetime | None = None  # while a volunteer has it, or had it when done
    done_at: datetime | None = None
    closed_at: datetime | None = None
    declined_at: datetime | None = None
    decline_reason: str | None = None


def status_of(facts: ReferralFacts) -> ReferralStatus:
    if facts.declined_at is not None:
        return ReferralStatus.DECLINED
    status = facts.need_status
    if status is NeedStatus.REFERRED:
        return ReferralStatus.WAITING
    if status is NeedStatus.DONE:
        return ReferralStatus.DONE
    if status is NeedStatus.ACCEPTED:
        return ReferralStatus.MATCHED
    if status is NeedStatus.OPEN:
        return ReferralStatus.TAKEN
    return ReferralStatus.CLOSED  # closed, or cancelled (its coordinator left, say)


def steps(facts: ReferralFacts) -> list[tuple[ReferralStatus, timedelta]]:
    """Each step reached, in order, with the time from the referral to it. A volunteer who
    couldn't do it leaves no `volunteer found` behind: volunteers are asked again."""
    status = status_of(facts)
    found: list[tuple[ReferralStatus, datetime | None]] = [
        (ReferralStatus.TAKEN, facts.taken_at),
        (ReferralStatus.MATCHED, facts.matched_at),
        (ReferralStatus.DONE, facts.done_at if status is ReferralStatus.DONE else None),
        (ReferralStatus.CLOSED, facts.closed_at if status is ReferralStatus.CLOSED else None),
        (ReferralStatus.DECLINED, facts.declined_at),
    ]
    return [(step, max(at - facts.referred_at, timedelta())) for step, at in found if at]


# --- the report's figures: "referred by the council" ----------------------------------------------


@dataclass(frozen=True)
class ReferralTally:
    """What the store counted of referrals for one area and category over one stretch of
    time (`bucket`: the period, or one week of it): referred in it, matched in it (with the
    hours from the referral to the match), done in it (with the volunteer hours)."""

    area: str = ""
    category: str = ""
    bucket: int = 0
    referred: int = 0
    matched: int = 0
    met: int = 0
    hours: float = 0.0
    match_hours: tuple[float, ...] = ()


COUNTED = ("referred", "matched", "met")


@dataclass(frozen=True)
class ReferralFigures:
    """How many the council referred, how many were met (done), the median hours from a
    referral to its match, the volunteer hours they took (and their value, when the council
    sets one). Suppressed: counts 1 to 4 are `<5`; the median goes with the matched count
    and the hours with the met one, as in the rest of the report."""

    referred: Shown
    met: Shown
    median_hours: Shown
    hours: Shown
    pounds: Shown | None = None
    empty: bool = False


@dataclass
class _Sum:
    referred: int = 0
    matched: int = 0
    met: int = 0
    hours: float = 0.0
    match_hours: list[float] = field(default_factory=list)

    def add(self, t: ReferralTally) -> None:
        self.referred += t.referred
        self.matched += t.matched
        self.met += t.met
        self.hours += t.hours
        self.match_hours.extend(t.match_hours)


def _shown(value: int, withheld: bool) -> Shown:
    if withheld and value >= SMALLEST_SHOWN:
        return Shown(WITHHELD)
    return count_shown(value)


def _figures(
    total: _Sum, counts: dict[str, Shown], pounds_per_hour: float | None
) -> ReferralFigures:
    met = counts["met"]
    median, hours = median_and_hours(total.match_hours, total.hours, counts["matched"], met)
    return ReferralFigures(
        referred=counts["referred"],
        met=met,
        median_hours=median,
        hours=hours,
        pounds=pounds(hours, pounds_per_hour),
        empty=not (total.referred or total.matched or total.met),
    )


def referral_figures(
    tallies: Iterable[ReferralTally], pounds_per_hour: float | None = None
) -> ReferralFigures:
    """The whole group's "referred by the council" for a period."""
    total = _Sum()
    for t in tallies:
        total.add(t)
    counts = {name: count_shown(getattr(total, name)) for name in COUNTED}
    return _figures(total, counts, pounds_per_hour)


def weekly_referrals(
    tallies: Iterable[ReferralTally],
    weeks: int,
    areas: Sequence[str],
    categories: Sequence[str],
    pounds_per_hour: float | None = None,
) -> dict[tuple[int, str, str], ReferralFigures]:
    """The export's referral figures for every week × area × category. A week's figures add
    up to what a /report for that week shows of referrals, so each week is one line of
    domain/reports.py's rule 3: no small figure can be worked out by subtraction."""
    cells: dict[tuple[int, str, str], _Sum] = defaultdict(_Sum)
    for t in tallies:
        cells[(t.bucket, t.area, t.category)].add(t)
    keys = [(w, a, c) for w in range(weeks) for a in areas for c in categories]
    lines = [Line(tuple((w, a, c) for a in areas for c in categories)) for w in range(weeks)]
    shown: dict[tuple[int, str, str], dict[str, Shown]] = defaultdict(dict)
    for name in COUNTED:
        values: dict[Hashable, int] = {
            k: getattr(cells[k], name) if k in cells else 0 for k in keys
        }
        extra, _ = protect(values, lines)
        for k in keys:
            shown[k][name] = _shown(int(values[k]), k in extra)
    return {k: _figures(cells.get(k, _Sum()), shown[k], pounds_per_hour) for k in keys}

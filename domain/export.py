"""The figures as a CSV, for the dashboard's download and the chat's /export: one row per
week, area and category, numbers in number columns.

A withheld figure leaves its cell empty (so a spreadsheet's SUM still works on the rest)
and the row's `withheld` column says which and why. UTF-8 with a byte-order mark, names
never read as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from domain.community import Community
from domain.dashboard import NO_WARD, ward_of
from domain.referrals import ReferralFigures
from domain.reports import NOT_APPLICABLE, SMALL, WITHHELD, Shown, WeekRow

_FORMULA = ("=", "+", "-", "@", "\t", "\r")

COUNT_COLUMNS = ("posted", "matched", "done", "still_open", "unmet")
HEADER = (
    "week",
    "week_start",
    "week_end",
    "ward",
    "area",
    "category",
    "posted",
    "matched",
    "done",
    "still_open",
    "unmet",
    "median_hours_to_match",
    "volunteer_hours",
    "active_volunteers",
    "volunteers_who_could_be_asked",
)
REFERRAL_HEADER = (
    "referred_by_council",
    "referrals_met",
    "median_hours_referral_to_match",
    "referral_volunteer_hours",
)


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _cell(column: str, shown: Shown | None, why: list[str], *, goes_with: str = "") -> str:
    """The number, or empty with the reason noted."""
    if shown is None or shown.text == NOT_APPLICABLE:
        return ""
    if shown.value is not None:
        return _number(shown.value)
    if shown.text == SMALL:
        why.append(f"{column}: 1 to 4")
    elif shown.text == WITHHELD and goes_with:
        why.append(f"{column}: withheld with {goes_with}")
    elif shown.text == WITHHELD:
        why.append(f"{column}: withheld so a small number can't be worked out")
    else:
        why.append(f"{column}: not shown")
    return ""


def rows_csv(
    rows: Iterable[WeekRow],
    community: Community,
    pounds_per_hour: float | None,
    referrals: Mapping[tuple[str, str, str], ReferralFigures] | None = None,
) -> bytes:
    """One row per week, area and category. `referrals` (by week label, area, category)
    adds the council's referral columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = list(HEADER)
    if referrals is not None:
        header += REFERRAL_HEADER
    if pounds_per_hour is not None:
        header.append("value_gbp")
    header.append("withheld")
    writer.writerow(header)
    wards = any(a.ward for a in community.areas)
    for row in rows:
        f = row.figures
        why: list[str] = []
        cells: list[str] = [
            row.week.label,
            row.week.start.isoformat(),
            row.week.end.isoformat(),
            _text(ward_of(community, row.area) or NO_WARD) if wards else "",
            _text(row.area),
            _text(row.category),
            *(_cell(name, getattr(f, name), why) for name in COUNT_COLUMNS),
            _cell("median_hours_to_match", f.median_hours, why, goes_with="matched"),
            _cell("volunteer_hours", f.hours, why, goes_with="done"),
            _cell("active_volunteers", f.active, why),
            _cell("volunteers_who_could_be_asked", row.eligible, why),
        ]
        if referrals is not None:
            r = referrals[(row.week.label, row.area, row.category)]
            cells += [
                _cell("referred_by_council", r.referred, why),
                _cell("referrals_met", r.met, why),
                _cell("median_hours_referral_to_match", r.median_hours, why),
                _cell("referral_volunteer_hours", r.hours, why, goes_with="referrals_met"),
            ]
        if pounds_per_hour is not None:
            cells.append(_cell("value_gbp", row.pounds, why, goes_with="done"))
        cells.append("; ".join(why))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")

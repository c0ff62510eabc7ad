"""The council liaison's view: /report, /export and the weekly report on Monday mornings.

Only aggregates leave here: areas, categories and suppressed figures (domain/reports.py).
Nothing a liaison receives holds a name, username, Telegram id, description, location or a
request's number. Coordinators may use /report and /export too.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler

from domain.dashboard import (
    Helped,
    TrendWeek,
    command_period,
    dashboard_report,
    people_helped,
    period_label,
    weekly_trend,
)
from domain.export import rows_csv
from domain.models import Role, Work
from domain.periods import Period, PeriodError, last_week, next_local
from domain.referrals import ReferralFigures, referral_figures, weekly_referrals
from domain.reports import Figures, LiaisonReport, Shown, Supply, weekly_rows
from handlers import outbox, texts
from handlers.common import reply, tell, to
from handlers.context import Ctx, Services
from handlers.digest import split_message
from handlers.roles import requires

logger = logging.getLogger(__name__)

KIND = "weekly_report"
MONDAY = 0
REPORT_ROLES = (Role.LIAISON, Role.COORDINATOR)


# --- rendering -------------------------------------------------------------------------------


def _h(shown: Shown) -> str:
    return texts.html(shown.text)


def _median(shown: Shown) -> str:
    return texts.MEDIAN_HOURS.format(hours=_h(shown)) if shown.exact else _h(shown)


def _row(name: str, f: Figures) -> str:
    return texts.REPORT_ROW.format(
        name=texts.html(name),
        posted=_h(f.posted),
        matched=_h(f.matched),
        done=_h(f.done),
        still_open=_h(f.still_open),
        unmet=_h(f.unmet),
        median=_median(f.median_hours),
        hours=_h(f.hours),
        active=_h(f.active),
    )


def _table(heading: str, rows: tuple[tuple[str, Figures], ...]) -> list[str]:
    lines = [heading, *(_row(name, f) for name, f in rows if not f.empty)]
    quiet = [texts.html(name) for name, f in rows if f.empty]
    if quiet:
        lines.append(texts.REPORT_QUIET.format(names=", ".join(quiet)))
    return lines


def render_report(report: LiaisonReport, title: str) -> list[list[str]]:
    """The report as blocks: title, whole group, by area, by category, supply, note."""
    w = report.whole
    pounds = ""
    if report.pounds is not None and report.pounds_per_hour is not None:
        pounds = texts.REPORT_POUNDS.format(
            pounds=_h(report.pounds), rate=f"{report.pounds_per_hour:,.2f}"
        )
    blocks = [
        [title],
        [
            texts.REPORT_WHOLE.format(
                posted=_h(w.posted),
                matched=_h(w.matched),
                done=_h(w.done),
                still_open=_h(w.still_open),
                unmet=_h(w.unmet),
                median=_median(w.median_hours),
                hours=_h(w.hours),
                pounds=pounds,
                active=_h(w.active),
                volunteers=_h(report.volunteers),
            )
        ],
        _table(texts.REPORT_BY_AREA, report.by_area),
        _table(texts.REPORT_BY_CATEGORY, report.by_category),
    ]
    for heading, lines in (
        (texts.REPORT_SUPPLY_AREA, report.supply_by_area),
        (texts.REPORT_SUPPLY_CATEGORY, report.supply_by_category),
    ):
        block = [heading]
        for line in lines:
            if line.volunteers.value == 0 and line.needs.value == 0:
                continue
            template = (
                texts.REPORT_SUPPLY_NONE if line.needs.value == 0 else texts.REPORT_SUPPLY_ROW
            )
            block.append(
                template.format(
                    name=texts.html(line.name),
                    volunteers=_h(line.volunteers),
                    needs=_h(line.needs),
                    per_need=_h(line.per_need),
                )
            )
        blocks.append(block)
    if report.unserved:
        blocks.append(
            [
                texts.REPORT_UNSERVED,
                *(
                    texts.REPORT_UNSERVED_ROW.format(category=texts.named(c), area=texts.html(a))
                    for c, a in report.unserved
                ),
            ]
        )
    else:
        blocks.append([texts.REPORT_UNSERVED_NONE])
    blocks.append([texts.REPORT_NOTE])
    return blocks


def _label(period: Period, today: date) -> str:
    label = period_label(period)  # `March 2026`, `January to March 2026`, `2026`, two dates
    return label + (texts.REPORT_SO_FAR if period.end >= today else "")


def _pounds_per_hour(s: Services) -> float | None:
    return s.community.social_value.pounds_per_hour


async def report_messages(
    s: Services, period: Period, now: datetime, *, weekly: bool = False
) -> list[str]:
    """The report for a period, split into messages Telegram will take: the dashboard's
    figures (domain/dashboard.py, the same suppression), wards and the weekly trend too."""
    today = now.astimezone(s.tz).date()
    tallies = await s.store.reports.tallies([period.bounds(s.tz)], now)
    volunteers = await s.store.reports.available_volunteers()
    dash = dashboard_report(
        tallies, Supply(volunteers, s.community), s.community, _pounds_per_hour(s)
    )
    template = texts.REPORT_WEEKLY_TITLE if weekly else texts.REPORT_TITLE
    title = template.format(
        group=texts.html(s.community.name),
        period=_label(period, today),
    )
    blocks = render_report(dash.report, title)
    extra = [render_helped(people_helped(*await s.store.web.people_helped(*period.bounds(s.tz))))]
    if dash.by_ward:
        extra.append("\n".join(_table(texts.REPORT_BY_WARD, dash.by_ward)))
    weeks = [w for w in period.weeks() if w.start <= today] or period.weeks()[:1]
    if len(weeks) > 1:
        buckets = [Period(w.start, w.end).bounds(s.tz) for w in weeks]
        counts = await s.store.web.weekly_counts(buckets)
        extra.append(render_trend(weekly_trend(counts, weeks, dash.withheld_whole)))
    referred = await s.store.referrals.tallies([period.bounds(s.tz)])
    extra.append(render_referrals(referral_figures(referred, _pounds_per_hour(s))))
    blocks[2:2] = [[text] for text in extra]
    return split_message(blocks)


def render_helped(h: Helped) -> str:
    """Distinct residents helped, and how many of them came back."""
    return texts.REPORT_HELPED.format(
        people=_h(h.people), came_back=_h(h.came_back), first_time=_h(h.first_time)
    )


def render_trend(trend: tuple[TrendWeek, ...]) -> str:
    """The whole group week by week, a short table."""
    rows = [
        texts.REPORT_TREND_ROW.format(
            week=texts.day_month(t.week.start),
            posted=_h(t.posted),
            matched=_h(t.matched),
            done=_h(t.done),
        )
        for t in trend
    ]
    return "\n".join([texts.REPORT_TREND, *rows])


def render_referrals(f: ReferralFigures) -> str:
    """The council's referrals: its measure of the pressure the community took off it."""
    pounds = ""
    if f.pounds is not None:
        pounds = texts.REPORT_REFERRAL_POUNDS.format(pounds=_h(f.pounds))
    return texts.REPORT_REFERRALS.format(
        referred=_h(f.referred),
        met=_h(f.met),
        median=_median(f.median_hours),
        hours=_h(f.hours),
        pounds=pounds,
    )


# --- the CSV ---------------------------------------------------------------------------------


async def export_csv(s: Services, period: Period, now: datetime) -> tuple[bytes, str]:
    """(the CSV's bytes, a file name): the dashboard's CSV (domain/export.py) with the
    council's referrals; numbers in number columns, a withheld cell empty and said why."""
    weeks = period.weeks()
    buckets = [Period(w.start, w.end).bounds(s.tz) for w in weeks]
    tallies = await s.store.reports.tallies(buckets, now)
    volunteers = await s.store.reports.available_volunteers()
    rate = _pounds_per_hour(s)
    rows = weekly_rows(tallies, weeks, volunteers, s.community, rate)
    referred = weekly_referrals(
        await s.store.referrals.tallies(buckets),
        len(weeks),
        list(dict.fromkeys(row.area for row in rows)),
        list(dict.fromkeys(row.category for row in rows)),
    )
    by_label = {(weeks[i].label, a, c): f for (i, a, c), f in referred.items()}
    name = f"mutualaid-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    return rows_csv(rows, s.community, rate, by_label), name


# --- commands and the weekly row -------------------------------------------------------------


def _period(context: Ctx, today: date) -> Period | str:
    try:
        return command_period(list(context.args or []), today)
    except PeriodError as exc:
        return texts.REPORT_BAD_PERIOD[exc.problem.value]


@requires(*REPORT_ROLES)
async def report_command(update: Update, context: Ctx) -> None:
    """/report, /report 2026-10, /report 2026-Q1, /report Q1, /report March, /report 2026,
    /report 2026-10-01 2026-10-31."""
    s = context.services
    now = s.now()
    period = _period(context, now.astimezone(s.tz).date())
    if isinstance(period, str):
        reply(update, context, period)
        return
    for text in await report_messages(s, period, now):
        reply(update, context, text)


@requires(*REPORT_ROLES)
async def export_command(update: Update, context: Ctx) -> None:
    """/export (same periods as /report): the figures as a CSV document."""
    s = context.services
    now = s.now()
    today = now.astimezone(s.tz).date()
    period = _period(context, today)
    chat = update.effective_chat
    if isinstance(period, str) or chat is None:
        reply(update, context, str(period))
        return
    data, name = await export_csv(s, period, now)
    caption = texts.EXPORT_CAPTION.format(
        group=texts.html(s.community.name), period=_label(period, today)
    )
    # A file that changes nothing: sent once the update is over, not kept in the outbox.
    outbox.soon(
        lambda: context.bot.send_document(
            chat.id, InputFile(data, filename=name), caption=caption, parse_mode=ParseMode.HTML
        )
    )


async def send_weekly_report(context: Ctx, work: Work) -> None:
    """Monday morning: last week's report to every liaison; next Monday's booked first."""
    s = context.services
    now = s.now()
    await s.store.reports.schedule_once(
        KIND, next_local(now, s.digest_time, s.tz, weekday=MONDAY), now, beyond=now
    )
    period = last_week(now.astimezone(s.tz).date())
    for user_id in await s.store.people.with_role(Role.LIAISON):
        async with to(context, user_id):
            for text in await report_messages(s, period, now, weekly=True):
                tell(context, user_id, text, priority=outbox.BULK)


async def seed(s: Services) -> None:
    """On start: next Monday's report is booked unless one is already waiting."""
    now = s.now()
    await s.store.reports.schedule_once(
        KIND, next_local(now, s.digest_time, s.tz, weekday=MONDAY), now
    )


def liaison_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    return [CommandHandler("report", report_command), CommandHandler("export", export_command)]

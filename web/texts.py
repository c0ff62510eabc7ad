"""The dashboard's words outside its templates (what an action came to, labels, the reasons
a page is refused, the charts' words) and how dates and numbers are written.

Like handlers/texts.py for the chat: every text is English in the source, inside `_()`
(or `P_()` where a number decides the form), and read in the reader's language
(handlers/i18n.py): this module, read while a request in Ukrainian is worked on, is a copy
of itself executed with the Ukrainian catalogue. So nothing here may be worked out once
and kept elsewhere: the figures' cache (web/figures.py) keeps numbers, and the words are
put to them when a page or chart is drawn.

Names from the community file (areas, wards, categories) are shown as they are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from babel.dates import format_interval
from babel.numbers import NumberPattern, format_currency, parse_pattern

from domain.dashboard import MATCH_BANDS, NO_WARD, period_choices, period_key
from domain.models import NeedStatus
from domain.periods import Period
from domain.reports import Shown
from handlers import i18n

LANGUAGE, _, P_ = i18n.texts_of(globals())
FORMAT = i18n.formats(LANGUAGE)
LOCALE = FORMAT.locale

# What a coordinator's action came to (the `done` of the page it returns to).
DONE = {
    "assigned": _("Asked. They can accept or decline in Telegram, like any request."),
    "closed": _("Closed. The resident has been told."),
    "approved": _("Approved. They have been told, and open requests are being matched again."),
    "rejected": _("Not approved. They have been told, kindly."),
    "vetted": _("Marked vetted. Vetted-only requests are being matched again."),
    "unvetted": _("No longer marked vetted."),
    "blocked": _("Blocked. Their open requests and proposals were withdrawn."),
    "unblocked": _("Unblocked. They can use the bot again."),
    "resolved": _("Marked resolved."),
    "already": _("Someone got there first: that had already been done."),
    "no_volunteer": _("Choose a volunteer to ask (or type their id)."),
}
ASSIGN_PROBLEMS = {
    "no_need": _("There is no such request."),
    "not_open": _("That request isn't waiting for a volunteer any more."),
    "not_volunteer": _("They haven't signed up as a volunteer."),
    "not_approved": _("They are waiting for approval: approve them first."),
    "not_vetted": _("This category is for vetted volunteers only."),
    "blocked": _("They are blocked."),
    "unreachable": _("They have blocked the bot, so they can't be asked."),
    "self": _("That is the resident themselves."),
    "already_asked": _("They have already been asked and haven't answered yet."),
}
BLOCK_PROBLEMS = {
    "unknown": _("There is no such person."),
    "self": _("You can't block yourself."),
    "coordinator": _("They are a coordinator: take the role away in Telegram (/roles) first."),
    "already": _("They are blocked already."),
    "not_blocked": _("They aren't blocked."),
}

STATUS = {
    NeedStatus.OPEN.value: _("waiting for a volunteer"),
    NeedStatus.ACCEPTED.value: _("a volunteer has it"),
    NeedStatus.DONE.value: _("done"),
    NeedStatus.CANCELLED.value: _("cancelled"),
    NeedStatus.CLOSED.value: _("closed without help"),
    NeedStatus.HELD.value: _("held for a coordinator"),
    NeedStatus.REFERRED.value: _("referred by the council, waiting for a coordinator"),
}


def status(value: str) -> str:
    """A need's status as the pages say it (any new status still reads sensibly)."""
    return STATUS.get(value, value.replace("_", " "))


PROPOSAL_STATUS = {
    "open": _("asked, no answer yet"),
    "accepted": _("accepted"),
    "declined": _("declined"),
    "taken": _("someone else took it"),
    "moved_on": _("moved on (couldn't be reached)"),
    "withdrawn": _("withdrawn"),
    "dropped": _("accepted, then couldn't do it"),
    "lapsed": _("lapsed"),
}
AUDIT = {
    "invite": _("made an invite link"),
    "invite_used": _("joined with an invite"),
    "role_removed": _("took a role away"),
    "approve": _("approved a volunteer"),
    "reject": _("did not approve a volunteer"),
    "vetted": _("marked a volunteer vetted"),
    "unvetted": _("unmarked a volunteer as vetted"),
    "assign": _("asked a volunteer"),
    "block": _("blocked someone"),
    "unblock": _("unblocked someone"),
    "newneed": _("entered a request for a caller"),
    "close_need": _("closed a request"),
    "see_need": _("looked at a request in full"),
    "resolve_concern": _("resolved a concern"),
    "release_need": _("released a held request"),
    "web_signin": _("signed in to the dashboard"),
}
WHEN = {
    "today": _("today"),
    "tomorrow": _("tomorrow"),
    "week": _("this week"),
    "flexible": _("flexible"),
}
# A volunteer's state (domain/workrows.py VolunteerRow.status), and a concern's.
VOLUNTEER_STATUS = {
    "blocked": _("blocked"),
    "waiting for approval": _("waiting for approval"),
    "has blocked the bot": _("has blocked the bot"),
    "on duty": _("on duty"),
    "paused": _("paused"),
}
CONCERN_STATUS = {"open": _("open"), "resolved": _("resolved")}


def volunteer_status(value: str) -> str:
    return VOLUNTEER_STATUS.get(value, value)


def concern_status(value: str) -> str:
    return CONCERN_STATUS.get(value, value)


# The needs page's age filter.
AGES = (
    ("", _("Any age")),
    ("1d", _("Over a day")),
    ("3d", _("Over 3 days")),
    ("7d", _("Over a week")),
)

# A need's history (web/work.py).
EVENT_POSTED = _("Posted")
EVENT_ASKED = _("Asked (wave {wave})")
EVENT_ACCEPTED = _("Accepted")
EVENT_DONE = _("Done")
EVENT_CONCERN = _("Concern raised")
HOURS_GIVEN = P_("{hours} hour", "{hours} hours", "count")


def hours_given(hours: float) -> str:
    """`1 hour`, `2.5 hours` (`2,5 години`)."""
    return HOURS_GIVEN.format(hours=number(hours), count=hours)


# Each page's title (and the name of its tab).
TITLES = {
    "overview": _("Overview"),
    "areas": _("Areas and wards"),
    "categories": _("Kinds of help"),
    "matching": _("Matching and hours"),
    "printable": _("The whole report"),
    "referrals": _("Council referrals"),
    "needs": _("Requests"),
    "volunteers": _("Volunteers"),
    "concerns": _("Concerns"),
    "audit": _("Audit log"),
}
NEED_TITLE = _("Request #{id}")
# Someone's Telegram id, shown to coordinators beside a name.
ID = _("id {id}")

# Why a page is not shown.
REFUSED = {
    "not_signed_in": _("You are not signed in. Send /dashboard to the bot."),
    "coordinators": _("This page is for the group's coordinators."),
    "form": _(
        "This form had expired or did not come from the dashboard, so nothing was done. "
        "Go back, reload the page and try again."
    ),
    "role_gone": _(
        "You no longer hold a coordinator's or liaison's role, so this session has ended."
    ),
    "signin_form": _(
        "This sign-in form did not come from the link's own page. Open the link from "
        "Telegram again."
    ),
    "link_role_gone": _("This link was for a coordinator or liaison, which you no longer are."),
    "signout_form": _("This form did not come from the dashboard."),
    "no_page": _("There is no such page here."),
    "failed": _("Something went wrong on our side, and nothing was changed. Please try again."),
}
NO_REQUEST = _("There is no request #{id}.")

# A period that could not be shown (domain/periods.py PeriodProblem).
PERIOD_PROBLEMS = {
    "format": _("That period wasn't understood, so this month is shown."),
    "order": _("The second date is before the first, so this month is shown."),
    "too_long": _("A period can be at most a year long, so this month is shown."),
    "future": _("That period hasn't started yet, so this month is shown."),
}

# The council's referrals (web/referrals.py).
REFERRAL_STATUS = {
    "waiting": _("waiting for the group"),
    "taken": _("taken by the group, finding a volunteer"),
    "matched": _("volunteer found"),
    "done": _("done"),
    "closed": _("closed without help"),
    "declined": _("declined"),
}
REFERRAL_STEP = {
    "taken": _("taken after {age}"),
    "matched": _("volunteer found after {age}"),
    "done": _("done after {age}"),
    "closed": _("closed after {age}"),
    "declined": _("declined after {age}"),
}
REFERRAL_WAITING = _("waiting {age} so far")
REFERRAL_WHEN = {
    "today": _("Today"),
    "tomorrow": _("Tomorrow"),
    "week": _("This week"),
    "flexible": _("Flexible"),
}
REFERRAL_PROBLEMS = {
    "category": _("Please choose what kind of help they need."),
    "area": _("Please choose their area."),
    "description": _("Please say what would help, in up to {count} characters."),
    "when": _("Please choose when they need it."),
    "name": _("Please give just their first name (no numbers), in up to 40 characters."),
    "contact": _("Please give a phone number (at least 6 digits), in up to 100 characters."),
    "ref": _("Please give the council's reference on one line, in up to 40 characters."),
    "agreed": _("A referral needs the resident's agreement: nothing was kept."),
}
REFERRAL_DONE = _("Thank you: the referral is with the group's coordinators. It is listed below.")
REFERRAL_NOT_LIAISON = _("Only a council liaison can refer a resident.")

# The small-number rule, said once on every figures page.
SUPPRESSION = _(
    "Counts from 1 to 4 are shown as <5. A figure shown * is withheld so that a small number "
    "can't be worked out from the others; hours and times go with their count. Nothing here "
    "names or points to a person."
)

# --- the charts (web/charts.py) -------------------------------------------------------------
CHART_NO_DATA = _("Nothing to show")
CHART_TREND = _("Week by week")
CHART_AREAS = _("Requests by area")
CHART_WARDS = _("Requests by council ward")
CHART_CATEGORIES = _("Requests by kind of help")
CHART_SUPPLY = _("Volunteers who could be asked, and requests")
CHART_MATCHING = _("How long requests waited for a volunteer")
CHART_HOURS = _("Volunteer hours by kind of help")
SERIES = {
    "posted": _("Posted"),
    "matched": _("Matched"),
    "done": _("Done"),
    "still_open": _("Still open"),
    # Short names in the supply chart's legend: its title and the table say them in full.
    "volunteers": _("Volunteers"),
    "requests": _("Requests"),
    "requests_matched": _("Requests matched"),
    "hours": _("Hours"),
}
# How long needs waited for a match: domain/dashboard.py's bands, by their English name.
_BANDS = (
    _("Within an hour"),
    _("1 to 4 hours"),
    _("4 to 24 hours"),
    _("1 to 3 days"),
    _("More than 3 days"),
)
BANDS = {label: said for (label, _upper), said in zip(MATCH_BANDS, _BANDS, strict=True)}
NO_WARD_SAID = _("No ward given")


def band(label: str) -> str:
    return BANDS.get(label, label)


def ward(name: str) -> str:
    """A ward's name as the community file gives it; the areas without one, said so."""
    return NO_WARD_SAID if name == NO_WARD else name


# --- periods ---------------------------------------------------------------------------------
PERIOD_SPAN = _("{first} to {last}")
CHOICES = {
    "this_month": _("This month ({period})"),
    "last_month": _("Last month ({period})"),
    "this_quarter": _("This quarter ({period})"),
    "last_quarter": _("Last quarter ({period})"),
    "this_year": _("This year ({period})"),
    "last_year": _("Last year ({period})"),
}


def period_label(period: Period) -> str:
    """`March 2026` (`березень 2026`), `January – March 2026`, `2026`, or
    `1 Mar 2026 to 9 Mar 2026`."""
    start, end = period.start, period.end
    key = period_key(period)
    if period.whole_month:
        return FORMAT.month(start)
    if "Q" in key:
        return format_interval(start, end, "yMMMM", locale=LOCALE)
    if key.isdigit():
        return key
    return PERIOD_SPAN.format(first=dated(start), last=dated(end))


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


def choices(today: date) -> list[Choice]:
    """The periods every page offers (domain/dashboard.py period_choices), as said here."""
    return [
        Choice(c.key, CHOICES[c.kind].format(period=period_label(c.period)))
        if c.kind in CHOICES
        else Choice(c.key, period_label(c.period))
        for c in period_choices(today)
    ]


# --- dates, times and numbers ----------------------------------------------------------------
DAY_AND_CLOCK = _("{day}, {time}")


dated = FORMAT.dated
day_and_month = FORMAT.day_month


def moment(local: datetime) -> str:
    """`Wed 12 Mar 2025, 09:30`, of a time already in the group's time zone."""
    return DAY_AND_CLOCK.format(day=FORMAT.long_day(local.date()), time=FORMAT.clock(local))


def week(start: date, end: date) -> str:
    """`3 – 9 Mar`, `30 Mar – 5 Apr`, or `1 Mar` for a week of one day."""
    if start == end:
        return day_and_month(start)
    return format_interval(start, end, "MMMd", locale=LOCALE)


AGE_MINUTES = P_("{count} min", "{count} min")
AGE_HOURS = P_("{count} h", "{count} h")
AGE_DAYS = P_("{count} day", "{count} days")


def age(seconds: float) -> str:
    """How long, briefly: `40 min`, `5 h`, `3 days`."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return AGE_MINUTES.format(count=seconds // 60)
    if seconds < 86400:
        return AGE_HOURS.format(count=seconds // 3600)
    return AGE_DAYS.format(count=seconds // 86400)


def number(value: float) -> str:
    """`2`, `2.5` (`2,5` in Polish and Ukrainian), `1,500` (`1 500`)."""
    return FORMAT.number(round(value, 2))


def money(value: float) -> str:
    """Pounds as the language writes money, with the pound sign: `£12.50`, `12,50 £`
    (Babel's Ukrainian and Polish spell it `GBP`, longer than a tile of figures has room for)."""
    return format_currency(value, "GBP", locale=LOCALE).replace("GBP", "£")


def figure(shown: Shown) -> str:
    """A figure of the report as this language writes numbers, with as many decimals as the
    report gives it; `<5`, `*` and `–` as they are."""
    if shown.value is None:
        return shown.text
    if shown.text.startswith("£"):
        return money(shown.value)
    places = len(shown.text.partition(".")[2])
    return _pattern(places).apply(shown.value, LOCALE)


@cache
def _pattern(places: int) -> NumberPattern:
    """Thousands grouped, this many decimals (parsed once: a page shows hundreds)."""
    return parse_pattern("#,##0" + ("." + "0" * places if places else ""))


i18n.speaks(globals())

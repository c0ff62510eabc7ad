"""Every user-facing string, in one place, in English: the source of the translations in
handlers/locales/. All output is HTML."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from domain.community import Signpost
from domain.dates import Day, NeedTime, Relative, Span, need_time
from domain.models import Availability, Need, Offer, Posting, VolunteerProfile, When
from handlers import i18n

# Read in another language, this module is a copy of itself with that language's catalogue
# (handlers/i18n.py): `_` marks a text to translate, `P_` one whose form follows a number.
LANGUAGE, _, P_ = i18n.texts_of(globals())
FORMAT = i18n.formats(LANGUAGE)
LOCALE = FORMAT.locale

PRIVACY_VERSION = 1

PRIVACY_NOTICE = _(
    "<b>Welcome to {group}.</b>\n\n"
    "Neighbours here ask for help and offer it. Before we start, what we keep:\n"
    "• your Telegram name and id, and what you ask for or offer;\n"
    "• a volunteer sees a request <i>without</i> your name; only the one volunteer who "
    "accepts gets your first name and a way to reach you;\n"
    "• the group's coordinators can see everything, to keep people safe;\n"
    "• the council sees only counts, never who;\n"
    "• personal details are deleted {retention_days} days after a request closes;\n"
    "• /mydata shows what we keep and /forget deletes it, at any time.\n\n"
    "Is that all right?"
)
CONSENT_THANKS = _("Thank you. What would you like to do?")
# Standing in for a name nobody gave.
A_VOLUNTEER = _("A volunteer")
YOUR_VOLUNTEER = _("Your volunteer")
YOUR_VOLUNTEER_LOWER = _("your volunteer")
A_VOLUNTEER_LOWER = _("a volunteer")
DETAILS_DELETED = _("someone whose details were deleted")
NO_AREAS_YET = _("no areas yet")
GENERAL_CONCERN = _("General")
SOMEONE = _("someone")
A_RESIDENT = _("a resident")
# /language: the question is in the language the person reads now; the buttons each in its
# own name. The answer is in the language chosen.
ASK_LANGUAGE = _("Which language should I write to you in?")
# NOTE: "English" is the name of the language of this catalogue: write your own language's.
LANGUAGE_SET = _(
    "Done: I'll write to you in English from now on. Send /help to see what you can do."
)
CONSENT_DECLINED = _(
    "No problem. We won't keep anything about you. If you change your mind, send /start."
)
NEEDS_CONSENT = _("Before we begin, please read a short note about your privacy: send /start.")
MENU_HINT = _("Tap a button, or send /help to see everything you can do.")

GROUP_CHAT = _(
    "To keep everyone's details private, I only work in a private chat. "
    "Tap my name and press Start."
)

# The commands of each role: /help lists them and Telegram's command menu shows them
# (handlers/menus.py), from these same lists. Descriptions are plain text.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "resident": (
        ("need", _("ask for help")),
        ("offer", _("offer something once: to give or lend, or a trip you're making")),
        ("mine", _("your requests, with Cancel while open")),
        ("volunteer", _("offer to help neighbours")),
        ("language", _("change the language I write in")),
        ("mydata", _("everything we keep about you")),
        ("forget", _("delete what we keep about you")),
        ("cancel", _("stop what you are doing")),
        ("help", _("what you can do here")),
    ),
    "volunteer": (
        ("tasks", _("the jobs you have accepted")),
        ("pause", _("stop getting requests for a while")),
        ("resume", _("start getting requests again")),
    ),
    "coordinator": (
        ("digest", _("what needs a human now")),
        ("open", _("requests waiting for a volunteer")),
        ("see", _("one request in full and its history: /see 12, or just type #12")),
        ("assign", _("ask one volunteer: /assign 12 @priya (or a first name, or an id)")),
        ("volunteers", _("find volunteers by name, skill or area: /volunteers Trinity")),
        ("approve", _("volunteers waiting for approval (or /approve Priya)")),
        ("vetted", _("mark a volunteer vetted: /vetted @priya (add off to undo)")),
        ("announce", _("a message to volunteers: all, or by area and skill")),
        ("newneed", _("enter a request for someone who phoned in: /newneed Doris")),
        ("concerns", _("open concerns")),
        ("block", _("block someone: /block @name and a reason")),
        ("unblock", _("let them back: /unblock @name")),
        ("invite", _("a one-time link: /invite coordinator or /invite liaison")),
        ("roles", _("who holds which role")),
        ("report", _("the figures the council sees")),
        ("export", _("the same as a spreadsheet")),
        ("dashboard", _("a sign-in link for the web dashboard")),
    ),
    "liaison": (
        ("refer", _("pass the group a request for a resident who called the council")),
        ("referrals", _("what became of each of your referrals")),
        ("report", _("this month's figures (or /report March, /report 2026-Q1)")),
        ("export", _("the same as a spreadsheet")),
        ("dashboard", _("a sign-in link for the web dashboard")),
    ),
}
HELP_HEADINGS = {
    "resident": _("<b>What you can do</b>"),
    "volunteer": _("<b>As a volunteer</b>"),
    "coordinator": _("<b>As a coordinator</b>"),
    "liaison": _("<b>For the council</b>"),
}


def help_section(section: str) -> str:
    """One role's part of /help: its heading and its commands, as the menu shows them."""
    lines = [f"/{name} – {escape(about, quote=False)}" for name, about in COMMANDS[section]]
    text = HELP_HEADINGS[section] + "\n" + "\n".join(lines)
    return text if section == "resident" else "\n\n" + text


HELP_RESIDENT = help_section("resident")

UNKNOWN_COMMAND = _("Sorry, I don't know that command. Send /help to see what I can do.")
# Text outside any flow (and no conversation with a volunteer to pass it to).
UNKNOWN_TEXT = _(
    "Hello! Here you can ask neighbours for help (shopping, a prescription, a dog walk, a "
    "friendly call and more) or offer to help. Tap a button below to start, or send /help "
    "to see everything I can do."
)
UNKNOWN_TEXT_VOLUNTEER = _(
    "Hello! Tap “My tasks” for the jobs you have accepted, or a button below to ask for "
    "help or change what you can do. /help shows everything I can do."
)
NOTHING_TO_CANCEL = _("There is nothing to stop. Send /help to see what I can do.")
STALE_BUTTON = _("That button is from an earlier message and no longer works.")
NOT_FOR_YOU = _("That button isn't for you.")
USE_BUTTONS = _("Please tap one of the buttons above, or send /cancel to stop.")
IN_A_FLOW = _("You're in the middle of something. Finish it, or send /cancel first.")
CANCELLED = _("Stopped. Nothing was posted.")
SLOW_DOWN = _(
    "You're sending messages faster than I can read them. Please wait a minute, then send "
    "one message at a time. Messages sent in the meantime are not read."
)
TEXT_ONLY = _("I can only read text here. Please type it, or send /cancel to stop.")

# --- /need ---------------------------------------------------------------------------------
ASK_CATEGORY = _("What do you need help with?")
ASK_AREA = _(
    "Which area are you in? Tap one, type your street, estate or postcode district, "
    "or share your location."
)
UNKNOWN_AREA = _("I don't know an area called “{typed}”.")
SUGGEST_AREAS = _(" Did you mean: {names}?")
AREA_RETRY = _(" Tap a button, or type it again.")
NO_LOCATED_AREAS = _("I can't place a location here. Please tap your area instead.")
ASK_DESCRIPTION = _(
    "Area: <b>{area}</b>.\n\nIn a few words, what would help? For example: "
    "“a loaf of bread and milk from the Co-op”.\n"
    "<i>Please don't include health details or your full address; the volunteer who "
    "accepts will get in touch.</i>"
)
EMPTY_DESCRIPTION = _("Please write a few words about what would help.")
LONG_DESCRIPTION = _(
    "That's {length} characters; please keep it under {limit}. A short summary is plenty; "
    "you can tell the volunteer more later."
)
SIGNPOSTED = _(
    "Thank you for telling us. This is something our volunteers can't safely do, so "
    "nothing has been posted. Here is who can help:\n\n{signposts}"
)
ASK_WHEN = _("When do you need it?")
WHEN_LABELS = {
    When.TODAY: _("Today"),
    When.TOMORROW: _("Tomorrow"),
    When.THIS_WEEK: _("This week"),
    When.FLEXIBLE: _("Flexible"),
}
NEED_SUMMARY = _(
    "<b>Please check:</b>\n"
    "What: {category}\nWhere: {area}\nWhen: {when}\n\n{description}\n\n"
    "Shall I post it?"
)
NEED_POSTED = _(
    "Posted as <b>#{id}</b>. I'm asking nearby volunteers now and will message you "
    "as soon as one accepts."
)
NEED_POSTED_QUIET = _(
    "Posted as <b>#{id}</b>. Volunteers get no messages in quiet hours, so I'll ask nearby "
    "volunteers at {at} and message you as soon as one accepts."
)

# --- /volunteer ----------------------------------------------------------------------------
ASK_SKILLS = _("Thank you for helping! What can you do? Tap all that apply, then Done.")
PICK_ONE_SKILL = _("Please choose at least one thing you can help with.")
ASK_VOLUNTEER_AREAS = _(
    "Which areas can you cover? Tap all that apply, then Done. Or share your location, "
    "and say how far from it you can go."
)
PICK_ONE_AREA = _("Please choose at least one area, or share your location.")
ASK_RADIUS = _("Thank you. How far from there can you go?")
RADIUS_KEPT = _(
    "Within {km:g} km of the location you shared. Tap more areas if you like, then Done."
)
ASK_AVAILABILITY = _("When are you usually free?")
AVAILABILITY_LABELS = {
    Availability.ANY: _("Any time"),
    Availability.WEEKDAYS: _("Weekdays"),
    Availability.WEEKENDS: _("Weekends"),
    Availability.EVENINGS: _("Evenings"),
}
VOLUNTEER_SUMMARY = _(
    "<b>Your volunteer profile</b>\nCan help with: {skills}\nAreas: {areas}{radius}\n"
    "Available: {availability}\nLanguages: {languages}\n\nSave it?"
)
ASK_VOLUNTEER_LANGUAGES = _(
    "Which languages do you speak? Tap all that apply, then Done. When a neighbour who reads "
    "one of them needs help nearby, you'll be among the first asked."
)
PICK_ONE_LANGUAGE = _("Please choose at least one language.")
VOLUNTEER_SAVED = _("Saved. You'll get requests that match; each one has Accept and Decline.")
VOLUNTEER_PENDING = _(
    "Saved. A coordinator will approve you soon; you'll start getting requests after that."
)

# --- proposals and acceptance --------------------------------------------------------------
PROPOSAL = _("<b>Can you help? #{id}</b>\n{category} in <b>{area}</b>, {when}.\n\n{description}")
PROPOSAL_TAKEN = _(
    "<b>#{id}</b> {category} in {area}: another volunteer has taken this one. Thank you!"
)
PROPOSAL_DECLINED = _("<b>#{id}</b> {category} in {area}: you declined. No problem at all.")
PROPOSAL_CLOSED = _("<b>#{id}</b> {category} in {area}: this request is no longer open.")
ALREADY_TAKEN = _("Someone else got there first. Thank you for offering!")
ACCEPT_AT_LIMIT = _(
    "You have as many tasks on the go as you said you could take. When one is done (/tasks), "
    "you can accept this one if it is still open."
)
NO_LONGER_OPEN = _("This request is no longer open.")
SAFETY_RULES = _(
    "<b>Staying safe</b>\n"
    "• Stay on the doorstep; don't go inside.\n"
    "• Never take bank cards or PINs. If you pay, keep the receipt and be repaid "
    "against it.\n"
    "• Say the doorstep code <b>{code}</b> when you arrive.\n"
    "• If anything worries you, tell a coordinator."
)
ACCEPTED_VOLUNTEER = _(
    "<b>You've got #{id}. Thank you!</b>\n{category} in <b>{area}</b>, {when}.\n\n"
    "{description}\n\n"
    "<b>Who:</b> {resident}\n<b>How to reach them:</b> {contact}\n"
    "<b>Doorstep code:</b> {code}\n\n{safety}"
)
CONTACT_RELAY = _("tap “Message {name}” below; your messages go through this bot")
CONTACT_CALLER = _("{note} (they phoned in; {coordinator} entered it)")
CONTACT_CALLER_NO_NOTE = _(
    "through {coordinator}, who entered it for them: tap “Message {coordinator}”"
)
ACCEPTED_RESIDENT = _(
    "Good news: <b>{volunteer}</b> will help with <b>#{id}</b> ({category}).\n"
    "They will message you here, and you can message them with the button below. When they "
    "arrive they will say the code <b>{code}</b>; if they can't, don't open the door."
)

# --- the relay between the two people of one task -----------------------------------------
MESSAGE_LABEL = _("Message {name}")
SHARE_PHONE_LABEL = _("Share my phone number")
REPLY_LABEL = _("Reply")
PHONE_CANCEL = _("Cancel")
RELAY_FROM = "<b>{name}</b> · <b>#{id}</b>:\n{text}"
RELAY_SENT = _("Sent to {name}.")
RELAY_TYPE = _(
    "Type your message for {name} (#{id}). It goes through this bot: neither of you sees the "
    "other's account or number."
)
RELAY_WHICH = _("Who is this message for?")
RELAY_CLOSED = _(
    "The conversation about <b>#{id}</b> has closed: it closes two days after a job ends. "
    "If you need help again, send /need."
)
RELAY_NOT_OPEN = _("That conversation has closed.")
RELAY_TOO_LONG = _(
    "That's too long to pass on ({length} characters; the limit is {limit}). Could you shorten it?"
)
PHONE_ASK = _(
    "Tap “Share my phone number” below to give {name} your number for #{id}, or Cancel. "
    "It goes to {name} only."
)
PHONE_FROM = _("<b>{name}</b> shared their phone number for <b>#{id}</b>: {phone}")
PHONE_SENT = _("Your number went to {name}.")
PHONE_NOT_YOURS = _("Only your own number can be shared: use the button below.")
PHONE_NOT_SHARED = _("Your number was not shared.")
CONCERN_TRANSCRIPT = _("\n\n<b>Messages between them about #{id}:</b>\n{lines}")


def html(text: str) -> str:
    return escape(text, quote=False)


def named(name: str) -> str:
    """A category's or signpost's name or words from the community file, in the reader's
    language where the file (or the built-in defaults) give one; else as written. HTML."""
    return html(i18n.named(name, LANGUAGE))


number = FORMAT.number
day_month = FORMAT.day_month


def _day_and_clock(local: datetime) -> str:
    """`Wed 9 Dec, 14:05`."""
    return DAY_AND_CLOCK.format(day=FORMAT.short_day(local.date()), time=FORMAT.clock(local))


DAY_AND_CLOCK = _("{day}, {time}")
MEDIAN_HOURS = _("{hours} h")
CLOCK_TOMORROW = _("{time} tomorrow")
CLOCK_ON_DAY = _("{time} on {day}")
RADIUS_NOTE = _("; within {km} km of your location")
PERIOD_SPAN = _("{first} to {last}")
AGE_MINUTES = P_("{count} min", "{count} min")
AGE_HOURS = P_("{count} h", "{count} h")
AGE_DAYS = P_("{count} day", "{count} days")
HOURS_GIVEN = P_("{hours} hour", "{hours} hours", "count")


def privacy_notice(group: str, retention_days: int) -> str:
    return PRIVACY_NOTICE.format(group=html(group), retention_days=retention_days)


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return _day_and_clock(moment.astimezone(tz))


def clock_time(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`8:00`, `8:00 tomorrow` or `8:00 on Sat 14 Mar`, as read at `now`."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    said = FORMAT.clock(local, "H:mm")
    if local.date() == today:
        return said
    if local.date() == today + timedelta(days=1):
        return CLOCK_TOMORROW.format(time=said)
    return CLOCK_ON_DAY.format(time=said, day=FORMAT.short_day(local.date()))


def unknown_area(typed: str, suggestions: list[str]) -> str:
    text = UNKNOWN_AREA.format(typed=html(typed[:40]))
    if suggestions:
        text += SUGGEST_AREAS.format(names=", ".join(html(s) for s in suggestions))
    return text + AREA_RETRY


def signposted(signposts: list[Signpost]) -> str:
    body = "\n\n".join(f"<b>{named(s.topic)}</b>: {named(s.text)}" for s in signposts)
    return SIGNPOSTED.format(signposts=body)


def need_summary(
    category: str, area: str, when: When, description: str, offer: bool = False
) -> str:
    return (OFFER_SUMMARY if offer else NEED_SUMMARY).format(
        category=named(category),
        area=html(area),
        when=WHEN_LABELS[when],
        description=html(description),
    )


def volunteer_summary(profile: VolunteerProfile) -> str:
    return VOLUNTEER_SUMMARY.format(
        skills=", ".join(map(named, profile.skills)),
        areas=html(", ".join(profile.areas)) or _("none by name"),
        radius=RADIUS_NOTE.format(km=number(profile.radius_km)) if profile.radius_km else "",
        availability=AVAILABILITY_LABELS[profile.availability],
        languages=", ".join(i18n.NAMES[code] for code in profile.languages),
    )


# When a need is for, said as the reader reads it at the moment it is sent (domain/dates.py).
DAY_WORDS = {
    Relative.YESTERDAY: _("yesterday"),
    Relative.TODAY: _("today"),
    Relative.TOMORROW: _("tomorrow"),
}
NEED_TIME = {
    Span.ON: "{last}",  # today, tomorrow, Wed 9 Dec
    Span.UP_TO: _("any day up to {last}"),
    Span.BETWEEN: _("any day from {first} to {last}"),
    Span.ANY_TIME: _("any time"),
    Span.PASSED: _("was due {last}"),
}
TODAY_OR_TOMORROW = _("today or tomorrow")  # UP_TO when the last day is tomorrow
PASSED_ON = _("was due on {last}")  # PASSED on a day said as a date


def day_words(day: Day) -> str:
    """`today`, `tomorrow`, `yesterday`, or `Wed 9 Dec` (with the year if it isn't this one)."""
    if day.relative in DAY_WORDS:
        return DAY_WORDS[day.relative]
    if day.same_year:
        return FORMAT.short_day(day.date)
    return FORMAT.long_day(day.date)


def time_words(said: NeedTime) -> str:
    last = day_words(said.last)
    if said.span is Span.UP_TO and said.last.relative is Relative.TOMORROW:
        return TODAY_OR_TOMORROW
    if said.span is Span.PASSED and said.last.relative is Relative.OTHER:
        return PASSED_ON.format(last=last)
    first = day_words(said.first) if said.first is not None else ""
    return NEED_TIME[said.span].format(first=first, last=last)


def need_when(posting: Posting, now: datetime, tz: ZoneInfo) -> str:
    """When a need or offer is for, relative to `now` (the moment the text is sent)."""
    return time_words(need_time(posting, now, tz))


def _need_fields(need: Need, now: datetime, tz: ZoneInfo) -> dict[str, str | int]:
    return {
        "id": need.id,
        "category": named(need.category),
        "area": html(need.area),
        "when": need_when(need, now, tz),
        "description": html(need.description),
    }


def proposal(need: Need, *, now: datetime, tz: ZoneInfo) -> str:
    """What a volunteer is asked: never the resident's name, username or contact."""
    return PROPOSAL.format(**_need_fields(need, now, tz))


def proposal_ended(need: Need, template: str) -> str:
    return template.format(id=need.id, category=named(need.category), area=html(need.area))


def accepted_volunteer(need: Need, who: str, contact: str, *, now: datetime, tz: ZoneInfo) -> str:
    """The task in full for the volunteer who has it; `contact` is HTML already."""
    code = need.doorstep_code or "----"
    return ACCEPTED_VOLUNTEER.format(
        **_need_fields(need, now, tz),
        resident=html(who),
        contact=contact,
        code=code,
        safety=SAFETY_RULES.format(code=code),
    )


def accepted_resident(need: Need, volunteer_name: str) -> str:
    return ACCEPTED_RESIDENT.format(
        volunteer=html(volunteer_name),
        id=need.id,
        category=named(need.category),
        code=need.doorstep_code or "----",
    )


SOMETHING_WENT_WRONG = _(
    "Sorry, something went wrong on our side. Please try again in a minute; "
    "if it keeps happening, a coordinator can help."
)

HELP_VOLUNTEER = help_section("volunteer")

# --- timed messages --------------------------------------------------------------------------
REMINDER = _("<b>Reminder:</b> you're helping with <b>#{id}</b> ({category} in {area}), {when}.")
FOLLOWUP = _("How did <b>#{id}</b> ({category} in {area}) go?")
NUDGE = _(
    "A gentle nudge about <b>#{id}</b> ({category} in {area}): did it happen? "
    "Tap one; it helps us make sure nobody is forgotten."
)
ASK_HOURS = _("Thank you! Roughly how long did <b>#{id}</b> take?")
HOURS_KEPT = _("Thank you! <b>#{id}</b> is done: {hours} kept as volunteer time.")
NOT_YOUR_TASK = _("That task isn't open for you any more.")
DROPPED_VOLUNTEER = _(
    "No problem, thank you for saying. <b>#{id}</b> goes back to other volunteers."
)
RESIDENT_DONE = _("{volunteer} has marked <b>#{id}</b> ({category}) as done. All good?")
RESIDENT_DROPPED = _(
    "I'm sorry: {volunteer} can't do <b>#{id}</b> ({category}) after all. "
    "I'm asking other volunteers now and will tell you when one accepts."
)
RESIDENT_DROPPED_NOBODY = _(
    "I'm sorry: {volunteer} can't do <b>#{id}</b> ({category}) after all. "
    "Nobody else is free to take it just now. It stays open, and I'll tell you as soon as "
    "a volunteer accepts."
)
VOLUNTEER_CANCELLED = _(
    "<b>#{id}</b> ({category} in {area}) was cancelled by the resident. Thank you."
)
STILL_NEEDED = _(
    "Nobody has been able to take <b>#{id}</b> ({category}) yet, sorry. Do you still need help?"
)
AUTO_CLOSED = _("I've closed <b>#{id}</b> ({category}). If you still need help, send /need.")
KEPT_OPEN = _("<b>#{id}</b> stays open for another week. I'll keep asking.")
CLOSED_BY_RESIDENT = _("<b>#{id}</b> is closed. Thank you for letting us know.")
GLAD = _("Thank you! Glad it went well.")
PROBLEM_CONCERN = _("Resident answered “There's a problem” after the job.")
PROBLEM_NOTED = _(
    "I'm sorry. A coordinator has been told and will be in touch. If anyone is in danger, call 999."
)
ALERT_UNMATCHED = _(
    "⚠️ <b>#{id}</b> {category} in {area}, wanted today: no volunteer left to ask. "
    "Can someone help or /assign it?"
)
UNMATCHED_RESIDENT = _(
    "I'm sorry: no volunteer is free to take <b>#{id}</b> ({category}) just now. I've asked "
    "a coordinator to help, and I'll message you as soon as someone can."
)
ALERT_CONCERN = _("⚠️ <b>Concern</b> from {who} about {about}:\n{text}")

# --- /mine, /tasks, /pause --------------------------------------------------------------------
MINE_EMPTY = _("You have no requests. Send /need to ask for help.")
MINE_HEADER = _("<b>Your requests</b>")
MINE_LINE = _("<b>#{id}</b> {category} in {area}, {when}: {status}")
STATUS_LABELS = {
    "open": _("waiting for a volunteer"),
    "accepted": _("a volunteer is on it"),
    "done": _("done"),
    "cancelled": _("cancelled"),
    "closed": _("closed"),
    "held": _("with a coordinator, who will read it first"),
    "referred": _("referred by the council, waiting for a coordinator"),
}
CANCELLED_NEED = _("<b>#{id}</b> is cancelled. Nobody will be asked about it any more.")
CANNOT_CANCEL = _("That request can't be cancelled now; it isn't open.")
TASKS_EMPTY = _("You have no open tasks. Thank you for being ready to help!")
NOT_A_VOLUNTEER = _("You haven't signed up as a volunteer yet. Send /volunteer to start.")
PAUSED = _("Paused. You won't get requests until you send /resume.")
RESUMED = _("Welcome back! You'll get requests again.")

# --- concerns -----------------------------------------------------------------------------
ASK_CONCERN = _(
    "What's worrying you about <b>#{id}</b>? Write it in a message; a coordinator will read "
    "it straight away. (/cancel to stop.) If anyone is in danger, call 999."
)
CONCERN_NOTED = _("Thank you for telling us. A coordinator has it and will be in touch.")
MAX_CONCERN = 2000


def need_line(template: str, need: Need, *, now: datetime, tz: ZoneInfo) -> str:
    """A message about one need; its time as read at `now`, when it is sent."""
    return template.format(**_need_fields(need, now, tz))


def mine_line(need: Need, *, now: datetime, tz: ZoneInfo) -> str:
    return MINE_LINE.format(**_need_fields(need, now, tz), status=STATUS_LABELS[need.status.value])


# --- /offer --------------------------------------------------------------------------------
ASK_OFFER_CATEGORY = _("Thank you! What kind of help can you offer, just this once?")
ASK_OFFER_DESCRIPTION = _(
    "Area: <b>{area}</b>.\n\nIn a few words, what are you offering? For example: "
    "“I'm going to the big Tesco on Saturday morning and have room for a shopping list” "
    "or “a wheelchair to lend”."
)
OFFER_SUMMARY = _(
    "<b>Please check your offer:</b>\n"
    "What: {category}\nWhere: {area}\nWhen: {when}\n\n{description}\n\n"
    "Shall I post it?"
)
OFFER_POSTED = _(
    "Your offer is saved (offer {id}). If a neighbour needs it, I'll ask you, just like a "
    "volunteer; you can say yes or no then."
)
MINE_OFFERS_HEADER = _("<b>Your offers</b>")
OFFER_LINE = _("Offer {id}: {category} in {area}, {when}: {status}\n{description}")
OFFER_STATUS_LABELS = {
    "open": _("open"),
    "accepted": _("taken up, thank you!"),
    "done": _("taken up, thank you!"),
    "cancelled": _("cancelled"),
    "closed": _("ended"),
}
OFFER_CANCELLED = _("Your offer is cancelled.")
CANNOT_CANCEL_OFFER = _("That offer isn't open any more.")


OFFER_PASSED = _("until {last}")  # an offer's window that is over


def offer_line(offer: Offer, ended: bool = False, *, now: datetime, tz: ZoneInfo) -> str:
    status = _("closed") if ended and offer.status.value == "open" else offer.status.value
    said = need_time(offer, now, tz)
    when = (
        OFFER_PASSED.format(last=day_words(said.last))
        if said.span is Span.PASSED
        else time_words(said)
    )
    return OFFER_LINE.format(
        id=offer.id,
        category=named(offer.category),
        area=html(offer.area),
        when=when,
        status=OFFER_STATUS_LABELS[status],
        description=html(offer.description),
    )


# --- coordinators and roles ----------------------------------------------------------------
HELP_COORDINATOR = help_section("coordinator")
HELP_LIAISON = help_section("liaison")
NOT_ALLOWED = _("Sorry, that's only for the group's coordinators.")
NOT_ALLOWED_LIAISON = _("Sorry, that's only for the group's council liaisons.")
NOT_ALLOWED_STAFF = _("Sorry, that's only for the group's coordinators or council liaisons.")
BLOCKED_NOTICE = _(
    "Your access to this group's bot has been paused by its coordinators. "
    "If you think this is a mistake, please contact the group directly."
)
BLOCKED_REPLY = _("Sorry, this bot isn't available to you at the moment.")
UNBLOCKED_NOTICE = _("Your access to this group's bot is back. Send /help to see what you can do.")
ROLE_NAMES = {"coordinator": _("coordinator"), "liaison": _("council liaison")}

# invites
INVITE_USAGE = _("Send <code>/invite coordinator</code> or <code>/invite liaison</code>.")
INVITE_LINK = _(
    "Here is a one-time link that makes someone a <b>{role}</b>. It works once, until "
    "{expires}. Send it to them privately:\n\n{link}"
)
INVITE_UNKNOWN = _(
    "Sorry, I don't recognise that invitation link. Please ask the coordinator who sent it "
    "for a new one."
)
INVITE_EXPIRED = _(
    "Sorry, that invitation link has expired (they last 7 days). Please ask the coordinator "
    "who sent it for a new one."
)
INVITE_USED = _(
    "Sorry, that invitation link has already been used (each works once). Please ask the "
    "coordinator who sent it for a new one."
)
INVITE_HELD = _(
    "You've been invited to be a <b>{role}</b>. Please read the note below first; the role "
    "is yours as soon as you agree."
)
INVITE_ALREADY = _("You're already a <b>{role}</b>; this link is left unused for someone else.")
ROLE_GRANTED = _("Welcome! You're now a <b>{role}</b> for this group.")
ROLE_REMOVED_NOTICE = _(
    "A coordinator has removed your <b>{role}</b> role. Thank you for your help."
)

# /roles
ROLES_HEADER = _("<b>Who holds which role</b>")
ROLES_LINE = _("• {name} (id {id}): {role}{note}")
ROLES_CONFIGURED = _(" – set in the bot's configuration")
ROLES_NONE = _("Nobody holds a role yet.")
ROLE_CANNOT_REMOVE = {
    "configured": _(
        "That coordinator is set in the bot's configuration and can't be removed here."
    ),
    "last": _("That's the last coordinator; the group needs at least one."),
    "not_held": _("They don't hold that role any more."),
}
ROLE_REMOVED = _("Removed.")

# /open
OPEN_NONE = _("No requests are waiting for a volunteer. 🎉")
OPEN_HEADER = _("<b>Waiting for a volunteer: {count}</b> (oldest first)")
OPEN_MORE = P_(
    "…and {count} more. Deal with this first, then send /open again.",
    "…and {count} more. Deal with these first, then send /open again.",
)
OPEN_LINE = _(
    "<b>#{id}</b> {category} in {area}, {when}. Waiting {age}.\n"
    "Asked {asked}, {waiting} yet to answer."
)
NEED_FULL = _(
    "<b>#{id}</b> {category} in <b>{area}</b>, {when} (until {until}).\n"
    "Status: {status}. Posted {age} ago.\n"
    "Resident: {resident}{caller}\n"
    "Asked {asked}, {waiting} yet to answer.\n\n{description}"
)
NEED_CALLER = _("\nEntered for: <b>{caller}</b> (phoned in)")
NO_SUCH_NEED = _("There's no request #{id}.")
NEED_CLOSED_BY_COORDINATOR = _("Closed <b>#{id}</b>. Nobody will be asked about it any more.")
NEED_NOT_OPEN = _("<b>#{id}</b> isn't waiting for a volunteer any more.")
NEED_NOT_OPEN_SHORT = _("#{id} isn't waiting for a volunteer any more.")
RESIDENT_NEED_CLOSED = _(
    "A coordinator has closed <b>#{id}</b> ({category}). If you still need help, send /need."
)
ASSIGN_PICK = _("Who should be asked about <b>#{id}</b>? The best placed first:")
ASSIGN_NOBODY = _(
    "Nobody eligible is left to ask about <b>#{id}</b>. To ask someone you know, send "
    "<code>/assign {id} @username</code> (or their first name, or their id)."
)

# /assign
ASSIGN_USAGE = _(
    "Send <code>/assign 12 @priya</code>: the request's number, then the volunteer's "
    "@username, first name or id."
)
ASSIGNED = _("I've asked {name} about <b>#{id}</b>. They can still decline.")
ASSIGN_PROBLEMS = {
    "no_need": _("There's no request #{id}."),
    "not_open": _("<b>#{id}</b> isn't waiting for a volunteer any more."),
    "not_volunteer": _("{name} hasn't signed up as a volunteer."),
    "not_approved": _("{name} isn't approved yet: see /approve."),
    "not_vetted": _("<b>#{id}</b> needs a vetted volunteer, and {name} isn't one: see /vetted."),
    "blocked": _("{name} is blocked."),
    "unreachable": _("{name} has blocked the bot, so can't be asked."),
    "self": _("{name} is the resident of <b>#{id}</b>."),
    "already_asked": _("{name} has already been asked about <b>#{id}</b> and not answered yet."),
}

# /approve
APPROVE_NONE = _("No volunteers are waiting for approval.")
APPROVE_LINE = _(
    "<b>{name}</b>{username} (id {id})\nCan help with: {skills}\nAreas: {areas}\n"
    "Available: {availability}"
)
APPROVED = _("✅ Approved: {name}.")
REJECTED = _("Not approved: {name}.")
ALREADY_HANDLED = _("Already dealt with.")
VOLUNTEER_APPROVED = _(
    "Good news: a coordinator has approved you. You'll get requests that match; each one "
    "has Accept and Decline."
)
VOLUNTEER_NOT_APPROVED = _(
    "Thank you for offering to help. A coordinator wasn't able to approve your volunteer "
    "profile for now; they may get in touch. You can still ask for help with /need."
)

# /vetted
VETTED_USAGE = _(
    "Send <code>/vetted @priya</code> (or a first name, or an id); add <i>off</i> to undo."
)
VETTED_ON = _("{name} is now marked vetted and can get vetted-only requests.")
VETTED_OFF = _("{name} is no longer marked vetted.")
VETTED_UNCHANGED = _("{name} is already marked that way.")
NOT_A_VOLUNTEER_ID = _("Nobody with id {id} has signed up as a volunteer.")

# /block
BLOCK_USAGE = _(
    "Send <code>/block @username</code> (or a first name, or an id), with a reason after it "
    "if you like."
)
UNBLOCK_USAGE = _("Send <code>/unblock @username</code> (or a first name, or an id).")
BLOCKED_DONE = _(
    "Blocked {name}. Their open requests, offers and proposals are withdrawn, tasks they "
    "had accepted go back to other volunteers, and they got one neutral message."
)
UNBLOCKED_DONE = _("Unblocked {name}. They have been told they can use the bot again.")
BLOCK_PROBLEMS = {
    "unknown": _("I don't know anyone with id {id}."),
    "self": _("You can't block yourself."),
    "coordinator": _("{name} is a coordinator: remove the role with /roles first."),
    "already": _("{name} is already blocked."),
    "not_blocked": _("{name} isn't blocked."),
}

# /newneed
VOLUNTEER_WITHDRAWN = _(
    "<b>#{id}</b> ({category} in {area}) has been withdrawn by a coordinator, so please don't "
    "go. Thank you."
)
NEWNEED_INTRO = _(
    "Entering a request for <b>{caller}</b>. You get the follow-ups; the volunteer who accepts "
    "gets the caller's first name and contact note, and can message you through this bot. "
    "Don't include their full address or health details."
)
NEWNEED_NO_CONTACT = _(
    "No contact note for {caller}: the volunteer will reach them through you. To give the "
    "volunteer a number, start again with /newneed Doris, 07700 900123."
)
NEWNEED_CALLER = _("someone who phoned in")

# /concerns
CONCERNS_NONE = _("No open concerns.")
CONCERN_LINE = _("<b>Concern</b> from {who} about {about}, {age} ago:\n{text}")
CONCERN_ABOUT_NOTHING = _("no particular request")
CONCERN_RESOLVED = _("\n\n✅ Resolved by {name}.")


def age(delta: timedelta) -> str:
    """How long ago, roughly: `40 min`, `3 h`, `2 days`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return AGE_MINUTES.format(count=minutes)
    if minutes < 48 * 60:
        return AGE_HOURS.format(count=minutes // 60)
    return AGE_DAYS.format(count=minutes // (24 * 60))


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def person_label(first_name: str, username: str | None) -> str:
    return html(first_name) + (f" (@{html(username)})" if username else "")


# --- privacy: consent versions, /mydata, /forget (issue 5) --------------------------------
PRIVACY_UPDATED = _(
    "<b>Our privacy note has changed.</b> Please read it and agree again to carry on; "
    "nothing you asked for is lost meanwhile.\n\n"
)
CONSENT_DECLINED_KEPT = _(
    "All right. Until you agree to the new note I can't start anything new for you; what "
    "you already asked for carries on. /mydata shows what we keep and /forget deletes it."
)
MYDATA_CAPTION = _(
    "Everything we keep about you, as a file. Send /forget to delete it. "
    "Coordinators can also see your requests, to keep people safe."
)
MYDATA_NOTHING = _("We keep nothing about you. (The file shows it: every part is empty.)")
MYDATA_FILENAME = _("my-mutual-aid-data.json")
FORGET_ASK = _(
    "<b>Delete your data?</b>\n"
    "• Your name, username, your requests' and offers' words, your volunteer profile and "
    "any form you were filling in are deleted.\n"
    "• Requests still open are withdrawn (volunteers only hear they were cancelled), and "
    "any job you accepted goes back to other volunteers.\n"
    "• We keep only anonymous counts (what kind of help, which area, when) for the group's "
    "reports.\n\n"
    "This can't be undone."
)
FORGET_DONE = _(
    "Done: your data is deleted and only anonymous counts remain. "
    "If you'd like to come back one day, send /start."
)
FORGET_KEPT = _("Nothing was deleted.")
LIMIT_OPEN_NEEDS = _(
    "You already have {limit} requests open, which is as many as one person can have at "
    "once. When one is done, or you cancel one in /mine, you can ask again."
)
LIMIT_DAILY_POSTS = _(
    "You've posted {limit} times in the last 24 hours, which is the most we take in a day. "
    "Please try again tomorrow, or ask a coordinator. If anyone is in danger, call 999."
)
DUPLICATE_ASK = _(
    "You already have {needs} open for <b>{category}</b> in <b>{area}</b>. Is this a new request?"
)
DUPLICATE_SAME = _("Then nothing new is posted: {needs} stays open, and /mine shows it.")
ALERT_SIGNPOSTED = _(
    "ℹ️ <b>Signposted:</b> {who} started a request ({category} in {area}) that was about "
    "<b>{topics}</b>, so it was given those signposts and nothing was posted. "
    "They may welcome a call."
)


def refs(ids: list[int]) -> str:
    """`#3`, `#3 and #5`, `#3, #5 and #9`."""
    shown = [f"<b>#{i}</b>" for i in ids]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + _(" and ") + shown[-1]


# --- the coordinators' digest (handlers/digest.py) -------------------------------------------
DIGEST_TITLE = _("<b>Digest for {group}</b> · {when}")
DIGEST_SECTION = "<b>{title}: {count}</b>{note}"
DIGEST_SECTION_EMPTY = _("<b>{title}</b>: none.")
DIGEST_CONTINUED = _("<b>{title}</b> (continued)")
DIGEST_WAITING = _("Waiting for a volunteer")
DIGEST_WAITING_NOTE = _(" (oldest first) – /open")
DIGEST_OVERDUE = _("Accepted but overdue")
DIGEST_DONE = _("Done since {since}")
DIGEST_PENDING = _("Volunteers waiting for approval")
DIGEST_PENDING_NOTE = _(" – /approve")
DIGEST_CONCERNS = _("Open concerns")
DIGEST_CONCERNS_NOTE = _(" – /concerns")
DIGEST_GAPS = _("Gaps: open requests with no eligible volunteer")
DIGEST_AREA = "<i>{area}</i>"
DIGEST_NO_AREA = _("<i>Not about a request</i>")
DIGEST_NEED = "<b>#{id}</b> {category}, {area}, {age}"
DIGEST_WAITING_NEED = _("<b>#{id}</b> {category}, {area}, {age}; wanted: {when}")
DIGEST_OVERDUE_NEED = _("<b>#{id}</b> {category}, {area}, {age}; with {volunteer}, overdue {late}")
DIGEST_DONE_NEED = "<b>#{id}</b> {category}, {area}, {age}; {hours}"
DIGEST_DONE_HOURS = P_("{hours} volunteer hour in all.", "{hours} volunteer hours in all.")
DIGEST_PENDING_LINE = _("{name}: {skills}; {areas}; waiting {age}")
DIGEST_NOTE = "\n   📝 {note}"
DIGEST_NOTE_EXCERPT = 120
DIGEST_CONCERN_LINE = _("{about}, from {who}, {age} ago: {text}")
DIGEST_GAP_LINE = _("{category} in {area}: {count} waiting")
DIGEST_MORE = P_("…and {count} more.", "…and {count} more.")
DIGEST_HOURS = {0.25: _("15 min"), 0.5: _("30 min"), 1.0: _("1 hour")}
CONCERN_EXCERPT = 200


def hours_given(hours: float | None) -> str:
    if hours is None:
        return _("hours not given")
    return DIGEST_HOURS.get(hours) or HOURS_GIVEN.format(hours=number(hours), count=hours)


# --- the liaison's figures (handlers/liaison.py) -------------------------------------------
REPORT_TITLE = _("<b>{group}: how the community is doing</b>\n{period}")
REPORT_WEEKLY_TITLE = _("<b>{group}: last week</b>\n{period}")
REPORT_SO_FAR = _(" (so far)")
REPORT_WHOLE = _(
    "<b>Whole group</b>\n"
    "Requests posted: {posted}\n"
    "Matched with a volunteer: {matched}\n"
    "Done: {done}\n"
    "Still open at the end: {still_open}\n"
    "Closed without help: {unmet}\n"
    "Median time to a match: {median}\n"
    "Volunteer hours: {hours}{pounds}\n"
    "Active volunteers: {active}\n"
    "Volunteers who could be asked now: {volunteers}"
)
REPORT_POUNDS = _(", worth {pounds} at £{rate} an hour (the council's own figure)")
REPORT_BY_AREA = _("<b>By area</b> (posted, matched, done, still open, closed without help)")
REPORT_BY_CATEGORY = _(
    "<b>By category</b> (posted, matched, done, still open, closed without help)"
)
REPORT_ROW = _(
    "<b>{name}</b>: {posted}, {matched}, {done}, {still_open}, {unmet}; "
    "median {median} to a match; {hours} volunteer hours; {active} active volunteers"
)
REPORT_QUIET = _("No requests: {names}.")
REPORT_BY_WARD = _(
    "<b>By council ward</b> (posted, matched, done, still open, closed without help)"
)
REPORT_HELPED = _(
    "<b>People helped</b>: {people} (a request of theirs done in the period), "
    "of whom {came_back} came back and {first_time} were helped for the first time"
)
REPORT_TREND = _("<b>Week by week</b> (week starting: posted, matched, done)")
REPORT_TREND_ROW = "{week}: {posted}, {matched}, {done}"
REPORT_SUPPLY_AREA = _("<b>Volunteers against requests, by area</b> (who could be asked now)")
REPORT_SUPPLY_CATEGORY = _("<b>Volunteers against requests, by skill</b>")
REPORT_SUPPLY_ROW = _(
    "{name}: {volunteers} volunteers for {needs} requests ({per_need} per request)"
)
REPORT_SUPPLY_NONE = _("{name}: {volunteers} volunteers, no requests")
REPORT_UNSERVED = _("<b>Requests with no volunteer to ask</b> (category in area)")
REPORT_UNSERVED_NONE = _("<b>Requests with no volunteer to ask</b>: none.")
REPORT_UNSERVED_ROW = _("{category} in {area}")
REPORT_NOTE = _(
    "<i>Figures from 1 to 4 are shown as &lt;5, and * marks a figure held back so that a "
    "small number can't be worked out from the others. Volunteers who could be asked are "
    "counted as they are now.</i>"
)
REPORT_BAD_PERIOD = {
    "format": (
        _(
            "Sorry, I didn't understand that period. Send /report for this month, "
            "<code>/report March</code> or <code>/report 2026-03</code> for a month, "
            "<code>/report Q1</code> or <code>/report 2026-Q1</code> for a quarter, "
            "<code>/report 2026</code> for a year, or "
            "<code>/report 2026-10-01 2026-10-31</code> for any dates."
        )
    ),
    "order": (
        _(
            "The second date is before the first. Try it the other way round, e.g. "
            "<code>/report 2026-10-01 2026-10-31</code>."
        )
    ),
    "too_long": _("That's more than a year. Please ask for a year or less at a time."),
    "future": _("That period hasn't started yet, so there's nothing to count."),
}
EXPORT_CAPTION = _(
    "{group}: figures by week, area and category, {period}. "
    "A figure from 1 to 4, or one held back, leaves its cell empty; the last column says why."
)


def period_label(start: date, end: date, whole_month: bool) -> str:
    """`October 2026`, or `1 Oct 2026 to 31 Oct 2026`."""
    if whole_month:
        return FORMAT.month(start)
    return PERIOD_SPAN.format(first=FORMAT.dated(start), last=FORMAT.dated(end))


# --- typed answers (handlers/flows.py) -------------------------------------------------------
# What a step expected, when a typed answer fits none of its buttons; its buttons follow.
EXPECTED = {
    "need.category": (
        _(
            "Sorry, I didn't catch what kind of help that is. Please tap one below, or type it "
            "in a word or two, such as “shopping” or “prescription”."
        )
    ),
    "need.area": _("Please tap your area below, or type your street, estate or postcode."),
    "need.when": (
        _(
            "Please tap when you need it, or type “today”, “tomorrow”, “this week”, a day such "
            "as “Friday”, or “flexible”."
        )
    ),
    "need.confirm": _("Shall I post it? Tap Post or Cancel, or type “post” or “cancel”."),
    "need.duplicate": _("Is this a new request? Tap a button, or type “new” or “same”."),
    "need.signposted": (
        _(
            "If your request isn't about that, tap “It's not that, post it” (or type “post it”) "
            "and a coordinator will read it first. Or tap Cancel."
        )
    ),
    "volunteer.skills": (
        _(
            "Please tap what you can help with, or type it (such as “shopping”), then tap Done "
            "or type “done”."
        )
    ),
    "volunteer.areas": (
        _(
            "Please tap the areas you can cover, or type one (such as a street or estate), then "
            "tap Done or type “done”."
        )
    ),
    "volunteer.radius": _("Please tap how far you can go, or type 1, 2 or 5 (km)."),
    "volunteer.availability": (
        _(
            "Please tap when you're usually free, or type “any time”, “weekdays”, “weekends” or "
            "“evenings”."
        )
    ),
    "volunteer.languages": _(
        "Please tap the languages you speak, or type one (such as “English”), then tap Done "
        "or type “done”."
    ),
    "volunteer.confirm": _("Tap Save to keep your profile, or Cancel; or type “save” or “cancel”."),
    "resume": _("Please tap Carry on, Start again or Cancel, or type one of them."),
    "forget": _("Tap “Delete my data” or “Keep my data”, or type “delete” or “keep”."),
}
WHEN_DAY = {
    When.TODAY: _("is today"),
    When.TOMORROW: _("is tomorrow"),
    When.THIS_WEEK: _("is within the week"),
    When.FLEXIBLE: _("is more than a week away"),
}
WHEN_FROM_DAY = _("{day} {is_when}, so I've put <b>{label}</b>.\n\n")
TICKED = _("Ticked {name}")
UNTICKED = _("Unticked {name}")
TOGGLED = _("{changes}. Tap or type more, then Done.")


def when_from_day(day: date, when: When) -> str:
    """`Friday 14 Mar is within the week, so I've put This week.` (then a blank line)."""
    return WHEN_FROM_DAY.format(
        day=format_skeleton("EEEEdMMM", day, locale=LOCALE),
        is_when=WHEN_DAY[when],
        label=WHEN_LABELS[when],
    )


def toggled(ticked: list[str], unticked: list[str]) -> str:
    changes = [TICKED.format(name=named(n)) for n in ticked]
    changes += [UNTICKED.format(name=named(n)) for n in unticked]
    return TOGGLED.format(changes="; ".join(changes))


# --- flows put aside after MUTUALAID_FLOW_TIMEOUT (handlers/flows.py) ------------------------
ASIDE = _(
    "Welcome back! You started {what} {age} ago.{chosen}\n\n"
    "Would you like to carry on where you left off, start again, or cancel it?"
)
ASIDE_WHAT = {
    "need": _("asking for help"),
    "offer": _("making an offer"),
    "newneed": _("entering a request for <b>{caller}</b>"),
    "volunteer": _("signing up to volunteer"),
    "concern": _("raising a concern about <b>#{id}</b>"),
}
ASIDE_CHOSEN = {
    "category": _("What: {value}"),
    "area": _("Where: {value}"),
    "when": _("When: {value}"),
    "description": _("You wrote: “{value}”"),
    "skills": _("Can help with: {value}"),
    "areas": _("Areas: {value}"),
}
ASIDE_EXCERPT = 80
ASIDE_A_WHILE = _("a while")


def _names(value: str) -> str:
    """What was chosen (`Shopping & essentials, Prescriptions`), each name as the reader
    reads it. HTML."""
    return ", ".join(named(part) for part in value.split(", "))


def aside(what: str, age_text: str, chosen: list[tuple[str, str]]) -> str:
    """The summary of a flow put aside: what it was, how long ago, what was chosen."""
    lines = []
    for key, value in chosen:
        shown = value if len(value) <= ASIDE_EXCERPT else value[: ASIDE_EXCERPT - 1] + "…"
        lines.append(ASIDE_CHOSEN[key].format(value=_names(shown)))
    return ASIDE.format(what=what, age=age_text, chosen="\n\n" + "\n".join(lines) if lines else "")


# A question answered by its button becomes the next one in place (handlers/flows.py): what
# was chosen stays on it, ticked, above the next question; the last question keeps its text,
# with how the flow ended under it.
CHOSEN = "{line} ✓"
CONCLUDED = "{question}\n\n✓ {outcome}"


def chosen(picked: list[tuple[str, str]]) -> str:
    """`What: <b>Shopping</b> ✓` a line, and a blank line before the next question."""
    lines = [
        CHOSEN.format(line=ASIDE_CHOSEN[key].format(value=f"<b>{_names(value)}</b>"))
        for key, value in picked
    ]
    return "\n".join(lines) + "\n\n" if lines else ""


def concluded(question: str, outcome: str) -> str:
    return CONCLUDED.format(question=question, outcome=outcome)


# --- signposts in context: needs held for a coordinator (handlers/held.py) -------------------
SIGNPOSTED_POST_ANYWAY = _(
    "\n\nIf your request isn't about this, tap “It's not that, post it”: a coordinator will "
    "read it first, then pass it to volunteers."
)
SIGNPOSTED_ENDED = _("All right: nothing was posted. If you need something else, send /need.")
SUMMARY_HELD = _("\n\n<i>A coordinator will read it before it goes to volunteers.</i>")
NEED_HELD = _(
    "Thank you. <b>#{id}</b> is with a coordinator, who will read it first and then pass it "
    "to volunteers or get in touch. /mine shows it."
)
ALERT_HELD = _(
    "ℹ️ <b>#{id}</b> {category} in {area}, {when}, is held for you: the resident was shown "
    "signposts about <b>{topics}</b> and said it's not that. Send /open to release it to "
    "volunteers or close it."
)
OPEN_HELD_HEADER = _(
    "<b>Held for a coordinator: {count}</b> (oldest first). Each was shown signposts and the "
    "resident said it's not that: <b>Release</b> passes it to volunteers, <b>Close</b> ends it "
    "with a kind message."
)
OPEN_HELD_LINE = _(
    "<b>#{id}</b> {category} in {area}, {when}. Held {age}.\n"
    "Signposts shown: {topics}.\n\n{description}"
)
HELD_NO_TOPICS = _("none now")
HELD_RELEASED = _("Released <b>#{id}</b> to volunteers: {asked} asked now.")
HELD_RELEASED_NOBODY = _(
    "Released <b>#{id}</b>. Nobody is free to ask about it just now, so it waits in /open."
)
HELD_CLOSED = _("Closed <b>#{id}</b>; the resident has been told, kindly.")
RESIDENT_RELEASED = _(
    "A coordinator has read <b>#{id}</b> ({category}) and passed it to volunteers. I'll "
    "message you as soon as one accepts."
)
RESIDENT_HELD_CLOSED = _(
    "A coordinator has read <b>#{id}</b> ({category}). I'm sorry: it's something our "
    "volunteers can't safely help with, so it won't be passed on.{signposts}\n\n"
    "Thank you for asking us. If there's something else we can do, send /need."
)
RESIDENT_HELD_SIGNPOSTS = _(" Here is who can help:\n\n{signposts}")
DIGEST_HELD = _("Held for a coordinator")
DIGEST_HELD_NOTE = _(" – /open")


def signpost_lines(signposts: list[Signpost]) -> str:
    return "\n\n".join(f"<b>{named(s.topic)}</b>: {named(s.text)}" for s in signposts)


# --- typed answers outside a flow (handlers/outside.py) ----------------------------------------
STILL_NEEDED_WHICH = _(
    "You have more than one request I asked about. Please tap under the one you mean:"
)


# --- the dashboard (handlers/dashboard.py) ----------------------------------------------------
DASHBOARD_LINK = P_(
    "Here is your sign-in link for the dashboard. It works once, for the next {minutes} "
    "minute; don't share it:\n\n{link}\n\nSend /dashboard again for a new one.",
    "Here is your sign-in link for the dashboard. It works once, for the next {minutes} "
    "minutes; don't share it:\n\n{link}\n\nSend /dashboard again for a new one.",
    "minutes",
)
DASHBOARD_NOT_ALLOWED = _(
    "Sorry, the dashboard is for the group's coordinators and council liaisons."
)
DASHBOARD_OFF = _("The dashboard isn't running on this bot (MUTUALAID_WEB_HOST is off).")


# --- coordinators in the chat (handlers/people.py, needview.py, volunteers.py, announce.py) --


def reach(first_name: str, username: str | None, user_id: int) -> str:
    """Someone as a coordinator can act on them: their name opens their profile when tapped,
    and beside it what can be typed into a command (their @username, else their id), since
    a tap link alone may not open for everyone."""
    name = html(first_name or _("someone"))
    link = f'<a href="tg://user?id={user_id}">{name}</a>'
    return f"{link} @{html(username)}" if username else f"{link} (id {user_id})"


# Naming a person in a command (/assign 12 @priya, /vetted Priya, /block 5550001).
WHO_DO_YOU_MEAN = _("More than one person fits “{typed}”. Which one do you mean?")
NOBODY_CALLED = _("I don't know anyone called “{typed}” here.")
NOBODY_WITH_ID = _("I don't know anyone with id {typed} here.")
NOBODY_WITH_USERNAME = _(
    "I don't know anyone with the username @{typed} here (someone who has never talked to "
    "the bot can't be found)."
)
NOT_A_PERSON = _("I couldn't read “{typed}” as a person.")
STANDING = {
    "coordinator": _("coordinator"),
    "liaison": _("council liaison"),
    "volunteer": _("volunteer"),
    "pending": _("new volunteer"),
    "resident": _("resident"),
}
PICK_LABEL = "{name}{username} ({where}{standing}{blocked})"
PICK_BLOCKED = _(", blocked")
NOT_A_VOLUNTEER_NAMED = _("{name} hasn't signed up as a volunteer.")
NOT_PENDING = _("{name} isn't waiting for approval.")

# A need in full (#12, /see 12, `See in full`, `See #12`).
SEE_USAGE = _("Send <code>/see 12</code>, or just <code>#12</code>.")
SEE_NEED_LABEL = _("See #{id}")
NEED_VIEW = _(
    "<b>#{id}</b> · {status}\n"
    "{category} in <b>{area}</b>, {when}\n"
    "Resident: {resident}{caller}\n"
    "{volunteer}{code}{asked}\n"
    "{description}\n\n"
    "<b>History</b>\n{history}"
)
VIEW_CALLER = _("\nPhoned in: <b>{caller}</b>, entered by a coordinator{contact}")
VIEW_CALLER_CONTACT = _("; contact: {note}")
VIEW_VOLUNTEER = _("Volunteer: {volunteer}\n")
VIEW_CODE = _("Doorstep code: <b>{code}</b>\n")
VIEW_ASKED = _("Asked {asked}, {waiting} yet to answer.\n")
VIEW_NO_DETAILS = _("<i>Its words and who asked were deleted (after it closed, or by /forget).</i>")
VIEW_STATUS = {
    "open": _("waiting for a volunteer"),
    "accepted": _("a volunteer has it"),
    "done": _("done"),
    "cancelled": _("cancelled"),
    "closed": _("closed"),
    "held": _("held for a coordinator"),
}
HISTORY_LINE = "{time} · {line}"
HISTORY_MORE = P_("<i>…and {count} earlier line.</i>", "<i>…and {count} earlier lines.</i>")
HISTORY_EXCERPT = 200
HISTORY = {
    "posted": _("posted by {who}"),
    "entered": _("entered by {who} for {text}, who phoned in"),
    "released": _("released to volunteers by {who}"),
    "asked": _("{who} asked"),
    "assigned": _("{who} asked {other}"),
    "declined": _("{who} declined"),
    "moved_on": _("{who} couldn't be reached; others asked"),
    "accepted": _("{who} accepted"),
    "reminded": _("{who} reminded"),
    "followed_up": _("{who} asked how it went"),
    "nudged": _("{who} nudged"),
    "still_needed": _("the resident was asked if they still need help"),
    "escalated": _("nobody left to ask: coordinators alerted"),
    "dropped": _("{who} had it, and gave it back"),
    "reassigned": _("{who} took it from {other} to ask someone else"),
    "done": _("done by {who}{hours}"),
    "closed": _("closed"),
    "closed_by": _("closed by {who}"),
    "cancelled": _("cancelled"),
    "reopened": _("reopened by {who}"),
    "concern": _("⚠️ concern from {who}: {text}"),
    "resolved": _("concern resolved by {who}"),
    "note": "📝 {who}: {text}",
    "messaged": _("✉️ {who} to the resident: {text}"),
}
HISTORY_HOURS = ", {hours}"
ACT_ASSIGN = _("Assign")
ACT_REASSIGN = _("Reassign")
ACT_CLOSE = _("Close")
ACT_RELEASE = _("Release")
ACT_REOPEN = _("Reopen")
ACT_NOTE = _("Add note")
ACT_MESSAGE = _("Message resident")
NO_LABEL = _("No")
LEFT_AS_IT_WAS = _("Left as it was.")
ASK_LABEL = _("Ask {name}")
MATCH_LABEL = _("Ask the usual way")
REASSIGN_ASK = _(
    "Take <b>#{id}</b> from {volunteer} and ask someone else? They will be told not to go, "
    "and the resident that someone else will help."
)
REASSIGN_YES_LABEL = _("Yes, reassign")
REASSIGNED = _(
    "{volunteer} no longer has <b>#{id}</b>: they've been told not to go, and the resident "
    "that someone else will help."
)
NOT_THEIRS_NOW = _("#{id} has changed since: look again.")
VOLUNTEER_REASSIGNED = _(
    "A coordinator has asked someone else to help with <b>#{id}</b> ({category} in {area}), "
    "so please don't go. Thank you for offering."
)
RESIDENT_REASSIGNED = _(
    "A coordinator has changed who will help with <b>#{id}</b> ({category}): {volunteer} "
    "won't be coming. I'll message you as soon as another volunteer accepts."
)
END_ASK = _(
    "Close <b>#{id}</b>? {volunteer} will be told not to go, and the resident that it's closed."
)
END_YES_LABEL = _("Yes, close it")
CLOSED_TAKEN = _("Closed <b>#{id}</b>. {volunteer} has been told not to go.")
MATCHED = _("The usual way: {asked} asked about <b>#{id}</b> now.")
MATCHED_NOBODY = _("Nobody is free to ask about <b>#{id}</b> just now; it waits in /open.")
MATCH_ALREADY = _("Volunteers are being asked about <b>#{id}</b> already.")
REOPENED = _("Reopened <b>#{id}</b>: {asked} asked now.")
REOPENED_NOBODY = _("Reopened <b>#{id}</b>. Nobody is free to ask just now, so it waits in /open.")
RESIDENT_REOPENED = _(
    "A coordinator has opened <b>#{id}</b> ({category}) again. I'll message you as soon as a "
    "volunteer accepts."
)
CANNOT_REOPEN = _("#{id} can't be reopened now.")
NOTE_ASK = _("Type the note for <b>#{id}</b> (or /cancel). Only coordinators see notes.")
NOTE_KEPT = _("📝 Noted on <b>#{id}</b>.")
MESSAGE_ASK = _(
    "Type your message to {resident} about <b>#{id}</b> (or /cancel). It goes through the "
    "bot, headed as from the coordinators."
)
MESSAGE_SENT = _("✉️ Sent to {resident}, and kept with <b>#{id}</b>.")
FROM_COORDINATORS = _(
    "✉️ <b>From the coordinators of {group}</b>, about <b>#{id}</b> ({category}):\n\n{text}"
)
INPUT_CANCELLED = _("All right: nothing was kept or sent.")
INPUT_TOO_LONG = _("That's {length} characters; please keep it under {limit}.")
INPUT_EMPTY = _("Please type a few words, or send /cancel.")
NEED_NO_NOTES = _("#{id} keeps no notes now (its details were deleted).")
NOT_A_RESIDENT_TO_MESSAGE = _("The resident of #{id} can't be messaged now.")

# /volunteers
VOLUNTEERS_HEADER = _("<b>Volunteers{matching}: {count}</b> (page {page} of {pages})")
VOLUNTEERS_MATCHING = _(" matching “{words}”")
VOLUNTEERS_NONE = _("No volunteer matches “{words}”. Try a first name, a skill or an area.")
VOLUNTEERS_EMPTY = _("Nobody has signed up as a volunteer yet.")
VOLUNTEER_LINE = _(
    "{who} · {status}\n{skills}\n{areas}\n"
    "Open tasks: {open_tasks}. Last 30 days: {tasks} tasks, {hours} hours."
)
VOLUNTEER_STATUS = {
    "approved": _("on duty"),
    "paused": _("paused"),
    "pending": _("waiting for approval"),
    "blocked": _("blocked"),
    "unreachable": _("has blocked the bot"),
}
VOLUNTEER_VETTED = _(", vetted")
VOLUNTEER_RADIUS = _("within {km:g} km of a place they shared")
NO_SKILLS = _("no skills")
NO_AREAS = _("no areas")
PREVIOUS_LABEL = _("‹ Previous")
NEXT_LABEL = _("Next ›")
APPROVE_LABEL = _("Approve")
REJECT_LABEL = _("Reject")
VET_LABEL = _("Vet")
UNVET_LABEL = _("Unvet")
BLOCK_LABEL = _("Block")
BLOCK_ASK = _(
    "Block {who}? Their open requests, offers and proposals are withdrawn, tasks they "
    "accepted go back to other volunteers, and they get one neutral message."
)
BLOCK_YES_LABEL = _("Yes, block")
VOLUNTEERS_PAGE = _("Page {page} of {pages}.")
VOLUNTEERS_SEARCH_GONE = _("That list is old: send /volunteers again.")
APPROVE_ALL_LABEL = _("Approve all {count}")
APPROVE_ALL_OFFER = P_(
    "{count} volunteer is waiting for approval.", "{count} volunteers are waiting for approval."
)
APPROVE_USAGE = _(
    "Send <code>/approve</code> for everyone waiting, or <code>/approve Priya</code>."
)
APPROVE_MORE = P_("…and {count} more waiting.", "…and {count} more waiting.")
APPROVE_ALL_ASK = P_(
    "Approve the {count} volunteer waiting? They are told, and open requests are matched again.",
    "Approve all {count} volunteers waiting? Each is told, and open requests are matched again.",
)
APPROVE_ALL_YES_LABEL = _("Yes, approve {count}")
APPROVE_ALL_CHANGED = _("{count} are waiting now, not {was}. Approve all {count}?")
APPROVED_ALL = P_(
    "✅ Approved {count} volunteer. They have been told.",
    "✅ Approved {count} volunteers. Each has been told.",
)

# /announce
ANNOUNCE_AREA = _("📣 Who is it for? Choose an area, or every area.")
ANNOUNCE_SKILL = _("And which volunteers {where}? Choose a skill, or every skill.")
ANNOUNCE_TYPE = _("Now type the message for {audience} (or /cancel).")
ANNOUNCE_PREVIEW = P_(
    "<b>This goes to {count} volunteer</b> ({audience}):\n\n{message}",
    "<b>This goes to {count} volunteers</b> ({audience}):\n\n{message}",
)
ANNOUNCE_NOBODY = _(
    "No volunteer fits that ({audience}), so there's nobody to send it to. Send /announce to "
    "choose again."
)
ANNOUNCE_SENDING = P_(
    "📣 Sending to {count} volunteer ({audience}), after people's own messages.",
    "📣 Sending to {count} volunteers ({audience}), after people's own messages.",
)
ANNOUNCE_QUIET = P_(
    "📣 It's quiet hours: it goes to {count} volunteer ({audience}) at {time}.",
    "📣 It's quiet hours: it goes to {count} volunteers ({audience}) at {time}.",
)
ANNOUNCE_CANCELLED = _("Cancelled: the announcement wasn't sent.")
ANNOUNCE_GONE = _("That announcement has been sent or cancelled already.")
ANNOUNCE_MESSAGE = _("📣 <b>From the coordinators of {group}</b>\n\n{text}")
ANNOUNCE_EVERY_AREA = _("Every area")
ANNOUNCE_EVERY_SKILL = _("Every skill")
AUDIENCE_ALL = _("all volunteers")
AUDIENCE_AREA = _("volunteers in {area}")
AUDIENCE_SKILL = _("volunteers for {skill}")
AUDIENCE_BOTH = _("volunteers in {area} for {skill}")
ANNOUNCE_THERE = _("in {area}")
ANNOUNCE_ANYWHERE = _("anywhere")
SEND_LABEL = _("Send")
CANCEL_LABEL = _("Cancel")
ANNOUNCE_MAX = 3000
ANNOUNCE_EXPECTED_AREA = _("Please tap an area (or Every area), or type one.")
ANNOUNCE_EXPECTED_SKILL = _("Please tap a skill (or Every skill), or type one.")


def audience(area: str | None, skill: str | None) -> str:
    if area and skill:
        return AUDIENCE_BOTH.format(area=html(area), skill=html(skill))
    if area:
        return AUDIENCE_AREA.format(area=html(area))
    if skill:
        return AUDIENCE_SKILL.format(skill=html(skill))
    return AUDIENCE_ALL


# --- council referrals (handlers/referrals.py) ------------------------------------------------
ASK_REFER_CATEGORY = _(
    "<b>Refer a resident to the group.</b> What kind of help do they need? "
    "(/cancel stops, and nothing is kept.)"
)
ASK_REFER_AREA = _(
    "Where do they live? Tap the area, or type their street, estate or postcode district "
    "(not the full address)."
)
ASK_REFER_DESCRIPTION = _(
    "What would help, in a few words? Volunteers read this before anyone takes it, without "
    "the resident's name, so please leave out health details and the full address."
)
ASK_REFER_WHEN = _("When do they need it?")
ASK_REFER_NAME = _(
    "The resident's <b>first name</b>? Only the volunteer who takes it on will see it."
)
BAD_REFER_NAME = _("Please type just their first name (no numbers), in up to 40 characters.")
ASK_REFER_CONTACT = _(
    "A <b>phone number</b> the volunteer can ring them on, with a short note if it helps "
    "(“07700 900123, after 2pm”). Only the volunteer who takes it on will see it."
)
BAD_REFER_CONTACT = _(
    "Please type a phone number (at least 6 digits), with a short note if you like, in up to "
    "100 characters."
)
ASK_REFER_REFERENCE = _(
    "The council's own <b>case reference</b> for it? /referrals lists your referrals by it. "
    "Please don't put the resident's name in it."
)
BAD_REFER_REFERENCE = _("Please type the council's reference on one line, in up to 40 characters.")
REFER_SUMMARY = _(
    "<b>Referral {ref}</b>\n{category} in <b>{area}</b>, {when}.\n\n{description}\n\n"
    "For <b>{name}</b>, on {contact}.\n\n"
    "<b>Has {name} agreed to be referred to the group</b>, and to the volunteer who takes it "
    "on having their first name and this number? Without that, nothing is kept."
)
REFER_SENT = _(
    "Thank you. Referral <b>{ref}</b> is with the group's coordinators. /referrals shows "
    "what becomes of it."
)
REFER_NOT_AGREED = _(
    "Nothing was kept. A referral needs the resident's agreement: once they have agreed, "
    "send /refer again."
)
# Coordinators.
ALERT_REFERRAL = _(
    "📋 <b>The council has referred a request</b>: <b>#{id}</b> {category} in {area}, {when} "
    "(council reference {ref}). Send /open to take it or decline it."
)
OPEN_REFERRED_HEADER = _(
    "<b>Referred by the council: {count}</b> (oldest first). <b>Take</b>: you become its "
    "contact, as with /newneed, and it goes to volunteers. <b>Decline</b>: you'll be asked "
    "why, and the council's liaison is told."
)
OPEN_REFERRED_LINE = _(
    "<b>#{id}</b> {category} in {area}, {when}. Referred {age} ago (council reference "
    "{ref}).\n\n{description}"
)
REFERRAL_TAKEN = _(
    "You took <b>#{id}</b> (council reference {ref}): you're its contact now, as with "
    "/newneed. {asked} volunteers asked."
)
REFERRAL_TAKEN_NOBODY = _(
    "You took <b>#{id}</b> (council reference {ref}): you're its contact now. Nobody is free "
    "to ask about it just now, so it waits in /open."
)
REFERRAL_TAKEN_QUIET = _(
    "You took <b>#{id}</b> (council reference {ref}): you're its contact now. It's quiet "
    "hours, so volunteers are asked at {at}."
)
ASK_DECLINE_REASON = _(
    "Why can't the group take <b>#{id}</b> (council reference {ref})? The council's liaison "
    "reads your answer, so please leave out names and health details."
)
REFERRAL_DECLINED = _("Declined <b>#{id}</b>. The council's liaison has been told why.")
REFERRAL_GONE = _("That referral has been taken or declined already.")
LIAISON_DECLINED = _(
    "The group can't take your referral <b>{ref}</b>. The coordinator said:\n\n“{reason}”"
)
DIGEST_REFERRED = _("Referred by the council")
DIGEST_REFERRED_NOTE = _(" – /open")
# The liaison's /referrals.
REFERRALS_NONE = _("You haven't referred anyone yet. Send /refer to pass the group a request.")
REFERRALS_HEADER = _("<b>Your referrals</b> (newest first)")
REFERRALS_MORE = P_("…and {count} older one.", "…and {count} older ones.")
REFERRAL_LINE = _("<b>{ref}</b>: {status}\nReferred {day}{steps}")
REFERRAL_STATUS = {
    "waiting": _("waiting for the group"),
    "taken": _("taken by the group, finding a volunteer"),
    "matched": _("volunteer found"),
    "done": _("done"),
    "closed": _("closed without help"),
    "declined": _("declined"),
}
REFERRAL_REASON = ": “{reason}”"
REFERRAL_STEP = {
    "taken": _("taken after {age}"),
    "matched": _("volunteer found after {age}"),
    "done": _("done after {age}"),
    "closed": _("closed after {age}"),
    "declined": _("declined after {age}"),
}
REFERRAL_WAITING = _("waiting {age} so far")
# The report's referral figures.
REPORT_REFERRALS = _(
    "<b>Referred by the council</b>\n"
    "Referrals: {referred}\n"
    "Met (done): {met}\n"
    "Median time from referral to a match: {median}\n"
    "Volunteer hours: {hours}{pounds}"
)
REPORT_REFERRAL_POUNDS = _(", worth {pounds} (at the council's own figure per hour)")
EXPECTED.update(
    {
        "refer.category": (
            _(
                "Sorry, I didn't catch what kind of help that is. Please tap one below, or type "
                "it in a word or two, such as “shopping” or “prescription”."
            )
        ),
        "refer.area": _("Please tap their area below, or type their street, estate or postcode."),
        "refer.when": (
            _(
                "Please tap when they need it, or type “today”, “tomorrow”, “this week”, a day "
                "such as “Friday”, or “flexible”."
            )
        ),
        "refer.agreed": (
            _(
                "Has the resident agreed to be referred? Tap “Yes, they agreed” or “No”, or type "
                "yes or no."
            )
        ),
    }
)
ASIDE_WHAT.update(
    {
        "refer": _("referring a resident to the group"),
        "decline": _("declining the council's referral <b>#{id}</b>"),
    }
)


def referral_day(moment: datetime, tz: ZoneInfo) -> str:
    """`Wed 12 Mar, 09:30`, in the group's time zone."""
    return _day_and_clock(moment.astimezone(tz))


i18n.speaks(globals())

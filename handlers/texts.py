"""Every user-facing string, in one place, ready for translation. All output is HTML."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from domain.community import Signpost
from domain.dates import Day, NeedTime, Relative, Span, need_time
from domain.models import Availability, Need, Offer, Posting, VolunteerProfile, When

PRIVACY_VERSION = 1

PRIVACY_NOTICE = (
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
CONSENT_THANKS = "Thank you. What would you like to do?"
CONSENT_DECLINED = (
    "No problem. We won't keep anything about you. If you change your mind, send /start."
)
NEEDS_CONSENT = "Before we begin, please read a short note about your privacy: send /start."
MENU_HINT = "Tap a button, or send /help to see everything you can do."

GROUP_CHAT = (
    "To keep everyone's details private, I only work in a private chat. "
    "Tap my name and press Start."
)

# The commands of each role: /help lists them and Telegram's command menu shows them
# (handlers/menus.py), from these same lists. Descriptions are plain text.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "resident": (
        ("need", "ask for help"),
        ("offer", "offer something once: to give or lend, or a trip you're making"),
        ("mine", "your requests, with Cancel while open"),
        ("volunteer", "offer to help neighbours"),
        ("mydata", "everything we keep about you"),
        ("forget", "delete what we keep about you"),
        ("cancel", "stop what you are doing"),
        ("help", "what you can do here"),
    ),
    "volunteer": (
        ("tasks", "the jobs you have accepted"),
        ("pause", "stop getting requests for a while"),
        ("resume", "start getting requests again"),
    ),
    "coordinator": (
        ("digest", "what needs a human now"),
        ("open", "requests waiting for a volunteer"),
        ("see", "one request in full and its history: /see 12, or just type #12"),
        ("assign", "ask one volunteer: /assign 12 @priya (or a first name, or an id)"),
        ("volunteers", "find volunteers by name, skill or area: /volunteers Trinity"),
        ("approve", "volunteers waiting for approval (or /approve Priya)"),
        ("vetted", "mark a volunteer vetted: /vetted @priya (add off to undo)"),
        ("announce", "a message to volunteers: all, or by area and skill"),
        ("newneed", "enter a request for someone who phoned in: /newneed Doris"),
        ("concerns", "open concerns"),
        ("block", "block someone: /block @name and a reason"),
        ("unblock", "let them back: /unblock @name"),
        ("invite", "a one-time link: /invite coordinator or /invite liaison"),
        ("roles", "who holds which role"),
        ("report", "the figures the council sees"),
        ("export", "the same as a spreadsheet"),
        ("dashboard", "a sign-in link for the web dashboard"),
    ),
    "liaison": (
        ("refer", "pass the group a request for a resident who called the council"),
        ("referrals", "what became of each of your referrals"),
        ("report", "this month's figures (or /report March, /report 2026-Q1)"),
        ("export", "the same as a spreadsheet"),
        ("dashboard", "a sign-in link for the web dashboard"),
    ),
}
HELP_HEADINGS = {
    "resident": "<b>What you can do</b>",
    "volunteer": "<b>As a volunteer</b>",
    "coordinator": "<b>As a coordinator</b>",
    "liaison": "<b>For the council</b>",
}


def help_section(section: str) -> str:
    """One role's part of /help: its heading and its commands, as the menu shows them."""
    lines = [f"/{name} – {escape(about, quote=False)}" for name, about in COMMANDS[section]]
    text = HELP_HEADINGS[section] + "\n" + "\n".join(lines)
    return text if section == "resident" else "\n\n" + text


HELP_RESIDENT = help_section("resident")

UNKNOWN_COMMAND = "Sorry, I don't know that command. Send /help to see what I can do."
# Text outside any flow (and no conversation with a volunteer to pass it to).
UNKNOWN_TEXT = (
    "Hello! Here you can ask neighbours for help (shopping, a prescription, a dog walk, a "
    "friendly call and more) or offer to help. Tap a button below to start, or send /help "
    "to see everything I can do."
)
UNKNOWN_TEXT_VOLUNTEER = (
    "Hello! Tap “My tasks” for the jobs you have accepted, or a button below to ask for "
    "help or change what you can do. /help shows everything I can do."
)
NOTHING_TO_CANCEL = "There is nothing to stop. Send /help to see what I can do."
STALE_BUTTON = "That button is from an earlier message and no longer works."
NOT_FOR_YOU = "That button isn't for you."
USE_BUTTONS = "Please tap one of the buttons above, or send /cancel to stop."
IN_A_FLOW = "You're in the middle of something. Finish it, or send /cancel first."
CANCELLED = "Stopped. Nothing was posted."
SLOW_DOWN = (
    "You're sending messages faster than I can read them. Please wait a minute, then send "
    "one message at a time. Messages sent in the meantime are not read."
)
TEXT_ONLY = "I can only read text here. Please type it, or send /cancel to stop."

# --- /need ---------------------------------------------------------------------------------
ASK_CATEGORY = "What do you need help with?"
ASK_AREA = (
    "Which area are you in? Tap one, type your street, estate or postcode district, "
    "or share your location."
)
UNKNOWN_AREA = "I don't know an area called “{typed}”."
SUGGEST_AREAS = " Did you mean: {names}?"
AREA_RETRY = " Tap a button, or type it again."
NO_LOCATED_AREAS = "I can't place a location here. Please tap your area instead."
ASK_DESCRIPTION = (
    "Area: <b>{area}</b>.\n\nIn a few words, what would help? For example: "
    "“a loaf of bread and milk from the Co-op”.\n"
    "<i>Please don't include health details or your full address; the volunteer who "
    "accepts will get in touch.</i>"
)
EMPTY_DESCRIPTION = "Please write a few words about what would help."
LONG_DESCRIPTION = (
    "That's {length} characters; please keep it under {limit}. A short summary is plenty; "
    "you can tell the volunteer more later."
)
SIGNPOSTED = (
    "Thank you for telling us. This is something our volunteers can't safely do, so "
    "nothing has been posted. Here is who can help:\n\n{signposts}"
)
ASK_WHEN = "When do you need it?"
WHEN_LABELS = {
    When.TODAY: "Today",
    When.TOMORROW: "Tomorrow",
    When.THIS_WEEK: "This week",
    When.FLEXIBLE: "Flexible",
}
NEED_SUMMARY = (
    "<b>Please check:</b>\n"
    "What: {category}\nWhere: {area}\nWhen: {when}\n\n{description}\n\n"
    "Shall I post it?"
)
NEED_POSTED = (
    "Posted as <b>#{id}</b>. I'm asking nearby volunteers now and will message you "
    "as soon as one accepts."
)
NEED_POSTED_QUIET = (
    "Posted as <b>#{id}</b>. Volunteers get no messages in quiet hours, so I'll ask nearby "
    "volunteers at {at} and message you as soon as one accepts."
)

# --- /volunteer ----------------------------------------------------------------------------
ASK_SKILLS = "Thank you for helping! What can you do? Tap all that apply, then Done."
PICK_ONE_SKILL = "Please choose at least one thing you can help with."
ASK_VOLUNTEER_AREAS = (
    "Which areas can you cover? Tap all that apply, then Done. Or share your location, "
    "and say how far from it you can go."
)
PICK_ONE_AREA = "Please choose at least one area, or share your location."
ASK_RADIUS = "Thank you. How far from there can you go?"
RADIUS_KEPT = "Within {km:g} km of the location you shared. Tap more areas if you like, then Done."
ASK_AVAILABILITY = "When are you usually free?"
AVAILABILITY_LABELS = {
    Availability.ANY: "Any time",
    Availability.WEEKDAYS: "Weekdays",
    Availability.WEEKENDS: "Weekends",
    Availability.EVENINGS: "Evenings",
}
VOLUNTEER_SUMMARY = (
    "<b>Your volunteer profile</b>\nCan help with: {skills}\nAreas: {areas}{radius}\n"
    "Available: {availability}\n\nSave it?"
)
VOLUNTEER_SAVED = "Saved. You'll get requests that match; each one has Accept and Decline."
VOLUNTEER_PENDING = (
    "Saved. A coordinator will approve you soon; you'll start getting requests after that."
)

# --- proposals and acceptance --------------------------------------------------------------
PROPOSAL = "<b>Can you help? #{id}</b>\n{category} in <b>{area}</b>, {when}.\n\n{description}"
PROPOSAL_TAKEN = (
    "<b>#{id}</b> {category} in {area}: another volunteer has taken this one. Thank you!"
)
PROPOSAL_DECLINED = "<b>#{id}</b> {category} in {area}: you declined. No problem at all."
PROPOSAL_CLOSED = "<b>#{id}</b> {category} in {area}: this request is no longer open."
ALREADY_TAKEN = "Someone else got there first. Thank you for offering!"
ACCEPT_AT_LIMIT = (
    "You have as many tasks on the go as you said you could take. When one is done (/tasks), "
    "you can accept this one if it is still open."
)
NO_LONGER_OPEN = "This request is no longer open."
SAFETY_RULES = (
    "<b>Staying safe</b>\n"
    "• Stay on the doorstep; don't go inside.\n"
    "• Never take bank cards or PINs. If you pay, keep the receipt and be repaid "
    "against it.\n"
    "• Say the doorstep code <b>{code}</b> when you arrive.\n"
    "• If anything worries you, tell a coordinator."
)
ACCEPTED_VOLUNTEER = (
    "<b>You've got #{id}. Thank you!</b>\n{category} in <b>{area}</b>, {when}.\n\n"
    "{description}\n\n"
    "<b>Who:</b> {resident}\n<b>How to reach them:</b> {contact}\n"
    "<b>Doorstep code:</b> {code}\n\n{safety}"
)
CONTACT_RELAY = "tap “Message {name}” below; your messages go through this bot"
CONTACT_CALLER = "{note} (they phoned in; {coordinator} entered it)"
CONTACT_CALLER_NO_NOTE = (
    "through {coordinator}, who entered it for them: tap “Message {coordinator}”"
)
ACCEPTED_RESIDENT = (
    "Good news: <b>{volunteer}</b> will help with <b>#{id}</b> ({category}).\n"
    "They will message you here, and you can message them with the button below. When they "
    "arrive they will say the code <b>{code}</b>; if they can't, don't open the door."
)

# --- the relay between the two people of one task -----------------------------------------
MESSAGE_LABEL = "Message {name}"
SHARE_PHONE_LABEL = "Share my phone number"
REPLY_LABEL = "Reply"
PHONE_CANCEL = "Cancel"
RELAY_FROM = "<b>{name}</b> · <b>#{id}</b>:\n{text}"
RELAY_SENT = "Sent to {name}."
RELAY_TYPE = (
    "Type your message for {name} (#{id}). It goes through this bot: neither of you sees the "
    "other's account or number."
)
RELAY_WHICH = "Who is this message for?"
RELAY_CLOSED = (
    "The conversation about <b>#{id}</b> has closed: it closes two days after a job ends. "
    "If you need help again, send /need."
)
RELAY_NOT_OPEN = "That conversation has closed."
RELAY_TOO_LONG = (
    "That's too long to pass on ({length} characters; the limit is {limit}). Could you shorten it?"
)
PHONE_ASK = (
    "Tap “Share my phone number” below to give {name} your number for #{id}, or Cancel. "
    "It goes to {name} only."
)
PHONE_FROM = "<b>{name}</b> shared their phone number for <b>#{id}</b>: {phone}"
PHONE_SENT = "Your number went to {name}."
PHONE_NOT_YOURS = "Only your own number can be shared: use the button below."
PHONE_NOT_SHARED = "Your number was not shared."
CONCERN_TRANSCRIPT = "\n\n<b>Messages between them about #{id}:</b>\n{lines}"


def html(text: str) -> str:
    return escape(text, quote=False)


def privacy_notice(group: str, retention_days: int) -> str:
    return PRIVACY_NOTICE.format(group=html(group), retention_days=retention_days)


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b, %H:%M")


def clock_time(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`8:00`, `8:00 tomorrow` or `8:00 on Sat 14 Mar`, as read at `now`."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    said = f"{local.hour}:{local.minute:02d}"
    if local.date() == today:
        return said
    if local.date() == today + timedelta(days=1):
        return f"{said} tomorrow"
    return f"{said} on {local:%a} {local.day} {local:%b}"


def unknown_area(typed: str, suggestions: list[str]) -> str:
    text = UNKNOWN_AREA.format(typed=html(typed[:40]))
    if suggestions:
        text += SUGGEST_AREAS.format(names=", ".join(html(s) for s in suggestions))
    return text + AREA_RETRY


def signposted(signposts: list[Signpost]) -> str:
    body = "\n\n".join(f"<b>{html(s.topic)}</b>: {html(s.text)}" for s in signposts)
    return SIGNPOSTED.format(signposts=body)


def need_summary(
    category: str, area: str, when: When, description: str, offer: bool = False
) -> str:
    return (OFFER_SUMMARY if offer else NEED_SUMMARY).format(
        category=html(category),
        area=html(area),
        when=WHEN_LABELS[when],
        description=html(description),
    )


def volunteer_summary(profile: VolunteerProfile) -> str:
    return VOLUNTEER_SUMMARY.format(
        skills=html(", ".join(profile.skills)),
        areas=html(", ".join(profile.areas)) or "none by name",
        radius=f"; within {profile.radius_km:g} km of your location" if profile.radius_km else "",
        availability=AVAILABILITY_LABELS[profile.availability],
    )


# When a need is for, said as the reader reads it at the moment it is sent (domain/dates.py).
DAY_WORDS = {
    Relative.YESTERDAY: "yesterday",
    Relative.TODAY: "today",
    Relative.TOMORROW: "tomorrow",
}
NEED_TIME = {
    Span.ON: "{last}",  # today, tomorrow, Wed 9 Dec
    Span.UP_TO: "any day up to {last}",
    Span.BETWEEN: "any day from {first} to {last}",
    Span.ANY_TIME: "any time",
    Span.PASSED: "was due {last}",
}
TODAY_OR_TOMORROW = "today or tomorrow"  # UP_TO when the last day is tomorrow
PASSED_ON = "was due on {last}"  # PASSED on a day said as a date


def day_words(day: Day) -> str:
    """`today`, `tomorrow`, `yesterday`, or `Wed 9 Dec` (with the year if it isn't this one)."""
    if day.relative in DAY_WORDS:
        return DAY_WORDS[day.relative]
    text = f"{day.date:%a} {day.date.day} {day.date:%b}"
    return text if day.same_year else f"{text} {day.date.year}"


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
        "category": html(need.category),
        "area": html(need.area),
        "when": need_when(need, now, tz),
        "description": html(need.description),
    }


def proposal(need: Need, *, now: datetime, tz: ZoneInfo) -> str:
    """What a volunteer is asked: never the resident's name, username or contact."""
    return PROPOSAL.format(**_need_fields(need, now, tz))


def proposal_ended(need: Need, template: str) -> str:
    return template.format(id=need.id, category=html(need.category), area=html(need.area))


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
        category=html(need.category),
        code=need.doorstep_code or "----",
    )


SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side. Please try again in a minute; "
    "if it keeps happening, a coordinator can help."
)

HELP_VOLUNTEER = help_section("volunteer")

# --- timed messages --------------------------------------------------------------------------
REMINDER = "<b>Reminder:</b> you're helping with <b>#{id}</b> ({category} in {area}), {when}."
FOLLOWUP = "How did <b>#{id}</b> ({category} in {area}) go?"
NUDGE = (
    "A gentle nudge about <b>#{id}</b> ({category} in {area}): did it happen? "
    "Tap one; it helps us make sure nobody is forgotten."
)
ASK_HOURS = "Thank you! Roughly how long did <b>#{id}</b> take?"
HOURS_KEPT = "Thank you! <b>#{id}</b> is done: {hours} kept as volunteer time."
NOT_YOUR_TASK = "That task isn't open for you any more."
DROPPED_VOLUNTEER = "No problem, thank you for saying. <b>#{id}</b> goes back to other volunteers."
RESIDENT_DONE = "{volunteer} has marked <b>#{id}</b> ({category}) as done. All good?"
RESIDENT_DROPPED = (
    "I'm sorry: {volunteer} can't do <b>#{id}</b> ({category}) after all. "
    "I'm asking other volunteers now and will tell you when one accepts."
)
RESIDENT_DROPPED_NOBODY = (
    "I'm sorry: {volunteer} can't do <b>#{id}</b> ({category}) after all. "
    "Nobody else is free to take it just now. It stays open, and I'll tell you as soon as "
    "a volunteer accepts."
)
VOLUNTEER_CANCELLED = (
    "<b>#{id}</b> ({category} in {area}) was cancelled by the resident. Thank you."
)
STILL_NEEDED = (
    "Nobody has been able to take <b>#{id}</b> ({category}) yet, sorry. Do you still need help?"
)
AUTO_CLOSED = "I've closed <b>#{id}</b> ({category}). If you still need help, send /need."
KEPT_OPEN = "<b>#{id}</b> stays open for another week. I'll keep asking."
CLOSED_BY_RESIDENT = "<b>#{id}</b> is closed. Thank you for letting us know."
GLAD = "Thank you! Glad it went well."
PROBLEM_CONCERN = "Resident answered “There's a problem” after the job."
PROBLEM_NOTED = (
    "I'm sorry. A coordinator has been told and will be in touch. If anyone is in danger, call 999."
)
ALERT_UNMATCHED = (
    "⚠️ <b>#{id}</b> {category} in {area}, wanted today: no volunteer left to ask. "
    "Can someone help or /assign it?"
)
UNMATCHED_RESIDENT = (
    "I'm sorry: no volunteer is free to take <b>#{id}</b> ({category}) just now. I've asked "
    "a coordinator to help, and I'll message you as soon as someone can."
)
ALERT_CONCERN = "⚠️ <b>Concern</b> from {who} about {about}:\n{text}"

# --- /mine, /tasks, /pause --------------------------------------------------------------------
MINE_EMPTY = "You have no requests. Send /need to ask for help."
MINE_HEADER = "<b>Your requests</b>"
MINE_LINE = "<b>#{id}</b> {category} in {area}, {when}: {status}"
STATUS_LABELS = {
    "open": "waiting for a volunteer",
    "accepted": "a volunteer is on it",
    "done": "done",
    "cancelled": "cancelled",
    "closed": "closed",
    "held": "with a coordinator, who will read it first",
    "referred": "referred by the council, waiting for a coordinator",
}
CANCELLED_NEED = "<b>#{id}</b> is cancelled. Nobody will be asked about it any more."
CANNOT_CANCEL = "That request can't be cancelled now; it isn't open."
TASKS_EMPTY = "You have no open tasks. Thank you for being ready to help!"
NOT_A_VOLUNTEER = "You haven't signed up as a volunteer yet. Send /volunteer to start."
PAUSED = "Paused. You won't get requests until you send /resume."
RESUMED = "Welcome back! You'll get requests again."

# --- concerns -----------------------------------------------------------------------------
ASK_CONCERN = (
    "What's worrying you about <b>#{id}</b>? Write it in a message; a coordinator will read "
    "it straight away. (/cancel to stop.) If anyone is in danger, call 999."
)
CONCERN_NOTED = "Thank you for telling us. A coordinator has it and will be in touch."
MAX_CONCERN = 2000


def need_line(template: str, need: Need, *, now: datetime, tz: ZoneInfo) -> str:
    """A message about one need; its time as read at `now`, when it is sent."""
    return template.format(**_need_fields(need, now, tz))


def mine_line(need: Need, *, now: datetime, tz: ZoneInfo) -> str:
    return MINE_LINE.format(**_need_fields(need, now, tz), status=STATUS_LABELS[need.status.value])


# --- /offer --------------------------------------------------------------------------------
ASK_OFFER_CATEGORY = "Thank you! What kind of help can you offer, just this once?"
ASK_OFFER_DESCRIPTION = (
    "Area: <b>{area}</b>.\n\nIn a few words, what are you offering? For example: "
    "“I'm going to the big Tesco on Saturday morning and have room for a shopping list” "
    "or “a wheelchair to lend”."
)
OFFER_SUMMARY = (
    "<b>Please check your offer:</b>\n"
    "What: {category}\nWhere: {area}\nWhen: {when}\n\n{description}\n\n"
    "Shall I post it?"
)
OFFER_POSTED = (
    "Your offer is saved (offer {id}). If a neighbour needs it, I'll ask you, just like a "
    "volunteer; you can say yes or no then."
)
MINE_OFFERS_HEADER = "<b>Your offers</b>"
OFFER_LINE = "Offer {id}: {category} in {area}, {when}: {status}\n{description}"
OFFER_STATUS_LABELS = {
    "open": "open",
    "accepted": "taken up, thank you!",
    "done": "taken up, thank you!",
    "cancelled": "cancelled",
    "closed": "ended",
}
OFFER_CANCELLED = "Your offer is cancelled."
CANNOT_CANCEL_OFFER = "That offer isn't open any more."


OFFER_PASSED = "until {last}"  # an offer's window that is over


def offer_line(offer: Offer, ended: bool = False, *, now: datetime, tz: ZoneInfo) -> str:
    status = "closed" if ended and offer.status.value == "open" else offer.status.value
    said = need_time(offer, now, tz)
    when = (
        OFFER_PASSED.format(last=day_words(said.last))
        if said.span is Span.PASSED
        else time_words(said)
    )
    return OFFER_LINE.format(
        id=offer.id,
        category=html(offer.category),
        area=html(offer.area),
        when=when,
        status=OFFER_STATUS_LABELS[status],
        description=html(offer.description),
    )


# --- coordinators and roles ----------------------------------------------------------------
HELP_COORDINATOR = help_section("coordinator")
HELP_LIAISON = help_section("liaison")
NOT_ALLOWED = "Sorry, that's only for the group's coordinators."
NOT_ALLOWED_ROLE = "Sorry, that's only for the group's {role}s."
BLOCKED_NOTICE = (
    "Your access to this group's bot has been paused by its coordinators. "
    "If you think this is a mistake, please contact the group directly."
)
BLOCKED_REPLY = "Sorry, this bot isn't available to you at the moment."
UNBLOCKED_NOTICE = "Your access to this group's bot is back. Send /help to see what you can do."
ROLE_NAMES = {"coordinator": "coordinator", "liaison": "council liaison"}

# invites
INVITE_USAGE = "Send <code>/invite coordinator</code> or <code>/invite liaison</code>."
INVITE_LINK = (
    "Here is a one-time link that makes someone a <b>{role}</b>. It works once, until "
    "{expires}. Send it to them privately:\n\n{link}"
)
INVITE_UNKNOWN = (
    "Sorry, I don't recognise that invitation link. Please ask the coordinator who sent it "
    "for a new one."
)
INVITE_EXPIRED = (
    "Sorry, that invitation link has expired (they last 7 days). Please ask the coordinator "
    "who sent it for a new one."
)
INVITE_USED = (
    "Sorry, that invitation link has already been used (each works once). Please ask the "
    "coordinator who sent it for a new one."
)
INVITE_HELD = (
    "You've been invited to be a <b>{role}</b>. Please read the note below first; the role "
    "is yours as soon as you agree."
)
INVITE_ALREADY = "You're already a <b>{role}</b>; this link is left unused for someone else."
ROLE_GRANTED = "Welcome! You're now a <b>{role}</b> for this group."
ROLE_REMOVED_NOTICE = "A coordinator has removed your <b>{role}</b> role. Thank you for your help."

# /roles
ROLES_HEADER = "<b>Who holds which role</b>"
ROLES_LINE = "• {name} (id {id}): {role}{note}"
ROLES_CONFIGURED = " – set in the bot's configuration"
ROLES_NONE = "Nobody holds a role yet."
ROLE_CANNOT_REMOVE = {
    "configured": "That coordinator is set in the bot's configuration and can't be removed here.",
    "last": "That's the last coordinator; the group needs at least one.",
    "not_held": "They don't hold that role any more.",
}
ROLE_REMOVED = "Removed."

# /open
OPEN_NONE = "No requests are waiting for a volunteer. 🎉"
OPEN_HEADER = "<b>Waiting for a volunteer: {count}</b> (oldest first)"
OPEN_MORE = "…and {count} more. Deal with these first, then send /open again."
OPEN_LINE = (
    "<b>#{id}</b> {category} in {area}, {when}. Waiting {age}.\n"
    "Asked {asked}, {waiting} yet to answer."
)
NEED_FULL = (
    "<b>#{id}</b> {category} in <b>{area}</b>, {when} (until {until}).\n"
    "Status: {status}. Posted {age} ago.\n"
    "Resident: {resident}{caller}\n"
    "Asked {asked}, {waiting} yet to answer.\n\n{description}"
)
NEED_CALLER = "\nEntered for: <b>{caller}</b> (phoned in)"
NO_SUCH_NEED = "There's no request #{id}."
NEED_CLOSED_BY_COORDINATOR = "Closed <b>#{id}</b>. Nobody will be asked about it any more."
NEED_NOT_OPEN = "<b>#{id}</b> isn't waiting for a volunteer any more."
NEED_NOT_OPEN_SHORT = "#{id} isn't waiting for a volunteer any more."
RESIDENT_NEED_CLOSED = (
    "A coordinator has closed <b>#{id}</b> ({category}). If you still need help, send /need."
)
ASSIGN_PICK = "Who should be asked about <b>#{id}</b>? The best placed first:"
ASSIGN_NOBODY = (
    "Nobody eligible is left to ask about <b>#{id}</b>. To ask someone you know, send "
    "<code>/assign {id} @username</code> (or their first name, or their id)."
)

# /assign
ASSIGN_USAGE = (
    "Send <code>/assign 12 @priya</code>: the request's number, then the volunteer's "
    "@username, first name or id."
)
ASSIGNED = "I've asked {name} about <b>#{id}</b>. They can still decline."
ASSIGN_PROBLEMS = {
    "no_need": "There's no request #{id}.",
    "not_open": "<b>#{id}</b> isn't waiting for a volunteer any more.",
    "not_volunteer": "{name} hasn't signed up as a volunteer.",
    "not_approved": "{name} isn't approved yet: see /approve.",
    "not_vetted": "<b>#{id}</b> needs a vetted volunteer, and {name} isn't one: see /vetted.",
    "blocked": "{name} is blocked.",
    "unreachable": "{name} has blocked the bot, so can't be asked.",
    "self": "{name} is the resident of <b>#{id}</b>.",
    "already_asked": "{name} has already been asked about <b>#{id}</b> and not answered yet.",
}

# /approve
APPROVE_NONE = "No volunteers are waiting for approval."
APPROVE_LINE = (
    "<b>{name}</b>{username} (id {id})\nCan help with: {skills}\nAreas: {areas}\n"
    "Available: {availability}"
)
APPROVED = "✅ Approved: {name}."
REJECTED = "Not approved: {name}."
ALREADY_HANDLED = "Already dealt with."
VOLUNTEER_APPROVED = (
    "Good news: a coordinator has approved you. You'll get requests that match; each one "
    "has Accept and Decline."
)
VOLUNTEER_NOT_APPROVED = (
    "Thank you for offering to help. A coordinator wasn't able to approve your volunteer "
    "profile for now; they may get in touch. You can still ask for help with /need."
)

# /vetted
VETTED_USAGE = (
    "Send <code>/vetted @priya</code> (or a first name, or an id); add <i>off</i> to undo."
)
VETTED_ON = "{name} is now marked vetted and can get vetted-only requests."
VETTED_OFF = "{name} is no longer marked vetted."
VETTED_UNCHANGED = "{name} is already marked that way."
NOT_A_VOLUNTEER_ID = "Nobody with id {id} has signed up as a volunteer."

# /block
BLOCK_USAGE = (
    "Send <code>/block @username</code> (or a first name, or an id), with a reason after it "
    "if you like."
)
UNBLOCK_USAGE = "Send <code>/unblock @username</code> (or a first name, or an id)."
BLOCKED_DONE = (
    "Blocked {name}. Their open requests, offers and proposals are withdrawn, tasks they "
    "had accepted go back to other volunteers, and they got one neutral message."
)
UNBLOCKED_DONE = "Unblocked {name}. They have been told they can use the bot again."
BLOCK_PROBLEMS = {
    "unknown": "I don't know anyone with id {id}.",
    "self": "You can't block yourself.",
    "coordinator": "{name} is a coordinator: remove the role with /roles first.",
    "already": "{name} is already blocked.",
    "not_blocked": "{name} isn't blocked.",
}

# /newneed
VOLUNTEER_WITHDRAWN = (
    "<b>#{id}</b> ({category} in {area}) has been withdrawn by a coordinator, so please don't "
    "go. Thank you."
)
NEWNEED_INTRO = (
    "Entering a request for <b>{caller}</b>. You get the follow-ups; the volunteer who accepts "
    "gets the caller's first name and contact note, and can message you through this bot. "
    "Don't include their full address or health details."
)
NEWNEED_NO_CONTACT = (
    "No contact note for {caller}: the volunteer will reach them through you. To give the "
    "volunteer a number, start again with /newneed Doris, 07700 900123."
)
NEWNEED_CALLER = "someone who phoned in"

# /concerns
CONCERNS_NONE = "No open concerns."
CONCERN_LINE = "<b>Concern</b> from {who} about {about}, {age} ago:\n{text}"
CONCERN_ABOUT_NOTHING = "no particular request"
CONCERN_RESOLVED = "\n\n✅ Resolved by {name}."


def age(delta: timedelta) -> str:
    """How long ago, roughly: `40 min`, `3 h`, `2 days`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def person_label(first_name: str, username: str | None) -> str:
    return html(first_name) + (f" (@{html(username)})" if username else "")


# --- privacy: consent versions, /mydata, /forget (issue 5) --------------------------------
PRIVACY_UPDATED = (
    "<b>Our privacy note has changed.</b> Please read it and agree again to carry on; "
    "nothing you asked for is lost meanwhile.\n\n"
)
CONSENT_DECLINED_KEPT = (
    "All right. Until you agree to the new note I can't start anything new for you; what "
    "you already asked for carries on. /mydata shows what we keep and /forget deletes it."
)
MYDATA_CAPTION = (
    "Everything we keep about you, as a file. Send /forget to delete it. "
    "Coordinators can also see your requests, to keep people safe."
)
MYDATA_NOTHING = "We keep nothing about you. (The file shows it: every part is empty.)"
MYDATA_FILENAME = "my-mutual-aid-data.json"
FORGET_ASK = (
    "<b>Delete your data?</b>\n"
    "• Your name, username, your requests' and offers' words, your volunteer profile and "
    "any form you were filling in are deleted.\n"
    "• Requests still open are withdrawn (volunteers only hear they were cancelled), and "
    "any job you accepted goes back to other volunteers.\n"
    "• We keep only anonymous counts (what kind of help, which area, when) for the group's "
    "reports.\n\n"
    "This can't be undone."
)
FORGET_DONE = (
    "Done: your data is deleted and only anonymous counts remain. "
    "If you'd like to come back one day, send /start."
)
FORGET_KEPT = "Nothing was deleted."
LIMIT_OPEN_NEEDS = (
    "You already have {limit} requests open, which is as many as one person can have at "
    "once. When one is done, or you cancel one in /mine, you can ask again."
)
LIMIT_DAILY_POSTS = (
    "You've posted {limit} times in the last 24 hours, which is the most we take in a day. "
    "Please try again tomorrow, or ask a coordinator. If anyone is in danger, call 999."
)
DUPLICATE_ASK = (
    "You already have {needs} open for <b>{category}</b> in <b>{area}</b>. Is this a new request?"
)
DUPLICATE_SAME = "Then nothing new is posted: {needs} stays open, and /mine shows it."
ALERT_SIGNPOSTED = (
    "ℹ️ <b>Signposted:</b> {who} started a request ({category} in {area}) that was about "
    "<b>{topics}</b>, so it was given those signposts and nothing was posted. "
    "They may welcome a call."
)


def refs(ids: list[int]) -> str:
    """`#3`, `#3 and #5`, `#3, #5 and #9`."""
    shown = [f"<b>#{i}</b>" for i in ids]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


# --- the coordinators' digest (handlers/digest.py) -------------------------------------------
DIGEST_TITLE = "<b>Digest for {group}</b> · {when}"
DIGEST_SECTION = "<b>{title}: {count}</b>{note}"
DIGEST_SECTION_EMPTY = "<b>{title}</b>: none."
DIGEST_CONTINUED = "<b>{title}</b> (continued)"
DIGEST_WAITING = "Waiting for a volunteer"
DIGEST_WAITING_NOTE = " (oldest first) – /open"
DIGEST_OVERDUE = "Accepted but overdue"
DIGEST_DONE = "Done since {since}"
DIGEST_PENDING = "Volunteers waiting for approval"
DIGEST_PENDING_NOTE = " – /approve"
DIGEST_CONCERNS = "Open concerns"
DIGEST_CONCERNS_NOTE = " – /concerns"
DIGEST_GAPS = "Gaps: open requests with no eligible volunteer"
DIGEST_AREA = "<i>{area}</i>"
DIGEST_NO_AREA = "<i>Not about a request</i>"
DIGEST_NEED = "<b>#{id}</b> {category}, {area}, {age}"
DIGEST_WAITING_NEED = "<b>#{id}</b> {category}, {area}, {age}; wanted: {when}"
DIGEST_OVERDUE_NEED = "<b>#{id}</b> {category}, {area}, {age}; with {volunteer}, overdue {late}"
DIGEST_DONE_NEED = "<b>#{id}</b> {category}, {area}, {age}; {hours}"
DIGEST_DONE_HOURS = "{hours} volunteer hours in all."
DIGEST_PENDING_LINE = "{name}: {skills}; {areas}; waiting {age}"
DIGEST_NOTE = "\n   📝 {note}"
DIGEST_NOTE_EXCERPT = 120
DIGEST_CONCERN_LINE = "{about}, from {who}, {age} ago: {text}"
DIGEST_GAP_LINE = "{category} in {area}: {count} waiting"
DIGEST_MORE = "…and {count} more."
DIGEST_HOURS = {0.25: "15 min", 0.5: "30 min", 1.0: "1 hour"}
CONCERN_EXCERPT = 200


def hours_given(hours: float | None) -> str:
    if hours is None:
        return "hours not given"
    return DIGEST_HOURS.get(hours) or f"{hours:g} hours"


# --- the liaison's figures (handlers/liaison.py) -------------------------------------------
REPORT_TITLE = "<b>{group}: how the community is doing</b>\n{period}"
REPORT_WEEKLY_TITLE = "<b>{group}: last week</b>\n{period}"
REPORT_SO_FAR = " (so far)"
REPORT_WHOLE = (
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
REPORT_POUNDS = ", worth {pounds} at £{rate} an hour (the council's own figure)"
REPORT_BY_AREA = "<b>By area</b> (posted, matched, done, still open, closed without help)"
REPORT_BY_CATEGORY = "<b>By category</b> (posted, matched, done, still open, closed without help)"
REPORT_ROW = (
    "<b>{name}</b>: {posted}, {matched}, {done}, {still_open}, {unmet}; "
    "median {median} to a match; {hours} volunteer hours; {active} active volunteers"
)
REPORT_QUIET = "No requests: {names}."
REPORT_BY_WARD = "<b>By council ward</b> (posted, matched, done, still open, closed without help)"
REPORT_HELPED = (
    "<b>People helped</b>: {people} (a request of theirs done in the period), "
    "of whom {came_back} came back and {first_time} were helped for the first time"
)
REPORT_TREND = "<b>Week by week</b> (week starting: posted, matched, done)"
REPORT_TREND_ROW = "{week}: {posted}, {matched}, {done}"
REPORT_SUPPLY_AREA = "<b>Volunteers against requests, by area</b> (who could be asked now)"
REPORT_SUPPLY_CATEGORY = "<b>Volunteers against requests, by skill</b>"
REPORT_SUPPLY_ROW = "{name}: {volunteers} volunteers for {needs} requests ({per_need} per request)"
REPORT_SUPPLY_NONE = "{name}: {volunteers} volunteers, no requests"
REPORT_UNSERVED = "<b>Requests with no volunteer to ask</b> (category in area)"
REPORT_UNSERVED_NONE = "<b>Requests with no volunteer to ask</b>: none."
REPORT_UNSERVED_ROW = "{category} in {area}"
REPORT_NOTE = (
    "<i>Figures from 1 to 4 are shown as &lt;5, and * marks a figure held back so that a "
    "small number can't be worked out from the others. Volunteers who could be asked are "
    "counted as they are now.</i>"
)
REPORT_BAD_PERIOD = {
    "format": (
        "Sorry, I didn't understand that period. Send /report for this month, "
        "<code>/report March</code> or <code>/report 2026-03</code> for a month, "
        "<code>/report Q1</code> or <code>/report 2026-Q1</code> for a quarter, "
        "<code>/report 2026</code> for a year, or "
        "<code>/report 2026-10-01 2026-10-31</code> for any dates."
    ),
    "order": (
        "The second date is before the first. Try it the other way round, e.g. "
        "<code>/report 2026-10-01 2026-10-31</code>."
    ),
    "too_long": "That's more than a year. Please ask for a year or less at a time.",
    "future": "That period hasn't started yet, so there's nothing to count.",
}
EXPORT_CAPTION = (
    "{group}: figures by week, area and category, {period}. "
    "A figure from 1 to 4, or one held back, leaves its cell empty; the last column says why."
)


def period_label(start: date, end: date, whole_month: bool) -> str:
    """`October 2026`, or `1 Oct 2026 to 31 Oct 2026`."""
    if whole_month:
        return start.strftime("%B %Y")
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


# --- typed answers (handlers/flows.py) -------------------------------------------------------
# What a step expected, when a typed answer fits none of its buttons; its buttons follow.
EXPECTED = {
    "need.category": (
        "Sorry, I didn't catch what kind of help that is. Please tap one below, or type it "
        "in a word or two, such as “shopping” or “prescription”."
    ),
    "need.area": "Please tap your area below, or type your street, estate or postcode.",
    "need.when": (
        "Please tap when you need it, or type “today”, “tomorrow”, “this week”, a day such "
        "as “Friday”, or “flexible”."
    ),
    "need.confirm": "Shall I post it? Tap Post or Cancel, or type “post” or “cancel”.",
    "need.duplicate": "Is this a new request? Tap a button, or type “new” or “same”.",
    "need.signposted": (
        "If your request isn't about that, tap “It's not that, post it” (or type “post it”) "
        "and a coordinator will read it first. Or tap Cancel."
    ),
    "volunteer.skills": (
        "Please tap what you can help with, or type it (such as “shopping”), then tap Done "
        "or type “done”."
    ),
    "volunteer.areas": (
        "Please tap the areas you can cover, or type one (such as a street or estate), then "
        "tap Done or type “done”."
    ),
    "volunteer.radius": "Please tap how far you can go, or type 1, 2 or 5 (km).",
    "volunteer.availability": (
        "Please tap when you're usually free, or type “any time”, “weekdays”, “weekends” or "
        "“evenings”."
    ),
    "volunteer.confirm": "Tap Save to keep your profile, or Cancel; or type “save” or “cancel”.",
    "resume": "Please tap Carry on, Start again or Cancel, or type one of them.",
    "forget": "Tap “Delete my data” or “Keep my data”, or type “delete” or “keep”.",
}
WHEN_DAY = {
    When.TODAY: "is today",
    When.TOMORROW: "is tomorrow",
    When.THIS_WEEK: "is within the week",
    When.FLEXIBLE: "is more than a week away",
}
WHEN_FROM_DAY = "{day} {is_when}, so I've put <b>{label}</b>.\n\n"
TICKED = "Ticked {name}"
UNTICKED = "Unticked {name}"
TOGGLED = "{changes}. Tap or type more, then Done."


def when_from_day(day: date, when: When) -> str:
    """`Friday 14 Mar is within the week, so I've put This week.` (then a blank line)."""
    return WHEN_FROM_DAY.format(
        day=f"{day:%A} {day.day} {day:%b}", is_when=WHEN_DAY[when], label=WHEN_LABELS[when]
    )


def toggled(ticked: list[str], unticked: list[str]) -> str:
    changes = [TICKED.format(name=html(n)) for n in ticked]
    changes += [UNTICKED.format(name=html(n)) for n in unticked]
    return TOGGLED.format(changes="; ".join(changes))


# --- flows put aside after MUTUALAID_FLOW_TIMEOUT (handlers/flows.py) ------------------------
ASIDE = (
    "Welcome back! You started {what} {age} ago.{chosen}\n\n"
    "Would you like to carry on where you left off, start again, or cancel it?"
)
ASIDE_WHAT = {
    "need": "asking for help",
    "offer": "making an offer",
    "newneed": "entering a request for <b>{caller}</b>",
    "volunteer": "signing up to volunteer",
    "concern": "raising a concern about <b>#{id}</b>",
}
ASIDE_CHOSEN = {
    "category": "What: {value}",
    "area": "Where: {value}",
    "when": "When: {value}",
    "description": "You wrote: “{value}”",
    "skills": "Can help with: {value}",
    "areas": "Areas: {value}",
}
ASIDE_EXCERPT = 80
ASIDE_A_WHILE = "a while"


def aside(what: str, age_text: str, chosen: list[tuple[str, str]]) -> str:
    """The summary of a flow put aside: what it was, how long ago, what was chosen."""
    lines = []
    for key, value in chosen:
        shown = value if len(value) <= ASIDE_EXCERPT else value[: ASIDE_EXCERPT - 1] + "…"
        lines.append(ASIDE_CHOSEN[key].format(value=html(shown)))
    return ASIDE.format(what=what, age=age_text, chosen="\n\n" + "\n".join(lines) if lines else "")


# --- signposts in context: needs held for a coordinator (handlers/held.py) -------------------
SIGNPOSTED_POST_ANYWAY = (
    "\n\nIf your request isn't about this, tap “It's not that, post it”: a coordinator will "
    "read it first, then pass it to volunteers."
)
SIGNPOSTED_ENDED = "All right: nothing was posted. If you need something else, send /need."
SUMMARY_HELD = "\n\n<i>A coordinator will read it before it goes to volunteers.</i>"
NEED_HELD = (
    "Thank you. <b>#{id}</b> is with a coordinator, who will read it first and then pass it "
    "to volunteers or get in touch. /mine shows it."
)
ALERT_HELD = (
    "ℹ️ <b>#{id}</b> {category} in {area}, {when}, is held for you: the resident was shown "
    "signposts about <b>{topics}</b> and said it's not that. Send /open to release it to "
    "volunteers or close it."
)
OPEN_HELD_HEADER = (
    "<b>Held for a coordinator: {count}</b> (oldest first). Each was shown signposts and the "
    "resident said it's not that: <b>Release</b> passes it to volunteers, <b>Close</b> ends it "
    "with a kind message."
)
OPEN_HELD_LINE = (
    "<b>#{id}</b> {category} in {area}, {when}. Held {age}.\n"
    "Signposts shown: {topics}.\n\n{description}"
)
HELD_NO_TOPICS = "none now"
HELD_RELEASED = "Released <b>#{id}</b> to volunteers: {asked} asked now."
HELD_RELEASED_NOBODY = (
    "Released <b>#{id}</b>. Nobody is free to ask about it just now, so it waits in /open."
)
HELD_CLOSED = "Closed <b>#{id}</b>; the resident has been told, kindly."
RESIDENT_RELEASED = (
    "A coordinator has read <b>#{id}</b> ({category}) and passed it to volunteers. I'll "
    "message you as soon as one accepts."
)
RESIDENT_HELD_CLOSED = (
    "A coordinator has read <b>#{id}</b> ({category}). I'm sorry: it's something our "
    "volunteers can't safely help with, so it won't be passed on.{signposts}\n\n"
    "Thank you for asking us. If there's something else we can do, send /need."
)
RESIDENT_HELD_SIGNPOSTS = " Here is who can help:\n\n{signposts}"
DIGEST_HELD = "Held for a coordinator"
DIGEST_HELD_NOTE = " – /open"


def signpost_lines(signposts: list[Signpost]) -> str:
    return "\n\n".join(f"<b>{html(s.topic)}</b>: {html(s.text)}" for s in signposts)


# --- typed answers outside a flow (handlers/outside.py) ----------------------------------------
STILL_NEEDED_WHICH = (
    "You have more than one request I asked about. Please tap under the one you mean:"
)


# --- the dashboard (handlers/dashboard.py) ----------------------------------------------------
DASHBOARD_LINK = (
    "Here is your sign-in link for the dashboard. It works once, for the next {minutes} "
    "minutes; don't share it:\n\n{link}\n\nSend /dashboard again for a new one."
)
DASHBOARD_NOT_ALLOWED = "Sorry, the dashboard is for the group's coordinators and council liaisons."
DASHBOARD_OFF = "The dashboard isn't running on this bot (MUTUALAID_WEB_HOST is off)."


# --- coordinators in the chat (handlers/people.py, needview.py, volunteers.py, announce.py) --


def reach(first_name: str, username: str | None, user_id: int) -> str:
    """Someone as a coordinator can act on them: their name opens their profile when tapped,
    and beside it what can be typed into a command (their @username, else their id), since
    a tap link alone may not open for everyone."""
    name = html(first_name or "someone")
    link = f'<a href="tg://user?id={user_id}">{name}</a>'
    return f"{link} @{html(username)}" if username else f"{link} (id {user_id})"


# Naming a person in a command (/assign 12 @priya, /vetted Priya, /block 5550001).
WHO_DO_YOU_MEAN = "More than one person fits “{typed}”. Which one do you mean?"
NOBODY_CALLED = "I don't know anyone called “{typed}” here."
NOBODY_WITH_ID = "I don't know anyone with id {typed} here."
NOBODY_WITH_USERNAME = (
    "I don't know anyone with the username @{typed} here (someone who has never talked to "
    "the bot can't be found)."
)
NOT_A_PERSON = "I couldn't read “{typed}” as a person."
STANDING = {
    "coordinator": "coordinator",
    "liaison": "council liaison",
    "volunteer": "volunteer",
    "pending": "new volunteer",
    "resident": "resident",
}
PICK_LABEL = "{name}{username} ({where}{standing}{blocked})"
PICK_BLOCKED = ", blocked"
NOT_A_VOLUNTEER_NAMED = "{name} hasn't signed up as a volunteer."
NOT_PENDING = "{name} isn't waiting for approval."

# A need in full (#12, /see 12, `See in full`, `See #12`).
SEE_USAGE = "Send <code>/see 12</code>, or just <code>#12</code>."
SEE_NEED_LABEL = "See #{id}"
NEED_VIEW = (
    "<b>#{id}</b> · {status}\n"
    "{category} in <b>{area}</b>, {when}\n"
    "Resident: {resident}{caller}\n"
    "{volunteer}{code}{asked}\n"
    "{description}\n\n"
    "<b>History</b>\n{history}"
)
VIEW_CALLER = "\nPhoned in: <b>{caller}</b>, entered by a coordinator{contact}"
VIEW_CALLER_CONTACT = "; contact: {note}"
VIEW_VOLUNTEER = "Volunteer: {volunteer}\n"
VIEW_CODE = "Doorstep code: <b>{code}</b>\n"
VIEW_ASKED = "Asked {asked}, {waiting} yet to answer.\n"
VIEW_NO_DETAILS = "<i>Its words and who asked were deleted (after it closed, or by /forget).</i>"
VIEW_STATUS = {
    "open": "waiting for a volunteer",
    "accepted": "a volunteer has it",
    "done": "done",
    "cancelled": "cancelled",
    "closed": "closed",
    "held": "held for a coordinator",
}
HISTORY_LINE = "{time} · {line}"
HISTORY_MORE = "<i>…and {count} earlier lines.</i>"
HISTORY_EXCERPT = 200
HISTORY = {
    "posted": "posted by {who}",
    "entered": "entered by {who} for {text}, who phoned in",
    "released": "released to volunteers by {who}",
    "asked": "{who} asked",
    "assigned": "{who} asked {other}",
    "declined": "{who} declined",
    "moved_on": "{who} couldn't be reached; others asked",
    "accepted": "{who} accepted",
    "reminded": "{who} reminded",
    "followed_up": "{who} asked how it went",
    "nudged": "{who} nudged",
    "still_needed": "the resident was asked if they still need help",
    "escalated": "nobody left to ask: coordinators alerted",
    "dropped": "{who} had it, and gave it back",
    "reassigned": "{who} took it from {other} to ask someone else",
    "done": "done by {who}{hours}",
    "closed": "closed",
    "closed_by": "closed by {who}",
    "cancelled": "cancelled",
    "reopened": "reopened by {who}",
    "concern": "⚠️ concern from {who}: {text}",
    "resolved": "concern resolved by {who}",
    "note": "📝 {who}: {text}",
    "messaged": "✉️ {who} to the resident: {text}",
}
HISTORY_HOURS = ", {hours}"
ACT_ASSIGN = "Assign"
ACT_REASSIGN = "Reassign"
ACT_CLOSE = "Close"
ACT_RELEASE = "Release"
ACT_REOPEN = "Reopen"
ACT_NOTE = "Add note"
ACT_MESSAGE = "Message resident"
NO_LABEL = "No"
LEFT_AS_IT_WAS = "Left as it was."
ASK_LABEL = "Ask {name}"
MATCH_LABEL = "Ask the usual way"
REASSIGN_ASK = (
    "Take <b>#{id}</b> from {volunteer} and ask someone else? They will be told not to go, "
    "and the resident that someone else will help."
)
REASSIGN_YES_LABEL = "Yes, reassign"
REASSIGNED = (
    "{volunteer} no longer has <b>#{id}</b>: they've been told not to go, and the resident "
    "that someone else will help."
)
NOT_THEIRS_NOW = "#{id} has changed since: look again."
VOLUNTEER_REASSIGNED = (
    "A coordinator has asked someone else to help with <b>#{id}</b> ({category} in {area}), "
    "so please don't go. Thank you for offering."
)
RESIDENT_REASSIGNED = (
    "A coordinator has changed who will help with <b>#{id}</b> ({category}): {volunteer} "
    "won't be coming. I'll message you as soon as another volunteer accepts."
)
END_ASK = (
    "Close <b>#{id}</b>? {volunteer} will be told not to go, and the resident that it's closed."
)
END_YES_LABEL = "Yes, close it"
CLOSED_TAKEN = "Closed <b>#{id}</b>. {volunteer} has been told not to go."
MATCHED = "The usual way: {asked} asked about <b>#{id}</b> now."
MATCHED_NOBODY = "Nobody is free to ask about <b>#{id}</b> just now; it waits in /open."
MATCH_ALREADY = "Volunteers are being asked about <b>#{id}</b> already."
REOPENED = "Reopened <b>#{id}</b>: {asked} asked now."
REOPENED_NOBODY = "Reopened <b>#{id}</b>. Nobody is free to ask just now, so it waits in /open."
RESIDENT_REOPENED = (
    "A coordinator has opened <b>#{id}</b> ({category}) again. I'll message you as soon as a "
    "volunteer accepts."
)
CANNOT_REOPEN = "#{id} can't be reopened now."
NOTE_ASK = "Type the note for <b>#{id}</b> (or /cancel). Only coordinators see notes."
NOTE_KEPT = "📝 Noted on <b>#{id}</b>."
MESSAGE_ASK = (
    "Type your message to {resident} about <b>#{id}</b> (or /cancel). It goes through the "
    "bot, headed as from the coordinators."
)
MESSAGE_SENT = "✉️ Sent to {resident}, and kept with <b>#{id}</b>."
FROM_COORDINATORS = (
    "✉️ <b>From the coordinators of {group}</b>, about <b>#{id}</b> ({category}):\n\n{text}"
)
INPUT_CANCELLED = "All right: nothing was kept or sent."
INPUT_TOO_LONG = "That's {length} characters; please keep it under {limit}."
INPUT_EMPTY = "Please type a few words, or send /cancel."
NEED_NO_NOTES = "#{id} keeps no notes now (its details were deleted)."
NOT_A_RESIDENT_TO_MESSAGE = "The resident of #{id} can't be messaged now."

# /volunteers
VOLUNTEERS_HEADER = "<b>Volunteers{matching}: {count}</b> (page {page} of {pages})"
VOLUNTEERS_MATCHING = " matching “{words}”"
VOLUNTEERS_NONE = "No volunteer matches “{words}”. Try a first name, a skill or an area."
VOLUNTEERS_EMPTY = "Nobody has signed up as a volunteer yet."
VOLUNTEER_LINE = (
    "{who} · {status}\n{skills}\n{areas}\n"
    "Open tasks: {open_tasks}. Last 30 days: {tasks} tasks, {hours} hours."
)
VOLUNTEER_STATUS = {
    "approved": "on duty",
    "paused": "paused",
    "pending": "waiting for approval",
    "blocked": "blocked",
    "unreachable": "has blocked the bot",
}
VOLUNTEER_VETTED = ", vetted"
VOLUNTEER_RADIUS = "within {km:g} km of a place they shared"
NO_SKILLS = "no skills"
NO_AREAS = "no areas"
PREVIOUS_LABEL = "‹ Previous"
NEXT_LABEL = "Next ›"
APPROVE_LABEL = "Approve"
REJECT_LABEL = "Reject"
VET_LABEL = "Vet"
UNVET_LABEL = "Unvet"
BLOCK_LABEL = "Block"
BLOCK_ASK = (
    "Block {who}? Their open requests, offers and proposals are withdrawn, tasks they "
    "accepted go back to other volunteers, and they get one neutral message."
)
BLOCK_YES_LABEL = "Yes, block"
VOLUNTEERS_PAGE = "Page {page} of {pages}."
VOLUNTEERS_SEARCH_GONE = "That list is old: send /volunteers again."
APPROVE_ALL_LABEL = "Approve all {count}"
APPROVE_ALL_OFFER = "{count} volunteers are waiting for approval."
APPROVE_USAGE = "Send <code>/approve</code> for everyone waiting, or <code>/approve Priya</code>."
APPROVE_MORE = "…and {count} more waiting."
APPROVE_ALL_ASK = (
    "Approve all {count} volunteers waiting? Each is told, and open requests are matched again."
)
APPROVE_ALL_YES_LABEL = "Yes, approve {count}"
APPROVE_ALL_CHANGED = "{count} are waiting now, not {was}. Approve all {count}?"
APPROVED_ALL = "✅ Approved {count} volunteers. Each has been told."

# /announce
ANNOUNCE_AREA = "📣 Who is it for? Choose an area, or every area."
ANNOUNCE_SKILL = "And which volunteers {where}? Choose a skill, or every skill."
ANNOUNCE_TYPE = "Now type the message for {audience} (or /cancel)."
ANNOUNCE_PREVIEW = "<b>This goes to {count} volunteers</b> ({audience}):\n\n{message}"
ANNOUNCE_NOBODY = (
    "No volunteer fits that ({audience}), so there's nobody to send it to. Send /announce to "
    "choose again."
)
ANNOUNCE_SENDING = "📣 Sending to {count} volunteers ({audience}), after people's own messages."
ANNOUNCE_QUIET = "📣 It's quiet hours: it goes to {count} volunteers ({audience}) at {time}."
ANNOUNCE_CANCELLED = "Cancelled: the announcement wasn't sent."
ANNOUNCE_GONE = "That announcement has been sent or cancelled already."
ANNOUNCE_MESSAGE = "📣 <b>From the coordinators of {group}</b>\n\n{text}"
ANNOUNCE_EVERY_AREA = "Every area"
ANNOUNCE_EVERY_SKILL = "Every skill"
AUDIENCE_ALL = "all volunteers"
AUDIENCE_AREA = "volunteers in {area}"
AUDIENCE_SKILL = "volunteers for {skill}"
AUDIENCE_BOTH = "volunteers in {area} for {skill}"
ANNOUNCE_THERE = "in {area}"
ANNOUNCE_ANYWHERE = "anywhere"
SEND_LABEL = "Send"
CANCEL_LABEL = "Cancel"
ANNOUNCE_MAX = 3000
ANNOUNCE_EXPECTED_AREA = "Please tap an area (or Every area), or type one."
ANNOUNCE_EXPECTED_SKILL = "Please tap a skill (or Every skill), or type one."


def audience(area: str | None, skill: str | None) -> str:
    if area and skill:
        return AUDIENCE_BOTH.format(area=html(area), skill=html(skill))
    if area:
        return AUDIENCE_AREA.format(area=html(area))
    if skill:
        return AUDIENCE_SKILL.format(skill=html(skill))
    return AUDIENCE_ALL


# --- council referrals (handlers/referrals.py) ------------------------------------------------
ASK_REFER_CATEGORY = (
    "<b>Refer a resident to the group.</b> What kind of help do they need? "
    "(/cancel stops, and nothing is kept.)"
)
ASK_REFER_AREA = (
    "Where do they live? Tap the area, or type their street, estate or postcode district "
    "(not the full address)."
)
ASK_REFER_DESCRIPTION = (
    "What would help, in a few words? Volunteers read this before anyone takes it, without "
    "the resident's name, so please leave out health details and the full address."
)
ASK_REFER_WHEN = "When do they need it?"
ASK_REFER_NAME = "The resident's <b>first name</b>? Only the volunteer who takes it on will see it."
BAD_REFER_NAME = "Please type just their first name (no numbers), in up to 40 characters."
ASK_REFER_CONTACT = (
    "A <b>phone number</b> the volunteer can ring them on, with a short note if it helps "
    "(“07700 900123, after 2pm”). Only the volunteer who takes it on will see it."
)
BAD_REFER_CONTACT = (
    "Please type a phone number (at least 6 digits), with a short note if you like, in up to "
    "100 characters."
)
ASK_REFER_REFERENCE = (
    "The council's own <b>case reference</b> for it? /referrals lists your referrals by it. "
    "Please don't put the resident's name in it."
)
BAD_REFER_REFERENCE = "Please type the council's reference on one line, in up to 40 characters."
REFER_SUMMARY = (
    "<b>Referral {ref}</b>\n{category} in <b>{area}</b>, {when}.\n\n{description}\n\n"
    "For <b>{name}</b>, on {contact}.\n\n"
    "<b>Has {name} agreed to be referred to the group</b>, and to the volunteer who takes it "
    "on having their first name and this number? Without that, nothing is kept."
)
REFER_SENT = (
    "Thank you. Referral <b>{ref}</b> is with the group's coordinators. /referrals shows "
    "what becomes of it."
)
REFER_NOT_AGREED = (
    "Nothing was kept. A referral needs the resident's agreement: once they have agreed, "
    "send /refer again."
)
# Coordinators.
ALERT_REFERRAL = (
    "📋 <b>The council has referred a request</b>: <b>#{id}</b> {category} in {area}, {when} "
    "(council reference {ref}). Send /open to take it or decline it."
)
OPEN_REFERRED_HEADER = (
    "<b>Referred by the council: {count}</b> (oldest first). <b>Take</b>: you become its "
    "contact, as with /newneed, and it goes to volunteers. <b>Decline</b>: you'll be asked "
    "why, and the council's liaison is told."
)
OPEN_REFERRED_LINE = (
    "<b>#{id}</b> {category} in {area}, {when}. Referred {age} ago (council reference "
    "{ref}).\n\n{description}"
)
REFERRAL_TAKEN = (
    "You took <b>#{id}</b> (council reference {ref}): you're its contact now, as with "
    "/newneed. {asked} volunteers asked."
)
REFERRAL_TAKEN_NOBODY = (
    "You took <b>#{id}</b> (council reference {ref}): you're its contact now. Nobody is free "
    "to ask about it just now, so it waits in /open."
)
REFERRAL_TAKEN_QUIET = (
    "You took <b>#{id}</b> (council reference {ref}): you're its contact now. It's quiet "
    "hours, so volunteers are asked at {at}."
)
ASK_DECLINE_REASON = (
    "Why can't the group take <b>#{id}</b> (council reference {ref})? The council's liaison "
    "reads your answer, so please leave out names and health details."
)
REFERRAL_DECLINED = "Declined <b>#{id}</b>. The council's liaison has been told why."
REFERRAL_GONE = "That referral has been taken or declined already."
LIAISON_DECLINED = (
    "The group can't take your referral <b>{ref}</b>. The coordinator said:\n\n“{reason}”"
)
DIGEST_REFERRED = "Referred by the council"
DIGEST_REFERRED_NOTE = " – /open"
# The liaison's /referrals.
REFERRALS_NONE = "You haven't referred anyone yet. Send /refer to pass the group a request."
REFERRALS_HEADER = "<b>Your referrals</b> (newest first)"
REFERRALS_MORE = "…and {count} older ones."
REFERRAL_LINE = "<b>{ref}</b>: {status}\nReferred {day}{steps}"
REFERRAL_STATUS = {
    "waiting": "waiting for the group",
    "taken": "taken by the group, finding a volunteer",
    "matched": "volunteer found",
    "done": "done",
    "closed": "closed without help",
    "declined": "declined",
}
REFERRAL_REASON = ": “{reason}”"
REFERRAL_STEP = {
    "taken": "taken after {age}",
    "matched": "volunteer found after {age}",
    "done": "done after {age}",
    "closed": "closed after {age}",
    "declined": "declined after {age}",
}
REFERRAL_WAITING = "waiting {age} so far"
# The report's referral figures.
REPORT_REFERRALS = (
    "<b>Referred by the council</b>\n"
    "Referrals: {referred}\n"
    "Met (done): {met}\n"
    "Median time from referral to a match: {median}\n"
    "Volunteer hours: {hours}{pounds}"
)
REPORT_REFERRAL_POUNDS = ", worth {pounds} (at the council's own figure per hour)"
EXPECTED.update(
    {
        "refer.category": (
            "Sorry, I didn't catch what kind of help that is. Please tap one below, or type "
            "it in a word or two, such as “shopping” or “prescription”."
        ),
        "refer.area": "Please tap their area below, or type their street, estate or postcode.",
        "refer.when": (
            "Please tap when they need it, or type “today”, “tomorrow”, “this week”, a day "
            "such as “Friday”, or “flexible”."
        ),
        "refer.agreed": (
            "Has the resident agreed to be referred? Tap “Yes, they agreed” or “No”, or type "
            "yes or no."
        ),
    }
)
ASIDE_WHAT.update(
    {
        "refer": "referring a resident to the group",
        "decline": "declining the council's referral <b>#{id}</b>",
    }
)


def referral_day(moment: datetime, tz: ZoneInfo) -> str:
    """`Wed 12 Mar, 09:30`, in the group's time zone."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"

"""Every user-facing string, in one place, ready for translation. All output is HTML."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from domain.community import Signpost
from domain.models import Availability, Need, Offer, VolunteerProfile, When

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

HELP_RESIDENT = (
    "<b>What you can do</b>\n"
    "/need – ask for help\n"
    "/offer – offer something once: to give or lend, or a trip you're making\n"
    "/mine – your requests, with Cancel while open\n"
    "/volunteer – offer to help neighbours\n"
    "/cancel – stop what you are doing\n"
    "/help – this list"
)

UNKNOWN_COMMAND = "Sorry, I don't know that command. Send /help to see what I can do."
UNKNOWN_TEXT = "I'm not sure what you mean. Send /need to ask for help, or /help for more."
NOTHING_TO_CANCEL = "There is nothing to stop. Send /help to see what I can do."
STALE_BUTTON = "That button is from an earlier message and no longer works."
NOT_FOR_YOU = "That button isn't for you."
USE_BUTTONS = "Please tap one of the buttons above, or send /cancel to stop."
IN_A_FLOW = "You're in the middle of something. Finish it, or send /cancel first."
CANCELLED = "Stopped. Nothing was posted."
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

# --- /volunteer ----------------------------------------------------------------------------
ASK_SKILLS = "Thank you for helping! What can you do? Tap all that apply, then Done."
PICK_ONE_SKILL = "Please choose at least one thing you can help with."
ASK_VOLUNTEER_AREAS = "Which areas can you cover? Tap all that apply, then Done."
PICK_ONE_AREA = "Please choose at least one area."
ASK_AVAILABILITY = "When are you usually free?"
AVAILABILITY_LABELS = {
    Availability.ANY: "Any time",
    Availability.WEEKDAYS: "Weekdays",
    Availability.WEEKENDS: "Weekends",
    Availability.EVENINGS: "Evenings",
}
VOLUNTEER_SUMMARY = (
    "<b>Your volunteer profile</b>\nCan help with: {skills}\nAreas: {areas}\n"
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
ACCEPTED_RESIDENT = (
    "Good news: <b>{volunteer}</b> will help with <b>#{id}</b> ({category}).\n"
    "They will get in touch. When they arrive they will say the code <b>{code}</b>; "
    "if they can't, don't open the door."
)


def html(text: str) -> str:
    return escape(text, quote=False)


def privacy_notice(group: str, retention_days: int) -> str:
    return PRIVACY_NOTICE.format(group=html(group), retention_days=retention_days)


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b, %H:%M")


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
        areas=html(", ".join(profile.areas)),
        availability=AVAILABILITY_LABELS[profile.availability],
    )


def _need_fields(need: Need) -> dict[str, str | int]:
    return {
        "id": need.id,
        "category": html(need.category),
        "area": html(need.area),
        "when": WHEN_LABELS[need.when].lower(),
        "description": html(need.description),
    }


def proposal(need: Need) -> str:
    """What a volunteer is asked: never the resident's name, username or contact."""
    return PROPOSAL.format(**_need_fields(need))


def proposal_ended(need: Need, template: str) -> str:
    fields = _need_fields(need)
    return template.format(id=fields["id"], category=fields["category"], area=fields["area"])


def accepted_volunteer(
    need: Need, resident_name: str, resident_id: int, username: str | None
) -> str:
    link = f'<a href="tg://user?id={resident_id}">{html(resident_name)}</a>'
    contact = f"message {link} on Telegram"
    if username:
        contact += f" (@{html(username)})"
    code = need.doorstep_code or "----"
    return ACCEPTED_VOLUNTEER.format(
        **_need_fields(need),
        resident=html(resident_name),
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

HELP_VOLUNTEER = (
    "\n\n<b>As a volunteer</b>\n"
    "/tasks – the jobs you have accepted\n"
    "/pause – stop getting requests for a while\n"
    "/resume – start getting requests again"
)

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
PROBLEM_NOTED = (
    "I'm sorry. A coordinator has been told and will be in touch. If anyone is in danger, call 999."
)
ALERT_UNMATCHED = (
    "⚠️ <b>#{id}</b> {category} in {area}, wanted today: no volunteer left to ask. "
    "Can someone help or /assign it?"
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
}
CANCELLED_NEED = "<b>#{id}</b> is cancelled. Nobody will be asked about it any more."
CANNOT_CANCEL = "That request can't be cancelled now; it isn't open."
TASKS_EMPTY = "You have no open tasks. Thank you for being ready to help!"
TASK_LINE = "<b>#{id}</b> {category} in {area}, {when}.\n{description}\nDoorstep code: {code}"
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


def need_line(template: str, need: Need) -> str:
    return template.format(**_need_fields(need))


def mine_line(need: Need) -> str:
    return MINE_LINE.format(**_need_fields(need), status=STATUS_LABELS[need.status.value])


def task_line(need: Need) -> str:
    return TASK_LINE.format(**_need_fields(need), code=need.doorstep_code or "----")


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


def offer_line(offer: Offer) -> str:
    return OFFER_LINE.format(
        id=offer.id,
        category=html(offer.category),
        area=html(offer.area),
        when=WHEN_LABELS[offer.when].lower(),
        status=OFFER_STATUS_LABELS[offer.status.value],
        description=html(offer.description),
    )

"""Every user-facing string, in one place, ready for translation. All output is HTML."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    "/mydata – everything we keep about you; /forget – delete it\n"
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
        areas=html(", ".join(profile.areas)) or "none by name",
        radius=f"; within {profile.radius_km:g} km of your location" if profile.radius_km else "",
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


def offer_line(offer: Offer, ended: bool = False) -> str:
    status = "closed" if ended and offer.status.value == "open" else offer.status.value
    return OFFER_LINE.format(
        id=offer.id,
        category=html(offer.category),
        area=html(offer.area),
        when=WHEN_LABELS[offer.when].lower(),
        status=OFFER_STATUS_LABELS[status],
        description=html(offer.description),
    )


# --- coordinators and roles ----------------------------------------------------------------
HELP_COORDINATOR = (
    "\n\n<b>As a coordinator</b>\n"
    "/digest – what needs a human now\n"
    "/open – requests waiting for a volunteer\n"
    "/approve – volunteers waiting for approval\n"
    "/assign 12 5550001 – ask one volunteer about #12\n"
    "/vetted 5550001 – mark a volunteer vetted (add <i>off</i> to undo)\n"
    "/newneed Doris – enter a request for someone who phoned in\n"
    "/concerns – open concerns\n"
    "/report and /export – the figures the council sees\n"
    "/block 5550001 and /unblock 5550001\n"
    "/invite coordinator or /invite liaison – a one-time link\n"
    "/roles – who holds which role"
)
HELP_LIAISON = (
    "\n\n<b>For the council</b>\n"
    "/report – this month's figures (or /report 2026-10)\n"
    "/export – the same as a spreadsheet"
)
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
    "<code>/assign {id} &lt;their id&gt;</code>."
)

# /assign
ASSIGN_USAGE = (
    "Send <code>/assign &lt;request&gt; &lt;volunteer id&gt;</code>, e.g. /assign 12 5550001."
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
VETTED_USAGE = "Send <code>/vetted &lt;volunteer id&gt;</code> (add <i>off</i> to undo)."
VETTED_ON = "{name} is now marked vetted and can get vetted-only requests."
VETTED_OFF = "{name} is no longer marked vetted."
VETTED_UNCHANGED = "{name} is already marked that way."
NOT_A_VOLUNTEER_ID = "Nobody with id {id} has signed up as a volunteer."

# /block
BLOCK_USAGE = "Send <code>/block &lt;user id&gt;</code>, optionally with a reason after it."
UNBLOCK_USAGE = "Send <code>/unblock &lt;user id&gt;</code>."
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
    "Entering a request for <b>{caller}</b>. You'll be its contact: the volunteer who accepts "
    "gets in touch with you, and you get the follow-ups. Don't include their full address "
    "or health details."
)
NEWNEED_CALLER = "someone who phoned in"

# /concerns
CONCERNS_NONE = "No open concerns."
CONCERN_LINE = "<b>Concern</b> from {who} (id {id}) about {about}, {age} ago:\n{text}"
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
DIGEST_OVERDUE_NEED = "<b>#{id}</b> {category}, {area}, {age}; with {volunteer}, overdue {late}"
DIGEST_DONE_NEED = "<b>#{id}</b> {category}, {area}, {age}; {hours}"
DIGEST_DONE_HOURS = "{hours} volunteer hours in all."
DIGEST_PENDING_LINE = "{name} (id {id}): {skills}; {areas}; waiting {age}"
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
        "<code>/report 2026-10</code> for a month, or "
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
    "Figures from 1 to 4 are shown as &lt;5; * marks one held back."
)
EXPORT_HEADER = (
    "week",
    "from",
    "to",
    "area",
    "category",
    "requests posted",
    "matched",
    "done",
    "still open at the end",
    "closed without help",
    "median hours to a match",
    "volunteer hours",
    "active volunteers",
    "volunteers who could be asked now",
)
EXPORT_POUNDS_HEADER = "value in pounds (the council's £{rate} an hour)"


def period_label(start: date, end: date, whole_month: bool) -> str:
    """`October 2026`, or `1 Oct 2026 to 31 Oct 2026`."""
    if whole_month:
        return start.strftime("%B %Y")
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"

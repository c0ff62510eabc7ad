"""The dashboard's words outside its templates: what an action came to, and labels.

Kept in one place, like handlers/texts.py for the chat, ready for translation.
"""

from __future__ import annotations

from domain.models import NeedStatus

# What a coordinator's action came to (the `done` of the page it returns to).
DONE = {
    "assigned": "Asked. They can accept or decline in Telegram, like any request.",
    "closed": "Closed. The resident has been told.",
    "approved": "Approved. They have been told, and open requests are being matched again.",
    "rejected": "Not approved. They have been told, kindly.",
    "vetted": "Marked vetted. Vetted-only requests are being matched again.",
    "unvetted": "No longer marked vetted.",
    "blocked": "Blocked. Their open requests and proposals were withdrawn.",
    "unblocked": "Unblocked. They can use the bot again.",
    "resolved": "Marked resolved.",
    "already": "Someone got there first: that had already been done.",
    "no_volunteer": "Choose a volunteer to ask (or type their id).",
}
ASSIGN_PROBLEMS = {
    "no_need": "There is no such request.",
    "not_open": "That request isn't waiting for a volunteer any more.",
    "not_volunteer": "They haven't signed up as a volunteer.",
    "not_approved": "They are waiting for approval: approve them first.",
    "not_vetted": "This category is for vetted volunteers only.",
    "blocked": "They are blocked.",
    "unreachable": "They have blocked the bot, so they can't be asked.",
    "self": "That is the resident themselves.",
    "already_asked": "They have already been asked and haven't answered yet.",
}
BLOCK_PROBLEMS = {
    "unknown": "There is no such person.",
    "self": "You can't block yourself.",
    "coordinator": "They are a coordinator: take the role away in Telegram (/roles) first.",
    "already": "They are blocked already.",
    "not_blocked": "They aren't blocked.",
}

STATUS = {
    NeedStatus.OPEN.value: "waiting for a volunteer",
    NeedStatus.ACCEPTED.value: "a volunteer has it",
    NeedStatus.DONE.value: "done",
    NeedStatus.CANCELLED.value: "cancelled",
    NeedStatus.CLOSED.value: "closed without help",
    NeedStatus.HELD.value: "held for a coordinator",
    "referred": "referred by the council, waiting for a coordinator",
}


def status(value: str) -> str:
    """A need's status as the pages say it (any new status still reads sensibly)."""
    return STATUS.get(value, value.replace("_", " "))


PROPOSAL_STATUS = {
    "open": "asked, no answer yet",
    "accepted": "accepted",
    "declined": "declined",
    "taken": "someone else took it",
    "moved_on": "moved on (couldn't be reached)",
    "withdrawn": "withdrawn",
    "dropped": "accepted, then couldn't do it",
    "lapsed": "lapsed",
}
AUDIT = {
    "invite": "made an invite link",
    "invite_used": "joined with an invite",
    "role_removed": "took a role away",
    "approve": "approved a volunteer",
    "reject": "did not approve a volunteer",
    "vetted": "marked a volunteer vetted",
    "unvetted": "unmarked a volunteer as vetted",
    "assign": "asked a volunteer",
    "block": "blocked someone",
    "unblock": "unblocked someone",
    "newneed": "entered a request for a caller",
    "close_need": "closed a request",
    "see_need": "looked at a request in full",
    "resolve_concern": "resolved a concern",
    "release_need": "released a held request",
    "web_signin": "signed in to the dashboard",
}
WHEN = {"today": "today", "tomorrow": "tomorrow", "week": "this week", "flexible": "flexible"}

# The small-number rule, said once on every figures page.
SUPPRESSION = (
    "Counts from 1 to 4 are shown as <5. A figure shown * is withheld so that a small number "
    "can't be worked out from the others; hours and times go with their count. Nothing here "
    "names or points to a person."
)

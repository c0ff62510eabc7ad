"""The coordinators' rules: who holds which role, invites, blocking and hand-picked assigns.

Plain data in, plain data out: the handlers ask these before they change anything.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from domain.community import Community
from domain.models import Frozen, Need, NeedStatus, Person, Role, VolunteerProfile

INVITE_TTL = timedelta(days=7)
INVITE_CODE_BYTES = 12  # 16 URL-safe characters; Telegram allows up to 64 in a start link
MAX_CALLER_LABEL = 40


def new_invite_code() -> str:
    """A random, URL-safe code for a `t.me/<bot>?start=<code>` link."""
    return secrets.token_urlsafe(INVITE_CODE_BYTES)


def looks_like_code(text: str) -> bool:
    """Whether a /start argument could be an invite code at all (cheap, before any lookup)."""
    return 8 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


def parse_role(text: str | None) -> Role | None:
    """`coordinator` or `liaison`, as typed after /invite."""
    try:
        return Role((text or "").strip().lower())
    except ValueError:
        return None


class Invite(Frozen):
    code: str
    role: Role
    created_by: int
    created_at: datetime
    expires_at: datetime
    pending_by: int | None = None
    used_by: int | None = None
    used_at: datetime | None = None


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


def invite_problem(invite: Invite | None, user_id: int, now: datetime) -> InviteProblem | None:
    """Why this invite can't be used by this person now; None if it can."""
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.used_at is not None:
        return None if invite.used_by == user_id else InviteProblem.USED
    if now >= invite.expires_at:
        return InviteProblem.EXPIRED
    return None


def invite_expiry(now: datetime) -> datetime:
    return now + INVITE_TTL


class RoleHolder(Frozen):
    user_id: int
    first_name: str
    username: str | None = None
    role: Role
    granted_at: datetime
    granted_by: int | None = None


class RemoveProblem(StrEnum):
    CONFIGURED = "configured"  # set in MUTUALAID_COORDINATOR_IDS: only the deployer can change it
    LAST = "last"  # nobody would be left to coordinate
    NOT_HELD = "not_held"


def remove_problem(
    user_id: int, role: Role, holders: Iterable[RoleHolder], configured: Iterable[int]
) -> RemoveProblem | None:
    """Why this role can't be taken from this person by the bot; None if it can."""
    holders = list(holders)
    if not any(h.user_id == user_id and h.role is role for h in holders):
        return RemoveProblem.NOT_HELD
    if role is Role.COORDINATOR:
        if user_id in set(configured):
            return RemoveProblem.CONFIGURED
        if sum(1 for h in holders if h.role is Role.COORDINATOR) <= 1:
            return RemoveProblem.LAST
    return None


def removable(holder: RoleHolder, configured: Iterable[int]) -> bool:
    """Whether /roles shows a Remove button for this role (the last-one rule is checked on
    the press, when it is known who is left)."""
    return not (holder.role is Role.COORDINATOR and holder.user_id in set(configured))


class BlockProblem(StrEnum):
    UNKNOWN = "unknown"
    SELF = "self"
    COORDINATOR = "coordinator"  # take the role away first
    ALREADY = "already"
    NOT_BLOCKED = "not_blocked"


def block_problem(
    actor_id: int, target: Person | None, configured: Iterable[int]
) -> BlockProblem | None:
    if target is None:
        return BlockProblem.UNKNOWN
    if target.id == actor_id:
        return BlockProblem.SELF
    if Role.COORDINATOR in target.roles or target.id in set(configured):
        return BlockProblem.COORDINATOR
    if target.blocked:
        return BlockProblem.ALREADY
    return None


def unblock_problem(target: Person | None) -> BlockProblem | None:
    if target is None:
        return BlockProblem.UNKNOWN
    if not target.blocked:
        return BlockProblem.NOT_BLOCKED
    return None


class AssignProblem(StrEnum):
    NO_NEED = "no_need"
    NOT_OPEN = "not_open"
    NOT_VOLUNTEER = "not_volunteer"
    NOT_APPROVED = "not_approved"
    NOT_VETTED = "not_vetted"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    SELF = "self"
    ALREADY_ASKED = "already_asked"  # an open proposal is waiting for their answer


def assign_problem(
    need: Need | None,
    volunteer: Person | None,
    profile: VolunteerProfile | None,
    community: Community,
) -> AssignProblem | None:
    """Whether a coordinator may ask this volunteer about this need.

    A coordinator may go past skills, areas, availability, the task limit and an earlier
    decline (they may have phoned the volunteer), but never past approval, vetting for a
    vetted-only category, a block, someone who can't be reached, or the resident themselves.
    """
    if need is None:
        return AssignProblem.NO_NEED
    if need.status is not NeedStatus.OPEN:
        return AssignProblem.NOT_OPEN
    if volunteer is None or profile is None:
        return AssignProblem.NOT_VOLUNTEER
    if volunteer.id == need.resident_id:
        return AssignProblem.SELF
    if volunteer.blocked:
        return AssignProblem.BLOCKED
    if not volunteer.reachable:
        return AssignProblem.UNREACHABLE
    if not profile.approved:
        return AssignProblem.NOT_APPROVED
    category = community.category(need.category)
    if category is not None and category.vetted_only and not profile.vetted:
        return AssignProblem.NOT_VETTED
    return None


MAX_CONTACT_NOTE = 100


def caller_and_contact(text: str) -> tuple[str, str | None]:
    """`/newneed Doris, 07700 900123` or `/newneed Doris 07700 900123`: the caller's name and
    a contact note. Without a comma the note starts at the first word with a digit."""
    text = " ".join(text.split())
    if "," in text:
        name, _, note = text.partition(",")
    else:
        words = text.split(" ")
        at = next((i for i, w in enumerate(words) if any(c.isdigit() for c in w)), len(words))
        name, note = " ".join(words[:at]), " ".join(words[at:])
    note = note.strip()[:MAX_CONTACT_NOTE]
    return name.strip(), note or None


def caller_label(text: str) -> str | None:
    """The name or label a coordinator gives the person who phoned in, kept short."""
    label = " ".join(text.split())[:MAX_CALLER_LABEL]
    return label or None


class Concern(Frozen):
    id: int
    need_id: int | None
    raised_by: int
    raised_by_name: str | None = None
    text: str
    created_at: datetime


class AuditEntry(Frozen):
    id: int
    actor_id: int
    action: str
    target: str | None = None
    detail: str | None = None
    at: datetime


class Audit(StrEnum):
    """What the audit log records, one word each."""

    INVITE = "invite"
    INVITE_USED = "invite_used"
    ROLE_REMOVED = "role_removed"
    APPROVE = "approve"
    REJECT = "reject"
    VETTED = "vetted"
    UNVETTED = "unvetted"
    ASSIGN = "assign"
    BLOCK = "block"
    UNBLOCK = "unblock"
    NEWNEED = "newneed"
    CLOSE_NEED = "close_need"
    SEE_NEED = "see_need"  # a coordinator looked at a need with the resident's identity
    RESOLVE_CONCERN = "resolve_concern"
    RELEASE_NEED = "release_need"  # a held need let go to matching
    TAKE_REFERRAL = "take_referral"  # a council referral taken: matched, they its contact
    DECLINE_REFERRAL = "decline_referral"  # the reason is kept with the referral
    REASSIGN = "reassign"  # a task taken from its volunteer (detail: volunteer:<id>)
    REOPEN_NEED = "reopen_need"  # a closed or cancelled need opened again (detail: was)
    NOTE = "note"  # a note kept with a need (its words are in need_notes)
    MESSAGE_RESIDENT = "message_resident"  # words sent to a need's resident
    ANNOUNCE = "announce"  # a message to volunteers (detail: who, and the words)

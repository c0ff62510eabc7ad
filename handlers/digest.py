"""The coordinators' digest: daily at MUTUALAID_DIGEST_TIME, and on /digest.

The daily one is a `digest` row of timed work. Its performer sends the digest and books the
next one at the next local digest time after now, so a digest that fell due while the bot
was down is sent once on start, not once for every day missed. Each row carries the time
of the digest before it (`since`), which is where "done since the last digest" starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from domain.dates import window_time
from domain.digest import Digest, Grouped, Item, build_digest, size
from domain.models import Role, Work
from domain.periods import next_local
from handlers import i18n, outbox, texts
from handlers.common import reply, tell, to
from handlers.context import Ctx, Services
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

KIND = "digest"
MAX_MESSAGE = 4096  # Telegram's limit for one message's text
MAX_ITEMS = 100  # per section; the rest are counted, and /open, /approve, /concerns list them
DEFAULT_SINCE = timedelta(days=1)


# --- splitting -------------------------------------------------------------------------------


def _length(text: str) -> int:
    """What Telegram counts (UTF-16 code units), taken over the HTML: never less than it."""
    return len(text.encode("utf-16-le")) // 2


def split_message(blocks: Sequence[Sequence[str]], limit: int = MAX_MESSAGE) -> list[str]:
    """Messages of at most `limit` characters, broken between blocks (sections) where they
    fit and otherwise between a block's lines (items), its heading repeated as `continued`.

    A block is its heading line then its item lines; blocks are separated by a blank line.
    """
    messages: list[str] = []
    current = ""

    def put(text: str) -> None:
        nonlocal current
        joined = f"{current}\n\n{text}" if current else text
        if _length(joined) <= limit:
            current = joined
            return
        if current:
            messages.append(current)
        current = text

    for block in blocks:
        text = "\n".join(block)
        if _length(text) <= limit:
            put(text)
            continue
        heading, items = block[0], list(block[1:])
        continued = texts.DIGEST_CONTINUED.format(title=_title_of(heading))
        part = heading
        for item in items:
            item = item if _length(item) <= limit // 2 else item[: limit // 2 - 1] + "…"
            if _length(f"{part}\n{item}") > limit:
                put(part)
                part = continued
            part = f"{part}\n{item}"
        put(part)
    if current:
        messages.append(current)
    return messages


def _title_of(heading: str) -> str:
    """The bold title of a section heading, for its `continued` line."""
    start, end = heading.find("<b>"), heading.find("</b>")
    title = heading[start + 3 : end] if 0 <= start < end else heading
    return title.rsplit(":", 1)[0]


# --- rendering -------------------------------------------------------------------------------


def _section(title: str, count: int, lines: list[str], note: str = "") -> list[str]:
    if not count:
        return [texts.DIGEST_SECTION_EMPTY.format(title=title)]
    return [texts.DIGEST_SECTION.format(title=title, count=count, note=note), *lines]


def _grouped(grouped: Grouped[Item], line: Callable[[Item], str]) -> list[str]:
    """Area subheadings and their items, at most MAX_ITEMS, then how many more."""
    out: list[str] = []
    shown = 0
    for area, items in grouped:
        if shown >= MAX_ITEMS:
            break
        out.append(texts.DIGEST_AREA.format(area=texts.html(area)))
        for item in items[: MAX_ITEMS - shown]:
            out.append(line(item))
            shown += 1
    if size(grouped) > shown:
        out.append(texts.DIGEST_MORE.format(count=size(grouped) - shown))
    return out


def _need_fields(item: Item) -> dict[str, object]:
    need = item.need
    return {
        "id": need.id,
        "category": texts.named(need.category),
        "area": texts.html(need.area),
        "age": texts.age(item.age),
    }


def _noted(line: str, item: Item) -> str:
    """A need's line, with the latest note a coordinator kept on it."""
    note = " ".join((item.need.note or "").split())
    if not note:
        return line
    if len(note) > texts.DIGEST_NOTE_EXCERPT:
        note = note[: texts.DIGEST_NOTE_EXCERPT - 1] + "…"
    return line + texts.DIGEST_NOTE.format(note=texts.html(note))


def _waiting_line(item: Item, now: datetime, tz: ZoneInfo) -> str:
    """A need waiting for a volunteer, with when it is wanted as read at `now`."""
    need = item.need
    if need.when is None or need.window_start is None:
        return _noted(texts.DIGEST_NEED.format(**_need_fields(item)), item)
    said = window_time(need.when, need.window_start, need.window_end, now, tz)
    line = texts.DIGEST_WAITING_NEED.format(**_need_fields(item), when=texts.time_words(said))
    return _noted(line, item)


def _volunteer(item: Item) -> str:
    """Who has an overdue need, as a coordinator can reach them."""
    need = item.need
    if need.volunteer and need.volunteer_id is not None:
        return texts.reach(need.volunteer, need.volunteer_username, need.volunteer_id)
    return texts.html(need.volunteer) if need.volunteer else texts.A_VOLUNTEER_LOWER


def render_digest(
    digest: Digest, group: str, when: str, since: str, tz: ZoneInfo
) -> list[list[str]]:
    """The digest as blocks: a title, then one block per section."""
    blocks: list[list[str]] = [[texts.DIGEST_TITLE.format(group=texts.html(group), when=when)]]
    blocks.append(
        _section(
            texts.DIGEST_WAITING,
            size(digest.waiting),
            _grouped(digest.waiting, lambda i: _waiting_line(i, digest.now, tz)),
            texts.DIGEST_WAITING_NOTE,
        )
    )
    blocks.append(
        _section(
            texts.DIGEST_HELD,
            size(digest.held),
            _grouped(digest.held, lambda i: _noted(texts.DIGEST_NEED.format(**_need_fields(i)), i)),
            texts.DIGEST_HELD_NOTE,
        )
    )
    blocks.append(
        _section(
            texts.DIGEST_REFERRED,
            size(digest.referred),
            _grouped(digest.referred, lambda i: texts.DIGEST_NEED.format(**_need_fields(i))),
            texts.DIGEST_REFERRED_NOTE,
        )
    )
    blocks.append(
        _section(
            texts.DIGEST_OVERDUE,
            size(digest.overdue),
            _grouped(
                digest.overdue,
                lambda i: _noted(
                    texts.DIGEST_OVERDUE_NEED.format(
                        **_need_fields(i),
                        volunteer=_volunteer(i),
                        late=texts.age(i.late or timedelta()),
                    ),
                    i,
                ),
            ),
        )
    )
    done_lines = _grouped(
        digest.done,
        lambda i: texts.DIGEST_DONE_NEED.format(
            **_need_fields(i), hours=texts.hours_given(i.need.hours)
        ),
    )
    if digest.done:
        done_lines.append(
            texts.DIGEST_DONE_HOURS.format(
                hours=texts.number(digest.done_hours), count=digest.done_hours
            )
        )
    blocks.append(_section(texts.DIGEST_DONE.format(since=since), size(digest.done), done_lines))
    pending = [
        texts.DIGEST_PENDING_LINE.format(
            name=texts.reach(p.first_name, p.username, p.user_id),
            skills=", ".join(map(texts.named, p.skills)) or texts.NO_SKILLS,
            areas=texts.html(", ".join(p.areas)) or texts.NO_AREAS_YET,
            age=texts.age(waited),
        )
        for p, waited in digest.pending[:MAX_ITEMS]
    ]
    if len(digest.pending) > MAX_ITEMS:
        pending.append(texts.DIGEST_MORE.format(count=len(digest.pending) - MAX_ITEMS))
    blocks.append(
        _section(texts.DIGEST_PENDING, len(digest.pending), pending, texts.DIGEST_PENDING_NOTE)
    )
    concerns: list[str] = []
    for area, items in digest.concerns:
        heading = texts.DIGEST_AREA.format(area=texts.html(area)) if area else texts.DIGEST_NO_AREA
        concerns.append(heading)
        for concern, ago in items:
            about = f"<b>#{concern.need_id}</b>" if concern.need_id else texts.GENERAL_CONCERN
            text = concern.text[: texts.CONCERN_EXCERPT]
            if len(concern.text) > texts.CONCERN_EXCERPT:
                text += "…"
            concerns.append(
                texts.DIGEST_CONCERN_LINE.format(
                    about=about,
                    who=(
                        texts.reach(
                            concern.raised_by, concern.raised_by_username, concern.raised_by_id
                        )
                        if concern.raised_by_id is not None and concern.raised_by != "someone"
                        else texts.SOMEONE
                        if concern.raised_by == "someone"
                        else texts.html(concern.raised_by)
                    ),
                    age=texts.age(ago),
                    text=texts.html(" ".join(text.split())),
                )
            )
    blocks.append(
        _section(texts.DIGEST_CONCERNS, size(digest.concerns), concerns, texts.DIGEST_CONCERNS_NOTE)
    )
    gaps: list[str] = []
    for area, area_gaps in digest.gaps:
        gaps.append(texts.DIGEST_AREA.format(area=texts.html(area)))
        gaps += [
            texts.DIGEST_GAP_LINE.format(
                category=texts.named(g.category), area=texts.html(g.area), count=g.waiting
            )
            for g in area_gaps
        ]
    blocks.append(_section(texts.DIGEST_GAPS, size(digest.gaps), gaps))
    return blocks


async def digest_messages(s: Services, now: datetime, since: datetime) -> list[str]:
    """Today's digest, split into messages Telegram will take."""
    rows = await s.store.reports.digest_rows(now, since)
    digest = build_digest(rows, s.community, now, since)
    blocks = render_digest(
        digest,
        s.community.name,
        texts.local_time(now, s.tz),
        texts.local_time(since, s.tz),
        s.tz,
    )
    return split_message(blocks)


# --- the daily row, and /digest -------------------------------------------------------------


def _since(work: Work | None, now: datetime) -> datetime:
    value = work.payload.get("since") if work is not None else None
    try:
        since = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        since = None
    if since is None or since.tzinfo is None or since > now:
        return now - DEFAULT_SINCE
    return since


async def send_digest(context: Ctx, work: Work) -> None:
    """The daily digest to every coordinator; the next one is booked first, so a failure
    here (retried by the tick) can never stop the daily digests."""
    s = context.services
    now = s.now()
    await s.store.reports.schedule_once(
        KIND, next_local(now, s.digest_time, s.tz), now, beyond=now, since=now.isoformat()
    )
    since = _since(work, now)
    in_language: dict[str, list[str]] = {}  # the digest, worked out once in each language
    for user_id in await s.store.people.with_role(Role.COORDINATOR):
        async with to(context, user_id):
            language = i18n.current()
            if language not in in_language:
                in_language[language] = await digest_messages(s, now, since)
            for text in in_language[language]:
                tell(context, user_id, text, priority=outbox.BULK)


async def seed(s: Services) -> None:
    """On start: the next daily digest is booked unless one is already waiting."""
    now = s.now()
    await s.store.reports.schedule_once(KIND, next_local(now, s.digest_time, s.tz), now)


@coordinator_only
async def digest_command(update: Update, context: Ctx) -> None:
    """/digest: the digest now, with `done since` the last daily one."""
    s = context.services
    now = s.now()
    pending = await s.store.work.pending(KIND)
    for text in await digest_messages(s, now, _since(pending[0] if pending else None, now)):
        reply(update, context, text)


def digest_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    return [CommandHandler("digest", digest_command)]

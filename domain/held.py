"""Needs held for a coordinator (product.md, Signposts in context).

A resident shown signposts for anything but an emergency may say "it's not that, post it".
The need is then kept with the status `held`: nobody is asked about it until a coordinator
releases it to matching or closes it with a kind message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.community import Signpost
from domain.lifecycle import window_for
from domain.models import Need


def may_post_anyway(signposts: Sequence[Signpost]) -> bool:
    """`It's not that, post it` is offered unless an emergency signpost was shown."""
    return bool(signposts) and not any(s.is_emergency for s in signposts)


def release_window(need: Need, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The window a held need is matched in once released: its own while some of it is
    left, otherwise the same choice (`Today`, `This week`...) counted from now, so a need
    held overnight is not released already over."""
    if need.window_end > now:
        return need.window_start, need.window_end
    return window_for(need.when, now, tz)

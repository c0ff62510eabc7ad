"""The default signposts catch what the group must not do, and not everyday shopping."""

from __future__ import annotations

import pytest

from domain.community import parse_community

COMMUNITY = parse_community('name = "Town"\n[[areas]]\nname = "North"\n')


@pytest.mark.parametrize(
    "everyday",
    ["toilet roll and bread", "salad dressing and eggs", "a PIN badge for my grandson"],
)
def test_everyday_requests_are_not_signposted(everyday: str) -> None:
    assert COMMUNITY.signposts_for(everyday) == []


@pytest.mark.parametrize(
    ("request_text", "topic"),
    [
        ("could someone help me to the toilet", "Personal care"),
        ("I need my bank card taken to the cash machine", "Money and bank cards"),
        ("my PIN is 1234, please get cash", "Money and bank cards"),
        ("can a volunteer change my dressing", "Medical care"),
        ("my husband collapsed", "Emergencies"),
    ],
)
def test_what_the_group_must_not_do_is_signposted(request_text: str, topic: str) -> None:
    assert topic in [s.topic for s in COMMUNITY.signposts_for(request_text)]

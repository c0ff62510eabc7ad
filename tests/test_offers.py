"""One-off offers: posted like a need, matched to open needs in both directions."""

from __future__ import annotations

from datetime import timedelta

from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, labels, plain

from bot.sandbox import Person
from handlers import texts

OFFERER = Person(6600042, "Tomasz")


async def post_offer(
    bot: BotUnderTest,
    who: Person,
    category: str = "Shopping & essentials",
    area: str = "Trinity",
    description: str = "Going to the big Tesco on Saturday, room for a list",
    when: str = "This week",
) -> None:
    await bot.say(who, "/offer")
    assert bot.last_text(who) == texts.ASK_OFFER_CATEGORY
    await bot.press(who, category)
    await bot.press(who, area)
    await bot.say(who, description)
    await bot.press(who, when)
    assert "your offer" in plain(bot.last_text(who))
    await bot.press(who, "Post")


async def test_an_offer_is_saved_and_listed_with_cancel(bot: BotUnderTest) -> None:
    await bot.agree(OFFERER)
    await post_offer(bot, OFFERER)

    assert "Your offer is saved" in plain(bot.last_text(OFFERER))
    assert bot.rows("SELECT category, area, status FROM offers WHERE user_id=?", (OFFERER.id,)) == [
        ("Shopping & essentials", "Trinity", "open")
    ]
    await bot.say(OFFERER, "/mine")
    listing = bot.last(OFFERER)
    assert "Tesco" in plain(listing.text)
    assert labels(listing) == ["Cancel this offer"]
    await bot.press(OFFERER, "Cancel this offer")
    assert bot.rows("SELECT status FROM offers WHERE user_id=?", (OFFERER.id,)) == [("cancelled",)]


async def test_a_new_offer_is_asked_about_an_open_need_it_can_serve(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT, OFFERER)
    need_id = await bot.post_need(RESIDENT, when="This week")
    assert bot.count("proposals") == 0  # nobody to ask yet

    await post_offer(bot, OFFERER)

    proposal = bot.message_with_button(OFFERER, "Accept")
    assert f"#{need_id}" in plain(proposal.text)
    assert RESIDENT.first_name not in proposal.text
    await bot.press(OFFERER, "Accept", proposal)
    assert bot.rows("SELECT status, volunteer_id FROM needs WHERE id=?", (need_id,)) == [
        ("accepted", OFFERER.id)
    ]
    # The one-off offer has been used up.
    assert bot.rows("SELECT status FROM offers WHERE user_id=?", (OFFERER.id,)) == [("accepted",)]
    assert "Tomasz" in plain(bot.last_text(RESIDENT))


async def test_an_open_offer_is_asked_about_a_new_need(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT, OFFERER)
    await post_offer(bot, OFFERER)
    assert not bot.messages_containing(OFFERER, "Can you help?")

    need_id = await bot.post_need(RESIDENT, when="Tomorrow")

    assert f"#{need_id}" in plain(bot.message_with_button(OFFERER, "Accept").text)


async def test_an_offer_serves_only_its_category_and_area(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT, OFFERER)
    await post_offer(bot, OFFERER, category="Lending items", area="Trinity")

    await bot.post_need(RESIDENT, category="Shopping & essentials", area="Trinity")
    await bot.post_need(RESIDENT, category="Lending items", area="Fromefield")

    assert not bot.messages_containing(OFFERER, "Can you help?")
    assert bot.count("proposals") == 0


async def test_an_offer_is_not_asked_about_its_own_need(bot: BotUnderTest) -> None:
    await bot.agree(OFFERER)
    await post_offer(bot, OFFERER)
    await bot.post_need(OFFERER)
    assert bot.count("proposals") == 0


async def test_with_approval_on_an_unapproved_offerer_is_not_asked(start_bot) -> None:
    async with start_bot(volunteer_approval=True) as bot:
        await bot.agree(RESIDENT, OFFERER, VOLUNTEER)
        await post_offer(bot, OFFERER)
        await bot.post_need(RESIDENT)
        assert not bot.messages_containing(OFFERER, "Can you help?")
        assert bot.count("proposals") == 0


async def test_an_offer_past_its_window_shows_as_ended_without_cancel(bot: BotUnderTest) -> None:
    await bot.agree(OFFERER)
    await post_offer(bot, OFFERER, when="Today")
    bot.clock.advance(timedelta(days=1))

    await bot.say(OFFERER, "/mine")

    listing = bot.last(OFFERER)
    assert "ended" in plain(listing.text)
    assert labels(listing) == []

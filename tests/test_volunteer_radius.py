"""A volunteer can cover a distance around a shared location instead of naming areas."""

from __future__ import annotations

from support.bot import RESIDENT, VOLUNTEER, BotUnderTest, labels, plain

from handlers import texts

# Near the Trinity centroid of the bundled example (51.2318, -2.3275).
NEAR_TRINITY = (51.2320, -2.3270)


async def sign_up_by_location(bot: BotUnderTest, km: str) -> None:
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.press(VOLUNTEER, "Shopping & essentials")
    await bot.press(VOLUNTEER, "Done")
    await bot.share_location(VOLUNTEER, *NEAR_TRINITY)
    assert bot.last_text(VOLUNTEER) == texts.ASK_RADIUS
    assert labels(bot.last(VOLUNTEER)) == ["1 km", "2 km", "5 km", "Cancel"]
    await bot.press(VOLUNTEER, km)
    await bot.press(VOLUNTEER, "Done")
    await bot.press(VOLUNTEER, "Any time")
    await bot.press(VOLUNTEER, "Done")
    assert f"within {km} of your location" in plain(bot.last_text(VOLUNTEER))
    await bot.press(VOLUNTEER, "Save")


async def test_a_location_and_radius_is_saved_and_matched(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER, RESIDENT)
    await sign_up_by_location(bot, "1 km")
    assert bot.rows(
        "SELECT radius_km, lat IS NOT NULL FROM volunteers WHERE user_id=?", (VOLUNTEER.id,)
    ) == [(1.0, 1)]
    assert bot.rows("SELECT count(*) FROM volunteer_areas WHERE user_id=?", (VOLUNTEER.id,)) == [
        (0,)
    ]

    # Within a kilometre: asked. Fromefield, about 2 km away and not a neighbour: not asked.
    near = await bot.post_need(RESIDENT, area="Trinity")
    assert f"#{near}" in plain(bot.message_with_button(VOLUNTEER, "Accept").text)
    far = await bot.post_need(RESIDENT, area="Fromefield", description="Stamps please")
    assert not bot.messages_containing(VOLUNTEER, f"#{far}")


async def test_done_without_an_area_or_a_location_is_refused(bot: BotUnderTest) -> None:
    await bot.agree(VOLUNTEER)
    await bot.say(VOLUNTEER, "/volunteer")
    await bot.press(VOLUNTEER, "Shopping & essentials")
    await bot.press(VOLUNTEER, "Done")
    mark = bot.mark()
    await bot.press(VOLUNTEER, "Done")
    assert bot.answers_since(mark) == [texts.PICK_ONE_AREA]
    assert bot.count("volunteers") == 0

"""/help and /start in the middle of a flow do what a person expects."""

from __future__ import annotations

from support.bot import RESIDENT, BotUnderTest, finish_need, labels, need_until

from handlers import texts


async def test_help_mid_flow_lists_commands_and_keeps_the_step(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "description")

    await bot.say(RESIDENT, "/help")
    assert "/need" in bot.last_text(RESIDENT) and "/cancel" in bot.last_text(RESIDENT)

    await finish_need(bot, RESIDENT, "description")
    assert bot.count("needs") == 1


async def test_start_mid_flow_leaves_it_and_the_menu_works(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await need_until(bot, RESIDENT, "when")

    await bot.say(RESIDENT, "/start")
    menu = bot.last(RESIDENT)
    assert labels(menu) == ["I need help", "I can help"]
    assert bot.count("needs") == 0

    await bot.press(RESIDENT, "I need help", menu)
    assert bot.last_text(RESIDENT) == texts.ASK_CATEGORY

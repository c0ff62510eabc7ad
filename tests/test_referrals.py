"""Council referrals (product.md, Council referrals), through the real Application.

A liaison refers a resident who called the council with /refer; the referral is held for a
coordinator (alerted at once, shown in /open and the digest), who takes it (it is matched
like any need, the coordinator its follow-up contact) or declines it with a reason the
liaison is told. The resident's first name and phone number reach the volunteer who accepts
and nobody else; the liaison's /referrals shows their own referrals by the council's
reference with the status and the time to each step, and nothing about anyone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from support.bot import BotUnderTest, FakeClock, plain, refused_messages

from bot.sandbox import Person, SandboxRequest
from domain.models import Role
from handlers import jobs
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]

LIA = Person(8810001, "Lia", "lia_council")
LEO = Person(8810002, "Leonie", "leo_council")
CORA = Person(9110001, "Cora", "cora_coord")
PRIYA = Person(5510011, "Priya", "priya_vol")
BART = Person(5510012, "Bartholomew", "bart_vol")
MARGARET = Person(7311942, "Margaret", "maggie_w")

SHOPPING = "Shopping & essentials"
REF = "ASC-2025-0042"
NAME = "Dorothea"
PHONE = "07700 900456"
WORDS = "Weekly shop: bread, milk and Earl Grey tea 8813"
REASON = "We can't help with personal care; the adult social care line can."


def no_errors(bot: BotUnderTest) -> None:
    assert not bot.errors.records, bot.errors.describe()
    assert refused_messages(bot.request.calls) == []


async def run_due(bot: BotUnderTest) -> int:
    return await jobs.run_due_work(Ctx(application=bot.app))


async def make_liaison(bot: BotUnderTest, *people: Person) -> None:
    for who in people:
        await bot.agree(who)
        await bot.store.people.grant(who.id, Role.LIAISON, bot.clock.now())


async def refer(
    bot: BotUnderTest,
    who: Person = LIA,
    *,
    ref: str = REF,
    name: str = NAME,
    phone: str = PHONE,
    words: str = WORDS,
    agreed: str = "Yes, they agreed",
) -> None:
    """A whole /refer, through the buttons and typed answers."""
    await bot.say(who, "/refer")
    await bot.press(who, SHOPPING)
    await bot.press(who, "Trinity")
    await bot.say(who, words)
    await bot.press(who, "Today")
    await bot.say(who, name)
    await bot.say(who, phone)
    await bot.say(who, ref)
    await bot.press(who, agreed)


def referral_need(bot: BotUnderTest, ref: str = REF) -> int:
    rows = bot.rows("SELECT need_id FROM referrals WHERE council_ref=?", (ref,))
    assert rows, f"no referral {ref}"
    return int(rows[0][0])


async def referrals_of(bot: BotUnderTest, who: Person) -> str:
    """What /referrals shows them now, as read."""
    mark = bot.mark()
    await bot.say(who, "/referrals")
    return "\n".join(plain(t) for t in bot.sent_since(mark, who.id))


def line_of(shown: str, ref: str = REF) -> str:
    """A referral's two lines in /referrals."""
    lines = shown.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{ref}:"))
    return "\n".join(lines[at : at + 2])


def shown_to(bot: BotUnderTest, chat_id: int, since: int = 0) -> list[str]:
    """Every text Telegram was asked to show in this chat (messages, edits, answers)."""
    out = []
    for call in bot.request.calls[since:]:
        if str(call.params.get("chat_id", "")) == str(chat_id):
            out += [str(call.params.get(k, "")) for k in ("text", "caption")]
    return out


async def setup(bot: BotUnderTest) -> None:
    await bot.agree(CORA, PRIYA, BART)
    await make_liaison(bot, LIA)
    await bot.sign_up(PRIYA)  # shopping in Trinity
    await bot.sign_up(BART)


# --- a referral from the liaison to done ----------------------------------------------------------


async def test_a_referral_from_the_council_to_done(start_bot: StartBot, clock: FakeClock) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        start = bot.mark()
        await refer(bot)
        assert f"Referral {REF} is with the group's coordinators" in plain(bot.last_text(LIA))
        referred = bot.mark()  # what the liaison typed is on their screen, and theirs
        need_id = referral_need(bot)
        # Held for a coordinator: nobody asked yet, and the liaison is not its resident.
        assert bot.rows("SELECT status, resident_id FROM needs WHERE id=?", (need_id,)) == [
            ("referred", -(2**60))
        ]
        assert bot.count("proposals") == 0
        # The coordinators hear at once, with no name or number.
        alert = [plain(t) for t in shown_to(bot, CORA.id, start) if "referred a request" in t]
        assert len(alert) == 1 and REF in alert[0] and f"#{need_id}" in alert[0]
        assert "Waiting for the group" not in alert[0]
        assert line_of(await referrals_of(bot, LIA)).startswith(f"{REF}: waiting for the group")

        # The digest has it in a section of its own, and /open with Take and Decline.
        await bot.say(CORA, "/digest")
        assert "Referred by the council: 1" in plain(bot.last_text(CORA))
        await bot.say(CORA, "/open")
        shown = bot.message_with_button(CORA, "Take")
        assert WORDS in plain(shown.text) and REF in plain(shown.text)
        clock.advance(timedelta(minutes=10))
        await bot.press(CORA, "Take", shown)
        assert "you're its contact now" in plain(bot.last_text(CORA))
        await run_due(bot)
        # Matched like any need: both volunteers asked, with the words and no name.
        for volunteer in (PRIYA, BART):
            proposal = bot.message_with_button(volunteer, "Accept")
            assert WORDS in plain(proposal.text) and NAME not in proposal.text
        assert line_of(await referrals_of(bot, LIA)).endswith("taken after 10 min")

        clock.advance(timedelta(minutes=30))
        await bot.press(PRIYA, "Accept")
        await run_due(bot)
        accepted = plain(bot.last_text(PRIYA))
        assert NAME in accepted and PHONE in accepted
        # The coordinator who took it is its follow-up contact.
        assert "Priya will help" in plain(bot.last_text(CORA))
        assert "volunteer found after 40 min" in line_of(await referrals_of(bot, LIA))

        clock.advance(timedelta(hours=3))
        await bot.press(PRIYA, "Done", bot.messages_containing(PRIYA, f"#{need_id}")[-1])
        await bot.press(PRIYA, "1 hour")
        await run_due(bot)
        assert bot.rows("SELECT status, hours FROM needs WHERE id=?", (need_id,)) == [("done", 1.0)]
        done = line_of(await referrals_of(bot, LIA))
        assert done.startswith(f"{REF}: done\nReferred Wed 12 Mar, 09:30")
        assert done.endswith("taken after 10 min · volunteer found after 40 min · done after 3 h")

        # The name and number went to the volunteer who accepted, and to nobody else.
        for who in (LIA, CORA, BART):
            for text in shown_to(bot, who.id, referred if who is LIA else 0):
                assert NAME not in text and "900456" not in text, (who, text[:200])
        # The liaison learnt nothing of who helped, or of who took it.
        for text in shown_to(bot, LIA.id, referred):
            read = plain(text)
            for secret in ("Priya", "priya_vol", "Bartholomew", "Cora", WORDS, "Earl Grey"):
                assert secret not in read, (secret, read)
            for who in (PRIYA, BART, CORA):
                assert str(who.id) not in read
            assert not re.search(r"#\s*\d", read), read
        no_errors(bot)


# --- declined -------------------------------------------------------------------------------------


async def test_a_declined_referral_tells_the_liaison_why(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await refer(bot)
        need_id = referral_need(bot)
        await bot.say(CORA, "/open")
        await bot.press(CORA, "Decline")
        assert "Why can't the group take" in plain(bot.last_text(CORA))
        assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("referred",)]
        mark = bot.mark()
        await bot.say(CORA, REASON)

        assert "The council's liaison has been told why" in plain(bot.last_text(CORA))
        [told] = [plain(t) for t in bot.sent_since(mark, LIA.id)]
        assert f"can't take your referral {REF}" in told and REASON in told
        assert "Cora" not in told
        assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("closed",)]
        assert bot.count("proposals") == 0
        assert line_of(await referrals_of(bot, LIA)) == (
            f"{REF}: declined: “{REASON}”\nReferred Wed 12 Mar, 09:30 · declined after 0 min"
        )
        # Take, pressed afterwards on the same message, changes nothing.
        before = bot.snapshot()
        mark = bot.mark()
        await bot.press(CORA, "Take")
        assert bot.answers_since(mark) == ["That referral has been taken or declined already."]
        assert bot.snapshot() == before
        no_errors(bot)


async def test_two_coordinators_take_and_decline_at_once_one_wins(start_bot: StartBot) -> None:
    other = Person(9110002, "Oswald")
    async with start_bot(coordinator_ids=[CORA.id, other.id]) as bot:
        await setup(bot)
        await bot.agree(other)
        await refer(bot)
        need_id = referral_need(bot)
        await bot.say(CORA, "/open")
        await bot.say(other, "/open")
        await bot.press(CORA, "Decline")  # asked why...
        await bot.press(other, "Take")  # ...and meanwhile taken
        mark = bot.mark()
        await bot.say(CORA, REASON)
        assert "taken or declined already" in plain(bot.last_text(CORA))
        assert bot.sent_since(mark, LIA.id) == []
        assert bot.rows("SELECT status, resident_id FROM needs WHERE id=?", (need_id,)) == [
            ("open", other.id)
        ]
        no_errors(bot)


# --- who may --------------------------------------------------------------------------------------


async def test_a_liaison_sees_only_their_own_referrals(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await make_liaison(bot, LEO)
        await refer(bot, LIA, ref="LIA-0001")
        await refer(bot, LEO, ref="LEO-0002", name="Ezekiel", phone="07700 900789")

        assert "LEO-0002" in await referrals_of(bot, LEO)
        assert "LIA-0001" in await referrals_of(bot, LIA)
        mark = bot.mark()
        for command in ("/referrals", "/referrals LIA-0001", "/referrals all"):
            await bot.say(LEO, command)
        for text in bot.sent_since(mark, LEO.id):
            assert "LIA-0001" not in text and NAME not in text
        assert "LEO-0002" not in await referrals_of(bot, LIA)
        # Someone with no referrals is told so.
        await make_liaison(bot, MARGARET)
        assert "haven't referred anyone yet" in await referrals_of(bot, MARGARET)
        no_errors(bot)


async def test_a_volunteer_or_resident_cannot_refer_or_see_referrals(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await bot.agree(MARGARET)
        await refer(bot)  # one to try to see
        need_id = referral_need(bot)
        before = bot.snapshot()
        for who in (PRIYA, MARGARET, CORA):  # a coordinator is not the council either
            for command in ("/refer", "/referrals"):
                mark = bot.mark()
                await bot.say(who, command)
                [said] = bot.sent_since(mark, who.id)
                assert said == "Sorry, that's only for the group's council liaisons.", said
            # Typing on as if the flow had started is not read as a referral.
            await bot.say(who, NAME)
        # Forged Take and Decline buttons from a volunteer and a resident do nothing.
        for who in (PRIYA, MARGARET):
            for action in ("rtake", "rdecl"):
                mark = bot.mark()
                await bot.press_data(who, f"v1:{action}:{need_id}")
                assert bot.answers_since(mark) == [
                    "Sorry, that's only for the group's coordinators."
                ]
        after = bot.snapshot()
        # Only the flow-free "unknown text" answers happened: nothing was kept or changed.
        assert after == before
        assert bot.conversation_state(PRIYA, "refer") is None
        no_errors(bot)


async def test_a_liaison_who_loses_the_role_mid_referral_keeps_nothing(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await bot.say(LIA, "/refer")
        await bot.press(LIA, SHOPPING)
        await bot.press(LIA, "Trinity")
        await bot.say(LIA, WORDS)
        await bot.press(LIA, "Today")
        await bot.say(LIA, NAME)
        await bot.store.db.execute("DELETE FROM roles WHERE user_id=?", (LIA.id,))
        await bot.say(LIA, PHONE)
        assert "only for the group's council liaisons" in bot.last_text(LIA)
        assert bot.count("needs") == bot.count("referrals") == 0
        [(data,)] = bot.rows("SELECT data FROM user_data WHERE user_id=?", (LIA.id,))
        assert NAME not in data and WORDS not in data
        no_errors(bot)


# --- consent --------------------------------------------------------------------------------------


async def test_without_the_residents_agreement_nothing_is_kept(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        before = bot.snapshot()
        mark = bot.mark()
        await refer(bot, agreed="No")
        assert "Nothing was kept" in plain(bot.last_text(LIA))
        # Typed, "no" does the same.
        await bot.say(LIA, "/refer")
        await bot.press(LIA, SHOPPING)
        await bot.say(LIA, "trinity")
        await bot.say(LIA, WORDS)
        await bot.say(LIA, "today")
        await bot.say(LIA, NAME)
        await bot.say(LIA, PHONE)
        await bot.say(LIA, "ASC-2")
        await bot.say(LIA, "maybe later")  # neither: asked again, with the buttons
        assert "Has the resident agreed" in plain(bot.last_text(LIA))
        await bot.say(LIA, "no")
        assert "Nothing was kept" in plain(bot.last_text(LIA))

        assert bot.count("needs") == bot.count("referrals") == 0
        after = bot.snapshot()
        for table in after:
            if table not in ("user_data", "conversations", "processed_updates"):
                assert after[table] == before[table], table
        for (data,) in bot.rows("SELECT data FROM user_data"):
            assert NAME not in data and "900456" not in data and WORDS not in data
        for text in shown_to(bot, CORA.id, mark):
            assert "referred" not in text
        no_errors(bot)


async def test_answers_that_dont_fit_are_asked_again_kindly(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await bot.say(LIA, "/refer")
        await bot.press(LIA, SHOPPING)
        await bot.press(LIA, "Trinity")
        await bot.say(LIA, WORDS)
        await bot.press(LIA, "Today")
        await bot.say(LIA, PHONE)  # a number where the name goes
        assert "just their first name" in bot.last_text(LIA)
        await bot.say(LIA, NAME)
        await bot.say(LIA, "ring her daughter")  # no number
        assert "Please type a phone number" in bot.last_text(LIA)
        await bot.say(LIA, PHONE)
        await bot.say(LIA, "x" * 41)
        assert "up to 40 characters" in bot.last_text(LIA)
        await bot.say(LIA, REF)
        await bot.press(LIA, "Yes, they agreed")
        assert bot.rows("SELECT on_behalf_of, caller_contact FROM needs") == [(NAME, PHONE)]
        assert bot.rows("SELECT council_ref, liaison_id FROM referrals") == [(REF, LIA.id)]
        no_errors(bot)


# --- retention and /forget ------------------------------------------------------------------------


async def test_a_referrals_personal_details_follow_retention(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await refer(bot)
        done_id = referral_need(bot)
        await refer(bot, ref="ASC-DECLINED", name="Ignatius", phone="07700 900999")
        declined_id = referral_need(bot, "ASC-DECLINED")
        await bot.say(CORA, "/open")
        await bot.press(CORA, "Decline", bot.messages_containing(CORA, "ASC-DECLINED")[-1])
        await bot.say(CORA, REASON)
        await bot.press(CORA, "Take", bot.messages_containing(CORA, REF)[-1])
        await run_due(bot)
        await bot.press(PRIYA, "Accept")
        await bot.press(PRIYA, "Done", bot.messages_containing(PRIYA, f"#{done_id}")[-1])
        await bot.press(PRIYA, "30 min")
        await run_due(bot)
        personal = "SELECT description, on_behalf_of, caller_contact FROM needs WHERE id=?"
        assert bot.rows(personal, (done_id,)) == [(WORDS, NAME, PHONE)]

        clock.advance(timedelta(days=31))
        await jobs.tick(Ctx(application=bot.app))  # books the retention row, then runs it
        await jobs.tick(Ctx(application=bot.app))
        for need_id in (done_id, declined_id):
            assert bot.rows(personal, (need_id,)) == [("", None, None)]
        # What the liaison sees stays: their reference, the status and the times.
        shown = await referrals_of(bot, LIA)
        assert line_of(shown).startswith(f"{REF}: done")
        assert line_of(shown, "ASC-DECLINED").startswith(f"ASC-DECLINED: declined: “{REASON}”")
        no_errors(bot)


async def test_forget_by_the_coordinator_who_took_it_leaves_no_details(
    start_bot: StartBot,
) -> None:
    colin = Person(9120001, "Colin")
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await bot.agree(colin)
        await bot.store.people.grant(colin.id, Role.COORDINATOR, bot.clock.now())
        await refer(bot)
        need_id = referral_need(bot)
        await bot.say(colin, "/open")
        await bot.press(colin, "Take")
        await run_due(bot)
        await bot.press(PRIYA, "Accept")
        await run_due(bot)

        await bot.say(colin, "/forget")
        await bot.press(colin, "Delete my data")
        await run_due(bot)

        [(description, name, contact, resident, status)] = bot.rows(
            "SELECT description, on_behalf_of, caller_contact, resident_id, status "
            "FROM needs WHERE id=?",
            (need_id,),
        )
        assert (description, name, contact, status) == ("", None, None, "cancelled")
        assert resident < 0 and resident != colin.id
        [(taken_by, liaison)] = bot.rows("SELECT taken_by, liaison_id FROM referrals")
        assert taken_by != colin.id and taken_by < 0 and liaison == LIA.id
        # The volunteer is told not to go, and the accepted message no longer shows them.
        assert "cancelled" in plain(bot.last_text(PRIYA)).lower()
        shown = line_of(await referrals_of(bot, LIA))
        assert shown.startswith(f"{REF}: closed without help")
        assert "Colin" not in shown and str(colin.id) not in shown
        no_errors(bot)


async def test_a_liaison_who_forgets_keeps_their_referral_waiting_for_the_group(
    start_bot: StartBot,
) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await refer(bot)
        need_id = referral_need(bot)
        await bot.say(LIA, "/mydata")
        await bot.say(LIA, "/forget")
        await bot.press(LIA, "Delete my data")
        [(liaison,)] = bot.rows("SELECT liaison_id FROM referrals")
        assert liaison < 0 and bot.count("people", "id=?", (LIA.id,)) == 0
        # Still for the group to take; a decline is told to nobody.
        assert bot.rows("SELECT status FROM needs WHERE id=?", (need_id,)) == [("referred",)]
        await bot.say(CORA, "/open")
        await bot.press(CORA, "Decline")
        await bot.say(CORA, REASON)
        assert "has been told why" in plain(bot.last_text(CORA))
        no_errors(bot)


# --- the figures ----------------------------------------------------------------------------------


async def test_the_report_and_export_count_referrals_with_suppression(
    start_bot: StartBot, clock: FakeClock
) -> None:
    telegram = SandboxRequest()
    async with start_bot(coordinator_ids=[CORA.id], request=telegram) as bot:
        await setup(bot)
        for n in range(6):
            await refer(bot, ref=f"ASC-{n}")
        await bot.say(CORA, "/open")
        for n in range(6):
            await bot.press(CORA, "Take", bot.messages_containing(CORA, f"ASC-{n})")[-1])
        clock.advance(timedelta(hours=2))
        await run_due(bot)
        for _ in range(6):
            await bot.press(PRIYA if _ % 2 else BART, "Accept")
            await run_due(bot)
        for volunteer in (PRIYA, BART):
            while True:
                tasks = [m for m in bot.screen(volunteer) if "Done" in m.button_labels()]
                if not tasks:
                    break
                await bot.press(volunteer, "Done", tasks[-1])
                await bot.press(volunteer, "1 hour")
        await run_due(bot)
        assert bot.count("needs", "status='done'") == 6

        mark = bot.mark()
        await bot.say(LIA, "/report")
        report = "\n".join(plain(t) for t in bot.sent_since(mark, LIA.id))
        assert (
            "Referred by the council\nReferrals: 6\nMet (done): 6\n"
            "Median time from referral to a match: 2.0 h\n"
            "Volunteer hours: 6, worth £75.00 (at the council's own figure per hour)"
        ) in report

        await bot.say(LIA, "/export")
        [(_, _, data)] = [f for f in telegram.files if f[0] == LIA.id]
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        header = rows[0]
        at = header.index("referred_by_council")
        assert header[at : at + 4] == [
            "referred_by_council",
            "referrals_met",
            "median_hours_referral_to_match",
            "referral_volunteer_hours",
        ]
        week = [r for r in rows[1:] if (r[0], r[4], r[5]) == ("2025-W11", "Trinity", SHOPPING)]
        assert week[0][at : at + 4] == ["6", "6", "2", "6"]
        # Everywhere else, nothing (and numbers are numbers).
        others = [r[at] for r in rows[1:] if r is not week[0]]
        assert set(others) == {"0"}
        no_errors(bot)


async def test_a_few_referrals_are_shown_as_fewer_than_five(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await refer(bot)
        mark = bot.mark()
        await bot.say(LIA, "/report")
        report = "\n".join(plain(t) for t in bot.sent_since(mark, LIA.id))
        assert "Referrals: <5\nMet (done): 0\nMedian time from referral to a match: –" in report
        no_errors(bot)


async def test_the_weekly_report_has_the_referrals(start_bot: StartBot) -> None:
    async with start_bot(coordinator_ids=[CORA.id]) as bot:
        await setup(bot)
        await refer(bot)
        bot.clock.advance(datetime(2025, 3, 17, 8, 0, tzinfo=UTC) - bot.clock.now())
        await run_due(bot)
        weekly = [plain(t) for t in bot.texts(LIA) if "last week" in plain(t)]
        assert weekly and "Referred by the council\nReferrals: <5" in "\n".join(weekly)
        no_errors(bot)

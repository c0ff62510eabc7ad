"""Data rights and retention: consent versions, /mydata, /forget, and closed needs' details.

The bot runs as in the other handler tests; what people get is read from their screens and
from the documents the bot uploads, and what is kept from the database file itself, down to
its raw bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support.bot import NEIGHBOUR, RESIDENT, VOLUNTEER, BotUnderTest, FakeClock, labels, plain

from bot.sandbox import Person, SandboxRequest
from domain.privacy import ANONYMOUS, is_anonymous
from handlers import jobs, texts
from handlers.context import Ctx

StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
SHOPPING = "Shopping & essentials"


async def mydata(bot: BotUnderTest, who: Person) -> tuple[dict[str, Any], str, str]:
    """/mydata: (the JSON document, its raw text, the caption on screen)."""
    request = bot.request
    assert isinstance(request, SandboxRequest)
    before = len(request.files)
    await bot.say(who, "/mydata")
    new = request.files[before:]
    assert len(new) == 1, bot.texts(who)[-2:]
    chat_id, filename, content = new[0]
    assert chat_id == who.id and filename.endswith(".json")
    raw = content.decode("utf-8")
    return json.loads(raw), raw, bot.last_text(who)


def everything(bot: BotUnderTest) -> list[tuple[str, str, Any]]:
    """Every value in every column of every table: (table, column, value)."""
    found: list[tuple[str, str, Any]] = []
    tables = [
        r[0]
        for r in bot.rows("SELECT name FROM sqlite_master WHERE type='table'")
        if not r[0].startswith("sqlite_")
    ]
    for table in tables:
        columns = [r[1] for r in bot.rows(f"PRAGMA table_info({table})")]
        for row in bot.rows(f"SELECT * FROM {table}"):
            found.extend((table, c, v) for c, v in zip(columns, row, strict=True))
    return found


def file_bytes(db: Path) -> dict[str, bytes]:
    """The database file and its -wal and -shm companions, as they are on disk."""
    return {
        p.name: p.read_bytes()
        for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"))
        if p.exists()
    }


# --- /mydata ----------------------------------------------------------------------------------


async def test_mydata_is_everything_kept_about_the_caller_and_nothing_about_others(
    start_bot: StartBot,
) -> None:
    async with start_bot(request=SandboxRequest()) as bot:
        await bot.agree(RESIDENT, VOLUNTEER)
        await bot.sign_up(VOLUNTEER, areas=("Trinity",))
        need_id = await bot.post_need(RESIDENT, description="Two pints of semi-skimmed, please")
        await bot.press(VOLUNTEER, "Accept")
        await bot.press(VOLUNTEER, "Done")
        await bot.press(VOLUNTEER, "1 hour")
        await bot.press(RESIDENT, "Raise a concern")
        await bot.say(RESIDENT, "Lovely, but came an hour late")

        data, raw, caption = await mydata(bot, RESIDENT)

        assert caption == texts.MYDATA_CAPTION
        person = data["person"]
        assert (person["id"], person["first_name"], person["username"]) == (
            RESIDENT.id,
            "Margaret",
            "maggie_w",
        )
        assert person["consent_version"] == texts.PRIVACY_VERSION and person["consent_at"]
        [need] = data["needs"]
        assert need["id"] == need_id and need["status"] == "done"
        assert need["description"] == "Two pints of semi-skimmed, please"
        assert need["category"] == SHOPPING and need["area"] == "Trinity"
        assert need["doorstep_code"] and need["doorstep_code"].isdigit()
        assert [c["text"] for c in data["concerns"]] == ["Lovely, but came an hour late"]
        assert data["volunteer_profile"] is None and data["proposals"] == []
        # Who helped is the volunteer's to tell, not in the resident's file.
        assert "Priya" not in raw and str(VOLUNTEER.id) not in raw

        data, raw, _ = await mydata(bot, VOLUNTEER)

        assert data["person"]["first_name"] == "Priya"
        assert data["person"]["language"] == "en"  # the language the bot writes to her in
        profile = data["volunteer_profile"]
        assert profile["skills"] == [SHOPPING] and profile["areas"] == ["Trinity"]
        assert profile["languages"] == ["en"]  # the languages she speaks
        assert [(p["need_id"], p["status"]) for p in data["proposals"]] == [(need_id, "accepted")]
        assert [(t["need_id"], t["hours"]) for t in data["tasks"]] == [(need_id, 1.0)]
        assert data["volunteer_hours"] == 1.0
        assert data["needs"] == [] and data["concerns"] == []
        for secret in ("Margaret", "maggie_w", "semi-skimmed", "an hour late", str(RESIDENT.id)):
            assert secret not in raw, secret
        assert not bot.errors.records, bot.errors.describe()


async def test_mydata_before_agreeing_shows_nothing_is_kept_and_keeps_nothing(
    start_bot: StartBot,
) -> None:
    async with start_bot(request=SandboxRequest()) as bot:
        data, _, caption = await mydata(bot, RESIDENT)

        assert caption == texts.MYDATA_NOTHING
        assert data["person"] is None and data["needs"] == [] and data["form_in_progress"] is None
        assert bot.count("people") == 0


async def test_mydata_includes_a_form_half_filled(start_bot: StartBot) -> None:
    async with start_bot(request=SandboxRequest()) as bot:
        await bot.agree(RESIDENT)
        await bot.start_need(RESIDENT, SHOPPING, "Trinity")

        data, _, _ = await mydata(bot, RESIDENT)

        assert data["form_in_progress"] == {
            "form": {
                "flow": "need",
                "offer": False,
                "category": SHOPPING,
                "area": "Trinity",
                "step": "need.description",  # the question waiting for an answer
                "at": bot.clock.now().isoformat(),  # when the last step was taken
            }
        }
        # /mydata answered without ending the flow: the description is still awaited.
        await bot.say(RESIDENT, "Bread")
        assert labels(bot.last(RESIDENT))[:2] == ["Today", "Tomorrow"]


# --- /forget --------------------------------------------------------------------------------

NAME, USERNAME = "Zephyrinella", "zq_quokka_77"
OPEN_WORDS = "Quokkaberry jam from Xylophone Stores"
DONE_WORDS = "Pelargonium cuttings for the allotment"
CONCERN_WORDS = "Wobbegong shark costume on the doorstep"
ZEPH = Person(8123456, NAME, USERNAME)
SECRETS = (NAME, USERNAME, OPEN_WORDS, DONE_WORDS, CONCERN_WORDS)


async def test_forget_leaves_no_trace_of_them_in_the_database_file(
    start_bot: StartBot, db_path: Path
) -> None:
    async with start_bot(request=SandboxRequest(), wave_size=3) as bot:
        await bot.agree(ZEPH, VOLUNTEER, NEIGHBOUR)
        await bot.sign_up(VOLUNTEER, areas=("Trinity",))
        # A request of theirs that was done, with a concern about it.
        done_id = await bot.post_need(ZEPH, description=DONE_WORDS)
        await bot.press(VOLUNTEER, "Accept")
        accepted = bot.last(VOLUNTEER)
        await bot.press(VOLUNTEER, "Done")
        await bot.press(VOLUNTEER, "1 hour")
        await bot.press(ZEPH, "Raise a concern")
        await bot.say(ZEPH, CONCERN_WORDS)
        # One still open, asked of the volunteer.
        open_id = await bot.post_need(ZEPH, description=OPEN_WORDS, when="This week")
        proposal = bot.message_with_button(VOLUNTEER, "Accept")
        # And they volunteer too: they took a neighbour's request.
        await bot.sign_up(ZEPH, skills=("Prescriptions",), areas=("Keyford",))
        taken_id = await bot.post_need(NEIGHBOUR, "Prescriptions", "Keyford", "Collect my pills")
        await bot.press(ZEPH, "Accept")
        assert bot.rows("SELECT volunteer_id FROM needs WHERE id=?", (taken_id,)) == [(ZEPH.id,)]
        assert any(any(s in str(v) for s in SECRETS) for _, _, v in everything(bot))
        mark = bot.mark()

        await bot.say(ZEPH, "/forget")
        assert labels(bot.last(ZEPH)) == ["Delete my data", "Keep my data"]
        await bot.press(ZEPH, "Delete my data")

        assert bot.last_text(ZEPH) == texts.FORGET_DONE
        # The other side is told, neutrally: the volunteer's proposal and accepted job are
        # edited down to "no longer open"; the neighbour hears their volunteer can't come.
        for message in (proposal, accepted):
            now = bot.request.messages[(VOLUNTEER.id, message.message_id)]
            assert labels(now) == [] and "no longer open" in now.text
            assert not any(s in now.text for s in SECRETS)
        told = bot.sent_since(mark, NEIGHBOUR.id)
        assert "can't do" in told[0] and f"#{taken_id}" in plain(told[0])
        # Wanted today, and nobody else can take it: they hear a coordinator has been asked.
        assert len(told) == 2 and "asked a coordinator" in told[1]
        assert not any(NAME in t for t in told)
        # The counts stay: three needs, their status, area, category, times and hours.
        rows = bot.rows("SELECT id, status, category, area, hours FROM needs ORDER BY id")
        assert rows == [
            (done_id, "done", SHOPPING, "Trinity", 1.0),
            (open_id, "cancelled", SHOPPING, "Trinity", None),
            (taken_id, "open", "Prescriptions", "Keyford", None),
        ]
        pseudonyms = {r[0] for r in bot.rows("SELECT resident_id FROM needs WHERE id<?", (3,))}
        assert len(pseudonyms) == 1 and is_anonymous(pseudonyms.pop())
        assert (
            bot.rows("SELECT description, doorstep_code FROM needs WHERE id<3") == [("", None)] * 2
        )
        # Nothing of theirs anywhere: not their id, name, username or words.
        for table, column, value in everything(bot):
            assert value != ZEPH.id, (table, column)
            assert not any(s in str(value) for s in SECRETS), (table, column, value)
        assert bot.count("volunteers", "user_id=?", (ZEPH.id,)) == 0
        assert bot.count("user_data", "user_id=?", (ZEPH.id,)) == 0
        # Afterwards /mydata shows nothing personal.
        data, raw, caption = await mydata(bot, ZEPH)
        assert caption == texts.MYDATA_NOTHING and data["person"] is None
        assert not any(s in raw for s in SECRETS)

        for name, content in file_bytes(db_path).items():  # as it is, straight after
            for secret in SECRETS:
                assert secret.encode() not in content, (name, secret)
        await bot.store.db.checkpoint()
        on_disk = file_bytes(db_path)
        assert on_disk[db_path.name] and not on_disk.get(db_path.name + "-wal")
        for name, content in on_disk.items():
            for secret in SECRETS:
                assert secret.encode() not in content, (name, secret)
        assert not bot.errors.records, bot.errors.describe()

    for name, content in file_bytes(db_path).items():  # closed, as a backup would copy it
        for secret in SECRETS:
            assert secret.encode() not in content, (name, secret)


async def test_forget_in_the_middle_of_a_flow_asks_to_finish_first(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/forget")
    prompt = bot.last(RESIDENT)
    await bot.start_need(RESIDENT, SHOPPING, "Trinity")
    before = bot.snapshot()

    await bot.say(RESIDENT, "/forget")
    assert bot.last_text(RESIDENT) == texts.IN_A_FLOW
    mark = bot.mark()
    await bot.press(RESIDENT, "Delete my data", message=prompt)

    assert bot.answers_since(mark) == [texts.IN_A_FLOW]
    assert bot.snapshot() == before
    await bot.say(RESIDENT, "Bread")  # the flow carries on where it was
    assert labels(bot.last(RESIDENT))[:2] == ["Today", "Tomorrow"]


async def test_keep_my_data_and_forged_forget_buttons_change_nothing(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT)
    await bot.say(RESIDENT, "/forget")
    prompt = bot.last(RESIDENT)
    before, mark = bot.snapshot(), bot.mark()

    for data in ("v1:forget:", "v1:forget:yes", "v1:forget:1", "v1:forget:y:"):
        await bot.press_data(RESIDENT, data, message=prompt)
    await bot.press(RESIDENT, "Keep my data")

    assert bot.answers_since(mark) == [texts.STALE_BUTTON] * 4 + [None]
    assert bot.last_text(RESIDENT) == texts.FORGET_KEPT
    assert bot.snapshot() == before


async def test_delete_my_data_pressed_twice_acts_once(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT)
    await bot.say(RESIDENT, "/forget")
    prompt = bot.last(RESIDENT)
    await bot.press(RESIDENT, "Delete my data")
    after = bot.snapshot()

    await bot.press_data(RESIDENT, "v1:forget:y", message=prompt)  # a slow phone's second tap

    assert bot.snapshot() == after
    assert bot.count("people", "id=?", (RESIDENT.id,)) == 0
    assert bot.count("needs") == 1


async def test_someone_forgotten_can_start_again_as_a_stranger(bot: BotUnderTest) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT)
    await bot.say(RESIDENT, "/forget")
    await bot.press(RESIDENT, "Delete my data")

    await bot.say(RESIDENT, "/mine")
    assert bot.last_text(RESIDENT) == texts.NEEDS_CONSENT
    await bot.agree(RESIDENT)
    await bot.say(RESIDENT, "/mine")
    assert bot.last_text(RESIDENT) == texts.MINE_EMPTY  # the old request is no longer theirs


# --- consent versions ---------------------------------------------------------------------


async def test_a_new_notice_is_asked_for_again_before_anything_else(
    start_bot: StartBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with start_bot(request=SandboxRequest()) as bot:
        await bot.agree(RESIDENT)
        need_id = await bot.post_need(RESIDENT)
        monkeypatch.setattr(texts, "PRIVACY_VERSION", 2)
        before = bot.snapshot()

        await bot.say(RESIDENT, "/need")

        notice = bot.last(RESIDENT)
        assert notice.text.startswith(texts.PRIVACY_UPDATED)
        assert "/forget" in notice.text and labels(notice) == [
            "I agree",
            "No thanks",
            "Українська",
            "Polski",
        ]
        assert bot.conversation_state(RESIDENT) is None
        mark = bot.mark()
        await bot.press_data(RESIDENT, f"v1:cxl:{need_id}")  # their old Cancel button
        assert bot.answers_since(mark) == [texts.NEEDS_CONSENT]
        assert bot.snapshot() == before
        # Seeing what is kept does not wait for a new agreement.
        data, _, _ = await mydata(bot, RESIDENT)
        assert [n["id"] for n in data["needs"]] == [need_id]
        # `I agree` under the first notice agrees to that one only: the new one is shown.
        mark = bot.mark()
        await bot.press_data(RESIDENT, "v1:ok:y1")
        assert bot.answers_since(mark) == [texts.STALE_BUTTON]
        assert bot.last_text(RESIDENT).startswith(texts.PRIVACY_UPDATED)
        assert bot.rows("SELECT consent_version FROM people WHERE id=?", (RESIDENT.id,)) == [(1,)]

        await bot.press(RESIDENT, "I agree")

        assert bot.rows("SELECT consent_version FROM people WHERE id=?", (RESIDENT.id,)) == [(2,)]
        await bot.say(RESIDENT, "/need")
        assert bot.last_text(RESIDENT) == texts.ASK_CATEGORY
        assert not bot.errors.records, bot.errors.describe()


async def test_no_thanks_to_a_new_notice_keeps_what_they_have_and_says_so(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.agree(RESIDENT)
    await bot.post_need(RESIDENT)
    monkeypatch.setattr(texts, "PRIVACY_VERSION", 2)
    await bot.say(RESIDENT, "/start")
    assert bot.last_text(RESIDENT).startswith(texts.PRIVACY_UPDATED)

    await bot.press(RESIDENT, "No thanks")

    assert bot.last_text(RESIDENT) == texts.CONSENT_DECLINED_KEPT
    assert bot.count("needs", "resident_id=? AND status='open'", (RESIDENT.id,)) == 1
    await bot.say(RESIDENT, "/mine")
    assert bot.last_text(RESIDENT).startswith(texts.PRIVACY_UPDATED)


# --- retention ------------------------------------------------------------------------------


async def tick(bot: BotUnderTest) -> None:
    """What the repeating job does: book retention, then run what is due."""
    await jobs.tick(Ctx(application=bot.app))


async def test_closed_needs_lose_their_details_after_retention_even_across_a_restart(
    start_bot: StartBot, clock: FakeClock
) -> None:
    async with start_bot(retention=timedelta(days=30)) as bot:
        await bot.agree(RESIDENT, VOLUNTEER)
        await bot.sign_up(VOLUNTEER, areas=("Trinity",))
        done_id = await bot.post_need(RESIDENT, description="Marmalade and crumpets")
        await bot.press(VOLUNTEER, "Accept")
        await bot.press(VOLUNTEER, "Done")
        await bot.press(VOLUNTEER, "2 hours")
        closed_at = clock.now()
        clock.advance(timedelta(days=2))
        open_id = await bot.post_need(
            RESIDENT, "Post & errands", description="Stamps", when="Flexible"
        )
        await tick(bot)
        [(due,)] = bot.rows(
            "SELECT due_at FROM scheduled_work WHERE kind='retention' AND done_at IS NULL"
        )
        assert due == (closed_at + timedelta(days=30)).isoformat(timespec="seconds")
        telegram = bot.request

    clock.advance(timedelta(days=28) - timedelta(minutes=1))  # a minute short of 30 days
    async with start_bot(request=telegram, retention=timedelta(days=30)) as bot:
        await tick(bot)
        assert bot.rows("SELECT description FROM needs WHERE id=?", (done_id,)) == [
            ("Marmalade and crumpets",)
        ]
        clock.advance(timedelta(minutes=2))

        await tick(bot)

        assert bot.rows(
            "SELECT status, category, area, hours, volunteer_id, description, doorstep_code, "
            "resident_id FROM needs WHERE id=?",
            (done_id,),
        ) == [("done", SHOPPING, "Trinity", 2.0, VOLUNTEER.id, "", None, ANONYMOUS)]
        # Still open: untouched.
        assert bot.rows("SELECT description, resident_id FROM needs WHERE id=?", (open_id,)) == [
            ("Stamps", RESIDENT.id)
        ]
        # Nothing more to wait for: no retention row until another need closes.
        assert bot.count("scheduled_work", "kind='retention' AND done_at IS NULL") == 0
        await bot.say(RESIDENT, "/mine")
        await bot.press(RESIDENT, f"Cancel #{open_id}")
        await tick(bot)
        [(due,)] = bot.rows(
            "SELECT due_at FROM scheduled_work WHERE kind='retention' AND done_at IS NULL"
        )
        assert due == (clock.now() + timedelta(days=30)).isoformat(timespec="seconds")
        assert not bot.errors.records, bot.errors.describe()

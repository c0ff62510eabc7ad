"""Typed answers in Ukrainian and Polish as well as English (product.md, Languages and Typed
answers): every word list, weekdays in the forms people type, Polish without diacritics,
Ukrainian with any apostrophe, and no phrase that means two things across the languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from domain import answers
from domain.announce import means_every
from domain.answers import Confirm, Resume, WhenAnswer
from domain.community import DEFAULT_CATEGORIES
from domain.models import Availability, When

YES, NO = Confirm.YES, Confirm.NO
CATEGORIES = answers.category_options(DEFAULT_CATEGORIES)
WEDNESDAY = date(2025, 3, 12)

# Every question the bot asks with buttons, as the handlers put its options together.
QUESTIONS: dict[str, Sequence[tuple[Any, Sequence[str]]]] = {
    "yes or no": [(YES, answers.YES), (NO, answers.NO)],
    "post or cancel": [
        (YES, (*answers.POST_WORDS, *answers.YES)),
        (NO, (*answers.CANCEL_WORDS, *answers.NO)),
    ],
    "new or same": [
        (YES, (*answers.NEW_WORDS, *answers.YES)),
        (NO, (*answers.SAME_WORDS, *answers.NO)),
    ],
    "save or cancel": [
        (YES, (*answers.SAVE_WORDS, *answers.YES)),
        (NO, (*answers.CANCEL_WORDS, *answers.NO)),
    ],
    "keep open or close": [
        (YES, (*answers.KEEP_OPEN_WORDS, *answers.YES)),
        (NO, (*answers.CLOSE_IT_WORDS, *answers.NO)),
    ],
    "delete or keep data": [
        (YES, (*answers.DELETE_WORDS, *answers.YES)),
        (NO, (*answers.KEEP_DATA_WORDS, *answers.NO)),
    ],
    "they agreed": [(YES, (*answers.AGREED_WORDS, *answers.YES)), (NO, answers.NO)],
    "after signposts": [
        (YES, answers.POST_ANYWAY_WORDS),
        (NO, (*answers.SIGNPOSTED_NO, *answers.NO)),
    ],
    "resume": list(answers.RESUME_WORDS.items()),
    "when": list(answers.WHEN_WORDS.items()),
    "availability": list(answers.AVAILABILITY_WORDS.items()),
    "category": CATEGORIES,
}


def said(question: str, typed: str) -> object:
    return answers.pick(typed, QUESTIONS[question])


# --- no phrase means two things ------------------------------------------------------------


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_every_phrase_of_every_question_means_its_own_answer_and_no_other(question: str) -> None:
    """The same normalised phrase (or the same words once filler is dropped) in two answers
    of one question would make both unreadable: each phrase, typed, is its own answer."""
    options = QUESTIONS[question]
    wrong = [
        (phrase, value, answers.pick(phrase, options))
        for value, phrases in options
        for phrase in phrases
        if answers.pick(phrase, options) != value
    ]
    assert wrong == []


def test_yes_in_one_language_is_never_no_in_another() -> None:
    yes = {answers.normalise(p) for p in answers.YES} | {answers.core(p) for p in answers.YES}
    no = {answers.normalise(p) for p in answers.NO} | {answers.core(p) for p in answers.NO}
    assert yes & no == set()
    # Ukrainian так and Polish tak both say yes; Polish nie and Ukrainian ні/не both say no.
    assert [answers.yes_or_no(t) for t in ("так", "tak", "ні", "nie", "не треба")] == [
        YES,
        YES,
        NO,
        NO,
        NO,
    ]


def test_no_category_phrase_is_read_as_done() -> None:
    """Volunteers type skills where `done` is also an answer, checked first."""
    done = [(True, answers.DONE_WORDS)]
    read_as_done = {
        phrase
        for _, phrases in CATEGORIES
        for phrase in phrases
        if answers.pick(phrase, done) is not None
    }
    # Close spellings of "nothing else", as they were before Ukrainian and Polish came.
    assert read_as_done <= {"something else", "anything else"}


# --- yes, no and the buttons' own words ------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "так",
        "Так, будь ласка",
        "ага",
        "добре",
        "звісно",
        "авжеж",
        "ок",
        "tak",
        "Tak, poproszę",
        "dobrze",
        "jasne",
        "ok",
        "pewnie",
        "Oczywiście!",
        "oczywiscie",
    ],
)
def test_yes_in_ukrainian_and_polish(typed: str) -> None:
    assert answers.yes_or_no(typed) is YES


@pytest.mark.parametrize(
    "typed", ["ні", "Ні, дякую", "не треба", "не зараз", "nie", "Nie, dziękuję", "nie teraz"]
)
def test_no_in_ukrainian_and_polish(typed: str) -> None:
    assert answers.yes_or_no(typed) is NO


@pytest.mark.parametrize(
    ("question", "typed", "meant"),
    [
        ("post or cancel", "Опублікувати", YES),
        ("post or cancel", "опублікуйте, будь ласка", YES),
        ("post or cancel", "Opublikuj", YES),
        ("post or cancel", "wyślij", YES),
        ("post or cancel", "Скасувати", NO),
        ("post or cancel", "стоп", NO),
        ("post or cancel", "Anuluj", NO),
        ("post or cancel", "nie publikuj", NO),
        ("new or same", "Так, це нове", YES),
        ("new or same", "Tak, to nowe", YES),
        ("new or same", "нове", YES),
        ("new or same", "Ні, те саме", NO),
        ("new or same", "Nie, ta sama", NO),
        ("new or same", "to samo", NO),
        ("save or cancel", "Зберегти", YES),
        ("save or cancel", "Zapisz", YES),
        ("save or cancel", "скасувати", NO),
        ("save or cancel", "anuluj", NO),
        ("keep open or close", "Так, залиште відкритим", YES),
        ("keep open or close", "ще потрібна допомога", YES),
        ("keep open or close", "Tak, zostaw otwarte", YES),
        ("keep open or close", "nadal potrzebuję pomocy", YES),
        ("keep open or close", "nie zamykaj", YES),
        ("keep open or close", "Ні, закрийте", NO),
        ("keep open or close", "вже не потрібно", NO),
        ("keep open or close", "Nie, zamknij", NO),
        ("keep open or close", "załatwione", NO),
        ("keep open or close", "zalatwione", NO),
        ("delete or keep data", "Видалити мої дані", YES),
        ("delete or keep data", "Usuń moje dane", YES),
        ("delete or keep data", "usun moje dane", YES),
        ("delete or keep data", "Залишити мої дані", NO),
        ("delete or keep data", "Zachowaj moje dane", NO),
        ("delete or keep data", "nie usuwaj", NO),
        ("they agreed", "Так, вони погодились", YES),
        ("they agreed", "дали згоду", YES),
        ("they agreed", "Tak, zgodzili się", YES),
        ("they agreed", "wyraziła zgodę", YES),
        ("they agreed", "ні", NO),
        ("they agreed", "nie", NO),
        ("after signposts", "Це не те, опублікуйте", YES),
        ("after signposts", "не те", YES),
        ("after signposts", "To nie to, opublikuj", YES),
        ("after signposts", "nie o to chodzi", YES),
        ("after signposts", "дякую", NO),  # thanks for the signposts, never "post it"
        ("after signposts", "добре", NO),
        ("after signposts", "dzięki", NO),
        ("after signposts", "ok", NO),
        ("after signposts", "nie", NO),
    ],
)
def test_each_button_question_in_ukrainian_and_polish(
    question: str, typed: str, meant: Confirm
) -> None:
    assert said(question, typed) is meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Продовжити", Resume.CARRY_ON),
        ("далі", Resume.CARRY_ON),
        ("Kontynuuj", Resume.CARRY_ON),
        ("Почати знову", Resume.START_AGAIN),
        ("спочатку", Resume.START_AGAIN),
        ("Zacznij od nowa", Resume.START_AGAIN),
        ("od nowa", Resume.START_AGAIN),
        ("Скасувати", Resume.CANCEL),
        ("ні", Resume.CANCEL),
        ("Anuluj", Resume.CANCEL),
        ("nie", Resume.CANCEL),
    ],
)
def test_resume_in_ukrainian_and_polish(typed: str, meant: Resume) -> None:
    assert answers.pick_resume(typed) is meant


@pytest.mark.parametrize(
    "typed", ["Готово", "готово", "це все", "все", "Gotowe", "to wszystko", "koniec", "dalej"]
)
def test_done_in_ukrainian_and_polish(typed: str) -> None:
    assert answers.pick(typed, [(True, answers.DONE_WORDS)]) is True


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("будь-коли", Availability.ANY),
        ("завжди", Availability.ANY),
        ("kiedykolwiek", Availability.ANY),
        ("o każdej porze", Availability.ANY),
        ("будні", Availability.WEEKDAYS),
        ("у робочі дні", Availability.WEEKDAYS),
        ("dni robocze", Availability.WEEKDAYS),
        ("w dni powszednie", Availability.WEEKDAYS),
        ("вихідні", Availability.WEEKENDS),
        ("на вихідних", Availability.WEEKENDS),
        ("weekendy", Availability.WEEKENDS),
        ("w weekend", Availability.WEEKENDS),
        ("вечорами", Availability.EVENINGS),
        ("ввечері", Availability.EVENINGS),
        ("wieczorem", Availability.EVENINGS),
        ("po pracy", Availability.EVENINGS),
    ],
)
def test_availability_in_ukrainian_and_polish(typed: str, meant: Availability) -> None:
    assert said("availability", typed) is meant


@pytest.mark.parametrize(
    ("typed", "km"),
    [("2 км", 2.0), ("п'ять км", 5.0), ("один", 1.0), ("dwa", 2.0), ("pięć kilometrów", 5.0)],
)
def test_a_radius_in_ukrainian_and_polish(typed: str, km: float) -> None:
    assert answers.pick_km(typed, (1.0, 2.0, 5.0)) == km


# --- when -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "when"),
    [
        ("сьогодні", When.TODAY),
        ("Сьогодні, будь ласка", When.TODAY),
        ("терміново", When.TODAY),
        ("зараз", When.TODAY),
        ("dzisiaj", When.TODAY),
        ("dziś", When.TODAY),
        ("dzis", When.TODAY),
        ("pilne", When.TODAY),
        ("завтра", When.TOMORROW),
        ("завтра вранці", When.TOMORROW),
        ("jutro", When.TOMORROW),
        ("na jutro proszę", When.TOMORROW),
        ("цього тижня", When.THIS_WEEK),
        ("на цьому тижні", When.THIS_WEEK),
        ("w tym tygodniu", When.THIS_WEEK),
        ("pojutrze", When.THIS_WEEK),
        ("будь-коли", When.FLEXIBLE),
        ("не терміново", When.FLEXIBLE),
        ("мені все одно", When.FLEXIBLE),
        ("kiedykolwiek", When.FLEXIBLE),
        ("obojętnie", When.FLEXIBLE),
        ("obojetnie", When.FLEXIBLE),
        ("w przyszłym tygodniu", When.FLEXIBLE),
    ],
)
def test_when_words_in_ukrainian_and_polish(typed: str, when: When) -> None:
    assert answers.pick_when(typed, WEDNESDAY) == WhenAnswer(when)


@pytest.mark.parametrize("typed", ["не сьогодні", "nie dzisiaj", "nie dziś", "не завтра"])
def test_not_today_is_not_spelled_into_today(typed: str) -> None:
    assert answers.pick_when(typed, WEDNESDAY) is None


FRIDAY = WhenAnswer(When.THIS_WEEK, date(2025, 3, 14))
SATURDAY = WhenAnswer(When.THIS_WEEK, date(2025, 3, 15))
SUNDAY = WhenAnswer(When.THIS_WEEK, date(2025, 3, 16))
MONDAY = WhenAnswer(When.THIS_WEEK, date(2025, 3, 17))
TUESDAY = WhenAnswer(When.THIS_WEEK, date(2025, 3, 18))
TODAY = WhenAnswer(When.TODAY, date(2025, 3, 12))
THURSDAY = WhenAnswer(When.TOMORROW, date(2025, 3, 13))
NEXT_WEDNESDAY = WhenAnswer(When.FLEXIBLE, date(2025, 3, 19))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # Ukrainian: the name, after у/в, after до/наступного, short.
        ("понеділок", MONDAY),
        ("у понеділок", MONDAY),
        ("в понеділок", MONDAY),
        ("пн", MONDAY),
        ("вівторок", TUESDAY),
        ("у вівторок вранці", TUESDAY),
        ("вт", TUESDAY),
        ("середа", TODAY),
        ("у середу", TODAY),
        ("ср", TODAY),
        ("четвер", THURSDAY),
        ("в четвер ввечері", THURSDAY),
        ("чт", THURSDAY),
        ("п'ятниця", FRIDAY),
        ("у п'ятницю", FRIDAY),
        ("до п'ятниці", FRIDAY),
        ("наступної п'ятниці", FRIDAY),  # Wednesday: the coming Friday
        ("пт", FRIDAY),
        ("субота", SATURDAY),
        ("в суботу", SATURDAY),
        ("сб", SATURDAY),
        ("неділя", SUNDAY),
        ("у неділю", SUNDAY),
        ("нд", SUNDAY),
        ("наступної середи", NEXT_WEDNESDAY),
        ("в наступну середу", NEXT_WEDNESDAY),
        # Polish: the name, after w/we, after do, short, and without diacritics.
        ("poniedziałek", MONDAY),
        ("w poniedziałek", MONDAY),
        ("w poniedzialek", MONDAY),
        ("pon", MONDAY),
        ("wtorek", TUESDAY),
        ("we wtorek", TUESDAY),
        ("wt", TUESDAY),
        ("środa", TODAY),
        ("w środę", TODAY),
        ("w srode", TODAY),
        ("śr", TODAY),
        ("czwartek", THURSDAY),
        ("w czwartek wieczorem", THURSDAY),
        ("czw", THURSDAY),
        ("piątek", FRIDAY),
        ("w piątek", FRIDAY),
        ("w piatek", FRIDAY),
        ("do piątku", FRIDAY),
        ("w przyszły piątek", FRIDAY),
        ("pt", FRIDAY),
        ("sobota", SATURDAY),
        ("w sobotę", SATURDAY),
        ("w sobote", SATURDAY),
        ("sob", SATURDAY),
        ("niedziela", SUNDAY),
        ("w niedzielę", SUNDAY),
        ("niedz", SUNDAY),
        ("nd", SUNDAY),
        ("w przyszłą środę", NEXT_WEDNESDAY),
        ("w przyszla srode", NEXT_WEDNESDAY),
        ("w następną środę", NEXT_WEDNESDAY),
    ],
)
def test_weekdays_in_the_forms_people_type(typed: str, meant: WhenAnswer) -> None:
    assert answers.pick_when(typed, WEDNESDAY) == meant


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ", "`", ""])
def test_a_ukrainian_apostrophe_of_any_kind_or_none(apostrophe: str) -> None:
    friday = f"у п{apostrophe}ятницю"
    assert answers.normalise(friday) == "у пятницю"
    assert answers.pick_when(friday, WEDNESDAY) == FRIDAY
    assert answers.pick_km(f"п{apostrophe}ять км", (1.0, 2.0, 5.0)) == 5.0


# --- normalising: Polish diacritics folded, Cyrillic kept -----------------------------------


def test_polish_diacritics_are_folded_and_cyrillic_is_kept() -> None:
    assert answers.normalise("ŚRODĘ, zakupów, Łódź, żółć") == "srode zakupow lodz zolc"
    assert answers.normalise("Їжа й ґанок, є") == "їжа й ґанок є"
    assert answers.normalise("й") != answers.normalise("и")
    assert answers.normalise("ї") != answers.normalise("і")
    # A Latin i typed inside a Ukrainian word is the Ukrainian і.
    assert answers.normalise("лiки") == answers.normalise("ліки")


# --- categories -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("покупки", "Shopping & essentials"),
        ("продукти", "Shopping & essentials"),
        ("магазин", "Shopping & essentials"),
        ("їжа", "Shopping & essentials"),
        ("Мені потрібні продукти, будь ласка", "Shopping & essentials"),
        ("zakupy", "Shopping & essentials"),
        ("zakupów", "Shopping & essentials"),
        ("zakupow", "Shopping & essentials"),
        ("sklep", "Shopping & essentials"),
        ("jedzenie", "Shopping & essentials"),
        ("Dzień dobry, potrzebuję pomocy z zakupami", "Shopping & essentials"),
        ("ліки", "Prescriptions"),
        ("ліків", "Prescriptions"),
        ("рецепт", "Prescriptions"),
        ("аптека", "Prescriptions"),
        ("лікі", "Prescriptions"),  # a close spelling
        ("leki", "Prescriptions"),
        ("leków", "Prescriptions"),
        ("recepta", "Prescriptions"),
        ("apteka", "Prescriptions"),
        ("собака", "Dog walking & pets"),
        ("вигуляти собаку", "Dog walking & pets"),
        ("тварини", "Dog walking & pets"),
        ("pies", "Dog walking & pets"),
        ("wyprowadzić psa", "Dog walking & pets"),
        ("spacer z psem", "Dog walking & pets"),
        ("поговорити", "Phone befriending"),
        ("porozmawiać", "Phone befriending"),
        ("підвезти до лікаря", "Transport to appointments"),
        ("до лікаря", "Transport to appointments"),
        ("do lekarza", "Transport to appointments"),
        ("пошта", "Post & errands"),
        ("посилка", "Post & errands"),
        ("poczta", "Post & errands"),
        ("paczka", "Post & errands"),
        ("позичити", "Lending items"),
        ("pożyczyć", "Lending items"),
        ("pozyczyc", "Lending items"),
        ("щось інше", "Other"),
        ("coś innego", "Other"),
    ],
)
def test_categories_in_ukrainian_and_polish(typed: str, category: str) -> None:
    assert answers.pick(typed, CATEGORIES) == category


@pytest.mark.parametrize("typed", ["ліс", "сон", "привіт", "dom", "cześć", "будь ласка"])
def test_a_word_that_fits_no_category_is_not_guessed_at_in_any_language(typed: str) -> None:
    assert answers.pick(typed, CATEGORIES) is None


def test_several_categories_in_one_answer_and_mixed_languages() -> None:
    assert answers.pick_many("покупки, ліки та пошта", CATEGORIES) == [
        "Shopping & essentials",
        "Prescriptions",
        "Post & errands",
    ]
    assert answers.pick_many("zakupy, leki i poczta", CATEGORIES) == [
        "Shopping & essentials",
        "Prescriptions",
        "Post & errands",
    ]
    assert answers.pick_many("zakupy, ліки and dog walking", CATEGORIES) == [
        "Shopping & essentials",
        "Prescriptions",
        "Dog walking & pets",
    ]
    assert answers.pick_many("хліб і молоко", CATEGORIES) == ["Shopping & essentials"]
    assert answers.pick_many("zakupy i banany", CATEGORIES) is None


def test_filler_in_ukrainian_and_polish_carries_no_answer() -> None:
    assert answers.core("Привіт, будь ласка, мені треба ліки, дякую") == "ліки"
    assert answers.core("Dzień dobry, proszę, potrzebuję leków, dziękuję") == "lekow"
    # "будь" alone is not filler: "будь-коли" keeps it.
    assert answers.core("будь-коли") == "будь коли"


# --- announcements: every area, every skill -----------------------------------------------


@pytest.mark.parametrize("typed", ["всі", "Усі райони", "wszystkie", "każdy", "kazdy", "all"])
def test_every_in_ukrainian_and_polish(typed: str) -> None:
    assert means_every(typed)


@pytest.mark.parametrize("typed", ["будь ласка, Trinity", "Trinity", "ліки"])
def test_not_every(typed: str) -> None:
    assert not means_every(typed)

"""The community file in Ukrainian and Polish: names shown in a person's language, the
languages a group offers, and signposts that catch what people write in those languages."""

from __future__ import annotations

import pytest

from domain.community import (
    DEFAULT_CATEGORIES,
    DEFAULT_SIGNPOSTS,
    CommunityError,
    parse_community,
)

MINIMAL = 'name = "Tiny Mutual Aid"\n\n[[areas]]\nname = "Riverside"\n'
DEFAULTS = parse_community(MINIMAL)


def error_for(text: str) -> str:
    with pytest.raises(CommunityError) as caught:
        parse_community(text, source="groups/townley.toml")
    return str(caught.value)


def topics(text: str, category: str | None = None) -> list[str]:
    """What the resident is signposted to, by the function the handlers call."""
    return [s.topic for s in DEFAULTS.signposts_for(text, category)]


# --- names in a person's language -----------------------------------------------------------


def test_every_default_name_and_signpost_has_ukrainian_and_polish() -> None:
    for language in ("uk", "pl"):
        names = DEFAULTS.names_in(language)
        assert set(DEFAULT_CATEGORIES) <= set(names)
        for sign in DEFAULT_SIGNPOSTS:
            assert sign.topic in names and sign.text in names
        # Each one really is another language, never the English again.
        assert all(english != translated for english, translated in names.items())
    assert DEFAULTS.names_in("uk")["Other"] == "Інше"
    assert DEFAULTS.names_in("pl")["Prescriptions"] == "Leki na receptę"
    assert DEFAULTS.names_in("en") == {}


@pytest.mark.parametrize("language", ["uk", "pl"])
def test_the_translated_signposts_keep_every_number_and_say_what_a_gp_is(language: str) -> None:
    names = DEFAULTS.names_in(language)
    for sign in DEFAULT_SIGNPOSTS:
        for number in ("999", "NHS 111", "116 123", "0800 144 8848"):
            if number in sign.text:
                assert number in names[sign.text], (language, sign.topic, number)
    care = next(s for s in DEFAULT_SIGNPOSTS if s.topic == "Medical care")
    assert "(GP)" in names[care.text]
    assert {"uk": "сімейну практику", "pl": "lekarza rodzinnego"}[language] in names[care.text]


def test_a_file_s_own_translations_win_and_a_default_name_keeps_the_built_in_ones() -> None:
    community = parse_community(
        MINIMAL
        + """
[[categories]]
name = "Shopping & essentials"
name_pl = "Zakupy"

[[categories]]
name = "other"

[[categories]]
name = "Gardening"
name_uk = "Садівництво"

[[categories]]
name = "Knitting"

[[signposts]]
topic = "Emergencies"
text = "If someone is in danger or seriously ill, call 999 now."
text_uk = "Небезпека? Телефонуйте 999."
keywords = ["fire"]

[[signposts]]
topic = "Medical help"
text = "Ring the Riverside surgery on 01234 567890."
keywords = ["doctor"]
"""
    )
    uk, pl = community.names_in("uk"), community.names_in("pl")
    assert pl["Shopping & essentials"] == "Zakupy"  # its own
    assert uk["Shopping & essentials"] == "Покупки та найнеобхідніше"  # built in
    assert uk["other"] == "Інше" and pl["other"] == "Inne"  # the name in any case
    assert uk["Gardening"] == "Садівництво" and "Gardening" not in pl  # shown as written
    assert "Knitting" not in uk and "Knitting" not in pl
    shop = community.category("shopping & essentials")
    assert shop is not None
    assert (shop.name_in("pl"), shop.name_in("uk"), shop.name_in("en")) == (
        "Zakupy",
        "Покупки та найнеобхідніше",
        "Shopping & essentials",
    )
    assert uk["If someone is in danger or seriously ill, call 999 now."] == (
        "Небезпека? Телефонуйте 999."
    )
    assert pl["Emergencies"] == "Nagłe wypadki"
    # A reworded text is not given the translation of the default one: it shows as written.
    assert "Ring the Riverside surgery on 01234 567890." not in uk
    assert uk["Medical help"] == "Медична допомога"
    # Its own English keywords, and still the built-in Ukrainian and Polish ones.
    assert [s.topic for s in community.signposts_for("Викличте швидку!")] == ["Emergencies"]
    assert [s.topic for s in community.signposts_for("Potrzebny lekarz")] == ["Medical help"]


def test_a_file_may_translate_its_own_signposts() -> None:
    community = parse_community(
        MINIMAL
        + """
[[signposts]]
topic = "Gas leaks"
text = "Smell gas? Call 0800 111 999."
topic_uk = "Витік газу"
text_uk = "Запах газу? Телефонуйте 0800 111 999."
topic_pl = "Wyciek gazu"
text_pl = "Czujesz gaz? Zadzwoń pod 0800 111 999."
keywords = ["gas"]
keywords_uk = ["газ*"]
keywords_pl = ["gaz*"]
"""
    )
    (sign,) = community.signposts
    pl = community.names_in("pl")
    assert pl["Gas leaks"] == "Wyciek gazu"
    assert pl["Smell gas? Call 0800 111 999."] == "Czujesz gaz? Zadzwoń pod 0800 111 999."
    assert not set(pl) & {s.topic for s in DEFAULT_SIGNPOSTS}  # only its own signposts
    assert (sign.topic_in("uk"), sign.text_in("en")) == ("Витік газу", sign.text)
    assert community.signposts_for("Пахне газом на кухні") == [sign]
    assert community.signposts_for("czuć gazem w kuchni") == [sign]


def test_unknown_or_blank_translations_are_refused_kindly() -> None:
    text = MINIMAL + '\n[[categories]]\nname = "Gardening"\nname_ua = "Садівництво"\n'
    message = error_for(text)
    assert "categories.0.name_ua (line 8)" in message
    assert "did you mean 'name_uk'?" in message
    assert "name, vetted_only, name_uk, name_pl" in message
    message = error_for(
        MINIMAL + '\n[[signposts]]\ntopic = "Gas"\ntext = "Call"\ntext_ukr = "Дзвоніть"\n'
    )
    assert "signposts.0.text_ukr (line 9)" in message and "did you mean 'text_uk'?" in message
    message = error_for(MINIMAL + '\n[[categories]]\nname = "Gardening"\nname_pl = "  "\n')
    assert "categories.0.name_pl (line 8): must not be blank" in message
    message = error_for(MINIMAL + f'\n[[categories]]\nname = "Gardening"\nname_uk = "{"я" * 61}"\n')
    assert "categories.0.name_uk (line 8)" in message and "at most 60" in message


def test_two_categories_with_one_name_in_a_language_are_refused() -> None:
    text = MINIMAL + '\n[[categories]]\nname = "Other"\n\n[[categories]]\nname = "Misc"\n'
    message = error_for(text + 'name_pl = "Inne"\n')
    assert "categories 'Other' and 'Misc' are both called 'Inne' in Polish" in message
    assert "name_pl (line 11)" in message


# --- the languages a group offers ------------------------------------------------------------


def test_a_group_offers_all_three_languages_unless_it_says_otherwise() -> None:
    assert DEFAULTS.languages == ("en", "uk", "pl")
    assert DEFAULTS.default_language == "en"
    chosen = parse_community('name = "T"\nlanguages = ["PL", " en "]\n[[areas]]\nname = "A"\n')
    assert chosen.languages == ("pl", "en")
    assert chosen.default_language == "pl"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('["en", "ua"]', "'ua' is not a language the bot speaks"),
        ('["en", "ua"]', "Ukrainian is 'uk'"),
        ('["de"]', 'use "en" (English), "uk" (Ukrainian), "pl" (Polish)'),
        ("[]", 'list at least one language, e.g. languages = ["en", "uk", "pl"]'),
        ('["uk", "en", "uk"]', "'uk' is listed twice"),
        ('"en"', 'write the languages as a list, e.g. languages = ["en", "uk", "pl"]'),
    ],
)
def test_a_bad_languages_setting_is_refused_with_its_line(written: str, said: str) -> None:
    message = error_for(f'name = "Townley"\nlanguages = {written}\n\n[[areas]]\nname = "A"\n')
    assert "languages (line 2): " in message
    assert said in message
    assert "Value error" not in message


def test_a_misspelt_languages_key_is_named() -> None:
    message = error_for('name = "Townley"\nlanguage = ["uk"]\n\n[[areas]]\nname = "A"\n')
    assert "language (line 2)" in message and "did you mean 'languages'?" in message


def test_the_bundled_example_translates_its_categories_and_offers_three_languages() -> None:
    from tests.test_domain_answers import FROME

    assert FROME.languages == ("en", "uk", "pl")
    assert FROME.signposts == DEFAULT_SIGNPOSTS
    uk = FROME.names_in("uk")
    assert all(c in uk for c in FROME.category_names())


# --- signposts in Ukrainian and Polish -------------------------------------------------------

SIGNPOSTED = {
    "Emergencies": [
        "Болить серце, не можу дихати",
        "Викличте швидку, мамі дуже погано",
        "Чоловікові потрібна швидка допомога!",
        "Сильний біль у грудях вже годину",
        "Сусідка знепритомніла на сходах",
        "Тато втратив свідомість",
        "У під’їзді пожежа",
        "Бабуся впала і не може встати",
        "Бабуся впала i не може встати",  # a Latin "i", as on a Russian keyboard
        "бiль у грудях",  # and inside a word
        "Він задихається",
        "Ból w klatce piersiowej od rana",
        "bol w klatce piersiowej od rana",
        "Nie mogę oddychać",
        "nie moge oddychac",
        "Proszę wezwać karetkę",
        "prosze wezwac karetke",
        "Dzwońcie na pogotowie",
        "Mąż zemdlał w kuchni",
        "maz zemdlal w kuchni",
        "Moja mama zemdlała",
        "Pożar w bloku!",
        "pozar w bloku",
        "Babcia upadła i nie może wstać",
        "babcia upadla i nie moze wstac",
        "Sąsiad stracił przytomność",
        "I can’t breathe",  # the curly apostrophe phones type
    ],
    "Medical help": [
        "Потрібен лікар, у мене температура",
        "Чи може медсестра мене оглянути?",
        "Potrzebuję lekarza",
        "potrzebuje lekarza",
        "Czy pielęgniarka może przyjść?",
        "czy pielegniarka moze przyjsc",
    ],
    "Medical care": [
        "Потрібно зробити укол інсуліну",
        "Хто може зробити перев’язку?",
        "Хто може зробити перев'язку?",
        "Зробіть ін'єкцію, будь ласка",
        "Треба обробити рану на нозі",
        "Potrzebuję zastrzyku",
        "Kto może zmienić mi opatrunek?",
        "kto moze zmienic mi opatrunek",
        "zmiana opatrunku na nodze",
    ],
    "Personal care": [
        "Допоможіть помитися",
        "Мені потрібна допомога, щоб вдягнутися",
        "Допоможіть дійти до туалету",
        "Хто може викупати тата?",
        "Czy ktoś pomoże mi się umyć?",
        "czy ktos pomoze mi sie umyc",
        "Potrzebuję pomocy przy kąpieli",
        "potrzebuje pomocy przy kapieli",
        "Ktoś musi mnie zaprowadzić do toalety",
        "pomoc w ubieraniu się rano",
    ],
    "Entering homes": [
        "Зайдіть до мене в квартиру, поставте продукти в холодильник",
        "Ключ під килимком, заходьте",
        "Можете зайти в дім і полити квіти?",
        "Я залишу ключ у сусідки",
        "Занесіть, будь ласка, покупки всередину",
        "Proszę wejść do mieszkania i podlać kwiaty",
        "prosze wejsc do mieszkania i podlac kwiaty",
        "Klucz jest pod wycieraczką",
        "Zostawię klucz u sąsiadki",
        "wniesc zakupy do srodka",
    ],
    "Money and bank cards": [
        "Я дам вам свою банківську картку",
        "Мій пін-код 1234",
        "Зніміть готівку в банкоматі",
        "Можете зняти гроші з моєї картки?",
        "Dam ci moją kartę i PIN",
        "Wypłać pieniądze z bankomatu",
        "wyplac pieniadze z bankomatu",
        "Mój PIN to 1234",
        "moj pin to 1234",
        "Karta bankowa leży w kuchni",
    ],
    "Feeling low": [
        "Я думаю про самогубство",
        "Хочу покінчити з життям",
        "Не хочу жити",
        "Мені не хочеться жити",
        "Myślę o samobójstwie",
        "mysle o samobojstwie",
        "Chcę odebrać sobie życie",
        "chce odebrac sobie zycie",
        "Chcę skończyć ze sobą",
        "chce skonczyc ze soba",
        "Nie chcę już żyć",
    ],
}


@pytest.mark.parametrize(
    ("said", "topic"), [(said, topic) for topic, lines in SIGNPOSTED.items() for said in lines]
)
def test_what_the_group_must_not_do_is_signposted_in_ukrainian_and_polish(
    said: str, topic: str
) -> None:
    assert topic in topics(said), said
    assert topic in topics(said, "Shopping & essentials"), said


@pytest.mark.parametrize(
    "said",
    [
        "Потрібно купити хліб і молоко",
        "Вигуляти собаку",
        "Забрати ліки з аптеки",
        "Купити туалетний папір і засоби особистої гігієни",
        "Потрібна швидка доставка продуктів",
        "Прошу допомогти швидко з покупками",
        "Відправити посилку на пошті",
        "Позичити драбину на вихідні",
        "Позичте гайковий ключ, будь ласка",
        "Зателефонуйте мені, мені самотньо",
        "Принесіть продукти рано вранці",
        "Купити бинт і пластир",
        "Мама після інсульту, потрібні продукти",
        "Залиште пакет біля дверей",
        "Купити картоплю, моркву і мило",
        "Оплачу карткою при зустрічі",
        "Potrzebuję zakupów",
        "potrzebuje zakupow",
        "Wyprowadzić psa",
        "Odebrać leki z apteki",
        "Kupić papier toaletowy i płyn do kąpieli",
        "Zakupy z rana, chleb i mleko",
        "Wysłać paczkę na poczcie",
        "Pożyczyć drabinę",
        "Pożyczę klucz francuski",
        "Mama miała udar, potrzebuje zakupów",
        "Zostawcie zakupy pod drzwiami",
        "Zabiorę się za to jutro, najpierw apteka",
        "Kupić plastry i bandaż",
        "Zapłacę kartą przy drzwiach",
        "Proszę o szybką pomoc z zakupami",
    ],
)
def test_everyday_requests_in_ukrainian_and_polish_are_not_signposted(said: str) -> None:
    assert topics(said) == [], said


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("Лікар надіслав рецепт в аптеку", "Prescriptions"),
        ("Підвезти до лікаря в середу", "Transport to appointments"),
        ("Lekarz wysłał receptę do apteki", "Prescriptions"),
        ("Zawieźć mnie do lekarza we wtorek", "Transport to appointments"),
    ],
)
def test_a_doctor_is_expected_in_prescriptions_and_transport_in_any_language(
    said: str, category: str
) -> None:
    assert topics(said) == ["Medical help"]
    assert topics(said, category) == []


def test_a_stem_stands_for_its_words_but_never_for_a_part_of_one() -> None:
    community = parse_community(
        MINIMAL + '\n[[signposts]]\ntopic = "Ladders"\ntext = "No"\nkeywords = ["drabin*"]\n'
    )
    assert len(community.signposts_for("pożyczyć drabinę")) == 1
    assert community.signposts_for("podrabina") == []


@pytest.mark.parametrize(
    ("keyword", "said"),
    [
        ("", "has no letters, so it would match anything"),
        ("a*", "'a*' is too short"),
        ("dra*bina", "`*` may only end a word"),
    ],
)
def test_a_keyword_that_would_match_anything_is_refused(keyword: str, said: str) -> None:
    text = MINIMAL + f'\n[[signposts]]\ntopic = "X"\ntext = "Y"\nkeywords_pl = ["{keyword}"]\n'
    message = error_for(text)
    assert "signposts.0.keywords_pl (line 9)" in message and said in message

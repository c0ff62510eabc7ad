"""The community file: the group's areas, categories and signposts, validated."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from domain import answers

# The languages the bot speaks, and those the file's names may be translated into.
LANGUAGES = ("en", "uk", "pl")
TRANSLATED = ("uk", "pl")
LANGUAGE_NAMES = {"en": "English", "uk": "Ukrainian", "pl": "Polish"}

DEFAULT_CATEGORIES = (
    "Shopping & essentials",
    "Prescriptions",
    "Dog walking & pets",
    "Phone befriending",
    "Transport to appointments",
    "Post & errands",
    "Lending items",
    "Other",
)


class CommunityError(ValueError):
    """The community file cannot be used; the message says where and why."""


class Area(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    aliases: tuple[str, ...] = ()
    neighbours: tuple[str, ...] = ()
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    # The council ward it lies in, for the liaison's figures by ward (product.md, The
    # dashboard); several areas may share one.
    ward: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"\S")


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _translation() -> Any:
    """A translation of a name or text: like the English, never blank."""
    return Field(default=None, min_length=1, pattern=r"\S")


class Category(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    vetted_only: bool = False
    # The name in Ukrainian and Polish; without them it shows as written.
    name_uk: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"\S")
    name_pl: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"\S")

    @model_validator(mode="before")
    @classmethod
    def _built_in(cls, data: Any) -> Any:
        """A default category's name keeps its built-in translations unless the file
        gives its own."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return data
        data = dict(data)
        for language in TRANSLATED:
            _inherit(data, f"name_{language}", _BUILT_IN.get(_key(data["name"]), {}))
        return data

    def name_in(self, language: str) -> str:
        return _in(self.name, language, uk=self.name_uk, pl=self.name_pl)


class Signpost(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str
    text: str
    # Matched as whole words or phrases, whatever the person's language (people mix them);
    # a word ending in `*` stands for every word it begins ("karetk*": karetka, karetkę).
    keywords: tuple[str, ...] = ()
    keywords_uk: tuple[str, ...] = ()
    keywords_pl: tuple[str, ...] = ()
    # Categories where these words are expected ("doctor" in Prescriptions): there they do
    # not block.
    allowed_in: tuple[str, ...] = ()
    # Never offers `It's not that, post it`. Unset, a topic about emergencies is one.
    emergency: bool | None = None
    topic_uk: str | None = _translation()
    text_uk: str | None = _translation()
    topic_pl: str | None = _translation()
    text_pl: str | None = _translation()

    @model_validator(mode="before")
    @classmethod
    def _built_in(cls, data: Any) -> Any:
        """A default signpost's topic and text keep their built-in translations, and its
        topic its built-in Ukrainian and Polish keywords, unless the file gives its own. A
        text the file has reworded is not given the translation of the default one."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        topic, text = data.get("topic"), data.get("text")
        for language in TRANSLATED:
            if isinstance(topic, str):
                _inherit(data, f"topic_{language}", _BUILT_IN.get(_key(topic), {}))
                _inherit(data, f"keywords_{language}", _BUILT_IN_KEYWORDS.get(_key(topic), {}))
            if isinstance(text, str):
                _inherit(data, f"text_{language}", _BUILT_IN.get(_key(text), {}))
        return data

    @field_validator("keywords", "keywords_uk", "keywords_pl")
    @classmethod
    def _matchable(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if not any(ch.isalnum() for ch in word):
                raise ValueError(f"the keyword {word!r} has no letters, so it would match anything")
            for part in word.split():
                stem = part.rstrip("*")
                if "*" in stem:
                    raise ValueError(
                        f'in the keyword {word!r}, `*` may only end a word ("karetk*")'
                    )
                if part != stem and len(stem) < 3:
                    raise ValueError(
                        f"in the keyword {word!r}, {part!r} is too short to stand for the "
                        "words it begins: give at least three letters before `*`"
                    )
        return words

    @property
    def every_keyword(self) -> tuple[str, ...]:
        return (*self.keywords, *self.keywords_uk, *self.keywords_pl)

    @property
    def is_emergency(self) -> bool:
        return self.emergency if self.emergency is not None else "emergenc" in _key(self.topic)

    def allows(self, category: str | None) -> bool:
        """Are this signpost's words expected in requests of this category?"""
        return category is not None and _key(category) in {_key(c) for c in self.allowed_in}

    def matches(self, folded: str) -> bool:
        """Does a text, already `fold`ed, say one of this signpost's keywords?"""
        return any(_pattern(word).search(folded) for word in self.every_keyword)

    def topic_in(self, language: str) -> str:
        return _in(self.topic, language, uk=self.topic_uk, pl=self.topic_pl)

    def text_in(self, language: str) -> str:
        return _in(self.text, language, uk=self.text_uk, pl=self.text_pl)


def _inherit(data: dict[str, Any], field: str, built_in: dict[str, Any]) -> None:
    language = field.rsplit("_", 1)[1]
    if field not in data and language in built_in:
        data[field] = built_in[language]


def _in(english: str, language: str, **translations: str | None) -> str:
    return translations.get(language) or english


class SocialValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pounds_per_hour: float | None = Field(default=None, gt=0)


# --- what a signpost's keywords are matched against ------------------------------------

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032", "'"))
# Ukrainians on a Russian keyboard type a Latin "i" for "і": in a Cyrillic word it is one.
_LATIN_I = re.compile(
    r"(?<=[\u0400-\u04ff])i|i(?=[\u0400-\u04ff])|(?<=[\u0400-\u04ff] )i(?= [\u0400-\u04ff])"
)


def fold(text: str) -> str:
    """Text as keywords are matched: in any case and spacing, any apostrophe (’ ʼ) as ',
    and Latin letters without their accents, as people type on phones without them ("nie
    moge oddychac" for "nie mogę oddychać"). Cyrillic letters are kept as they are (й is
    not и)."""
    out = []
    for ch in unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES):
        if ch.isascii() or not unicodedata.name(ch, "").startswith("LATIN"):
            out.append(ch)
        elif ch == "ł":  # has no accent to take away
            out.append("l")
        else:
            out.extend(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return " ".join(_LATIN_I.sub("і", "".join(out)).split())


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> re.Pattern[str]:
    words = [
        re.escape(w[:-1].rstrip("*")) + r"\w*" if w.endswith("*") else re.escape(w)
        for w in fold(keyword).split(" ")
    ]
    return re.compile(r"(?<!\w)" + " ".join(words) + r"(?!\w)")


# --- the defaults and their translations -----------------------------------------------

# The built-in Ukrainian and Polish for the default categories and signposts, by the English
# they translate (matched without regard to case or spacing, as names are). Short and plain:
# people read them worried or unwell; numbers exactly as in English.
_TRANSLATIONS: dict[str, dict[str, str]] = {
    # categories
    "Shopping & essentials": {
        "uk": "Покупки та найнеобхідніше",
        "pl": "Zakupy i podstawowe produkty",
    },
    "Prescriptions": {"uk": "Ліки за рецептом", "pl": "Leki na receptę"},
    "Dog walking & pets": {"uk": "Вигул собак і тварини", "pl": "Spacery z psem i zwierzęta"},
    "Phone befriending": {
        "uk": "Дружні розмови телефоном",
        "pl": "Przyjacielskie rozmowy przez telefon",
    },
    "Transport to appointments": {"uk": "Підвезти на прийом", "pl": "Dowóz na wizyty"},
    "Post & errands": {"uk": "Пошта й дрібні справи", "pl": "Poczta i sprawy do załatwienia"},
    "Lending items": {"uk": "Позичити речі", "pl": "Pożyczanie rzeczy"},
    "Other": {"uk": "Інше", "pl": "Inne"},
    # signposts: topic, then text
    "Emergencies": {"uk": "Екстрені випадки", "pl": "Nagłe wypadki"},
    "If someone is in danger or seriously ill, call 999 now.": {
        "uk": "Якщо хтось у небезпеці або тяжко хворий, негайно телефонуйте 999.",
        "pl": "Jeśli ktoś jest w niebezpieczeństwie lub poważnie chory, zadzwoń teraz pod 999.",
    },
    "Medical help": {"uk": "Медична допомога", "pl": "Pomoc medyczna"},
    "For medical advice call NHS 111 (free, day and night), or 999 in an emergency.": {
        "uk": "По медичну пораду телефонуйте NHS 111 (безкоштовно, цілодобово), "
        "а в екстреному випадку — 999.",
        "pl": "Po poradę medyczną zadzwoń pod NHS 111 (bezpłatnie, całą dobę), "
        "a w nagłym wypadku pod 999.",
    },
    "Medical care": {"uk": "Медичний догляд", "pl": "Opieka medyczna"},
    "Injections, dressings and medicine doses need a nurse or pharmacist: call your GP "
    "surgery, or NHS 111 (free, day and night).": {
        "uk": "Уколи, перев'язки й дози ліків — справа медсестри або фармацевта: "
        "зателефонуйте у вашу сімейну практику (GP) або в NHS 111 (безкоштовно, цілодобово).",
        "pl": "Zastrzyki, opatrunki i dawki leków wymagają pielęgniarki lub farmaceuty: "
        "zadzwoń do swojej przychodni lekarza rodzinnego (GP) lub pod NHS 111 "
        "(bezpłatnie, całą dobę).",
    },
    "Personal care": {"uk": "Особистий догляд", "pl": "Opieka osobista"},
    "Washing, dressing and personal care need trained carers: call the council's adult "
    "social care line.": {
        "uk": "Для миття, одягання й особистого догляду потрібні навчені доглядальники: "
        "зателефонуйте на лінію соціальної допомоги дорослим у вашій місцевій раді (council).",
        "pl": "Mycie, ubieranie i opieka osobista wymagają przeszkolonych opiekunów: zadzwoń "
        "na linię opieki społecznej dla dorosłych w swoim urzędzie lokalnym (council).",
    },
    "Entering homes": {"uk": "Вхід до дому", "pl": "Wchodzenie do domu"},
    "Our volunteers stay on the doorstep. For help inside the home, call the council's "
    "adult social care line.": {
        "uk": "Наші волонтери не заходять до дому, а лишаються біля дверей. По допомогу вдома "
        "телефонуйте на лінію соціальної допомоги дорослим у вашій місцевій раді (council).",
        "pl": "Nasi wolontariusze zostają przy drzwiach. Po pomoc w domu zadzwoń na linię "
        "opieki społecznej dla dorosłych w swoim urzędzie lokalnym (council).",
    },
    "Money and bank cards": {"uk": "Гроші та банківські картки", "pl": "Pieniądze i karty bankowe"},
    "Never give anyone your bank card or PIN. Citizens Advice (0800 144 8848) can help "
    "with money; we can pay and be repaid with a receipt.": {
        "uk": "Ніколи нікому не давайте свою банківську картку чи PIN-код. Citizens Advice "
        "(0800 144 8848) допоможе з грошовими питаннями; ми можемо заплатити, а ви "
        "повернете гроші за чеком.",
        "pl": "Nigdy nikomu nie dawaj swojej karty bankowej ani kodu PIN. Citizens Advice "
        "(0800 144 8848) pomoże w sprawach pieniędzy; możemy zapłacić, a ty oddasz "
        "pieniądze według paragonu.",
    },
    "Feeling low": {"uk": "Коли дуже важко", "pl": "Gdy jest bardzo ciężko"},
    "If you are struggling, Samaritans listen day and night: call 116 123 (free).": {
        "uk": "Якщо вам важко, Samaritans вислухають удень і вночі: телефонуйте 116 123 "
        "(безкоштовно).",
        "pl": "Jeśli jest ci ciężko, Samaritans wysłuchają cię w dzień i w nocy: zadzwoń pod "
        "116 123 (bezpłatnie).",
    },
}
_BUILT_IN = {_key(english): t for english, t in _TRANSLATIONS.items()}


def _each(starts: tuple[str, ...], ends: tuple[str, ...]) -> tuple[str, ...]:
    """Every phrase of one of `starts` then one of `ends`."""
    return tuple(f"{s} {e}" for s in starts for e in ends)


# The default signposts' keywords in Ukrainian and Polish, by topic. Whole words, so each
# form people write is listed, or a stem with `*` where no everyday word shares it (not
# "швидк*": "швидко" is "quickly"). Polish is written with its letters; typed without them
# it matches too. An emergency keyword stops a request from being posted, so those are
# phrases that mean the emergency, not words that may ("після інсульту": after a stroke).
_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "Emergencies": {
        "uk": (
            "швидка допомога",
            "швидку допомогу",
            "швидкої допомоги",
            "швидкій допомозі",
            "швидкою допомогою",
            *_each(("виклик*", "виклич*"), ("швидку", "швидкої")),
            "швидку виклик*",
            "швидку виклич*",
            "екстрена допомога",
            "екстрену допомогу",
            "екстреної допомоги",
            "екстрен* ситуац*",
            "екстрен* випад*",
            "надзвичайн* ситуац*",
            "не мож* дихати",
            "не можу вдихнути",
            "не дихає",
            "перестав дихати",
            "перестала дихати",
            "задиха*",
            *_each(("біль", "болі", "болить", "болять"), ("у грудях", "в грудях")),
            "болить серце",
            "пожежа",
            "пожежу",
            *_each(("втратив", "втратила", "втрачає", "втрачаю"), ("свідомість",)),
            "знепритомн*",
            "непритомн*",
            "без свідомості",
            *_each(("впав", "впала"), ("і не мож* встати", "й не мож* встати")),
            *_each(("впав", "впала"), ("і не мож* підвест*", "й не мож* підвест*")),
        ),
        "pl": (
            "karetk*",
            "pogotowi*",
            "ambulans*",
            "nagł* wypad*",
            "nagł* przypad*",
            *_each(("nie mog*", "nie moż*"), ("oddychać", "złapać tchu", "złapać oddechu")),
            "nie oddycha",
            "przesta* oddychać",
            "duszę się",
            "dusi się",
            "ból* w klatce",
            "klat* piersiow*",
            "pożar",
            "pali się w domu",
            "pali się w mieszkaniu",
            "zemdl*",
            "omdl*",
            "straci* przytomność",
            "traci* przytomność",
            "nieprzytomn*",
            "bez przytomności",
            *_each(
                ("upadł", "upadła", "upadłem", "upadłam", "przewrócił się", "przewróciła się"),
                ("i nie mog* wstać", "i nie moż* wstać"),
            ),
        ),
    },
    "Medical help": {
        "uk": (
            "лікар",
            "лікаря",
            "лікарю",
            "лікарем",
            "лікарі",
            "лікарів",
            "лікарям",
            "лікарка",
            "лікарку",
            "лікарки",
            "лікаркою",
            "медсестр*",
            "медбрат*",
            "фельдшер*",
            "доктор*",
            "врач*",
        ),
        "pl": ("lekarz*", "lekark*", "pielęgniark*", "pielęgniarz*", "doktor*"),
    },
    "Medical care": {
        "uk": (
            "укол*",
            "ін'єкц*",
            "інєкц*",
            "інекц*",
            "перев'язк*",
            "перевязк*",
            "перев'язати рану",
            "рана",
            "рану",
            "рани",
            "рані",
            "раною",
            "пролежн*",
            "доз* ліків",
            "крапельниц*",
        ),
        "pl": (
            "zastrzyk*",
            "iniekcj*",
            "wstrzykn*",
            "zmieni* opatrun*",
            "zmieni* mi opatrun*",
            "zmian* opatrun*",
            "opatrzyć",
            "opatrzy mi",
            "opatrzenie",
            "ranę",
            "odleżyn*",
            "dawk* lek*",
            "kroplówk*",
        ),
    },
    "Personal care": {
        "uk": (
            "помити мене",
            "помийте мене",
            "помитися",
            "вмитися",
            "митися",
            "скупати*",
            "викупати*",
            "купати",
            "купатися",
            "прийняти душ",
            "прийняти ванну",
            "вдягнутися",
            "одягнутися",
            "вдягатися",
            "одягатися",
            "вдягнути мене",
            "одягнути мене",
            "переодягну*",
            "до туалету",
            "в туалет",
            "у туалет",
            "особист* догляд*",
            "доглядальниц*",
            "доглядальник*",
        ),
        "pl": (
            "umyć mnie",
            "umyj mnie",
            "umyć się",
            "się umyć",
            "myć się",
            "się myć",
            "wykąpać*",
            "wykąp mnie",
            "kąpać",
            "kąpać się",
            "w kąpieli",
            "przy kąpieli",
            "wziąć prysznic",
            "pod prysznic",
            "ubrać się",
            "się ubrać",
            "ubrać mnie",
            "ubierać się",
            "się ubierać",
            "ubierani*",
            "przebrać się",
            "się przebrać",
            "przebrać mnie",
            "do toalety",
            "z toalety",
            "do ubikacji",
            "opiek* osobist*",
        ),
    },
    "Entering homes": {
        "uk": (
            *_each(
                ("зай*", "увій*", "ввій*", "занес*", "заход*"),
                (
                    "в дім",
                    "у дім",
                    "в будинок",
                    "у будинок",
                    "до будинку",
                    "в квартиру",
                    "у квартиру",
                    "до квартири",
                    "в хату",
                    "у хату",
                    "до хати",
                    "до мене",
                ),
            ),
            *_each(("ключ", "ключі"), ("від квартири", "від дому", "від будинку", "від хати")),
            *_each(("ключ", "ключі"), ("під килим*", "під дверима")),
            "всередину",
            "під килимком",
            "залиш* ключ*",
            "дам ключ*",
            "дам вам ключ*",
            "передам ключ*",
            "візьміть ключ*",
            "мій ключ",
            "мої ключі",
            "сейф для ключ*",
            "ключниц*",
        ),
        "pl": (
            *_each(
                ("wejść", "wejdź*", "wchodz*", "wnieś*", "zanieś*"),
                ("do domu", "do mieszkania", "do mnie"),
            ),
            "do środka",
            "wpuścić się",
            "wpuść się",
            *_each(("klucz", "klucze"), ("do domu", "do mieszkania", "pod wycieraczk*")),
            "pod wycieraczk*",
            "zostaw* klucz*",
            "dam klucz*",
            "dam ci klucz*",
            "dam wam klucz*",
            "przekażę klucz*",
            "weź* klucz*",
            "mój klucz",
            "moje klucze",
            "sejf na klucz*",
            "skrytk* na klucz*",
        ),
    },
    "Money and bank cards": {
        "uk": (
            "банківськ* карт*",
            "мою картку",
            "моя картка",
            "моєю карткою",
            "моїй картці",
            "мою карту",
            "моя карта",
            "мої картки",
            "пін",
            "пінкод*",
            "pin-код*",
            "pin код*",
            "код від картки",
            "код картки",
            "зня* готівк*",
            "зня* гроші",
            "зня* грошей",
            "зня* кошти",
            "банкомат*",
        ),
        "pl": (
            "kart* bankow*",
            "kart* płatnicz*",
            "kart* debetow*",
            "kart* kredytow*",
            "moją kartę",
            "moja karta",
            "moją kartą",
            "mojej karty",
            "moje karty",
            "kod pin",
            "kodu pin",
            "numer pin",
            "mój pin",
            "pin do karty",
            "pinu",
            "pin-u",
            "wypła* pieni*",
            "wypła* gotówk*",
            "wypła* z bankomatu",
            "podj* pieni*",
            "podj* gotówk*",
            "bankomat*",
        ),
    },
    "Feeling low": {
        "uk": (
            "самогуб*",
            "суїцид*",
            "покінч* з життям",
            "покінч* з собою",
            "наклас* на себе руки",
            "наклад* на себе руки",
            "не хочеться жити",
            "не хочу жити",
            "не хочу більше жити",
            "не хочу вже жити",
            "сенсу жити",
            "вбити себе",
            "убити себе",
            "вб'ю себе",
            "уб'ю себе",
            "вбю себе",
            "самоушкодж*",
            "шкоджу собі",
            "ріжу себе",
        ),
        "pl": (
            "samobój*",
            "odebra* sobie życie",
            "odbior* sobie życie",
            "skończ* ze sobą",
            "skończ* z życiem",
            "zabić się",
            "zabij* się",
            "się zabić",
            "się zabij*",
            "nie chc* żyć",
            "nie chce mi się żyć",
            "nie chc* już żyć",
            "nie chc* dłużej żyć",
            "samookalecz*",
            "okalecz* się",
            "tnę się",
        ),
    },
}
_BUILT_IN_KEYWORDS = {_key(topic): k for topic, k in _KEYWORDS.items()}


DEFAULT_SIGNPOSTS = (
    Signpost(
        topic="Emergencies",
        text="If someone is in danger or seriously ill, call 999 now.",
        keywords=("emergency", "ambulance", "collapsed", "can't breathe", "chest pain", "fire"),
    ),
    Signpost(
        topic="Medical help",
        text="For medical advice call NHS 111 (free, day and night), or 999 in an emergency.",
        keywords=("doctor", "nurse"),
        # "The doctor has sent it over", "a lift to the nurse": expected there.
        allowed_in=("Prescriptions", "Transport to appointments"),
    ),
    Signpost(
        topic="Medical care",
        text="Injections, dressings and medicine doses need a nurse or pharmacist: call your "
        "GP surgery, or NHS 111 (free, day and night).",
        keywords=(
            "injection",
            "wound dressing",
            "change my dressing",
            "change the dressing",
            "medication dose",
            "wound",
        ),
    ),
    Signpost(
        topic="Personal care",
        text="Washing, dressing and personal care need trained carers: call the council's "
        "adult social care line.",
        keywords=(
            "personal care",
            "wash me",
            "bathing",
            "help me dress",
            "to the toilet",
            "commode",
        ),
    ),
    Signpost(
        topic="Entering homes",
        text="Our volunteers stay on the doorstep. For help inside the home, call the "
        "council's adult social care line.",
        keywords=("come inside", "come in and", "inside my home", "let yourself in", "key safe"),
    ),
    Signpost(
        topic="Money and bank cards",
        text="Never give anyone your bank card or PIN. Citizens Advice (0800 144 8848) can "
        "help with money; we can pay and be repaid with a receipt.",
        keywords=(
            "bank card",
            "my pin",
            "pin number",
            "cash machine",
            "withdraw cash",
            "my card",
        ),
    ),
    Signpost(
        topic="Feeling low",
        text="If you are struggling, Samaritans listen day and night: call 116 123 (free).",
        keywords=("suicide", "end my life", "kill myself", "self harm"),
        emergency=True,  # someone may be in danger: a coordinator calls, nothing is posted
    ),
)


class Community(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    areas: tuple[Area, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = tuple(Category(name=n) for n in DEFAULT_CATEGORIES)
    signposts: tuple[Signpost, ...] = DEFAULT_SIGNPOSTS
    social_value: SocialValue = SocialValue()
    # The languages the group offers, the one it prefers first: someone whose app is in
    # none of them reads the first.
    languages: tuple[str, ...] = LANGUAGES

    # Lookups built once: matching asks them for every candidate of every need.
    _areas: dict[str, Area] = PrivateAttr(default_factory=dict)
    _words: dict[str, Area] = PrivateAttr(default_factory=dict)
    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)
    _neighbours: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._areas = {_key(a.name): a for a in self.areas}
        self._words = {_key(w): a for a in self.areas for w in (a.name, *a.aliases)}
        self._categories = {_key(c.name): c for c in self.categories}
        mutual: dict[str, set[str]] = {a.name: set() for a in self.areas}
        for area in self.areas:
            for neighbour in area.neighbours:
                other = self._areas.get(_key(neighbour))
                if other is not None:
                    # Neighbourliness is mutual even when the file lists it on one side only.
                    mutual[area.name].add(other.name)
                    mutual[other.name].add(area.name)
        self._neighbours = {name: frozenset(n) for name, n in mutual.items()}

    @field_validator("languages", mode="before")
    @classmethod
    def _offered(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        codes = [v.strip().casefold() if isinstance(v, str) else v for v in value]
        if not codes:
            raise ValueError(f"list at least one language, e.g. languages = {_EXAMPLE}")
        for code in codes:
            if code not in LANGUAGES:
                hint = _LANGUAGE_HINTS.get(code) if isinstance(code, str) else None
                raise ValueError(
                    f"{code!r} is not a language the bot speaks: use "
                    + ", ".join(f'"{c}" ({LANGUAGE_NAMES[c]})' for c in LANGUAGES)
                    + (f"; {LANGUAGE_NAMES[hint]} is {hint!r}" if hint else "")
                )
            if codes.count(code) > 1:
                raise ValueError(f"{code!r} is listed twice")
        return tuple(codes)

    @model_validator(mode="after")
    def _consistent(self) -> Community:
        names = [_key(a.name) for a in self.areas]
        if len(set(names)) != len(names):
            raise ValueError("two areas share a name")
        cats = [_key(c.name) for c in self.categories]
        if len(set(cats)) != len(cats):
            raise ValueError("two categories share a name")
        for language in TRANSLATED:
            named: dict[str, str] = {}
            for cat in self.categories:
                translated = cat.name_in(language)
                other = named.setdefault(_key(translated), cat.name)
                if translated != cat.name and other != cat.name:
                    raise ValueError(
                        f"categories {other!r} and {cat.name!r} are both called "
                        f"{translated!r} in {LANGUAGE_NAMES[language]}"
                    )
        known = set(names)
        for area in self.areas:
            for neighbour in area.neighbours:
                if _key(neighbour) not in known:
                    raise ValueError(
                        f"area {area.name!r} names neighbour {neighbour!r}, which is not an area"
                    )
        categories = set(cats)
        if "signposts" in self.model_fields_set:  # the defaults name default categories
            for sign in self.signposts:
                for category in sign.allowed_in:
                    if _key(category) not in categories:
                        raise ValueError(
                            f"signpost {sign.topic!r} is allowed in {category!r}, "
                            "which is not a category"
                        )
        seen: dict[str, str] = {}
        for area in self.areas:
            for word in (area.name, *area.aliases):
                owner = seen.setdefault(_key(word), area.name)
                if owner != area.name:
                    raise ValueError(
                        f"areas {owner!r} and {area.name!r} both use the alias {word!r}"
                    )
        return self

    # --- lookups -----------------------------------------------------------------------
    def area_names(self) -> list[str]:
        return [a.name for a in self.areas]

    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]

    def category_options(self) -> list[tuple[str, tuple[str, ...]]]:
        """What may be typed for each category: its name and plain words, and its name in
        each language the group offers (as its buttons show it)."""
        return [
            (
                c.name,
                (
                    *answers.category_phrases(c.name),
                    *sorted({c.name_in(language) for language in self.languages} - {c.name}),
                ),
            )
            for c in self.categories
        ]

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def names_in(self, language: str) -> dict[str, str]:
        """Each category name, signpost topic and signpost text (in English, as the file
        writes it) that has a translation in this language, mapped to it; empty for
        English or a language with no translations."""
        out: dict[str, str] = {}
        if language not in TRANSLATED:
            return out
        for cat in self.categories:
            if cat.name_in(language) != cat.name:
                out[cat.name] = cat.name_in(language)
        for sign in self.signposts:
            for english, translated in (
                (sign.topic, sign.topic_in(language)),
                (sign.text, sign.text_in(language)),
            ):
                if translated != english:
                    out[english] = translated
        return out

    def area(self, name: str) -> Area | None:
        return self._areas.get(_key(name))

    def category(self, name: str) -> Category | None:
        return self._categories.get(_key(name))

    def find_area(self, typed: str) -> Area | None:
        """The area a resident meant by a name or alias, ignoring case and spacing."""
        return self._words.get(_key(typed))

    def read_area(self, typed: str) -> Area | None:
        """The area a resident meant by what they typed: a name or alias in any case, after
        a house or flat number ("12 Selwood Road"), from a full postcode, or a close
        spelling of one; None when nothing fits."""
        candidates = answers.place_candidates(typed)
        for candidate in candidates:
            area = self.find_area(candidate)
            if area is not None:
                return area
        options = [(a.name, (a.name, *a.aliases)) for a in self.areas]
        for candidate in candidates:
            name = answers.pick(candidate, options)
            if name is not None:
                return self.area(name)
        return None

    def suggest_areas(self, typed: str, limit: int = 3) -> list[str]:
        """The area names closest to what was typed, for a friendly 'did you mean'."""
        words = {_key(w): a.name for a in self.areas for w in (a.name, *a.aliases)}
        close = difflib.get_close_matches(_key(typed), list(words), n=limit * 3, cutoff=0.4)
        out: list[str] = []
        for word in close:
            if words[word] not in out:
                out.append(words[word])
        return out[:limit]

    def nearest_area(self, lat: float, lon: float) -> Area | None:
        located = [a for a in self.areas if a.lat is not None and a.lon is not None]
        if not located:
            return None
        return min(located, key=lambda a: (distance_km(lat, lon, a.lat, a.lon), a.name))  # type: ignore[arg-type]

    def neighbours_of(self, name: str) -> frozenset[str]:
        area = self.area(name)
        return self._neighbours.get(area.name, frozenset()) if area else frozenset()

    def signposts_for(self, text: str, category: str | None = None) -> list[Signpost]:
        """Signposts whose keywords, in any of the languages, appear in the text as whole
        words or phrases (see `fold`), except those whose words are expected in the
        request's category."""
        folded = fold(text)
        return [s for s in self.signposts if not s.allows(category) and s.matches(folded)]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; plenty for 'which estate is nearest'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _line_of(text: str, loc: tuple[int | str, ...], data: dict) -> int | None:
    """Best-effort line number of the table a validation error points into."""
    if not loc or not isinstance(loc[0], str):
        return None
    section, index = loc[0], loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    lines = text.splitlines()
    if index is None:
        key = section
        for n, line in enumerate(lines, 1):
            if re.match(rf"\s*\[?{re.escape(key)}\]?\s*(=|$)", line):
                return n
            if line.lstrip().startswith("["):
                break  # past the top of the file: a key there belongs to a table
        return None
    count = -1
    for n, line in enumerate(lines, 1):
        if re.match(rf"\s*\[\[\s*{re.escape(section)}\s*\]\]", line):
            count += 1
            if count == index:
                if len(loc) > 2 and isinstance(loc[2], str):
                    for m in range(n, len(lines) + 1):
                        if re.match(rf"\s*{re.escape(loc[2])}\s*=", lines[m - 1]):
                            return m
                        if m > n and lines[m - 1].lstrip().startswith("["):
                            break
                return n
    return None


def _line_naming(text: str, message: str) -> tuple[int | None, str]:
    """The line and key where the last value quoted in `message` is written last."""
    quoted = re.findall(r"'([^']+)'", message)
    if not quoted:
        return None, ""
    value = quoted[-1]
    found: tuple[int | None, str] = (None, "")
    for n, line in enumerate(text.splitlines(), 1):
        if re.search(rf"[\"']{re.escape(value)}[\"']", line):
            # The last place it is written is where the rule broke (a second use, say).
            found = (n, line.split("=", 1)[0].strip() if "=" in line else "")
    return found


_RANGES = {"lat": ("latitude", 90), "lon": ("longitude", 180)}
_EXAMPLE = '["en", "uk", "pl"]'
# What people write for a language code they do not know.
_LANGUAGE_HINTS = {
    "ua": "uk",
    "ukr": "uk",
    "ukrainian": "uk",
    "українська": "uk",
    "pol": "pl",
    "polish": "pl",
    "polski": "pl",
    "eng": "en",
    "english": "en",
    "gb": "en",
    "en-gb": "en",
}


def _message(err: Any) -> str:
    """What is wrong, in the file's own terms where pydantic's words would puzzle."""
    loc = tuple(err["loc"])
    if err["type"] == "missing" and loc == ("name",):
        return (
            "required: the group's name, at the top of the file before any [[areas]], "
            'e.g. name = "Riverside Mutual Aid"'
        )
    if loc and loc[-1] in _RANGES and err["type"] in ("less_than_equal", "greater_than_equal"):
        what, limit = _RANGES[str(loc[-1])]
        return f"{err['input']!r} is not a {what}: it must be between -{limit} and {limit}"
    if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        return _unknown_key(loc)
    if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == r"\S":
        return "must not be blank: write the words, or leave the key out"
    if loc == ("languages",) and err["type"] == "tuple_type":
        return f"write the languages as a list, e.g. languages = {_EXAMPLE}"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


# What each table of the file is, and the model that says what it may hold.
_TABLES: dict[str, tuple[str, type[BaseModel]]] = {
    "areas": ("an area", Area),
    "categories": ("a category", Category),
    "signposts": ("a signpost", Signpost),
    "social_value": ("[social_value]", SocialValue),
}


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    """A key the file may not have, with the ones it may (and the closest of them)."""
    key = str(loc[-1])
    what, model = _TABLES.get(str(loc[0]), ("the top of the file", Community))
    if len(loc) == 1:
        what, model = "the top of the file", Community
    known = list(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return (
        f"{key!r} is not something {what} can have"
        + (f": did you mean {close[0]!r}?" if close else "")
        + f" ({what} may have: {', '.join(known)})"
    )


def _shared_names(text: str, data: dict[str, Any]) -> list[str]:
    """Two (or more) areas, or categories, with one name: each named where it is written."""
    problems = []
    for section in ("areas", "categories"):
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        groups: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                groups.setdefault(_key(entry["name"]), []).append(index)
        for indices in groups.values():
            if len(indices) < 2:
                continue
            places = []
            for index in indices:
                line = _line_of(text, (section, index, "name"), data)
                places.append(f"{section}.{index}.name" + (f" (line {line})" if line else ""))
            name = entries[indices[0]]["name"]
            problems.append(
                f"  {' and '.join(places)}: two {section} share the name {name!r}"
                + (
                    " (names are matched without regard to case)"
                    if len({entries[i]["name"] for i in indices}) > 1
                    else ""
                )
            )
    return problems


def parse_community(text: str, source: str = "community file") -> Community:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CommunityError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Community.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        places = [tuple(e["loc"]) for e in errors]
        problems = []
        for err in errors:
            loc = tuple(err["loc"])
            if loc and any(p != loc and p[: len(loc)] == loc for p in places):
                continue  # a table that failed because an entry of it did: said by the entry
            where = ".".join(str(p) for p in loc)
            line = _line_of(text, loc, data)
            if not loc:
                if "share a name" in err["msg"]:
                    problems.extend(_shared_names(text, data))
                    continue
                # A rule across entries (an unknown neighbour, a shared alias): point at the
                # line with the value it names.
                line, where = _line_naming(text, err["msg"])
            at = f" (line {line})" if line else ""
            problems.append(f"  {where or '(top level)'}{at}: {_message(err)}")
        raise CommunityError(f"{source} has problems:\n" + "\n".join(problems)) from None


def load_community(path: Path) -> Community:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommunityError(f"cannot read the community file {path}: {exc.strerror}") from None
    return parse_community(text, source=str(path))

"""Typed answers: what someone meant when they typed instead of tapping a button.

Wherever the bot offers buttons, a typed answer works too (product.md, Typed answers): the
label itself in any case, a close spelling, or a plain word people use ("prescription",
"tomorrow", "yes", a weekday). House and flat numbers before a street or estate are
ignored, and a full postcode finds its district. Only when nothing fits is the answer
None, and the bot says what it expected.

The words are known in English, Ukrainian and Polish at once (product.md, Languages): one
person may mix them, and no phrase means two things across the three (tests say so). Polish
may be typed without its diacritics ("sroda", "zakupow"); Ukrainian with any apostrophe
("п'ятниця", "п’ятниця", "пʼятниця") or none. Inflected forms people type are listed
("ліки", "ліків"; "zakupy", "zakupów"), not guessed by a stemmer.

Pure functions of text (and of today's date, for weekdays): no Telegram, no clock.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from domain.models import Availability, When

T = TypeVar("T", bound=Hashable)
Options = Sequence[tuple[T, Sequence[str]]]

# A close spelling is one this similar to a phrase (difflib's ratio): "perscription" is
# 0.92 from "prescription", "hello" 0.67 from "help". Short words are never guessed at
# (in letters, so the same for Cyrillic: "так", "ні", "tak", "nie" only as typed).
CLOSE = 0.8
MIN_CLOSE = 4
# Two options this near each other in likeness are both plausible: neither is chosen.
AMBIGUOUS = 0.05
# A "not" typed is never spelled away: "не сьогодні" is not a close spelling of
# "сьогодні", nor "nie dzisiaj" of "dzisiaj" (only of phrases that say "not" too).
NOT_WORDS = frozenset({"not", "dont", "не", "nie"})


def _words(en: tuple[str, ...], uk: str, pl: str) -> tuple[str, ...]:
    """A list's phrases: the English ones, then the Ukrainian and the Polish ones, each
    written as comma-separated phrases (a phrase has no comma of its own: "так залиште
    відкритим" is what "Так, залиште відкритим" reads as)."""
    return (*en, *(p.strip() for line in (uk, pl) for p in line.split(",") if p.strip()))


# Apostrophes people type inside a word (Ukrainian п'ятниця, п’ятниця, пʼятниця; English
# don't): dropped, so all of them, and none, read the same. U+02BC is a letter to `\w`.
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʼʹ`´′", ""))
# Latin letters with diacritics, folded to their plain letter (ą→a, ł→l, ó→o, ż→z, é→e):
# Polish typed on a phone without them reads the same. Cyrillic is never touched (й, ї,
# є, ґ stay distinct from и, і, е, г).
_LATIN_FOLD = {
    ch: base
    for ch in map(chr, range(0xC0, 0x250))
    if (base := unicodedata.normalize("NFD", ch)[0]) != ch and base.isascii() and base.isalpha()
} | {"ł": "l", "Ł": "l", "đ": "d", "ø": "o"}
_FOLD = str.maketrans(_LATIN_FOLD)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A Latin i typed inside a Ukrainian word (keyboards without і): the Ukrainian letter.
_LATIN_I_IN_CYRILLIC = str.maketrans({"i": "і", "ï": "ї"})


def _word(word: str) -> str:
    if _CYRILLIC.search(word):
        return word.translate(_LATIN_I_IN_CYRILLIC)
    return word.translate(_FOLD)


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, `&` read as `and`, punctuation as spaces, Latin
    diacritics folded ("środę" reads "srode"); Cyrillic kept as it is."""
    text = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).casefold()
    text = text.replace("&", " and ").translate(_APOSTROPHES)
    return " ".join(_word(w) for w in re.sub(r"[\W_]+", " ", text).split())


# Words that carry no answer: "yes please", "shopping thanks", "I need a prescription",
# "так, будь ласка", "мені потрібні ліки", "poproszę zakupy", "potrzebuję leków".
_FILLER = (
    "please pls plz thanks thank thx ta cheers i id im ill need needs want would like some "
    "a an the my me with for help just it its is be can could someone somebody get do oh "
    "um er erm hi hello hey love dear",
    # uk ("будь" alone is not filler: "будь-коли" is any time; "будь ласка" is, below)
    "ласка дякую дякуємо спасибі дуже тільки мені мене мій моя моє мої моїх я нам нас треба "
    "потрібно потрібна потрібен потрібні потрібне потребую хочу хотів хотіла хотілося б би "
    "допоможіть допоможи допомогти допомога допомоги допомогу просто це є можна можете "
    "хтось отримати ой ну а з із зі для на привіт вітаю здрастуйте здравствуйте добридень",
    # pl ("to" is not filler: "nie to" is "not that", "nie" is "no")
    "proszę poproszę dziękuję dziękujemy dzięki mi mnie mój moja moje moich ja nam nas "
    "potrzebuję potrzebuje potrzebna potrzebne potrzebny potrzeba chcę chce chciałbym "
    "chciałabym chcielibyśmy muszę pomóc pomoc pomocy pomóż pomóżcie pomożecie tylko jest "
    "można ktoś dostać z ze dla na cześć witam hej siema",
)
FILLER = frozenset(w for line in _FILLER for w in normalise(line).split())
# Filler of several words, where a word alone means something ("будь-коли", "dowolny dzień").
FILLER_PHRASES = tuple(
    tuple(normalise(p).split())
    for p in (
        "будь ласка",
        "добрий день",
        "доброго дня",
        "добрий вечір",
        "доброго ранку",
        "dzień dobry",
        "dobry wieczór",
        "z góry dziękuję",
    )
)


@lru_cache(maxsize=8192)
def core(text: str) -> str:
    """The words of an answer without the ones that carry none."""
    words = normalise(text).split()
    for phrase in FILLER_PHRASES:
        n = len(phrase)
        i = 0
        while i + n <= len(words):
            if tuple(words[i : i + n]) == phrase:
                del words[i : i + n]
            else:
                i += 1
    return " ".join(w for w in words if w not in FILLER)


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def pick(text: str, options: Options[T], *, close: bool = True) -> T | None:
    """The one option the text stands for: a phrase of it as typed (any case, with or
    without filler words), else the phrase it is a close spelling of. None when nothing
    fits, or when two options fit equally well."""
    said, meant = normalise(text), core(text)
    if not said:
        return None
    exact = {
        value
        for value, phrases in options
        for phrase in phrases
        if said == normalise(phrase) or (meant and meant == core(phrase))
    }
    if len(exact) == 1:
        return exact.pop()
    if exact or not close or len(meant) < MIN_CLOSE:
        return None
    said_not = NOT_WORDS.intersection(meant.split())
    best: dict[T, float] = {}
    for value, phrases in options:
        for phrase in phrases:
            target = core(phrase)
            if len(target) >= MIN_CLOSE and said_not <= set(target.split()):
                best[value] = max(best.get(value, 0.0), _likeness(meant, target))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < CLOSE:
        return None
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - AMBIGUOUS:
        return None
    return ranked[0][0]


# "shopping, dog walking and post"; "покупки, ліки та пошта"; "zakupy, leki i poczta".
_SEPARATORS = re.compile(r",|;|/|\+|&|\n|\b(?:and|also|і|й|та|також|i|oraz|także)\b", re.IGNORECASE)


def list_parts(text: str) -> list[str]:
    """The items of a typed list: "shopping, dog walking and post" has three."""
    return [p.strip() for p in _SEPARATORS.split(text) if core(p)]


def pick_many(text: str, options: Options[T]) -> list[T] | None:
    """Several options in one answer ("shopping, dog walking and post"): the whole text
    first, then each part; None unless every part fits."""
    whole = pick(text, options)
    if whole is not None:
        return [whole]
    parts = list_parts(text)
    if len(parts) < 2:
        return None
    found: list[T] = []
    for part in parts:
        value = pick(part, options)
        if value is None:
            return None
        if value not in found:
            found.append(value)
    return found


# --- plain words for the buttons -------------------------------------------------------------
# Each list: the English phrases, then the Ukrainian and the Polish ones (`_words`).

YES = _words(
    (
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "yea",
        "ok",
        "okay",
        "sure",
        "aye",
        "correct",
        "go ahead",
    ),
    uk="так, ага, угу, добре, гаразд, звісно, звичайно, авжеж, ок, окей, так звісно, "
    "так звичайно, правильно, вірно, підтверджую, згоден, згодна, давайте, давай, да",
    pl="tak, dobrze, jasne, no jasne, pewnie, pewno, oczywiście, ok, okej, okay, zgoda, "
    "tak jest, potwierdzam, śmiało, dawaj, no dobrze, w porządku, jak najbardziej",
)
NO = _words(
    ("no", "n", "nope", "nah", "no thanks", "no thank you", "not now"),
    uk="ні, не треба, не потрібно, ні не треба, не зараз, не сьогодні, ні дякую, нє, нет",
    pl="nie, nie teraz, nie trzeba, nie dzisiaj, nie dziś, nie dziękuję, nie potrzeba, "
    "raczej nie, absolutnie nie",
)

# The default categories (product.md) and the words people use for them; any category's
# own name, and each part of it ("Dog walking", "pets"), works too.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "shopping and essentials": _words(
        (
            "shopping",
            "shop",
            "shops",
            "food",
            "food shopping",
            "groceries",
            "grocery",
            "supermarket",
            "essentials",
            "bread and milk",
        ),
        uk="покупки, покупок, покупками, закупи, закупки, закупівлі, продукти, продуктів, "
        "продуктами, магазин, магазину, в магазин, до магазину, з магазину, їжа, їжу, їжі, "
        "їжею, харчі, харчів, супермаркет, купити, купити продукти, купити їжу, "
        "хліб і молоко, хліб та молоко, необхідне, найнеобхідніше, товари першої необхідності",
        pl="zakupy, zakupów, zakupach, zakupami, zakup, sklep, sklepu, do sklepu, ze sklepu, "
        "jedzenie, jedzenia, jedzeniem, żywność, żywności, spożywcze, spożywczych, "
        "artykuły spożywcze, produkty spożywcze, zakupy spożywcze, zrobić zakupy, "
        "zrobienie zakupów, kupić, kupić jedzenie, chleb i mleko, artykuły pierwszej potrzeby",
    ),
    "prescriptions": _words(
        (
            "prescription",
            "medicine",
            "medicines",
            "medication",
            "meds",
            "pharmacy",
            "chemist",
            "tablets",
            "pills",
        ),
        uk="ліки, ліків, ліками, рецепт, рецепта, рецепту, рецепти, рецептом, рецептів, "
        "аптека, аптеки, аптеку, в аптеку, з аптеки, до аптеки, таблетки, таблеток, "
        "медикаменти, медикаментів, препарати, забрати ліки, забрати рецепт, купити ліки",
        pl="leki, leków, lekami, lekarstwa, lekarstw, lekarstwo, recepta, recepty, receptę, "
        "receptą, recept, apteka, apteki, aptece, do apteki, z apteki, tabletki, tabletek, "
        "odebrać leki, odebrać receptę, wykupić receptę, wykupić leki, realizacja recepty",
    ),
    "dog walking and pets": _words(
        (
            "dog",
            "dogs",
            "dog walk",
            "walk the dog",
            "walk my dog",
            "walking the dog",
            "pet",
            "pets",
            "cat",
            "pet food",
        ),
        uk="собака, собаку, собаки, собакою, собак, пес, песик, вигуляти собаку, "
        "вигуляти пса, вигулювати собаку, вигул собаки, вигул, прогулянка з собакою, "
        "погуляти з собакою, тварини, тварин, тваринами, тварина, домашні тварини, "
        "домашніх тварин, улюбленці, кіт, кота, кішка, кішку, корм, корм для тварин, "
        "корм для кота, корм для собаки",
        pl="pies, psa, psem, psy, psami, piesek, pieska, wyprowadzić psa, "
        "wyprowadzanie psa, spacer z psem, wyjść z psem, zwierzęta, zwierząt, zwierzętami, "
        "zwierzę, zwierzak, zwierzaki, zwierzakiem, kot, kota, kotem, koty, karma, "
        "karma dla psa, karma dla kota, opieka nad zwierzętami",
    ),
    "phone befriending": _words(
        (
            "phone",
            "phone call",
            "call",
            "a chat",
            "chat",
            "befriending",
            "someone to talk to",
            "talk",
            "company",
            "lonely",
        ),
        uk="телефон, телефонний дзвінок, дзвінок, дзвінки, подзвонити, зателефонувати, "
        "поговорити, розмова, розмови, поспілкуватися, спілкування, компанія, компанію, "
        "самотньо, самотній, самотня, самотність, з ким поговорити, поговорити по телефону",
        pl="telefon, telefonu, rozmowa, rozmowy, porozmawiać, pogadać, pogawędka, "
        "zadzwonić, rozmowa telefoniczna, towarzystwo, towarzystwa, samotność, samotny, "
        "samotna, jestem samotny, jestem samotna, z kim porozmawiać, ktoś do rozmowy",
    ),
    "transport to appointments": _words(
        (
            "transport",
            "lift",
            "a lift",
            "drive",
            "driver",
            "ride",
            "appointment",
            "hospital appointment",
            "taxi",
        ),
        uk="транспорт, підвезти, підвезіть, підвезення, відвезти, відвезіть, довезти, "
        "поїздка, водій, машина, машиною, на машині, таксі, прийом, прийом у лікаря, "
        "до лікаря, до лікарні, в лікарню, у лікарню, лікарня, візит до лікаря, запис до лікаря, "
        "підвезти до лікаря, відвезти до лікаря, відвезти в лікарню",
        pl="transport, podwiezienie, podwieźć, podwózka, zawieźć, dowieźć, podrzucić, "
        "kierowca, samochód, samochodem, auto, autem, taksówka, taxi, wizyta, wizyty, "
        "na wizytę, wizyta u lekarza, do lekarza, do szpitala, szpital, przejazd, dojazd, "
        "zawieźć do lekarza, podwieźć do lekarza, zawieźć do szpitala",
    ),
    "post and errands": _words(
        ("post", "post office", "letter", "letters", "parcel", "errand", "errands"),
        uk="пошта, пошту, пошти, поштою, на пошту, з пошти, відділення пошти, лист, листа, "
        "листи, посилка, посилку, посилки, відправити посилку, надіслати лист, доручення, "
        "справи, справу, сходити на пошту",
        pl="poczta, pocztę, poczty, na pocztę, z poczty, urząd pocztowy, list, listy, listu, "
        "list polecony, paczka, paczkę, paczki, nadać paczkę, wysłać list, sprawa, sprawy, "
        "sprawunki, załatwić sprawę, do załatwienia",
    ),
    "lending items": _words(
        ("lend", "lending", "borrow", "loan", "lend me"),
        uk="позичити, позичте, позич, позичка, позика, позичити річ, дати на час, взяти на час",
        pl="pożyczyć, pożycz, pożyczcie, pożyczka, pożyczenie, wypożyczyć, użyczyć, pożyczyć coś",
    ),
    "other": _words(
        ("other", "something else", "anything else", "not sure"),
        uk="інше, інша, інший, щось інше, щось ще, не знаю, не впевнений, не впевнена",
        pl="inne, inna, inny, coś innego, coś jeszcze, nie wiem, nie jestem pewien, "
        "nie jestem pewna, nie jestem pewny",
    ),
}


def category_phrases(name: str) -> tuple[str, ...]:
    """What may be typed for a category: its name, each part of it, its plain words."""
    key = normalise(name)
    parts = tuple(p for p in key.split(" and ") if p)
    return (name, *parts, *CATEGORY_WORDS.get(key, ()))


def category_options(names: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    return [(name, category_phrases(name)) for name in names]


WHEN_WORDS: dict[When, tuple[str, ...]] = {
    When.TODAY: _words(
        (
            "today",
            "now",
            "right now",
            "asap",
            "as soon as possible",
            "urgent",
            "urgently",
            "straight away",
            "right away",
            "tonight",
            "this morning",
            "this afternoon",
            "this evening",
            "later today",
        ),
        uk="сьогодні, зараз, прямо зараз, негайно, терміново, якнайшвидше, якомога швидше, "
        "сьогодні ввечері, сьогодні вранці, сьогодні вдень, сьогодні після обіду, "
        "сьогодні ж, ще сьогодні, цього вечора, цього ранку, на сьогодні, пізніше сьогодні",
        pl="dzisiaj, dziś, teraz, zaraz, natychmiast, pilne, pilnie, jak najszybciej, "
        "dzisiaj wieczorem, dziś wieczorem, dzisiaj rano, dziś rano, dzisiaj po południu, "
        "dziś po południu, jeszcze dziś, jeszcze dzisiaj, na dziś, na dzisiaj, "
        "później dzisiaj, od razu",
    ),
    When.TOMORROW: _words(
        (
            "tomorrow",
            "tmrw",
            "tmw",
            "tomorrow morning",
            "tomorrow afternoon",
            "tomorrow evening",
            "tomorrow night",
        ),
        uk="завтра, на завтра, завтра вранці, завтра зранку, завтра вдень, завтра ввечері, "
        "завтра після обіду, завтра вночі",
        pl="jutro, na jutro, jutro rano, jutro po południu, jutro wieczorem, jutro w nocy, "
        "jutro w ciągu dnia",
    ),
    When.THIS_WEEK: _words(
        (
            "this week",
            "week",
            "in the week",
            "sometime this week",
            "within a week",
            "in a few days",
            "next few days",
            "in the next few days",
            "day after tomorrow",
        ),
        uk="цього тижня, на цьому тижні, цей тиждень, протягом тижня, тиждень, на тижні, "
        "за кілька днів, через кілька днів, найближчими днями, у найближчі дні, "
        "в найближчі дні, десь цього тижня, післязавтра",
        pl="w tym tygodniu, ten tydzień, tydzień, w ciągu tygodnia, w tygodniu, "
        "w najbliższych dniach, za kilka dni, w ciągu kilku dni, kiedyś w tym tygodniu, "
        "pojutrze",
    ),
    When.FLEXIBLE: _words(
        (
            "flexible",
            "any time",
            "anytime",
            "whenever",
            "no rush",
            "no hurry",
            "not urgent",
            "any day",
            "next week",
            "sometime",
            "dont mind",
            "whatever suits",
        ),
        uk="гнучко, гнучкий, будь-коли, будь коли, коли завгодно, коли зручно, як зручно, "
        "не терміново, не поспішаю, без поспіху, не горить, будь-який день, будь-якого дня, "
        "в будь-який час, у будь-який час, наступного тижня, на наступному тижні, колись, "
        "все одно, байдуже, неважливо коли, не важливо коли",
        pl="elastycznie, elastyczny, elastyczne, kiedykolwiek, obojętnie, obojętnie kiedy, "
        "wszystko jedno, bez pośpiechu, nie pilne, nie ma pośpiechu, nie spieszy się, "
        "dowolny dzień, w dowolnym momencie, o dowolnej porze, w przyszłym tygodniu, "
        "w następnym tygodniu, kiedyś, kiedy pasuje, jak pasuje, nieważne kiedy",
    ),
}

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT_DAYS = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
# Each weekday in Ukrainian and Polish as people type it: the name, the form after у/в
# or w/we ("у п'ятницю", "w środę"), the form after наступного/до or do ("до п'ятниці",
# "do piątku"); then the short forms of calendars (exact only, never guessed at).
_DAY_NAMES: tuple[tuple[str, ...], ...] = (
    ("понеділок", "понеділка", "понеділку", "poniedziałek", "poniedziałku"),
    ("вівторок", "вівторка", "вівторку", "wtorek", "wtorku"),
    ("середа", "середу", "середи", "середі", "środa", "środę", "środy", "środzie"),
    ("четвер", "четверга", "четверу", "czwartek", "czwartku"),
    ("п'ятниця", "п'ятницю", "п'ятниці", "piątek", "piątku"),
    ("субота", "суботу", "суботи", "суботі", "sobota", "sobotę", "soboty", "sobocie"),
    ("неділя", "неділю", "неділі", "niedziela", "niedzielę", "niedzieli"),
)
_DAY_SHORT: tuple[tuple[str, ...], ...] = (
    ("пн", "пон", "pon", "pn"),
    ("вт", "вів", "wt", "wto"),
    ("ср", "сер", "śr", "śro"),
    ("чт", "чет", "czw"),
    ("пт", "пят", "pt", "pią"),
    ("сб", "суб", "sob"),
    ("нд", "нед", "nd", "ndz", "niedz"),
)
_DAY_FULL: tuple[tuple[str, ...], ...] = tuple(
    (WEEKDAYS[i], *(normalise(w) for w in _DAY_NAMES[i])) for i in range(7)
)
_DAY_WORDS: dict[str, int] = {
    **{w: i for i, forms in enumerate(_DAY_FULL) for w in forms},
    **_SHORT_DAYS,
    **{normalise(w): i for i, forms in enumerate(_DAY_SHORT) for w in forms},
}
# "next Friday": a week on when today is Friday.
_NEXT = frozenset(
    normalise(
        "next наступний наступного наступної наступну наступній przyszły przyszłą przyszłej "
        "przyszłego następny następną następnej następnego"
    ).split()
)
_AROUND_A_DAY = _NEXT | frozenset(
    normalise(
        "on this next coming morning afternoon evening night by before at in from "
        # uk
        "у в во на о об до після перед від з цей цього цієї цю найближчий найближчого "
        "найближчої найближчу вранці зранку ранку вдень удень ввечері увечері вечора вночі "
        "обіду по "
        # pl
        "w we na o do przed od po ten tę ta tej tym najbliższy najbliższą najbliższej "
        "najbliższego rano rankiem wieczorem południu popołudniu nocy w nocą"
    ).split()
)


def weekday(text: str) -> tuple[int, bool] | None:
    """(Monday=0 .. Sunday=6, said with `next`) for an answer that names one weekday."""
    words = core(text).split()
    said_next = any(w in _NEXT for w in words)
    rest = [w for w in words if w not in _AROUND_A_DAY]
    if len(rest) != 1:
        return None
    word = rest[0].removesuffix("s") if rest[0].endswith("days") else rest[0]
    if word in _DAY_WORDS:
        return _DAY_WORDS[word], said_next
    index = pick(word, list(enumerate(_DAY_FULL)))
    return (index, said_next) if index is not None else None


@dataclass(frozen=True)
class WhenAnswer:
    when: When
    day: date | None = None  # the day named, when a weekday was typed


def when_for_day(day: int, today: date, said_next: bool = False) -> WhenAnswer:
    """A weekday as a When: today, tomorrow, within the week (This week), or later."""
    ahead = (day - today.weekday()) % 7
    if said_next and ahead == 0:
        ahead = 7  # "next Wednesday" on a Wednesday is a week away
    if ahead == 0:
        when = When.TODAY
    elif ahead == 1:
        when = When.TOMORROW
    elif ahead <= 6:
        when = When.THIS_WEEK
    else:
        when = When.FLEXIBLE
    return WhenAnswer(when, today + timedelta(days=ahead))


def pick_when(text: str, today: date) -> WhenAnswer | None:
    """`Today`, `Tomorrow`, `This week` or `Flexible` as typed, or a weekday (`today` is
    the local date in the group's time zone)."""
    chosen = pick(text, list(WHEN_WORDS.items()))
    if chosen is not None:
        return WhenAnswer(chosen)
    named = weekday(text)
    return when_for_day(named[0], today, named[1]) if named is not None else None


AVAILABILITY_WORDS: dict[Availability, tuple[str, ...]] = {
    Availability.ANY: _words(
        ("any time", "anytime", "whenever", "always", "all the time", "any"),
        uk="будь-коли, будь коли, будь-який час, в будь-який час, у будь-який час, "
        "коли завгодно, завжди, весь час, будь-якого часу",
        pl="kiedykolwiek, zawsze, o każdej porze, w każdej chwili, cały czas, obojętnie, "
        "dowolnie, o dowolnej porze, każdy dzień, codziennie",
    ),
    Availability.WEEKDAYS: _words(
        ("weekdays", "weekday", "week days", "mon to fri", "during the week"),
        uk="будні, у будні, в будні, по буднях, будні дні, у будні дні, робочі дні, "
        "у робочі дні, в робочі дні, пн-пт, з понеділка по п'ятницю",
        pl="dni robocze, w dni robocze, dni powszednie, w dni powszednie, w tygodniu, "
        "pon-pt, od poniedziałku do piątku",
    ),
    Availability.WEEKENDS: _words(
        ("weekends", "weekend", "saturdays and sundays"),
        uk="вихідні, у вихідні, в вихідні, на вихідних, по вихідних, вихідний, "
        "субота і неділя, суботи й неділі, по суботах і неділях",
        pl="weekendy, w weekend, w weekendy, na weekend, sobota i niedziela, "
        "soboty i niedziele, w soboty i niedziele",
    ),
    Availability.EVENINGS: _words(
        ("evenings", "evening", "after work", "nights"),
        uk="вечори, вечір, ввечері, увечері, вечорами, по вечорах, після роботи",
        pl="wieczory, wieczór, wieczorem, wieczorami, po pracy, popołudnia i wieczory",
    ),
}

DONE_WORDS = _words(
    (
        "done",
        "thats all",
        "thats it",
        "finished",
        "all done",
        "next",
        "nothing else",
    ),
    uk="готово, все, все готово, це все, на цьому все, закінчив, закінчила, завершити, "
    "далі, більше нічого, нічого більше",
    pl="gotowe, gotowy, gotowa, zrobione, to wszystko, wszystko, koniec, skończone, "
    "skończyłem, skończyłam, dalej, nic więcej, zakończ",
)


def pick_km(text: str, choices: Sequence[float]) -> float | None:
    """A radius typed as `2`, `2 km`, `5k`, `two`, `два км` or `pięć`: one of `choices`."""
    said = normalise(text)
    match = _KM.fullmatch(said)
    if match is None:
        return None
    number = match.group(1)
    km = _KM_WORDS.get(number) or float(number.replace(" ", "."))
    return km if km in choices else None


_KM_WORDS = {
    normalise(word): km
    for km, words in (
        (1.0, "one один одного одна jeden jednego jedna"),
        (2.0, "two два дві двох dwa dwóch dwie"),
        (5.0, "five п'ять п'яти pięć pięciu"),
    )
    for word in words.split()
}
_KM = re.compile(
    r"(?:(?:within|в межах|у межах|до|do|w promieniu|w odleglosci|w zasiegu)\s+)?"
    rf"(\d+(?:\s\d+)?|{'|'.join(sorted(_KM_WORDS, key=len, reverse=True))})\s*"
    r"(?:k|km|kms|kilometres|kilometers|км|кілометр|кілометра|кілометри|кілометрів"
    r"|kilometr|kilometry|kilometrow)?"
)


# --- yes and no, by question ----------------------------------------------------------------


class Confirm(StrEnum):
    """The two answers to a question with a yes button and a no button."""

    YES = "yes"
    NO = "no"


def yes_or_no(text: str, yes: Sequence[str] = (), no: Sequence[str] = ()) -> Confirm | None:
    """A yes or a no, in plain words or the question's own button labels."""
    return pick(text, [(Confirm.YES, (*yes, *YES)), (Confirm.NO, (*no, *NO))])


# `Post` or `Cancel` under a request; `Save` or `Cancel` under a volunteer's profile.
POST_WORDS = _words(
    ("post", "post it", "send", "send it", "submit", "confirm", "looks good", "fine"),
    uk="опублікувати, опублікуйте, опублікуй, публікуйте, публікуй, надіслати, "
    "надішліть, відправити, відправте, підтвердити, все правильно, все добре, "
    "виглядає добре",
    pl="opublikuj, opublikować, opublikujcie, publikuj, wyślij, wysłać, zatwierdź, "
    "potwierdź, wszystko się zgadza, wygląda dobrze",
)
CANCEL_WORDS = _words(
    (
        "cancel",
        "stop",
        "dont post",
        "discard",
        "forget it",
        "never mind",
        "nevermind",
    ),
    uk="скасувати, скасуйте, скасуй, скасування, відмінити, відмініть, відміна, стоп, "
    "зупинити, не публікуйте, не публікувати, не надсилайте, забудьте, забудь, не зважайте",
    pl="anuluj, anulować, anulujcie, stop, przestań, nie publikuj, nie wysyłaj, odrzuć, "
    "zapomnij, zapomnij o tym, nieważne",
)
# `Yes, it's new` or `No, same one` when a request looks like one already open.
NEW_WORDS = _words(
    ("yes its new", "its new", "new", "a new one", "different", "its different"),
    uk="так це нове, так нове, так новий, так нова, це нове, це новий, це нова, нове, "
    "новий, нова, нове прохання, інше прохання, це інше, інший, інша",
    pl="tak to nowe, tak nowe, tak nowa, to nowe, to nowa, nowe, nowa, nowy, "
    "nowa prośba, inna prośba, coś innego, to coś innego, inne, inna",
)
SAME_WORDS = _words(
    ("no same one", "same one", "same", "the same", "its the same", "same thing"),
    uk="ні те саме, ні та сама, ні той самий, те саме, та сама, той самий, те ж саме, "
    "це те саме, це та сама, таке саме",
    pl="nie to samo, nie ta sama, nie ten sam, to samo, ta sama, ten sam, to ta sama, "
    "ta sama prośba, to samo co wcześniej",
)
SAVE_WORDS = _words(
    ("save", "save it", "looks good", "fine"),
    uk="зберегти, збережіть, збережи, зберігайте, виглядає добре, все правильно",
    pl="zapisz, zapisać, zapiszcie, zachowaj, wygląda dobrze, wszystko się zgadza",
)
# After signposts: the resident says the signpost is not what they meant. A bare "ok" or
# "thanks" there reads as thanks for the signposts, never as "post it".
POST_ANYWAY_WORDS = _words(
    (
        "its not that",
        "not that",
        "post it",
        "post",
        "post it anyway",
        "yes post it",
        "its not that post it",
    ),
    uk="це не те надіслати, надіслати, надішліть, все одно надіслати, "
    "це не те, не те, не про це, опублікуйте, опублікувати, опублікуй, "
    "все одно опублікуйте, опублікувати все одно, так опублікуйте, це не те опублікуйте",
    pl="to nie to wyślij, wyślij, wyślij mimo to, "
    "to nie to, nie to, nie o to chodzi, opublikuj, opublikować, opublikuj mimo to, "
    "mimo to opublikuj, tak opublikuj, to nie to opublikuj",
)
SIGNPOSTED_NO = _words(
    (
        "no",
        "cancel",
        "ok",
        "okay",
        "thanks",
        "thank you",
        "ok thanks",
        "fine",
        "stop",
    ),
    uk="ні, скасувати, скасуйте, ок, окей, добре, гаразд, дякую, ок дякую, зрозуміло, "
    "зрозумів, зрозуміла, стоп",
    pl="nie, anuluj, ok, okej, dobrze, dziękuję, dzięki, ok dzięki, rozumiem, jasne, stop",
)
# `Yes, keep it open` or `No, close it` to `Still need help?`.
KEEP_OPEN_WORDS = _words(
    (
        "yes keep it open",
        "keep it open",
        "keep",
        "keep open",
        "still need help",
    ),
    uk="так залиште відкритим, залиште відкритим, залишити відкритим, залиште, лишіть, "
    "ще потрібна допомога, досі потрібна допомога, ще треба, ще потрібно, так ще треба, "
    "не закривайте",
    pl="tak zostaw otwarte, zostaw otwarte, zostawić otwarte, zostaw, nadal potrzebuję, "
    "nadal potrzebuję pomocy, wciąż potrzebuję pomocy, dalej potrzebuję, nie zamykaj",
)
CLOSE_IT_WORDS = _words(
    (
        "no close it",
        "close it",
        "close",
        "dont need",
        "not needed",
        "sorted",
    ),
    uk="ні закрийте, закрийте, закрити, закрий, можна закрити, вже не треба, вже не потрібно, "
    "більше не потрібно, вирішено, вже вирішено, все вирішилось",
    pl="nie zamknij, zamknij, zamknąć, zamknij to, już nie potrzebuję, nie potrzebuję, "
    "już nie trzeba, załatwione, sprawa załatwiona, już załatwione",
)
# `Delete my data` or `Keep my data` after /forget.
DELETE_WORDS = _words(
    ("delete", "delete my data", "yes delete", "delete it"),
    uk="видалити, видаліть, видали, видалити мої дані, видаліть мої дані, так видалити, "
    "так видаліть, стерти, зітріть",
    pl="usuń, usunąć, usuń moje dane, usuń dane, tak usuń, skasuj, skasuj moje dane",
)
KEEP_DATA_WORDS = _words(
    ("keep my data", "keep", "keep it", "cancel", "dont"),
    uk="залишити мої дані, залиште мої дані, залишити, залиште, зберегти мої дані, "
    "збережіть мої дані, скасувати, не видаляйте",
    pl="zachowaj moje dane, zostaw moje dane, zachowaj, zostaw, anuluj, nie usuwaj",
)
# `Yes, they agreed` or `No` when a liaison refers a resident (handlers/referrals.py).
AGREED_WORDS = _words(
    ("yes they agreed", "agreed", "they agreed"),
    uk="так вони погодились, так погодились, погодились, погодилися, погодився, погодилась, "
    "погодилася, вони погодились, дали згоду, дав згоду, дала згоду, так дали згоду, "
    "є згода, так згода є, згода є",
    pl="tak zgodzili się, tak zgodził się, tak zgodziła się, zgodzili się, zgodził się, "
    "zgodziła się, wyrazili zgodę, wyraził zgodę, wyraziła zgodę, tak wyraził zgodę, "
    "tak wyraziła zgodę, jest zgoda, mam zgodę, tak jest zgoda",
)


class Resume(StrEnum):
    """What to do with a flow put aside."""

    CARRY_ON = "c"
    START_AGAIN = "a"
    CANCEL = "x"


RESUME_WORDS: dict[Resume, tuple[str, ...]] = {
    Resume.CARRY_ON: _words(
        ("carry on", "continue", "resume", "go on", "keep going", "yes"),
        uk="продовжити, продовжуйте, продовжуй, продовжую, продовжимо, далі, так",
        pl="kontynuuj, kontynuować, kontynuujmy, dalej, tak",
    ),
    Resume.START_AGAIN: _words(
        ("start again", "restart", "start over", "again", "begin again", "new"),
        uk="почати знову, почати заново, почати спочатку, спочатку, заново, знову, наново, "
        "почнімо знову",
        pl="zacznij od nowa, zacznij jeszcze raz, zacząć od nowa, od nowa, od początku, "
        "jeszcze raz",
    ),
    Resume.CANCEL: _words(
        ("cancel", "stop", "no", "forget it", "never mind"),
        uk="скасувати, скасуйте, стоп, ні, забудьте, не зважайте",
        pl="anuluj, stop, nie, zapomnij, nieważne",
    ),
}


def pick_resume(text: str) -> Resume | None:
    return pick(text, list(RESUME_WORDS.items()))


# --- places ---------------------------------------------------------------------------------

# A house, flat or unit number before a street: "12", "12a", "3/12", "12-14", "No. 12",
# "Flat 3,", "Apartment 2b".
_FLAT = re.compile(r"^\s*(?:flat|apartment|apt|unit|room)\.?\s*\w+\b[\s,]*", re.IGNORECASE)
_NUMBER = re.compile(
    r"^\s*(?:(?:no|number|house)\.?\s*)?\d+[a-z]?(?:\s*[/-]\s*\d+[a-z]?)?\b[\s,]*",
    re.IGNORECASE,
)
# A full UK postcode: its district ("BA11") and sector ("BA11 1") are what areas name.
_POSTCODE = re.compile(r"^([a-z]{1,2}\d[a-z\d]?)\s*(\d)[a-z]{2}$", re.IGNORECASE)


def without_house_number(text: str) -> str:
    """The street or estate after any flat and house number."""
    rest = text
    for _ in range(3):
        shorter = _NUMBER.sub("", _FLAT.sub("", rest, count=1), count=1)
        if shorter == rest:
            break
        rest = shorter
    return rest.strip(" ,")


def place_candidates(text: str) -> list[str]:
    """What an area may be looked up by in a typed address, most likely first: the text
    itself, without a house or flat number, each comma-separated part, and the sector and
    district of a full postcode."""
    found: list[str] = []

    def add(candidate: str) -> None:
        candidate = candidate.strip(" ,")
        if candidate and candidate not in found:
            found.append(candidate)

    add(text)
    add(without_house_number(text))
    for part in text.split(","):
        add(without_house_number(part))
    for candidate in list(found):
        postcode = _POSTCODE.match(candidate.strip())
        if postcode:
            add(f"{postcode.group(1)} {postcode.group(2)}")
            add(postcode.group(1))
    return found

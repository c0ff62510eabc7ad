"""The community file: defaults, lookups people rely on, and clear errors for broken files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from domain.community import (
    DEFAULT_CATEGORIES,
    DEFAULT_SIGNPOSTS,
    Community,
    CommunityError,
    load_community,
    parse_community,
)

MINIMAL = """
name = "Tiny Mutual Aid"

[[areas]]
name = "Riverside"
"""

TOWN = """
name = "Townley Mutual Aid"

[[areas]]
name = "Town Centre"
aliases = ["Market Place", "BA11 1"]
neighbours = ["Trinity"]
lat = 51.2292
lon = -2.3205

[[areas]]
name = "Trinity"
aliases = ["Selwood Road"]
lat = 51.2318
lon = -2.3275

[[areas]]
name = "Keyford"
aliases = ["Marston Road"]
neighbours = ["town centre"]
lat = 51.2212
lon = -2.3180

[[areas]]
name = "Oakfield"
lat = 51.2250
lon = -2.3420

[[categories]]
name = "Shopping & essentials"

[[categories]]
name = "Phone befriending"
vetted_only = true
"""


@pytest.fixture
def town() -> Community:
    return parse_community(TOWN)


# --- defaults ---------------------------------------------------------------------------


def test_without_categories_or_signposts_the_defaults_apply() -> None:
    community = parse_community(MINIMAL)
    assert community.name == "Tiny Mutual Aid"
    assert community.area_names() == ["Riverside"]
    assert community.category_names() == list(DEFAULT_CATEGORIES)
    assert not any(c.vetted_only for c in community.categories)
    assert community.signposts == DEFAULT_SIGNPOSTS
    assert [s.topic for s in community.signposts_for("I have chest pain")] == ["Emergencies"]


def test_listed_categories_and_signposts_replace_the_defaults(town: Community) -> None:
    assert town.category_names() == ["Shopping & essentials", "Phone befriending"]
    custom = parse_community(
        MINIMAL
        + """
[[signposts]]
topic = "Medical help"
text = "Call NHS 111."
keywords = ["doctor"]
"""
    )
    assert [s.topic for s in custom.signposts] == ["Medical help"]
    assert custom.signposts_for("I have chest pain") == []
    assert [s.text for s in custom.signposts_for("need a doctor")] == ["Call NHS 111."]


# --- lookups ----------------------------------------------------------------------------


def test_areas_and_categories_are_found_whatever_the_case(town: Community) -> None:
    assert town.area("town centre") is not None
    assert town.area("TOWN   CENTRE").name == "Town Centre"  # type: ignore[union-attr]
    assert town.area("Nowhere") is None
    assert town.category("phone BEFRIENDING").name == "Phone befriending"  # type: ignore[union-attr]
    assert town.category("phone befriending").vetted_only  # type: ignore[union-attr]
    assert town.category("Gardening") is None


def test_find_area_accepts_names_and_aliases_ignoring_case_and_spacing(town: Community) -> None:
    assert town.find_area("trinity").name == "Trinity"  # type: ignore[union-attr]
    assert town.find_area("  market   PLACE ").name == "Town Centre"  # type: ignore[union-attr]
    assert town.find_area("ba11 1").name == "Town Centre"  # type: ignore[union-attr]
    assert town.find_area("selwood road").name == "Trinity"  # type: ignore[union-attr]
    assert town.find_area("Market") is None


def test_suggest_areas_offers_the_closest_names(town: Community) -> None:
    assert town.suggest_areas("Trinty")[0] == "Trinity"
    assert town.suggest_areas("keyfrod")[0] == "Keyford"
    # A misspelt alias suggests the area it belongs to, named once.
    suggestions = town.suggest_areas("Marketplace")
    assert suggestions[0] == "Town Centre"
    assert len(suggestions) == len(set(suggestions))
    # "road" is close to several aliases; the limit is honoured.
    assert len(town.suggest_areas("road")) > 1
    assert len(town.suggest_areas("road", limit=1)) == 1
    assert town.suggest_areas("zzzzzzzzzzzz") == []


def test_nearest_area_to_a_shared_location(town: Community) -> None:
    assert town.nearest_area(51.2320, -2.3270).name == "Trinity"  # type: ignore[union-attr]
    assert town.nearest_area(51.2210, -2.3175).name == "Keyford"  # type: ignore[union-attr]
    assert town.nearest_area(51.2251, -2.3500).name == "Oakfield"  # type: ignore[union-attr]
    assert parse_community(MINIMAL).nearest_area(51.2, -2.3) is None


def test_neighbours_are_mutual_even_when_listed_on_one_side(town: Community) -> None:
    # Town Centre lists Trinity; Keyford lists Town Centre (in lower case).
    assert town.neighbours_of("Town Centre") == {"Trinity", "Keyford"}
    assert town.neighbours_of("Trinity") == {"Town Centre"}
    assert town.neighbours_of("keyford") == {"Town Centre"}
    assert town.neighbours_of("Oakfield") == frozenset()
    assert town.neighbours_of("Nowhere") == frozenset()
    for area in town.area_names():
        for other in town.neighbours_of(area):
            assert area in town.neighbours_of(other)


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Could someone collect my PIN reminder letter?", ["Money and bank cards"]),
        ("Please hold my bank card while I shop", ["Money and bank cards"]),
        ("I need a Doctor to look at this", ["Medical help"]),
        ("My neighbour collapsed, and I need my card", ["Emergencies", "Money and bank cards"]),
        ("Can you pick up a pint of milk and some spinach?", []),
        ("Crispin at number 4 usually does my shopping", []),
        ("Any chance of help with shopping on Tuesday?", []),
        ("The doctors' surgery needs this letter posted", []),
    ],
)
def test_signposts_match_whole_words_only(text: str, topics: list[str]) -> None:
    community = parse_community(MINIMAL)
    assert [s.topic for s in community.signposts_for(text)] == topics


# --- broken files -----------------------------------------------------------------------


def error_for(text: str) -> str:
    with pytest.raises(CommunityError) as caught:
        parse_community(text, source="groups/townley.toml")
    return str(caught.value)


def test_bad_toml_is_reported_with_its_line() -> None:
    message = error_for('name = "Townley"\n[[areas]\nname = "A"\n')
    assert "groups/townley.toml" in message
    assert "not valid TOML" in message
    assert "line 2" in message


def test_a_wrong_type_names_the_key_and_line() -> None:
    text = 'name = "Townley"\n\n[[areas]]\nname = "A"\n\n[[areas]]\nname = "B"\nlat = "north"\n'
    message = error_for(text)
    assert "groups/townley.toml" in message
    assert "areas.1.lat (line 8)" in message
    assert "valid number" in message


def test_a_wrong_type_in_a_category_names_the_key_and_line() -> None:
    text = MINIMAL + '\n[[categories]]\nname = "Lifts"\nvetted_only = "yes please"\n'
    line = text.splitlines().index('vetted_only = "yes please"') + 1
    message = error_for(text)
    assert f"categories.0.vetted_only (line {line})" in message
    assert "boolean" in message


def test_an_unknown_neighbour_is_named() -> None:
    message = error_for(
        'name = "Townley"\n[[areas]]\nname = "Riverside"\nneighbours = ["Hilltop"]\n'
    )
    assert "'Riverside'" in message
    assert "'Hilltop'" in message
    assert "not an area" in message


def test_an_alias_used_by_two_areas_is_named() -> None:
    message = error_for(
        'name = "Townley"\n'
        '[[areas]]\nname = "Riverside"\naliases = ["The Mill"]\n'
        '[[areas]]\nname = "Hilltop"\naliases = ["the mill"]\n'
    )
    assert "the mill" in message.casefold()
    assert "'Riverside'" in message
    assert "'Hilltop'" in message


def test_a_file_without_areas_is_refused() -> None:
    message = error_for('name = "Townley"\n')
    assert "areas" in message
    assert "required" in message.lower()


def test_load_community_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "community.toml"
    path.write_text(TOWN, encoding="utf-8")
    assert load_community(path).name == "Townley Mutual Aid"


def test_load_community_names_the_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "community.toml"
    path.write_text('name = "Townley"\n[[areas]]\nname = 7\n', encoding="utf-8")
    with pytest.raises(CommunityError, match=r"areas\.0\.name") as caught:
        load_community(path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_a_community_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(CommunityError, match="cannot read") as caught:
        load_community(missing)
    assert str(missing) in str(caught.value)


# --- the bundled example ------------------------------------------------------------------


def test_the_bundled_example_loads() -> None:
    with resources.as_file(resources.files("bot") / "community.example.toml") as path:
        community = load_community(path)
    assert community.name == "Frome Mutual Aid"
    assert "Town Centre" in community.area_names()
    assert community.find_area("market place").name == "Town Centre"  # type: ignore[union-attr]
    assert community.category("phone befriending").vetted_only  # type: ignore[union-attr]
    assert community.social_value.pounds_per_hour == 12.5
    # Every area is placed on the map and has someone next door.
    for area in community.areas:
        assert area.lat is not None and area.lon is not None
        assert community.neighbours_of(area.name)


@pytest.mark.parametrize(
    ("toml", "where"),
    [
        ('name = "X"\n[[areas]]\nname = "A"\nneighbours = ["Nowhere"]\n', "neighbours (line 4)"),
        (
            'name = "X"\n[[areas]]\nname = "A"\n[[areas]]\nname = "B"\naliases = ["A"]\n',
            "aliases (line 6)",
        ),
    ],
)
def test_a_rule_across_entries_names_the_key_and_line(toml: str, where: str) -> None:
    with pytest.raises(CommunityError) as caught:
        parse_community(toml)
    assert where in str(caught.value)

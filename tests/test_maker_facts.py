"""The pure core of maker_stories: facts, problems, series, reading time."""

from relais.plugins.maker_stories.facts import (
    read_facts,
    reading_minutes,
    source_line,
    split_status,
    url_problem,
)
from relais.plugins.maker_stories.series import group_series, navigation


def facts_of(metadata, category=None, existing=("images/pot.svg",)):
    return read_facts(metadata, category=category, notes_category="Notes",
                      file_exists=lambda path: path in existing)


def test_a_full_story_reads_into_facts():
    facts, problems = facts_of({
        "maker_status": "In progress", "materials": "grès; émail céladon ;",
        "tools": "tour", "time": "14 h",
        "collaborators": "Jeanne <https://jeanne.example/>; Four <http://four.example>",
        "cover": "{static}/images/pot.svg", "cover_alt": "Un pot", "series": "Collection",
        "part": "2",
    })
    assert problems == []
    assert facts.kind == "story" and facts.maker_status == "in-progress"
    assert facts.materials == ["grès", "émail céladon"] and facts.tools == ["tour"]
    assert [c.url for c in facts.collaborators] == ["https://jeanne.example/", "http://four.example"]
    assert facts.cover == "images/pot.svg" and facts.part == 2


def test_kinds_come_from_the_target_fields():
    for key, kind in [("in-reply-to", "reply"), ("like-of", "like"),
                      ("repost-of", "repost"), ("bookmark-of", "bookmark")]:
        facts, problems = facts_of({key: "https://other.example/post", "target-title": "Post"})
        assert problems == [] and facts.kind == kind
        assert facts.target.property == key and facts.target.name == "Post"
    assert facts_of({}, category="Notes")[0].kind == "note"
    assert facts_of({}, category="Atelier")[0].kind == "story"


def test_every_problem_is_reported_at_once():
    _facts, problems = facts_of({
        "maker_status": "fini", "in-reply-to": "ftp://x.example/", "like-of": "https://y.example/",
        "collaborators": "Jeanne https://jeanne.example/; Four <javascript:alert(1)>",
        "cover": "images/missing.svg", "series": "S", "part": "deux",
    })
    fields = [field for field, _message in problems]
    assert fields == ["Status", "In-Reply-To", "Like-Of", "Collaborators", "Collaborators",
                      "Cover", "Cover_alt", "Part"]
    assert "unknown status 'fini'" in problems[0][1]


def test_part_rules():
    facts, problems = facts_of({"series": "S"})  # no number: placed by date
    assert problems == [] and (facts.series, facts.part) == ("S", None)
    assert facts_of({"part": "1"})[1] == [("Part", "a Part number needs a Series")]
    assert facts_of({"series": "S", "part": "0"})[1][0][0] == "Part"


def test_series_index_is_the_pelican_series_plugins_part():
    facts, problems = facts_of({"series": "S", "series_index": "3"})
    assert problems == [] and facts.part == 3
    assert facts_of({"series_index": "2"})[1] == [
        ("series_index", "a series_index number needs a Series")]
    assert facts_of({"series": "S", "series_index": "x"})[1][0][0] == "series_index"


def test_a_cover_may_be_a_url_elsewhere():
    facts, problems = facts_of({"cover": "https://img.example/pot.jpg", "cover_alt": "Un pot"})
    assert problems == [] and facts.cover == "https://img.example/pot.jpg"
    assert "or an http(s) URL" in facts_of({"cover": "nowhere.jpg", "cover_alt": "x"})[1][0][1]


def test_unnumbered_parts_follow_the_numbered_ones_by_date():
    class Post:
        def __init__(self, name, date):
            self.name, self.date = name, date

        def __repr__(self):
            return self.name

    late, early, first = Post("late", 3), Post("early", 1), Post("first", 9)
    (series,), duplicates = group_series([(late, "S", None, "fr"), (early, "S", None, "fr"),
                                          (first, "S", 1, "fr")], str.lower)
    assert series.parts == [first, early, late] and duplicates == []


def test_pelican_statuses_stay_with_pelican():
    draft = {"status": "draft"}
    split_status(draft)
    assert draft == {"status": "draft"}
    ours = {"status": "in progress"}
    split_status(ours)
    assert ours == {"maker_status": "in progress"}


def test_source_line_finds_the_field_in_the_metadata_block():
    text = "Title: T\nDate: 2026-01-01\ncover_alt: x\nSeries: S\n\nStatus: not metadata\n"
    assert source_line(text, "Cover_alt") == 3
    assert source_line(text, "Part") == 4  # missing: points at the Series that needs it
    assert source_line(text, "Status") == 1


def test_reading_time_counts_words_not_markup():
    assert reading_minutes("<p>" + "mot " * 401 + "</p>", 200) == 3
    assert reading_minutes("<img src='x'>", 200) == 1


def test_series_order_navigation_and_duplicates():
    members = [("b", "S", 2, "fr"), ("a", "S", 1, "fr"), ("c", "S", 3, "fr"),
               ("dup", "S", 2, "fr"), ("en", "S", 1, "en")]
    all_series, duplicates = group_series(members, lambda name: name.lower())
    french = next(s for s in all_series if s.lang == "fr")
    assert french.parts == ["a", "b", "c"] and duplicates == [("dup", 2, "b")]
    middle = navigation(french)[id("b")]
    assert (middle.part, middle.count, middle.previous, middle.next) == (2, 3, "a", "c")
    assert len(all_series) == 2


def test_a_url_with_any_kind_of_space_or_control_character_is_refused():
    """Every character str.isspace() calls a space (the widest is U+3000) or below U+0020."""
    spaced = [chr(n) for n in range(0x3001) if chr(n).isspace() or n < 32]
    assert {"\u00a0", "\u2028", "\u3000", "\x1f", "\t", "\x00"} <= set(spaced)
    for n in range(0x3001):
        problem = url_problem(f"https://example.com/a{chr(n)}b")
        assert (problem is not None and "space" in problem) == (chr(n) in spaced), hex(n)

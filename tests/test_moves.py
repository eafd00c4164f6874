"""The list of the week's moves under the lede: what it holds, and when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.season import CN, US, Season, board

WEEKS = [f"2026-W{n:02d}" for n in range(1, 6)]
BASE = ([500, 400, 300, 200], [150, 120, 100, 90])


def with_locales(project: Path) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "locales: [en, zh]\n", encoding="utf-8")


def blocks(article: str) -> list[str]:
    """The article's blocks (paragraphs, lists, headings) after its dateline, in order."""
    parts = [part.strip() for part in article.split("\n\n") if part.strip()]
    return parts[2:]  # the headline, then the dateline


def items(block: str) -> list[str]:
    lines = block.splitlines()
    return [line[2:] for line in lines] if all(line.startswith("- ") for line in lines) else []


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", ["Biggest fall in the top 10: Kimi K2.5 (No. 9), down 24.7%"]),
    ("zh", ["前十名中跌幅最大：Kimi K2.5（第9名），下降24.7%"]),
])
def test_the_week_11_article_lists_its_moves_under_the_lede_without_one_the_story_tells(
        project: Path, bulletin, locale: str, expected: list[str]) -> None:
    with_locales(project)
    assert bulletin("run").code == 0
    name = "bulletin.md" if locale == "en" else f"bulletin.{locale}.md"
    article = (project / "output" / "bulletins" / "2026-W11" / name).read_text(encoding="utf-8")
    lede, listed, *rest = blocks(article)
    assert not items(lede) and not lede.startswith("#"), lede
    assert items(listed) == expected, listed
    # The week's biggest rise, Step 3.5 Flash's +79.1%, is the lede's: not told twice. Hunter
    # Alpha, new at No. 7, has a paragraph of its own.
    assert article.count("79.1%") == 2  # the lede and the table's row
    assert "79.1%" in lede and "Hunter Alpha" not in listed
    # One list, under the lede: the story's other paragraphs follow it.
    assert not any(items(block) for block in rest[:3])


def test_a_week_with_nothing_to_list_has_no_list(tmp_path: Path, bulletin) -> None:
    """Eight models, the same volumes every week: no rise, no fall, none in or out."""
    season = Season(tmp_path, {week: board(*BASE) for week in WEEKS})
    for locale in ("en", "zh"):
        article = season.article(bulletin, WEEKS[-1], locale)
        story = article[:article.index("\n## ")]
        assert "\n- " not in story, story


def test_a_move_of_a_few_percent_is_no_biggest_rise_and_one_of_ten_points_is(
        tmp_path: Path, bulletin) -> None:
    weeks = {week: board(*BASE) for week in WEEKS[:4]}
    # GPT-5.2 up 3% and GLM 5 up 20%; Kimi K2.5 down 2%: noise is no fall.
    weeks[WEEKS[4]] = board([500, 400, 300, 206], [147, 120, 120, 90])
    season = Season(tmp_path, weeks)
    en = season.article(bulletin, WEEKS[4])
    zh = season.article(bulletin, WEEKS[4], "zh")
    assert "- Biggest rise in the top eight: GLM 5 (No. 7), up 20.0%\n" in en, en
    assert "- 前八名中涨幅最大：GLM 5（第7名），增长20.0%\n" in zh, zh
    for text in (en, zh):
        listed = [line for line in text.split("\n## ")[0].splitlines() if line.startswith("- ")]
        assert len(listed) == 1, listed  # GPT-5.2's +3.0% and Kimi K2.5's -2.0% are in the table only
        assert US[3][1] not in listed[0] and CN[0][1] not in listed[0]


def test_a_new_no_1_the_story_does_not_name_is_listed_with_the_model_it_displaced(
        tmp_path: Path, bulletin) -> None:
    """Kimi K2.5 from No. 5 to No. 1, with only the country rules writing paragraphs."""
    weeks = {week: board(*BASE) for week in WEEKS[:4]}
    weeks[WEEKS[4]] = board([500, 400, 300, 200], [600, 120, 100, 90])
    season = Season(tmp_path, weeks, extra="rules:\n  - {kind: growth}\n")
    en = season.article(bulletin, WEEKS[4]).split("\n## ")[0]
    zh = season.article(bulletin, WEEKS[4], "zh").split("\n## ")[0]
    # Its fourfold rise is the new leader's: not told again as the week's biggest.
    assert [line for line in en.splitlines() if line.startswith("- ")] == [
        "- Kimi K2.5 takes No. 1 from Claude Sonnet 4.5, now No. 2"], en
    assert [line for line in zh.splitlines() if line.startswith("- ")] == [
        "- Kimi K2.5登上榜首，Claude Sonnet 4.5降至第2名"], zh

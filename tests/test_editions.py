"""Editions: a developer's or a country's week beside the main bulletin (model/editions.py).

The demo's W11 with a DeepSeek edition, a China edition and one per developer among
the top eight models: what each says, that its numbers are the store's, that it
tells its subject's week and not the main story, and that a config naming an
edition badly is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support import override_template

EDITIONS = """
editions:
  - {name: deepseek, title: "DeepSeek on OpenRouter", developer: deepseek}
  - {name: china, title: "China's AI models on OpenRouter", country: CN}
"""
GENERATED = "editions:\n  - {per: developer, top: 8}\n"
FILES = ("bulletin.md", "bulletin.html", "email.html", "email.txt", "bulletin.zh.md", "bulletin.zh.html",
         "email.zh.html", "email.zh.txt", "bulletin.json", "chart.svg")


def configure(project: Path, text: str, locales: bool = True) -> None:
    config = project / "config.yaml"
    extra = text + ("locales: [en, zh]\n" if locales else "")
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")


def edition(project: Path, name: str, week: str = "2026-W11") -> Path:
    return project / "output" / "bulletins" / week / "editions" / name


def data(project: Path, name: str) -> dict:
    return json.loads((edition(project, name) / "bulletin.json").read_text(encoding="utf-8"))


def test_the_deepseek_and_china_editions_of_week_11(project, bulletin) -> None:
    configure(project, EDITIONS)
    assert bulletin("run").code == 0
    for name in ("deepseek", "china"):
        for file in FILES:
            assert (edition(project, name) / file).is_file(), (name, file)
    deepseek = data(project, "deepseek")
    assert "DeepSeek" in deepseek["headline"]
    assert "DeepSeek" in deepseek["articles"]["zh"]["headline"]
    assert deepseek["edition"] == {"name": "deepseek", "generated": False,
                                   "subject": {"kind": "developer", "key": "deepseek"},
                                   "titles": {"en": "DeepSeek on OpenRouter", "zh": "OpenRouter上的DeepSeek"}}
    china = data(project, "china")
    assert "China" in china["headline"] and "中国" in china["articles"]["zh"]["headline"]


def test_an_editions_figures_are_those_of_bulletin_stats(project, bulletin) -> None:
    configure(project, EDITIONS)
    assert bulletin("run").code == 0
    stats = bulletin("stats", "--week", "2026-W11").out
    assert re.search(r"deepseek\s+1,040,000,000,000\s+\+25\.00%", stats)
    assert re.search(r"deepseek/deepseek-v3\.2-20251201\s+1,040,000,000,000", stats)
    article = (edition(project, "deepseek") / "bulletin.md").read_text(encoding="utf-8")
    # The sweep it was part of leads; its own total is then written out, not pointed at.
    assert "DeepSeek V3.2 at 1.04 trillion." in article
    assert ("DeepSeek's models on OpenRouter's leaderboard handled 1.04 trillion tokens in the week to "
            "March 15, its highest weekly total since these records began on February 9, up 25.0% on the "
            "previous week.") in article
    assert "| 3 | DeepSeek V3.2 | 1.04 | +25.0% |" in article
    assert "DeepSeek V3.2 1.04" not in article  # the table's unit is its header's
    zh = (edition(project, "deepseek") / "bulletin.zh.md").read_text(encoding="utf-8")
    assert ("DeepSeek旗下模型在OpenRouter排行榜上共处理了1.04万亿Token，为自2月9日有记录以来的单周最高，"
            "较前一周增长25.0%") in zh
    # Every number it states is traced to the store, as the main bulletin's are.
    numbers = data(project, "deepseek")["numbers"]
    assert any("edition_week(deepseek).tokens" in row["what"] for row in numbers["en"])


def test_an_edition_tells_its_subject_and_the_field_in_one_sentence(project, bulletin) -> None:
    configure(project, EDITIONS)
    assert bulletin("run").code == 0
    events = data(project, "deepseek")["events"]
    # The sweep of the top three its model was part of leads, then its week, then the field.
    assert [e["kind"] for e in events] == ["sweep", "edition_week", "field"]
    article = (edition(project, "deepseek") / "bulletin.md").read_text(encoding="utf-8")
    paragraphs = article.split("\n\n")
    field = [p for p in paragraphs if p.startswith("Across OpenRouter")]
    # All their models on the leaderboard, as the edition counts its own: Grok 4.1 Fast, No. 10, too.
    assert field == ["Across OpenRouter's leaderboard, Chinese models handled 4.69 trillion tokens and "
                     "American models 3.84 trillion, and MiniMax M2.5 was the most used model."]
    # Nothing of the main story's about other developers only: no other model's run at No. 1.
    assert "Chinese models filled the top three places" in article and "led the models" not in article
    assert "DeepSeek was fifth of the seven developers on the leaderboard (fourth the week before), " \
        "behind StepFun." in article
    china = (edition(project, "china") / "bulletin.md").read_text(encoding="utf-8")
    # Its own biggest news leads, under its name.
    assert china.startswith("# China: Chinese models take OpenRouter's top three places\n")
    assert "Chinese models filled the top three places" in china
    assert "Across OpenRouter's leaderboard, American models handled 3.84 trillion tokens." in china
    assert "Claude" not in china.split("## China's models on the leaderboard")[0]


def test_a_subject_with_no_model_counted_gets_a_short_edition(project, bulletin) -> None:
    configure(project, "editions:\n  - {name: france, title: France on OpenRouter, country: FR}\n",
              locales=False)
    assert bulletin("run").code == 0
    article = (edition(project, "france") / "bulletin.md").read_text(encoding="utf-8")
    assert article.startswith("# France's AI models are off OpenRouter's leaderboard this week\n")
    assert "France had no model on OpenRouter's leaderboard in the week to March 15." in article
    assert "## France" not in article  # no table of models it does not have


def test_a_generator_makes_one_edition_per_developer_among_the_top_eight(project, bulletin) -> None:
    configure(project, GENERATED, locales=False)
    assert bulletin("run").code == 0
    made = sorted(p.name for p in (project / "output" / "bulletins" / "2026-W11" / "editions").iterdir())
    assert made == ["anthropic", "deepseek", "google", "minimax", "moonshotai", "stepfun"]
    assert data(project, "moonshotai")["edition"]["titles"] == {"en": "Moonshot AI on OpenRouter"}
    assert data(project, "minimax")["headline"].startswith("MiniMax")


def test_an_edition_with_a_number_the_store_does_not_give_stops_the_whole_week(project, bulletin) -> None:
    configure(project, EDITIONS, locales=False)
    override_template(project, "events/field.md.j2", (
        '{% macro headline(e) %}x{% endmacro %}'
        '{% macro paragraph(e, story) %}Across OpenRouter, 7.77 trillion tokens.{% endmacro %}'))
    result = bulletin("run")
    assert result.code != 0
    assert "7.77 trillion" in result.err
    assert not (project / "output" / "bulletins" / "2026-W11").exists()


def test_publish_checks_each_edition_again(project, bulletin) -> None:
    configure(project, EDITIONS, locales=False)
    assert bulletin("run").code == 0
    page = edition(project, "china") / "bulletin.md"
    page.write_text(page.read_text(encoding="utf-8").replace("4.69 trillion", "4.96 trillion"),
                    encoding="utf-8")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code != 0 and "4.96 trillion" in result.err


@pytest.mark.parametrize(("entry", "problem"), [
    ("{name: zh, title: x, developer: deepseek}", "'zh' is taken by the site's own pages"),
    ("{name: '2026', title: x, developer: deepseek}", "would take the site's path of a year"),
    ("{name: Deep Seek, title: x, developer: deepseek}", "is not a slug"),
    ("{name: main, title: x, developer: deepseek}", "'main' is taken"),
    ("{name: d, title: x, developer: deepseek, country: CN}", "give one of developer"),
    ("{name: d, title: x, country: XX}", "'XX' is not an ISO 3166 country code"),
    ("{name: d, developer: deepseek}", "editions[0].title: required"),
    ("{per: developer, top: 8, title: Developers}", "must hold {name}"),
    ("{per: model, top: 8}", "'model': editions are made per developer"),
    ("{name: d, title: x, developer: deepseek, colour: red}", "editions[0].colour: unknown key"),
])
def test_a_badly_named_edition_is_refused_with_nothing_written(project, bulletin, entry, problem) -> None:
    configure(project, f"editions:\n  - {entry}\n", locales=False)
    result = bulletin("run")
    assert result.code != 0
    assert problem in result.err
    assert "config.yaml" in result.err
    assert not (project / "output").exists()


def test_two_editions_of_one_name_are_refused(project, bulletin) -> None:
    configure(project, "editions:\n  - {name: d, title: x, developer: deepseek}\n"
                       "  - {name: d, title: y, country: CN}\n", locales=False)
    result = bulletin("run")
    assert result.code != 0 and "two editions are named 'd'" in result.err

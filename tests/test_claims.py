"""The claim check and the trail from every number to its source."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bulletin.render import claims
from support import override_template


def folder(project: Path) -> Path:
    return project / "output" / "bulletins" / "2026-W11"


def test_a_number_changed_in_the_article_stops_publishing(project, bulletin) -> None:
    assert bulletin("run").code == 0
    article = folder(project) / "bulletin.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("handled 4.69 trillion tokens", "handled 4.96 trillion tokens"),
                       encoding="utf-8")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 1
    assert result.err == ('error: 2026-W11: bulletin.md states "4.96 trillion", which the store '
                          "does not support; nothing published\n")


def test_a_number_changed_in_the_chinese_article_stops_publishing(project, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "locales: [en, zh]\n", encoding="utf-8")
    assert bulletin("run").code == 0
    article = folder(project) / "bulletin.zh.md"
    article.write_text(article.read_text(encoding="utf-8").replace("约3900千万亿", "约3800千万亿"),
                       encoding="utf-8")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.err == ('error: 2026-W11: bulletin.zh.md states "3800千万亿", which the store '
                          "does not support; nothing published\n")


def test_an_observation_changed_after_rendering_stops_publishing(project, bulletin) -> None:
    assert bulletin("run").code == 0
    with sqlite3.connect(project / "output" / "bulletin.db") as db:
        db.execute("UPDATE observations SET tokens = 1850000000000 "
                   "WHERE period = '2026-W11' AND model LIKE 'minimax/%'")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 1
    # The tables' bare figures too, under the unit each header states: "4.69" (trillions), "1,750".
    assert result.err == ('error: 2026-W11: bulletin.md states "1.75 trillion", "4.69 trillion", "11.8%", '
                          '"4.69", "+11.8%", "1,750", "-6.4%", which the store does not support; nothing '
                          'published\n')


def test_a_template_writing_an_unsupported_number_writes_nothing(project, bulletin) -> None:
    override_template(project, "events/sweep.md.j2",
        "{% macro headline(e) %}Sweep{% endmacro %}"
        "{% macro paragraph(e, story) %}A sweep worth 42 trillion tokens.{% endmacro %}")
    result = bulletin("run")
    assert result.code == 1
    assert result.err == ('error: 2026-W11: bulletin.md states "42 trillion", which the store does '
                          "not support; nothing published\n")
    assert not folder(project).exists()


def test_every_number_in_the_article_is_traced_to_its_source(project, bulletin) -> None:
    assert bulletin("run").code == 0
    data = json.loads((folder(project) / "bulletin.json").read_text(encoding="utf-8"))
    # Runs of weeks written as words are recorded too (for corrections); the figures are the numbers.
    traced = {row["text"]: row for row in data["numbers"]["en"] if any(c.isdigit() for c in row["text"])}
    article = (folder(project) / "bulletin.md").read_text(encoding="utf-8")
    assert set(traced) == set(claims.numbers_in(article, "en", ("MiniMax M2.5", "Step 3.5 Flash (free)",
                                                                "DeepSeek V3.2", "Gemini 3 Flash Preview",
                                                                "Claude Sonnet 4.6", "Claude Opus 4.6",
                                                                "Gemini 2.5 Flash", "Kimi K2.5",
                                                                "Grok 4.1 Fast", "2026-W11", "CC BY 4.0")))
    china = traced["4.69 trillion"]
    assert "country(CN).tokens" in china["what"]
    assert {s["source"] for s in china["sources"]} == {"openrouter-weekly"}
    assert {s["url"] for s in china["sources"]} == {"https://openrouter.ai/rankings"}
    assert all(s["fetched_at"] and s["as_of"] for s in china["sources"])
    assert "openrouter-weekly|2026-W11|minimax/minimax-m2.5-20260211" in {
        s["key"] for s in china["sources"]}
    forecast = traced["3,900 quadrillion"]
    assert forecast["sources"] == [{
        "key": "editor-figures|2030|JPMorgan: China's AI inference token consumption",
        "source": "editor-figures", "url": "https://news.cemsg.com/news/630.html",
        "fetched_at": forecast["sources"][0]["fetched_at"], "period": "2030"}]
    # Every token count in the text has a source behind it.
    assert all(row["sources"] for text, row in traced.items() if "illion" in text)


def test_the_start_of_the_records_is_dated_and_traced_in_chinese(project, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "locales: [en, zh]\n", encoding="utf-8")
    assert bulletin("run", "--week", "2026-W08").code == 0
    week = project / "output" / "bulletins" / "2026-W08"
    chinese = (week / "bulletin.zh.md").read_text(encoding="utf-8")
    # As the rest of the Chinese edition dates the records: "自2月9日有记录以来".
    assert "自2月9日有记录以来，中国AI模型在OpenRouter上的周调用量首次突破5万亿Token" in chinese
    data = json.loads((week / "bulletin.json").read_text(encoding="utf-8"))
    traced = {row["text"]: row["what"] for row in data["numbers"]["zh"]}
    assert any(name.endswith(".records_since") for name in traced["2"])
    assert any(name.endswith(".records_since") for name in traced["9"])


def test_a_number_changed_in_the_page_or_the_email_stops_publishing(project, bulletin) -> None:
    assert bulletin("run").code == 0
    for name, before, after in (("bulletin.html", "666 billion", "667 billion"),
                                ("email.txt", "+79.1%", "+97.1%")):
        path = folder(project) / name
        original = path.read_text(encoding="utf-8")
        path.write_text(original.replace(before, after), encoding="utf-8")
        result = bulletin("publish", "--week", "2026-W11")
        assert result.err == (f'error: 2026-W11: {name} states "{after}", which the store does '
                              "not support; nothing published\n")
        path.write_text(original, encoding="utf-8")
    assert bulletin("publish", "--week", "2026-W11").code == 0

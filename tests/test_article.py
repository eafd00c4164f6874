"""The rendered bulletin, as a reader and an editor would check it."""

import json
import os
from pathlib import Path

import html5lib

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"


def read(project: Path, week: str, name: str) -> str:
    return (project / "output" / "bulletins" / week / name).read_text(encoding="utf-8")


def test_run_writes_the_week_11_bulletin(project, bulletin) -> None:
    result = bulletin("run")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"output/bulletins/2026-W11/{name}" for name in (
        "bulletin.md", "bulletin.html", "bulletin.json")]
    article = read(project, "2026-W11", "bulletin.md")
    for statement in (
        "China's AI models on OpenRouter reached 4.69 trillion tokens",
        "up 11.8% on the previous week",
        "ahead of the United States (3.29 trillion, down 9.3%) for the second consecutive week",
        "The top three models by call volume were all Chinese: MiniMax M2.5 with 1.75 trillion "
        "tokens, Step 3.5 Flash (free) with 1.34 trillion and DeepSeek V3.2 with 1.04 trillion.",
        "JPMorgan forecasts China's AI inference token consumption to grow from about "
        "10 quadrillion tokens in 2025 to about 3,900 quadrillion in 2030: 390 times as much",
        "| China | 4.69 trillion | +11.8% |",
        "| United States | 3.29 trillion | \u22129.3% |",
        "generated automatically by bulletin on March 16, 2026",
        "Source: OpenRouter (openrouter.ai/rankings)",
    ):
        assert statement in article


def test_the_week_11_article_matches_its_golden_file(project, bulletin) -> None:
    bulletin("run")
    article = read(project, "2026-W11", "bulletin.md")
    golden = GOLDEN / "2026-W11.md"
    if os.environ.get("BULLETIN_UPDATE_GOLDEN"):
        golden.write_text(article, encoding="utf-8")
    assert article == golden.read_text(encoding="utf-8")


def test_week_9_says_the_us_led_and_chinas_streak_ended(project, bulletin) -> None:
    bulletin("run", "--week", "2026-W09")
    article = read(project, "2026-W09", "bulletin.md")
    assert article.startswith("# American AI models overtake Chinese rivals on OpenRouter\n")
    assert ("the United States' AI models took the lead on OpenRouter with 3.96 trillion tokens"
            in article)
    assert "ending China's two-week lead" in article


def test_week_10_says_china_retook_the_lead(project, bulletin) -> None:
    bulletin("run", "--week", "2026-W10")
    article = read(project, "2026-W10", "bulletin.md")
    assert article.startswith("# Chinese AI models retake the lead from US rivals on OpenRouter\n")
    assert "China's AI models took back the lead on OpenRouter with 4.19 trillion tokens" in article
    assert "after the United States had been ahead for a single week" in article


def test_the_html_page_is_well_formed_html5(project, bulletin) -> None:
    bulletin("run")
    page = read(project, "2026-W11", "bulletin.html")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(page)  # strict: raises on any parse error
    assert document.find("head/title").text.startswith(
        "Chinese AI models lead US rivals on OpenRouter for a second consecutive week")
    assert document.find(".//article/h1") is not None
    assert len(document.findall(".//article//table")) == 2
    assert 'name="description" content="As of March 15, the weekly call volume' in page


def test_the_json_holds_the_events_and_their_sources(project, bulletin) -> None:
    bulletin("run")
    data = json.loads(read(project, "2026-W11", "bulletin.json"))
    assert data["week"] == "2026-W11"
    assert [e["kind"] for e in data["events"]][:2] == ["streak", "sweep"]
    # Growth of the lead countries is told in the lead paragraph; minor moves
    # fall below the article's five events.
    assert {e["kind"] for e in data["other_events"]} == {"growth", "rank_change", "volume_change"}
    streak = data["events"][0]
    for key in streak["evidence"]:
        assert data["provenance"][key]["source"] == "openrouter-weekly"
    cn = sum(data["provenance"][k]["tokens"] for k in streak["evidence"]
             if data["provenance"][k]["model"].split("/")[0] in {"minimax", "stepfun", "deepseek",
                                                                  "moonshotai"})
    assert cn == streak["facts"]["leader_tokens"] == 4_690_000_000_000
    assert data["sources"][0]["attribution"] == "OpenRouter (openrouter.ai/rankings)"


def test_a_model_name_cannot_inject_markup(project, bulletin) -> None:
    board = project / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(
        "MiniMax M2.5", "MiniMax <script>alert(1)</script>"), encoding="utf-8")
    bulletin("run")
    assert "<script>alert" not in read(project, "2026-W11", "bulletin.html").split("<article>")[1]


def test_a_missing_template_value_is_an_error_not_a_gap(project, bulletin) -> None:
    templates = project / "my-templates" / "events"
    templates.mkdir(parents=True)
    (templates / "sweep.md.j2").write_text(
        "{% macro headline(e) %}x{% endmacro %}"
        "{% macro paragraph(e, story) %}Top: {{ e.facts.nonexistent }}{% endmacro %}",
        encoding="utf-8")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "templates_dir: my-templates\n",
                      encoding="utf-8")
    result = bulletin("run")
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "error: events/sweep.md.j2:1: 'dict object' has no attribute 'nonexistent'"]
    assert not (project / "output" / "bulletins" / "2026-W11").exists()

"""The rendered bulletin, as a reader and an editor would check it."""

import hashlib
import json
import os
import shutil
from pathlib import Path

import html5lib

from support import override_template


def read(project: Path, week: str, name: str) -> str:
    return (project / "output" / "bulletins" / week / name).read_text(encoding="utf-8")


def test_run_writes_the_week_11_bulletin(project, bulletin) -> None:
    result = bulletin("run")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"output/bulletins/2026-W11/{name}" for name in (
        "bulletin.md", "bulletin.html", "email.html", "email.txt", "chart.svg", "chart-narrow.svg",
        "chart-dark.svg", "chart.png", "bulletin.json")]
    article = read(project, "2026-W11", "bulletin.md")
    for statement in (
        "China's AI models handled 4.69 trillion tokens on OpenRouter in the week to March 15, "
        "up 11.8% on the previous week, against 3.29 trillion for the United States (\u22129.3%); "
        "it is the second week in a row that China has come out ahead.",
        "Chinese models filled the top three places on the leaderboard, for the first time since "
        "these records began on February 9: MiniMax M2.5 at 1.75 trillion tokens, "
        "Step 3.5 Flash (free) at 1.34 trillion (up 79.1%) and DeepSeek V3.2 at 1.04 trillion.",
        "JPMorgan expects China's AI inference token consumption to rise from about "
        "10 quadrillion tokens in 2025 to about 3,900 quadrillion in 2030, a 390-fold increase",
        "| Country | Tokens (trillions) |",
        "| China | 4.69 | +11.8% |",
        "| US | 3.29 | \u22129.3% |",
        "generated automatically from these data on March 16, 2026",
        "Source: OpenRouter (openrouter.ai/rankings), as of March 15, 2026 (data licensed CC BY 4.0).",
    ):
        assert statement in article


def test_week_9_says_the_us_led_and_chinas_streak_ended(project, bulletin) -> None:
    bulletin("run", "--week", "2026-W09")
    article = read(project, "2026-W09", "bulletin.md")
    assert article.startswith("# American AI models overtake Chinese rivals on OpenRouter\n")
    assert ("The lead on OpenRouter changed hands in the week to March 1: the United States' AI "
            "models moved ahead with 3.96 trillion tokens, up 25.6% on the previous week, while "
            "China managed 3.12 trillion (\u221239.5%). That ends a run of two weeks with China in "
            "front, going back to the first week on record, February 9: the United States' first "
            "lead since these records began." in article)


def test_week_10_says_china_retook_the_lead(project, bulletin) -> None:
    bulletin("run", "--week", "2026-W10")
    article = read(project, "2026-W10", "bulletin.md")
    assert article.startswith("# Chinese AI models retake the lead from US rivals on OpenRouter\n")
    assert "China's AI models won it back with 4.19 trillion tokens" in article
    assert "The United States had been in front for only one week." in article


def test_the_html_page_is_well_formed_html5(project, bulletin) -> None:
    bulletin("run")
    page = read(project, "2026-W11", "bulletin.html")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(page)  # strict: raises on any parse error
    assert document.find("head/title").text.startswith(
        "Chinese models take OpenRouter's top three places")
    assert document.find(".//article/h1") is not None
    assert len(document.findall(".//article//table")) == 2
    assert document.find(".//article//img").get("src") == "chart.svg"
    assert 'name="description" content="Chinese models filled the top three places on the leaderboard' in page


def test_the_json_holds_the_events_and_their_sources(project, bulletin) -> None:
    bulletin("run")
    data = json.loads(read(project, "2026-W11", "bulletin.json"))
    assert data["week"] == "2026-W11"
    # The sweep starts this week: a change leads; the lead that continues follows (STYLEBOOK 1).
    assert [e["kind"] for e in data["events"]][:3] == ["sweep", "streak", "forecast"]
    # Growth of the lead countries is told in the lead paragraph; minor moves
    # fall below the article's five events.
    assert {e["kind"] for e in data["other_events"]} == {"growth", "rank_change", "volume_change",
                                                          "subject_streak"}
    streak = next(e for e in data["events"] if e["kind"] == "streak")
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
    override_template(project, "events/sweep.md.j2",
        "{% macro headline(e) %}x{% endmacro %}"
        "{% macro paragraph(e, story) %}Top: {{ e.facts.nonexistent }}{% endmacro %}")
    result = bulletin("run")
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "error: events/sweep.md.j2:1: 'bulletin.model.facts.SweepFacts object' has no attribute "
        "'nonexistent'"]
    assert not (project / "output" / "bulletins" / "2026-W11").exists()


def test_a_rerun_writes_the_same_files_and_reuses_an_unchanged_chart(project, bulletin) -> None:
    bulletin("run")
    folder = project / "output" / "bulletins" / "2026-W11"
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    shutil.rmtree(folder)
    bulletin("run")
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == first
    # Same data: the chart on disk is kept, not drawn again.
    svg = folder / "chart.svg"
    svg.write_text(svg.read_text(encoding="utf-8") + "<!-- kept -->\n", encoding="utf-8")
    bulletin("run")
    assert svg.read_text(encoding="utf-8").endswith("<!-- kept -->\n")
    # New numbers: drawn again.
    board = project / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(
        "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000",
        "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1760000000000"), encoding="utf-8")
    bulletin("run")
    assert not svg.read_text(encoding="utf-8").endswith("<!-- kept -->\n")


def test_compiled_templates_are_kept_under_xdg_cache_home(project, bulletin) -> None:
    """The session's own cache folder (conftest sets it), not the user's ~/.cache."""
    assert bulletin("run").code == 0
    cache = Path(os.environ["XDG_CACHE_HOME"])
    assert cache.name.startswith("bulletin-tests-cache-")
    assert list((cache / "bulletin").glob("templates-*/*")), "no compiled template in the cache"


def test_the_chinese_edition_names_a_figure_in_chinese_or_leaves_it_out(project, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "# locales: [en, zh]", "locales: [en, zh]"), encoding="utf-8")
    assert bulletin("run").code == 0
    chinese = read(project, "2026-W11", "bulletin.zh.md")
    # The editor's subject_zh (demo/figures.yaml), never the English subject in quotes.
    assert "摩根大通预测，中国AI推理Token消耗量将从2025年的约10千万亿Token" in chinese \
        or "摩根大通估计中国AI推理Token消耗量2025年约为10千万亿Token" in chinese
    assert "China's AI inference" not in chinese
    # The sources are credited in Chinese too (attribution_zh in config.yaml).
    assert "数据来源：OpenRouter排行榜（openrouter.ai/rankings）" in chinese
    assert "- 其他来源：编辑录入的数据。" in chinese and "figures entered by the editors" not in chinese
    assert "JPMorgan" not in bulletin("review").out
    figures = project / "demo" / "figures.yaml"
    figures.write_text(figures.read_text(encoding="utf-8").replace(
        "China's AI inference token consumption\n  subject_zh: 中国AI推理Token消耗量",
        "Token demand of agents"), encoding="utf-8")
    result = bulletin("run")
    # Held for an editor, who sees why in the review list.
    assert result.code == 3, result.err
    english, chinese = read(project, "2026-W11", "bulletin.md"), read(project, "2026-W11", "bulletin.zh.md")
    assert "JPMorgan expects Token demand of agents to rise" in english
    # No Chinese name for it: the forecast is left out of the Chinese story, with a warning.
    story = chinese.split("\n## ", 1)[0]
    assert "摩根大通" not in story and "Token demand" not in chinese
    assert "no Chinese subject for the figure 'Token demand of agents' (JPMorgan)" in result.err
    # Nor does it credit the figure's source or its report: it shows neither.
    assert "其他来源" not in chinese and "预测：" not in chinese
    assert "- Also used: figures entered by the editors." in english
    # An editor sees it in the review list.
    assert ("JPMorgan's figure 'Token demand of agents': left out of the Chinese article"
            in bulletin("review").out)

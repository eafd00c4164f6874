"""Bad input: one clear line, a non-zero exit, and nothing half-written."""

from pathlib import Path

import pytest

from support import digest


@pytest.fixture
def collected(project: Path, bulletin) -> Path:
    """The demo project after a successful run: a store and a published bulletin."""
    assert bulletin("run").code == 0
    return project / "output" / "bulletin.db"


def outputs(project: Path) -> dict[str, str]:
    folder = project / "output" / "bulletins"
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("old, new, line", [
    ("2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000",
     "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1.75T",
     "demo/openrouter-weekly.csv:42: column 'tokens': '1.75T' is not a whole number of tokens"),
    ("week,rank,model,name,tokens", "week,rank,model,name,volume",
     "demo/openrouter-weekly.csv:1: missing column tokens (header is: week, rank, model, name, "
     "volume)"),
    ("2026-W11,1,minimax/minimax-m2.5-20260211", "2026/11,1,minimax/minimax-m2.5-20260211",
     "demo/openrouter-weekly.csv:42: column 'week': '2026/11' is not an ISO week like 2026-W11"),
])
def test_a_malformed_csv_changes_nothing(project, collected, bulletin, old, new, line) -> None:
    board = project / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    before, published = digest(collected), outputs(project)

    result = bulletin("run")

    assert result.code == 1
    assert result.err == f"error: {project / line.split(':')[0]}:{line.split(':', 1)[1]}\n"
    assert result.out == ""
    assert digest(collected) == before
    assert outputs(project) == published


def test_an_invalid_config_changes_nothing(project, collected, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("top_n: 9", "top_n: nine"),
                      encoding="utf-8")
    before, published = digest(collected), outputs(project)

    result = bulletin("run")

    assert result.code == 2  # a config error
    assert result.err == "error: config.yaml: methodology.top_n: expected a whole number, got a string\n"
    assert digest(collected) == before
    assert outputs(project) == published


def test_a_bad_figures_file_changes_nothing(project, collected, bulletin) -> None:
    figures = project / "demo" / "figures.yaml"
    figures.write_text(figures.read_text(encoding="utf-8").replace("value: 3900", "value: lots"),
                       encoding="utf-8")
    before = digest(collected)
    result = bulletin("run")
    assert result.code == 1
    assert result.err == (f"error: {figures}:12: figure 2: value: 'lots' is not a number\n")
    assert digest(collected) == before


def test_an_unmapped_author_is_a_warning_and_a_data_note(project, bulletin) -> None:
    board = project / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(
        "moonshotai/kimi-k2.5-0127", "newlab/kimi-k2.5-0127"), encoding="utf-8")
    result = bulletin("run")
    assert result.code == 3  # held: a top-10 author without a country is an anomaly
    assert ("warning: 2026-W11: no country configured for newlab; add them under "
            "methodology.countries") in result.err
    article = (project / "output/bulletins/2026-W11/bulletin.md").read_text(encoding="utf-8")
    assert ("No country is configured for newlab; its models are left out of the country totals."
            in article)
    assert "China's AI models took back the lead on OpenRouter with 4.13 trillion tokens" in article

from decimal import Decimal
from pathlib import Path

import pytest

from bulletin.collect.csv_leaderboard import read_leaderboard
from bulletin.collect.figures_file import read_figures
from bulletin.errors import CollectError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_weekly_rows_keep_rank_and_name(tmp_path: Path) -> None:
    path = write(tmp_path, "board.csv",
                 "week,rank,model,name,tokens\n"
                 "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000\n"
                 "2026-W11,2,stepfun/step-3.5-flash:free,Step 3.5 Flash (free),1340000000000\n")
    observations, names = read_leaderboard(path, "board", "", "2026-03-16T00:00:00+00:00")
    assert [(o.period, o.model, o.tokens, o.rank) for o in observations] == [
        ("2026-W11", "minimax/minimax-m2.5-20260211", 1_750_000_000_000, 1),
        ("2026-W11", "stepfun/step-3.5-flash:free", 1_340_000_000_000, 2)]
    assert type(observations[0].tokens) is int
    assert [n.name for n in names] == ["MiniMax M2.5", "Step 3.5 Flash (free)"]


def test_daily_rows_and_a_spreadsheet_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_bytes("\ufeffdate,model,tokens\n2026-03-09,deepseek/deepseek-v3.2,5\n".encode())
    observations, _ = read_leaderboard(path, "days", "", "")
    assert observations[0].period == "2026-03-09"
    assert str(observations[0].week) == "2026-W11"


@pytest.mark.parametrize("text, message", [
    ("week,model,tokens\n2026-W11,minimax/m2,12x\n",
     "{path}:2: column 'tokens': '12x' is not a whole number of tokens"),
    ("week,model,tokens\n2026-W11,minimax/m2,1.5e12\n",
     "{path}:2: column 'tokens': '1.5e12' is not a whole number of tokens"),
    ("week,model\n2026-W11,minimax/m2\n",
     "{path}:1: missing column tokens (header is: week, model)"),
    ("model,tokens\nminimax/m2,5\n",
     "{path}:1: missing column week or date (header is: model, tokens)"),
    ("week,model,tokens\n2026-W11,minimax/m2,5\n2026-11,minimax/m3,7\n",
     "{path}:3: column 'week': '2026-11' is not an ISO week like 2026-W11"),
    ("date,model,tokens\n2026-02-30,minimax/m2,5\n",
     "{path}:2: column 'date': '2026-02-30' is not a calendar date"),
    ("week,model,tokens\n2026-W11,MiniMax M2.5,5\n",
     "{path}:2: column 'model': 'MiniMax M2.5' is not a model permaslug like "
     "minimax/minimax-m2.5-20260211"),
    ("week,model,tokens\n2026-W11,minimax/m2,5\n2026-W11,minimax/m2,6\n",
     "{path}:3: column 'model': minimax/m2 appears twice for 2026-W11 (first on line 2)"),
    ("week,model,tokens\n2026-W11,minimax/m2\n",
     "{path}:2: has 2 fields, the header has 3"),
    ("", "{path}: empty file, expected a header row"),
])
def test_a_bad_row_names_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "board.csv", text)
    with pytest.raises(CollectError) as error:
        read_leaderboard(path, "board", "", "")
    assert str(error.value) == message.format(path=path)


FIGURES = """\
- subject: China's AI inference token consumption
  organisation: JPMorgan
  kind: forecast
  value: 10
  unit: quadrillion tokens
  period: 2025
  source: https://example.org/report
- subject: China's AI inference token consumption
  organisation: JPMorgan
  kind: forecast
  value: 3900
  unit: quadrillion tokens
  period: 2030
  source: https://example.org/report
  quote: about 370 times
"""


def test_figures_are_exact_and_remember_their_scale(tmp_path: Path) -> None:
    figures = read_figures(write(tmp_path, "figures.yaml", FIGURES), "editors", "")
    assert [(f.value, f.unit, f.scale, f.period) for f in figures] == [
        (Decimal(10 * 10**15), "tokens", "quadrillion", "2025"),
        (Decimal(3900 * 10**15), "tokens", "quadrillion", "2030")]
    assert figures[1].quote == "about 370 times"


@pytest.mark.parametrize("change, message", [
    (("kind: forecast", "kind: guess"), "figure 1: kind: 'guess' is neither observed nor forecast"),
    (("value: 10", "value: ten"), "figure 1: value: 'ten' is not a number"),
    (("period: 2025", "period: next year"),
     "figure 1: period: 'next year' is neither a year (2030) nor an ISO week (2026-W11)"),
    (("  source: https://example.org/report\n- ", "  sauce: https://example.org/report\n- "),
     "figure 1: unknown key 'sauce'"),
])
def test_a_bad_figure_is_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, "figures.yaml", FIGURES.replace(*change, 1))
    with pytest.raises(CollectError) as error:
        read_figures(path, "editors", "")
    assert str(error.value).startswith(f"{path}:1: {message}")

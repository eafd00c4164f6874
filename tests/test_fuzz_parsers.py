"""Fuzzing the readers of outside data: any input gives a result or a clean CollectError.

Each parser meets random and random-but-plausible input. A result must keep
the bounds (whole token counts within MAX_TOKENS, names without control
characters); anything else must be a CollectError, never another exception.
The quick runs try FEW examples of each; the slow ones as many as the
Hypothesis profile (tests/conftest.py) allows: 10,000 under CI, 400 elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.collect import bounds
from bulletin.collect.csv_leaderboard import CheckedRows, _read_rows
from bulletin.collect.feed import read_feed
from bulletin.collect.figures_file import read_figures
from bulletin.collect.openrouter import parse_rankings
from bulletin.collect.openrouter_models import parse_models
from bulletin.errors import CollectError
from bulletin.model import Observation

FEW = 150
FIRST, LAST = date(2026, 5, 18), date(2026, 5, 24)
PATH = Path("fuzz.csv")

tokens = st.one_of(st.integers(min_value=-10, max_value=2**70).map(str),
                   st.sampled_from(["", "NaN", "inf", "1e9", "１２", "٣", "0x10", " 7", "+5"]),
                   st.text(max_size=8))
names = st.one_of(st.text(max_size=30), st.sampled_from(["MiniMax M2.5", "[x](https://e.x)",
                                                         "a\u202eb", "a\x00b", "x" * 300]))
slugs = st.one_of(st.sampled_from(["minimax/m2.5", "a/b:free", "other", "ａ/b", "a/b\n", ""]),
                  st.text(max_size=20))
weeks = st.one_of(st.sampled_from(["2026-W11", "2026-W53", "2026-W99", "2026-w11", ""]),
                  st.text(max_size=10))
days = st.one_of(st.dates(min_value=date(2026, 5, 10), max_value=date(2026, 5, 30)).map(str),
                 st.text(max_size=12))


def _kept_in_bounds(observations: list[Any]) -> None:
    for obs in observations:
        assert type(obs.tokens) is int and 0 <= obs.tokens <= bounds.MAX_TOKENS


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@st.composite
def leaderboards(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=300))  # anything at all
    header = draw(st.sampled_from([["week", "rank", "model", "name", "tokens"],
                                   ["date", "model", "tokens"], ["model", "tokens"], []]))
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        cells = {"week": draw(weeks), "date": draw(days), "rank": draw(tokens), "model": draw(slugs),
                 "name": draw(names), "tokens": draw(tokens)}
        rows.append([cells[column] for column in header])
    return _csv_text(rows)


def check_csv(text: str) -> None:
    rows = CheckedRows("s", "", "now")
    try:
        found = _read_rows(PATH, csv.reader(io.StringIO(text)), rows)
        observations = [Observation(*row) for row in rows]
    except CollectError:
        return  # a csv.Error too: the reader turns it into a CollectError
    finally:
        rows.close()
    _kept_in_bounds(observations)
    assert all(bounds.name_problem(name.name) is None for name in found)


@st.composite
def rankings(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                                 lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                                 max_leaves=20))
    rows = [{"date": draw(days), "model_permaslug": draw(slugs),
             "total_tokens": draw(st.one_of(tokens, st.integers(), st.floats(), st.none()))}
            for _ in range(draw(st.integers(0, 6)))]
    return {"data": rows, "meta": {"as_of": draw(st.sampled_from(["", "2026-05-25", "soon", 5]))}}


def check_rankings(body: Any) -> None:
    try:
        rows, _ = parse_rankings(body, "u", "s", "", "now", FIRST, LAST)
    except CollectError:
        return
    for row in rows:
        assert type(row[3]) is int and 0 <= row[3] <= bounds.MAX_TOKENS
        assert bounds.SLUG.fullmatch(row[2])


@st.composite
def catalogues(draw: st.DrawFn) -> Any:
    entries = [{"id": draw(slugs), "canonical_slug": draw(slugs), "name": draw(names),
                "created": draw(st.one_of(st.integers(), st.floats(), st.text(max_size=5)))}
               for _ in range(draw(st.integers(0, 5)))]
    return {"data": entries} if draw(st.booleans()) else draw(st.sampled_from([[], {}, None, 1]))


def check_models(body: Any) -> None:
    try:
        found = parse_models(body, "u", "s")
    except CollectError:
        return
    assert all(bounds.name_problem(name.name) is None for name in found)


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    items = "".join(f"<entry><id>{draw(st.text(max_size=8))}</id><title>{draw(names)}</title>"
                    f"<summary>{draw(st.text(max_size=60))}</summary></entry>"
                    for _ in range(draw(st.integers(0, 3))))
    text = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{items}</feed>'
    return text.encode("utf-8", "surrogatepass")


def check_feed(body: bytes) -> None:
    try:
        read_feed(body, "u", "s", "now")
    except CollectError:
        return


@st.composite
def figure_files(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=300))
    entry = {"subject": draw(names), "organisation": draw(names),
             "kind": draw(st.sampled_from(["forecast", "observed", "guess"])),
             "value": draw(st.one_of(st.integers(), st.floats(), st.text(max_size=6))),
             "unit": draw(st.sampled_from(["tokens", "quadrillion tokens", ""])),
             "period": draw(st.one_of(st.sampled_from(["2030", "2026-W11", "２０３０"]), weeks)),
             "source": draw(st.sampled_from(["https://example.org/a", "ftp://x", ""]))}
    return json.dumps([entry], allow_nan=True)  # JSON is YAML, NaN and Infinity included


def check_figures(text: str, folder: Path) -> None:
    path = folder / "figures.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        figures = read_figures(path, "s", "now")
    except CollectError:
        return
    for figure in figures:
        assert figure.value.is_finite()
        assert bounds.unsafe_character(figure.subject) is None


PARSERS = {"csv": (leaderboards, check_csv), "data-api": (rankings, check_rankings),
           "models": (catalogues, check_models), "feed": (feeds, check_feed)}


def _fuzz(kind: str, examples: int | None = None) -> None:
    strategy, check = PARSERS[kind]

    @settings(max_examples=examples or settings().max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy())
    def run(value: Any) -> None:
        check(value)

    run()


def _fuzz_figures(folder: Path, examples: int | None = None) -> None:
    @settings(max_examples=examples or settings().max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(figure_files())
    def run(text: str) -> None:
        check_figures(text, folder)

    run()


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_a_parser_gives_a_result_or_a_clean_error(kind: str) -> None:
    _fuzz(kind, FEW)


def test_the_figures_reader_gives_a_result_or_a_clean_error(tmp_path: Path) -> None:
    _fuzz_figures(tmp_path, FEW)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_the_profiles_many_inputs_each(kind: str) -> None:
    _fuzz(kind)


@pytest.mark.slow
def test_the_profiles_many_figures_files(tmp_path: Path) -> None:
    _fuzz_figures(tmp_path)

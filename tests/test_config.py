from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.errors import ConfigError
from support import ROOT


def test_the_bundled_config_loads_with_the_documented_defaults() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.output == ROOT / "output"
    assert config.database == ROOT / "output" / "bulletin.db"
    assert [s.name for s in config.sources] == ["openrouter-weekly", "editor-figures"]
    assert config.methodology.top_n == 9
    assert config.methodology.exclude_authors == {"openrouter"}
    assert config.methodology.lead_countries == ("CN", "US")
    assert config.methodology.country_of("minimax") == "CN"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "week.csv").write_text("week,model,tokens\n", encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text("output: out\ndatabase: db/history.sqlite\nsources:\n"
                    "  - {name: board, type: csv, path: data/week.csv}\n", encoding="utf-8")
    config = load_config(path)
    assert config.output == tmp_path / "out"
    assert config.database == tmp_path / "db" / "history.sqlite"
    assert config.sources[0].path == tmp_path / "data" / "week.csv"  # type: ignore[attr-defined]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "outptu: out\n"
        "sources:\n"
        "  - {name: board, type: csv, path: missing.csv, url: not-a-url}\n"
        "  - {name: feed, type: rss}\n"
        "methodology:\n"
        "  top_n: 0\n"
        "  countries: {newlab: China}\n"
        "  lead_countries: [CN]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        "outptu: unknown key (expected one of: chart, database, description, description_zh, editions, "
        "locales, methodology, output, postal_address, publish, publisher, review, rules, site, sources, "
        "store, story, templates_dir, title)",
        "sources[0].path: file not found: missing.csv",
        "sources[0].url: not a valid http(s) URL: 'not-a-url'",
        "sources[1].type: unknown type 'rss' (known: csv, feed, figures, openrouter, openrouter-models)",
        "methodology.top_n: must be at least 1, got 0",
        "methodology.countries.newlab: 'China' is not an ISO 3166 country code (e.g. CN, US, FR)",
        "methodology.lead_countries: expected two different country codes, e.g. [CN, US]",
    ]
    assert str(error.value).splitlines()[0].startswith(f"{path}: outptu: unknown key")


def test_country_entries_are_laid_over_the_built_in_map(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("sources: []\nmethodology:\n  countries: {newlab: SG, google: null}\n",
                    encoding="utf-8")
    methodology = load_config(path).methodology
    assert methodology.country_of("newlab") == "SG"
    assert methodology.country_of("google") is None
    assert methodology.country_of("deepseek") == "CN"


def test_unreadable_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("sources:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}: line 3:")


def test_a_key_given_twice_is_refused_by_name(tmp_path: Path) -> None:
    # YAML keeps the last silently: a second output: would start a new, empty store.
    path = tmp_path / "config.yaml"
    path.write_text("output: out\nsources: []\noutput: elsewhere\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (f"{path}: line 3: the key 'output' is given twice "
                                "(first on line 1); keep one")


def test_a_missing_config_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "nope.yaml")
    assert str(error.value) == f"{tmp_path / 'nope.yaml'}: file not found (pass --config PATH)"


def test_a_source_credits_itself_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "week.csv").write_text("week,model,tokens\n", encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text("sources:\n"
                    "  - {name: board, type: csv, path: week.csv, attribution: the board}\n"
                    "  - {name: live, type: openrouter}\n", encoding="utf-8")
    board, live = load_config(path).sources
    # An editor's own source without attribution_zh is credited as the editor wrote it;
    # the built-in OpenRouter source has Chinese words of its own.
    assert board.credit.attribution_zh == "the board"
    assert live.credit.attribution_zh == "OpenRouter排行榜（openrouter.ai/rankings）"
    path.write_text("sources:\n"
                    "  - {name: board, type: csv, path: week.csv, attribution_zh: 看板}\n", encoding="utf-8")
    assert load_config(path).sources[0].credit.attribution_zh == "看板"
    path.write_text("sources:\n  - {name: board, type: csv, path: week.csv, attribution_zh: [看板]}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == ["sources[0].attribution_zh: expected a non-empty string, got a list"]

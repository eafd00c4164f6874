"""Rules declared in config.yaml: defaults, parameters, weights, and the errors an editor sees."""

from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config.defaults import DEFAULT_RULES
from bulletin.config.load import load_config
from bulletin.errors import ConfigError
from bulletin.weeks import IsoWeek


def with_rules(project: Path, rules: str) -> Path:
    """The demo config with ``rules`` at its end, in place of the top-level keys they give."""
    path = project / "config.yaml"
    given = {line.split(":")[0] for line in rules.splitlines() if line[:1].isalpha()}
    kept, dropping = [], False
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line[:1].isalpha():
            dropping = line.split(":")[0] in given
        if not dropping:
            kept.append(line)
    path.write_text("".join(kept) + rules, encoding="utf-8")
    return path


def test_without_a_rules_list_the_built_in_rules_run(project) -> None:
    config = load_config(project / "config.yaml")
    assert [rule.describe()["kind"] for rule in config.rules] == [e["kind"] for e in DEFAULT_RULES]


def test_bad_rules_are_reported_by_index_and_parameter(project) -> None:
    path = with_rules(project, """
rules:
  - {kind: streak, subject: planet}
  - {kind: sweep, places: 1}
  - {kind: growth, threshold: lots}
  - {kind: gossip}
  - {kind: record, colour: red}
  - {kind: streak, subject: total}
  - {places: 3}
story: {max_events: 0, repeat_factor: 2}
""")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.problems == [
        "rules[0].subject: expected one of country, author, model, total, got 'planet'",
        "rules[1].places: must be at least 2, got 1",
        "rules[2].threshold: expected a number, got 'lots'",
        "rules[3].kind: unknown kind 'gossip' (known: forecast, growth, lead_change, milestone, "
        "new_entrant, rank_change, record, share, streak, successor, sweep, variant_change, withdrawal)",
        "rules[4].colour: unknown parameter of a record rule (expected one of: kind, low, "
        "min_history, span, subject, top, weight)",
        "rules[5].subject: the total leads nothing; use country, author or model (or measure: growth)",
        "rules[6].kind: required",
        "story.max_events: must be at least 1, got 0",
        "story.repeat_factor: expected a number from 0 to 1, got 2",
    ]


def test_the_cli_names_the_rule_and_exits_2(project, bulletin) -> None:
    with_rules(project, "rules:\n  - {kind: sweep, places: three}\n")
    result = bulletin("events")
    assert result.code == 2  # a config error
    assert "rules[0].places: expected a whole number, got 'three'" in result.err


def test_only_the_configured_rules_run_with_their_parameters_and_weights(project) -> None:
    path = with_rules(project, """
rules:
  - {kind: sweep, places: 2, weight: 2}
  - {kind: new_entrant, places: 5}
""")
    config = load_config(path)
    pipeline.collect(config)
    _, events = pipeline.week_events(config, IsoWeek.parse("2026-W11"))
    assert {e.kind for e in events} == {"sweep", "new_entrant"}
    # Hunter Alpha entered at No. 7, outside the top 5 this rule watches.
    assert all(e.facts.rank <= 5 for e in events if e.kind == "new_entrant")
    [sweep] = [e for e in events if e.kind == "sweep"]
    assert sweep.facts.places == 2 and sweep.score == 2 * 50.0


def test_the_article_tells_at_most_max_events(project, bulletin) -> None:
    with_rules(project, "story: {max_events: 2}\n")
    bulletin("run")
    import json

    data = json.loads((project / "output/bulletins/2026-W11/bulletin.json").read_text())
    # JPMorgan published its forecast the week after W11: fresh news, told second.
    assert [e["kind"] for e in data["events"]] == ["streak", "forecast"]


def test_an_empty_rules_list_finds_nothing(project) -> None:
    config = load_config(with_rules(project, "rules: []\n"))
    pipeline.collect(config)
    assert pipeline.week_events(config, IsoWeek.parse("2026-W11"))[1] == []

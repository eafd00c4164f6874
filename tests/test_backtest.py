"""The backtest on the recorded OpenRouter history, and memory across weeks."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from bulletin.weeks import IsoWeek
from support import ROOT, SHARED_DATA, needs_shared_data, write_config
from support.recorded import leaderboard_csv

WEEKLY = SHARED_DATA / "openrouter-weekly-top10"
DAILY = SHARED_DATA / "openrouter-rankings-daily"


def backtest(bulletin, config: Path, *args: str) -> dict:
    result = bulletin("backtest", "--config", config, "--format", "json", *args)
    assert result.code == 0, result.err
    return {week["week"]: week for week in json.loads(result.out)["weeks"]}


def published_by_w07(project: Path) -> None:
    """The demo's forecast as if published in time for W07 (the week to February 15)."""
    figures = project / "demo" / "figures.yaml"
    figures.write_text(figures.read_text(encoding="utf-8").replace("published: 2026-03-22",
                                                                   "published: 2026-02-22"),
                       encoding="utf-8")


def chosen(week: dict, kind: str) -> list[dict]:
    return [e for e in week["events"] if e["kind"] == kind and e["chosen"]]


@needs_shared_data()
def test_the_weekly_leaderboards_give_the_stories_the_press_told(tmp_path, bulletin) -> None:
    leaderboard_csv(tmp_path, sorted(path.name for path in WEEKLY.glob("*.json")))
    config = write_config(tmp_path, "  - {name: board, type: csv, path: leaderboard.csv}")
    assert bulletin("collect", "--config", config).code == 0
    weeks = backtest(bulletin, config, "--from", "2026-W07", "--to", "2026-W11")
    assert list(weeks) == ["2026-W07", "2026-W08", "2026-W09", "2026-W10", "2026-W11"]

    [first] = chosen(weeks["2026-W07"], "lead_change")  # China's first lead
    assert (first["facts"]["leader"], first["facts"]["retaken"]) == ("CN", False)
    assert weeks["2026-W07"]["headline"] == "Chinese AI models overtake US rivals on OpenRouter"

    [second] = chosen(weeks["2026-W08"], "streak")
    assert (second["facts"]["leader"], second["facts"]["weeks"]) == ("CN", 2)
    # The lead continues, but China's models also set a record: the change leads (STYLEBOOK 1).
    assert weeks["2026-W08"]["headline"] == "China's AI models set a weekly record on OpenRouter"

    [back] = chosen(weeks["2026-W09"], "lead_change")  # the US retakes it, ending two weeks
    assert (back["facts"]["leader"], back["facts"]["retaken"], back["facts"]["ended_weeks"],
            back["facts"]["ended_open_ended"]) == ("US", True, 2, False)
    assert not chosen(weeks["2026-W09"], "streak")  # the same fact, collapsed

    [again] = chosen(weeks["2026-W10"], "lead_change")
    assert (again["facts"]["leader"], again["facts"]["retaken"]) == ("CN", True)

    w11 = weeks["2026-W11"]
    assert w11["events"][0]["kind"] == "streak" and w11["events"][0]["facts"]["weeks"] == 2
    # The top three turn Chinese that week: the change leads the lead that continues.
    assert w11["headline"] == "Chinese models take OpenRouter's top three places"
    [sweep] = chosen(w11, "sweep")
    assert sweep["facts"]["country"] == "CN" and sweep["facts"]["places"] == 3
    assert round(w11["events"][0]["facts"]["leader_change"], 4) == 0.1183
    [hunter] = chosen(w11, "new_entrant")
    assert (hunter["facts"]["model"], hunter["facts"]["rank"], hunter["facts"]["stealth"]) == (
        "openrouter/hunter-alpha", 7, True)


def test_the_claim_check_sets_the_figures_against_the_stated_multiple(project, bulletin) -> None:
    bulletin("collect")
    weeks = backtest(bulletin, project / "config.yaml")
    # JPMorgan published on 2026-03-22: W11 (to March 15) is the first week that may cite it.
    assert not [e for w in ("2026-W07", "2026-W08", "2026-W09", "2026-W10")
                for e in weeks[w]["events"] if e["kind"] in ("claim_check", "forecast")]
    [claim] = [e for e in weeks["2026-W11"]["events"] if e["kind"] == "claim_check"]
    assert (claim["facts"]["figures_multiple"], claim["facts"]["stated_multiple"]) == (390, 370)
    assert claim["facts"]["stated_words"] == "370-fold"
    assert bulletin("run").code == 0
    article = (project / "output/bulletins/2026-W11/bulletin.md").read_text(encoding="utf-8")
    # Right after the forecast's paragraph, which gives the two figures.
    assert ('3,900 quadrillion in 2030, a 390-fold increase, or about 230% a year.\n\n'
            'A report on news.cemsg.com speaks of "an estimated 370-fold increase over five years", '
            'but JPMorgan\'s figures make it 390-fold.') in article
    # Told without the forecast (dropped as old news, say), it gives them itself.
    from types import SimpleNamespace

    from bulletin.model.facts import facts_from_data
    from bulletin.render.article import environment

    event = SimpleNamespace(kind="claim_check", subjects=tuple(claim["subjects"]),
                            facts=facts_from_data("claim_check", claim["facts"]))
    paragraph = environment(None).get_template("events/claim_check.md.j2").module.paragraph
    assert str(paragraph(event, SimpleNamespace(events=(event,)))) == (
        'A report on news.cemsg.com speaks of "an estimated 370-fold increase over five years", but '
        'JPMorgan\'s own figures, about 10 quadrillion to about 3,900 quadrillion tokens, make it 390-fold.')


def test_an_unchanged_fact_loses_novelty_and_a_growing_streak_does_not(project, bulletin) -> None:
    published_by_w07(project)
    bulletin("collect")
    weeks = backtest(bulletin, project / "config.yaml")
    forecasts = [next(e for e in weeks[w]["events"] if e["kind"] == "forecast")
                 for w in ("2026-W07", "2026-W08")]
    assert [f["novelty"] for f in forecasts] == [1.0, 0.5]  # told in W07, not progressed
    streak = next(e for e in weeks["2026-W08"]["events"] if e["kind"] == "streak")
    assert streak["novelty"] == 1.0  # two weeks now, one reported: progress


def test_rendered_bulletins_are_remembered(project, bulletin) -> None:
    published_by_w07(project)
    bulletin("collect")
    assert bulletin("run", "--week", "2026-W07").code == 0
    data = json.loads(bulletin("events", "--week", "2026-W08", "--format", "json").out)
    forecast = next(e for e in data["events"] if e["kind"] == "forecast")
    assert forecast["novelty"] == 0.5 and forecast["score"] == 15.0


def test_the_backtest_writes_nothing(project, bulletin) -> None:
    from support import digest

    bulletin("collect")
    database = project / "output" / "bulletin.db"
    before = digest(database)
    result = bulletin("backtest", "--from", "2026-W09", "--to", "2026-W10")
    assert result.code == 0
    assert result.out.splitlines()[0] == (
        "2026-W09  American AI models overtake Chinese rivals on OpenRouter")
    assert digest(database) == before
    assert not (project / "output" / "bulletins").exists()


def test_a_range_without_complete_weeks_is_an_error(project, bulletin) -> None:
    bulletin("collect")
    result = bulletin("backtest", "--from", "2027-W01")
    assert result.code == 1
    assert result.err == ("error: no complete week to backtest between 2027-W01 and the last "
                          "(the store holds 2026-W07 to 2026-W11)\n")


@needs_shared_data()
def test_the_daily_data_backtest_can_be_rederived_by_hand(tmp_path, bulletin) -> None:
    days: dict[IsoWeek, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    day_count: dict[IsoWeek, int] = defaultdict(int)
    with (tmp_path / "days.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "model", "tokens"])
        for path in sorted(DAILY.glob("*.json")):
            day = date.fromisoformat(path.stem)
            day_count[IsoWeek.of(day)] += 1
            for row in json.loads(path.read_text(encoding="utf-8"))["rows"]:
                if row["model_permaslug"] == "other":  # the long tail, not a model
                    continue
                writer.writerow([day.isoformat(), row["model_permaslug"], row["total_tokens"]])
                days[IsoWeek.of(day)][row["model_permaslug"]] += int(row["total_tokens"])
    rules = """rules:
  - {kind: rank_change, places: 2}
  - {kind: record, subject: total, min_history: 2}
  - {kind: record, subject: model, min_history: 2, top: 5}
  - {kind: growth, subject: total}
  - {kind: lead_change, subject: model}
"""
    config = write_config(tmp_path, "  - {name: days, type: csv, path: days.csv}", rules)
    assert bulletin("collect", "--config", config).code == 0
    weeks = backtest(bulletin, config)

    complete = sorted(week for week, n in day_count.items() if n == 7)
    assert list(weeks) == [str(week) for week in complete]  # every complete week, no partial one
    total = {week: sum(days[week].values()) for week in complete}

    def ranks(week: IsoWeek) -> dict[str, int]:
        ordered = sorted(days[week], key=lambda m: (-days[week][m], m))
        return {model: rank for rank, model in enumerate(ordered, start=1)}

    checked = defaultdict(int)
    for index, week in enumerate(complete):
        for event in weeks[str(week)]["events"]:
            f = event["facts"]
            if event["kind"] == "record" and f["subject_type"] == "total":
                earlier = [total[w] for w in complete[:index]]
                assert f["tokens"] == total[week] > max(earlier) == f["previous_record"]
            elif event["kind"] == "record":
                earlier = [days[w].get(f["subject"], 0) for w in complete[:index]]
                assert f["tokens"] == days[week][f["subject"]] > max(earlier) == f["previous_record"]
            elif event["kind"] == "volume_change":
                before = complete[index - 1]
                assert (f["tokens"], f["previous_tokens"]) == (total[week], total[before])
                assert f["change"] == total[week] / total[before] - 1
            elif event["kind"] in ("rank_change", "subject_lead_change"):
                now, then = ranks(week), ranks(complete[index - 1])
                model = f.get("model") or f["leader"]
                assert now[model] == (1 if event["kind"] == "subject_lead_change" else f["rank"])
                if event["kind"] == "rank_change":
                    assert abs(then[model] - now[model]) == f["places"] >= 2 or f["move"] == "new_leader"
            else:
                continue
            checked[event["kind"]] += 1
    assert checked["record"] and checked["volume_change"] and checked["rank_change"], checked

    # The built-in rules run over the same weeks and give each one a headline.
    config.write_text(config.read_text(encoding="utf-8").split("rules:")[0], encoding="utf-8")
    defaults = backtest(bulletin, config)
    assert list(defaults) == list(weeks)
    assert all(week["headline"] and week["events"] for week in defaults.values())




@needs_shared_data()
def test_growth_runs_milestones_author_streaks_and_sweeps_on_the_recorded_weeks(
        tmp_path, bulletin) -> None:
    leaderboard_csv(tmp_path, sorted(path.name for path in WEEKLY.glob("*.json")))
    config = write_config(tmp_path, "  - {name: board, type: csv, path: leaderboard.csv}")
    bulletin("collect", "--config", config)
    weeks = backtest(bulletin, config)
    stats = {week: json.loads(bulletin("stats", "--config", config, "--week", week,
                                       "--format", "json").out) for week in weeks}
    order = list(weeks)
    total = {week: sum(m["tokens"] for m in stats[week]["models"]) for week in order}
    china = {week: next((c["tokens"] for c in stats[week]["countries"] if c["country"] == "CN"), 0)
             for week in order}

    def event(week: str, kind: str, **facts: object) -> dict:
        [found] = [e for e in weeks[week]["events"] if e["kind"] == kind
                   and all(e["facts"].get(k) == v for k, v in facts.items())]
        return found["facts"]

    # The list grew from nine rows to ten in W07 (2026-02-16's copy): the listed models' total
    # grew from W05 to W08, but no run of it reaches across the longer list (STYLEBOOK 3).
    assert [len(stats[w]["models"]) for w in ("2026-W06", "2026-W07")] == [9, 10]
    run = order[order.index("2026-W04"):order.index("2026-W08") + 1]
    assert all(total[b] > total[a] for a, b in zip(run, run[1:], strict=False))
    across = [(w, e["kind"]) for w in ("2026-W07", "2026-W08", "2026-W09") for e in weeks[w]["events"]
              if e["kind"] in ("growth_streak", "record") and e["facts"].get("subject") == "total"]
    assert across == [], across

    # China first passed 500 billion tokens in the week to December 28.
    milestone = event("2025-W52", "milestone", subject="CN")
    assert milestone["level"] == 500_000_000_000
    assert milestone["tokens"] == china["2025-W52"] >= 500_000_000_000
    assert milestone["previous_best"] == max(china[w] for w in order[:order.index("2025-W52")])

    # Google was the first author four weeks running to the week of January 4.
    streak = event("2026-W01", "subject_streak", subject_type="author")
    assert (streak["leader"], streak["weeks"], streak["since"]) == ("google", 4, "2025-12-08")
    for week in order[order.index("2025-W50"):order.index("2026-W01") + 1]:
        assert stats[week]["authors"][0]["author"] == "google"
    assert stats["2025-W49"]["authors"][0]["author"] != "google"

    # A sweep that lasts is told once, then loses novelty.
    sweeps = [(w, e) for w in order for e in weeks[w]["events"] if e["kind"] == "sweep"]
    repeats = [(w, e) for (v, d), (w, e) in zip(sweeps, sweeps[1:], strict=False)
               if d["facts"]["since"] == e["facts"]["since"] and d["chosen"]]
    assert repeats and all(e["novelty"] < 1 for _, e in repeats)


@needs_shared_data()
def test_a_forecast_is_cited_from_the_week_ending_13_days_before_it_was_published(tmp_path, bulletin) -> None:
    """The weekly copies, 2025-W46 to 2026-W11, with JPMorgan's forecast of 2026-03-22."""
    leaderboard_csv(tmp_path, sorted(path.name for path in WEEKLY.glob("*.json")))
    figures = (ROOT / "demo" / "figures.yaml").read_text(encoding="utf-8")
    config = write_config(tmp_path, "  - {name: board, type: csv, path: leaderboard.csv}\n"
                                    "  - {name: editor-figures, type: figures, path: figures.yaml}")

    told: dict[str, list[str]] = {}

    def cited(published: str) -> list[str]:
        (tmp_path / "figures.yaml").write_text(figures.replace("2026-03-22", published), encoding="utf-8")
        assert bulletin("collect", "--config", config).code == 0
        weeks = backtest(bulletin, config)
        told[published] = [week for week, data in weeks.items() if chosen(data, "forecast")]
        return [week for week, data in weeks.items()
                if any(e["kind"] == "forecast" for e in data["events"])]

    # The week to March 15 ends seven days before March 22: cited there, and in no week before.
    assert cited("2026-03-22") == ["2026-W11"]
    assert told["2026-03-22"] == ["2026-W11"]  # news the week it is published: in the article
    # The seed article: published on Monday, March 23, with the week to Sunday, March 15.
    assert cited("2026-03-23") == ["2026-W11"] and told["2026-03-23"] == ["2026-W11"]
    # Published March 10: the weeks to March 1 and 8 end at most 13 days before it.
    assert cited("2026-03-10") == ["2026-W09", "2026-W10", "2026-W11"]
    # News once, in the first bulletin that tells it; after that, background (listed by
    # `bulletin events`, not retold).
    assert told["2026-03-10"] == ["2026-W09"]
    # Published long before the weeks held, it is never news in them: no article retells it.
    assert len(cited("2025-06-01")) == 18 and told["2025-06-01"] == []

"""The review gate: anomalies hold a bulletin; an editor approves or rejects it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.store.database import Store
from support import Result, run_bulletin
from support.folder_target import install

JUMP = ("Grok 4.1 Fast: volume jumped 20.0x week on week "
        "(615,000,000,000 to 12,300,000,000,000 tokens; the limit is 5x)")


@pytest.fixture
def folder_target(project: Path) -> Path:
    """A ``type: folder`` target in the config, from a third-party distribution (support.folder_target)."""
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "publish:\n  - name: archive\n    type: folder\n    path: published\n",
                      encoding="utf-8")
    return project / "published"


@pytest.fixture
def plugged(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Result]:
    """Run ``bulletin`` as its own process, with the folder target's distribution installed.

    A fresh process finds the entry point as it finds any installed package's.
    """
    pythonpath = install(tmp_path_factory.mktemp("site-packages"))
    return functools.partial(run_bulletin, project, pythonpath=pythonpath)


def inject_jump(project: Path) -> None:
    board = project / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(
        "2026-W11,10,x-ai/grok-4.1-fast,Grok 4.1 Fast,542000000000",
        "2026-W11,10,x-ai/grok-4.1-fast,Grok 4.1 Fast,12300000000000"), encoding="utf-8")


def test_a_20x_jump_holds_the_bulletin_and_approving_publishes_it(project, plugged,
                                                                  folder_target) -> None:
    inject_jump(project)
    result = plugged("run")
    assert result.code == 3, result.err  # held
    assert f"warning: 2026-W11: held for review ({JUMP}); see `bulletin review`\n" in result.err
    assert not folder_target.exists()  # held: nothing published

    listed = plugged("review")
    assert listed.out.splitlines()[1:] == [f"  - {JUMP}",
                                          "  preview: output/bulletins/2026-W11/bulletin.html"]
    assert plugged("publish", "--week", "2026-W11").err == (
        f"error: 2026-W11: the bulletin is held ({JUMP}); nothing published\n")

    approved = plugged("approve", "2026-W11")
    assert approved.code == 0, approved.err
    assert approved.out.splitlines() == [
        "2026-W11: approved", f"archive: ok {folder_target / '2026-W11'}"]
    assert (folder_target / "2026-W11" / "bulletin.html").exists()
    assert plugged("review").out == "no bulletins held for review\n"
    # A rerun on the same data keeps the editor's decision.
    assert plugged("run").code == 0
    with Store.open(project / "output" / "bulletin.db") as store:
        assert store.bulletin("2026-W11").status == "approved"


def test_a_rejected_bulletin_is_never_published(project, plugged, folder_target) -> None:
    inject_jump(project)
    plugged("run")
    assert plugged("reject", "2026-W11", "--why", "a scraping error").out == (
        "2026-W11: rejected (a scraping error)\n")
    result = plugged("publish", "--week", "2026-W11")
    assert result.code == 1
    assert result.err == ("error: 2026-W11: the bulletin is rejected (a scraping error); "
                          "nothing published\n")
    plugged("run")  # a rerun does not undo the rejection
    assert plugged("publish", "--week", "2026-W11").err == result.err
    assert not folder_target.exists()


def test_clean_data_publishes_without_review(project, plugged, folder_target) -> None:
    assert plugged("run").code == 0
    assert (folder_target / "2026-W11" / "bulletin.md").exists()


def test_review_always_holds_every_bulletin(project, plugged, folder_target) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "review: always\n", encoding="utf-8")
    plugged("run")
    assert plugged("review").out.splitlines()[1] == (
        "  - review: always (every bulletin waits for an editor)")
    assert not folder_target.exists()


def test_review_auto_publishes_despite_an_anomaly(project, plugged, folder_target) -> None:
    inject_jump(project)
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "review: auto\n", encoding="utf-8")
    assert plugged("run").code == 0
    assert (folder_target / "2026-W11" / "bulletin.md").exists()


def test_each_check_names_what_it_found(project, bulletin) -> None:
    board = project / "demo" / "openrouter-weekly.csv"
    text = board.read_text(encoding="utf-8")
    # A stealth model takes No. 1, and a top-10 author has no country.
    text = text.replace("2026-W11,1,minimax/", "2026-W11,7,minimax/")
    text = text.replace("2026-W11,7,openrouter/hunter-alpha,Hunter Alpha,666000000000",
                        "2026-W11,1,openrouter/hunter-alpha,Hunter Alpha,2000000000000")
    text = text.replace("2026-W11,10,x-ai/grok-4.1-fast,Grok 4.1 Fast",
                        "2026-W11,10,newlab/grok-4.1-fast,Grok 4.1 Fast")
    board.write_text(text, encoding="utf-8")
    bulletin("run")
    reasons = bulletin("review").out.splitlines()[1:-1]
    assert "  - Grok 4.1 Fast (No. 10): its author 'newlab' has no country configured" in reasons
    assert "  - Hunter Alpha: a stealth model of undisclosed origin is the new No. 1" in reasons


def test_a_stale_source_holds_the_bulletin(project, bulletin, monkeypatch) -> None:
    import os

    os.utime(project / "demo" / "openrouter-weekly.csv", (1_700_000_000, 1_700_000_000))
    bulletin("run")
    assert bulletin("review").out.splitlines()[1] == (
        "  - openrouter-weekly: last read 852 days ago (2023-11-14T22:13:20+00:00; "
        "the limit is 8 days)")


def test_review_settings_are_validated(project, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "review: {mode: sometimes, max_change_factor: 0.5}\nlocales: [en, fr]\n"
                      + "site: {base_url: not-a-url}\nchart: maybe\n",
                      encoding="utf-8")
    result = bulletin("run")
    assert result.code == 2  # a config error
    assert result.err.splitlines() == [
        "error: config.yaml: locales: unknown locale 'fr' (known: en, zh)",
        "error: config.yaml: review.mode: expected one of auto, on_anomaly, always, not 'sometimes'",
        "error: config.yaml: review.max_change_factor: expected a number above 1, e.g. 5",
        "error: config.yaml: site.base_url: not a valid http(s) URL: 'not-a-url'",
        "error: config.yaml: chart: expected true or false",
    ]


def test_missing_days_and_a_fall_are_anomalies(project, bulletin) -> None:
    from dataclasses import replace

    from bulletin import pipeline
    from bulletin.config.load import Review, load_config
    from bulletin.story import review

    config = load_config(project / "config.yaml")
    pipeline.collect(config)
    with Store.open(config.database) as store:
        story = pipeline.build_story(config, store)
    rows = list(story.stats.models)
    rows[9] = replace(rows[9], tokens=rows[9].previous_tokens // 20)  # Grok 4.1 Fast
    partial = replace(story, stats=replace(story.stats, complete=False, days=5, models=tuple(rows)))
    assert review.reasons(partial, {}, Review(), []) == [
        "Grok 4.1 Fast: volume fell 1/20.0x week on week (615,000,000,000 to 30,750,000,000 tokens; "
        "the limit is 5x)",
        "2026-W11: the data covers 5 of 7 days",
    ]
    assert review.status([], Review(mode="always")) == ("held", [review.ALWAYS])
    assert review.status(["x"], Review(mode="auto")) == ("ready", ["x"])

"""The weekly run as one pass: one store, one story, every stage handed what it needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek
from support.emailing import KEY, received

TARGETS = ("publish:\n  - name: site\n    type: site\n"
           "    base_url: https://bulletin.example.org\n"
           "  - name: newsletter\n    type: email\n"
           "    from: Token Bulletin <news@bulletin.example.org>\n"
           "    base_url: https://bulletin.example.org\n")


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    """Record the first argument of every call to ``owner.name`` from now on."""
    calls: list[object] = []
    real = getattr(owner, name)

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


def test_a_run_with_a_site_and_an_email_target_opens_the_store_once_and_composes_once(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    opened = spy(monkeypatch, sqlite3, "connect")
    composed = spy(monkeypatch, pipeline, "compose")

    result = bulletin("run")

    assert result.code == 0, result.err
    # "": the CSV source's private temporary file of checked rows, not a store.
    assert [path for path in opened if path != ""] == [project / "output" / "bulletin.db"]
    assert len(composed) == 1
    with Store.open(load_config(project / "config.yaml").database) as store:
        assert [(d.target, d.status) for d in store.deliveries(IsoWeek.parse("2026-W11"))] == \
            [("newsletter", "ok"), ("site", "ok")]
    assert len(received(project / "output" / "outbox" / "2026-W11")) == 1


def test_publishing_a_week_rendered_earlier_checks_it_against_the_store_once(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS.split("  - name: newsletter")[0])
    assert bulletin("render").code == 1  # nothing collected yet
    assert bulletin("collect").code == 0
    assert bulletin("render").code == 0
    opened = spy(monkeypatch, sqlite3, "connect")
    composed = spy(monkeypatch, pipeline, "compose")

    result = bulletin("publish", "--week", "2026-W11")

    assert result.code == 0, result.err
    assert result.out.startswith("site: ok https://bulletin.example.org/2026/w11/")
    assert len(opened) == 1 and len(composed) == 1


def test_a_first_collection_that_fails_leaves_no_store_behind(project: Path, bulletin) -> None:
    (project / "demo" / "openrouter-weekly.csv").write_text("week,model,tokens\n2026-W11,a/b,lots\n",
                                               encoding="utf-8")
    result = bulletin("run")
    assert result.code == 1
    assert "is not a whole number of tokens" in result.err
    # The run lock stays: deleting a lock file another process may be waiting on would let two in.
    assert sorted(p.name for p in (project / "output").glob("bulletin.db*")) == ["bulletin.db.lock"]

"""Back-fills: a week older than the newest published is not emailed unless asked (``--email``).

The email goes to the outbox (OUTPUT/outbox/WEEK/), the site to OUTPUT/site/.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bulletin.config.load import load_config
from support.emailing import KEY
from support.site import BASE

BACK_FILL = ("warning: 2026-W09: not sent to newsletter: older than 2026-W11, the newest week "
             "published (a back-fill); `--email` sends it")


def targets(project: Path, extra: str = "", review: str = "") -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"{review}publish:\n"
                     f"  - {{name: site, type: site, base_url: '{BASE.rstrip('/')}'}}\n"
                     "  - name: newsletter\n"
                     "    type: email\n"
                     "    from: Token Bulletin <news@bulletin.example.org>\n"
                     f"    base_url: https://bulletin.example.org\n{extra}")


def copies(project: Path, week: str) -> int:
    return len(list((project / "output" / "outbox" / week).glob("*.eml")))


@pytest.fixture
def listed(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("collect").code == 0
    for address in ("ana@example.com", "bo@example.com"):
        assert bulletin("subscribers", "add", address).code == 0
    return project


def test_running_an_old_week_publishes_it_but_emails_it_only_when_asked(listed: Path, bulletin) -> None:
    targets(listed)
    assert bulletin("run").code == 0  # 2026-W11, the newest: news
    assert copies(listed, "2026-W11") == 2

    old = bulletin("run", "--week", "2026-W09")

    assert old.code == 0, old.err
    assert BACK_FILL in old.err.splitlines()
    assert (listed / "output" / "site" / "2026" / "w09" / "index.html").is_file()
    assert copies(listed, "2026-W09") == 0
    asked = bulletin("run", "--week", "2026-W09", "--email")
    assert asked.code == 0, asked.err
    assert "newsletter: ok" in asked.err and "(2 sent)" in asked.err
    assert copies(listed, "2026-W09") == 2


def test_approving_an_old_week_emails_it_only_when_asked_and_to_the_targets_named(
        listed: Path, bulletin) -> None:
    targets(listed, review="review: always\n")
    assert bulletin("run").code == 3
    approved = bulletin("approve", "2026-W11")
    assert approved.code == 0 and copies(listed, "2026-W11") == 2
    assert bulletin("run", "--week", "2026-W09").code == 3

    result = bulletin("approve", "2026-W09", "--to", "site")

    assert result.out == f"2026-W09: approved\nsite: ok {BASE}2026/w09/\n"
    assert copies(listed, "2026-W09") == 0
    unasked = bulletin("approve", "2026-W09")
    assert BACK_FILL in unasked.err.splitlines() and copies(listed, "2026-W09") == 0
    asked = bulletin("approve", "2026-W09", "--to", "newsletter", "--email")
    assert asked.out == ("2026-W09: approved\nnewsletter: ok "
                         f"{listed / 'output' / 'outbox' / '2026-W09'} (2 sent)\n")
    assert copies(listed, "2026-W09") == 2
    missing = bulletin("approve", "2026-W09", "--to", "mastodon")
    assert missing.code == 1
    assert missing.err == "error: no publish target named mastodon (configured: site, newsletter)\n"


def test_a_send_a_quota_paused_is_finished_as_no_back_fill(listed: Path, bulletin) -> None:
    targets(listed, extra="    max_per_day: 1\n")
    paused = bulletin("run", "--week", "2026-W09")
    assert paused.code == 0, paused.err
    assert copies(listed, "2026-W09") == 1
    assert bulletin("run", "--week", "2026-W11").code == 0  # the site has a newer week now
    with sqlite3.connect(load_config(listed / "config.yaml").database) as db:  # a day later
        db.execute("UPDATE email_quota_minutes SET minute = minute - 1441")

    result = bulletin("run", "--week", "2026-W09")

    assert BACK_FILL not in result.err.splitlines()
    assert f"newsletter: ok {listed / 'output' / 'outbox' / '2026-W09'} (1 sent, 1 sent before)" \
        in result.err.splitlines()
    assert copies(listed, "2026-W09") == 2


def test_a_held_week_says_which_targets_already_have_it(listed: Path, bulletin) -> None:
    targets(listed)
    assert bulletin("run").code == 0
    with open(listed / "config.yaml", "a", encoding="utf-8") as config:
        config.write("review: always\n")

    held = bulletin("render", "--week", "2026-W11")
    result = bulletin("run", "--week", "2026-W11")

    assert held.code == 0 and result.code == 3
    assert ("2026-W11: already published to site, newsletter before this hold (an email that went out "
            "cannot be recalled)") in result.err.splitlines()

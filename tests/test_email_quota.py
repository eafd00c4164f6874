"""Sending quotas (max_per_second, max_per_hour, max_per_day), counted in the store.

Sends go to a real SMTP server on loopback (aiosmtpd in its own process); the
window is the store's, so a killed sender's copies still count in the next run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.store.database import Store
from bulletin.store.quota import Limits
from support.emailing import KEY, email_config, ledger, per_recipient, smtp_server


def test_a_full_second_says_when_it_has_room_again(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.db") as store:
        quota = store.send_quota("relay:25", Limits(per_second=3))
        assert [quota.take(100.0 + n / 10) for n in range(3)] == [None, None, None]
        refusal = quota.take(100.5)
        assert refusal is not None and refusal.window == "second" and refusal.limit == 3
        assert refusal.wait == pytest.approx(0.5)  # the first of the three leaves at 101.0
        assert quota.take(101.0) is None  # (100.0, 101.0] holds two: room for one more
        assert quota.take(101.05) is not None
        # Another relay has its own window.
        assert store.send_quota("other:25", Limits(per_second=3)).take(101.05) is None


def test_the_day_and_hour_windows_are_shared_by_every_connection_to_the_store(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    limits = Limits(per_hour=4, per_day=5)
    with Store.open(path) as one, Store.open(path) as two:
        assert one.send_quota("relay:25", limits).take(1000.0) is None
        assert two.send_quota("relay:25", limits).take(1001.0) is None
        assert one.send_quota("relay:25", limits).take(1002.0) is None
        assert two.send_quota("relay:25", limits).take(1003.0) is None
        hour = one.send_quota("relay:25", limits).take(1004.0)
        assert hour is not None and hour.window == "hour"
        # Counted by the minute: room once the minute of the first send (16: 960-1019 s) is an hour old.
        assert hour.wait == pytest.approx(1020 + 3600 - 1004.0)
        assert two.send_quota("relay:25", limits).take(1020.0 + 3600) is None
        day = one.send_quota("relay:25", limits).take(1021.0 + 3600)
        assert day is not None and day.window == "day" and day.limit == 5
        assert one.send_quota("relay:25", limits).take(1020.0 + 86400) is None


def _subscribe(project: Path, bulletin, tmp_path: Path, count: int) -> list[str]:
    assert bulletin("run").code == 0
    addresses = [f"reader{n:03d}@example.com" for n in range(count)]
    (tmp_path / "list.csv").write_text("email\n" + "\n".join(addresses) + "\n", encoding="utf-8")
    assert bulletin("subscribers", "import", tmp_path / "list.csv").code == 0
    return addresses


def _a_day_later(project: Path) -> None:
    """Move every send the store counted back a day: the quota's window is empty again."""
    database = load_config(project / "config.yaml").database
    with sqlite3.connect(database) as db:
        db.execute("UPDATE email_quota_minutes SET minute = minute - 1441")
        db.execute("UPDATE email_quota_recent SET at = at - 86460")


def test_a_send_stopped_by_the_day_quota_says_what_is_left_and_goes_on_the_next_run(
        project: Path, bulletin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    addresses = _subscribe(project, bulletin, tmp_path, 5)
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(project, port, extra="    max_per_day: 3\n")
        result = bulletin("publish", "--week", "2026-W11", "--to", "newsletter")
        # A quota is no failure: the run ends well, saying what is left.
        assert result.code == 0, result.err
        assert result.out == ("newsletter: paused 127.0.0.1 (3 sent, 2 queued; max_per_day (3) reached: "
                              "2 left for the next run)\n")
        assert sum(per_recipient(inbox).values()) == 3
        # The same day, nothing more goes.
        again = bulletin("publish", "--week", "2026-W11", "--to", "newsletter")
        assert again.out == ("newsletter: paused 127.0.0.1 (0 sent, 3 sent before, 2 queued; "
                             "max_per_day (3) reached: 2 left for the next run)\n")
        assert sum(per_recipient(inbox).values()) == 3
        _a_day_later(project)
        last = bulletin("publish", "--week", "2026-W11", "--to", "newsletter")
        assert last.out == "newsletter: ok 127.0.0.1 (2 sent, 3 sent before)\n"
        assert per_recipient(inbox) == {address: 1 for address in addresses}
    assert {state for state, _, _ in ledger(project).values()} == {"sent"}


def _publish(project: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BULLETIN_SIGNING_KEY": KEY}
    return subprocess.Popen([sys.executable, "-m", "bulletin", "publish", "--week", "2026-W11",
                             "--config", str(project / "config.yaml")], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_no_window_is_exceeded_across_a_killed_sender_and_the_next_run(
        project: Path, bulletin, tmp_path: Path) -> None:
    """A sender killed with SIGKILL mid-send: the copies it sent still count for the next run."""
    _subscribe(project, bulletin, tmp_path, 30)
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        # Four a second makes the hour's ten take a few seconds: the kill lands mid-send.
        email_config(project, port, extra="    max_per_second: 4\n    max_per_hour: 10\n"
                                          "    concurrency: 3\n")
        process = _publish(project)
        while sum(per_recipient(inbox).values()) < 3 and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        killed_after = sum(per_recipient(inbox).values())
        assert 3 <= killed_after < 10, f"the kill landed after {killed_after} copies"
        rerun = _publish(project)
        out, err = rerun.communicate(timeout=60)
        got = per_recipient(inbox)
    assert max(got.values()) == 1
    # The rerun had 20 and more queued: only the hour's window, kept in the store, held it to 10.
    assert sum(got.values()) <= 10, f"{sum(got.values())} copies in one hour (killed after {killed_after})"
    assert rerun.returncode == 0, err.decode()
    assert "max_per_hour (10) reached" in out.decode(), out.decode()

"""The weekly job as cron sees it: exit statuses, the summary, reruns, one run at a time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bulletin.store.database import Store
from bulletin.weeks import IsoWeek
from support import ROOT, SHARED_DATA, copy_demo, needs_shared_data, run_bulletin, write_config
from support.emailing import KEY, received
from support.loopback import API_KEY, Api
from support.serving import bulletin_serve

TARGETS = ("publish:\n  - name: site\n    type: site\n"
           "    base_url: https://bulletin.example.org\n"
           "  - name: newsletter\n    type: email\n"
           "    from: Token Bulletin <news@bulletin.example.org>\n"
           "    base_url: https://bulletin.example.org\n")
LOOK_AT = ("look at: output/site/index.html (`bulletin serve` shows the site at "
           "http://127.0.0.1:8000/); the email as a subscriber gets it in "
           "output/outbox/preview/2026-W11.eml")
HEADLINE = "2026-W11: Chinese models take OpenRouter's top three places"


def with_targets(project: Path) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS)


def test_the_summary_says_what_was_read_written_and_delivered(project, bulletin, monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with_targets(project)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0

    result = bulletin("run")

    assert result.code == 0, result.err
    # The summary's lines, in order (a progress line of the email may come before them).
    lines = result.err.splitlines()
    summary = lines[lines.index("sources: openrouter-weekly ok, editor-figures ok"):]
    assert summary == [
        "sources: openrouter-weekly ok, editor-figures ok",
        HEADLINE,
        "site: ok https://bulletin.example.org/2026/w11/",
        f"newsletter: ok {project / 'output' / 'outbox' / '2026-W11'} (1 sent)",
        LOOK_AT]
    assert "output/bulletins/2026-W11/bulletin.md" in result.out.splitlines()


def test_the_bundled_demo_shows_the_whole_job(tmp_path, monkeypatch) -> None:
    """The README's first command: the site, and the email a subscriber would get, offline."""
    monkeypatch.delenv("BULLETIN_SIGNING_KEY", raising=False)  # a newcomer has none
    copy_demo(tmp_path, targets=True)

    result = run_bulletin(tmp_path, "run")

    assert result.code == 0, result.err
    assert result.err.splitlines()[-3:] == [
        "site: ok https://news.example.org/bulletin/2026/w11/",
        f"newsletter: ok {tmp_path / 'output' / 'outbox' / '2026-W11'} (no subscribers)",
        LOOK_AT]
    page = (tmp_path / "output" / "site" / "2026" / "w11" / "index.html").read_text(encoding="utf-8")
    assert HEADLINE.split(": ", 1)[1] in page
    [preview] = received(tmp_path / "output" / "outbox" / "preview")
    assert preview["To"] == "news@example.org"  # the list's own address: no reader's
    assert preview["Subject"] == HEADLINE.split(": ", 1)[1]
    assert "4.69 trillion" in preview.get_body(("plain",)).get_content()
    assert list((tmp_path / "output" / "outbox" / "2026-W11").iterdir()) == []  # nobody was sent one
    # `bulletin serve` then shows the site, not "Not found".
    with bulletin_serve(tmp_path) as base:
        home = httpx.get(base + "/", timeout=10)
    assert home.status_code == 200 and "2026/w11/" in home.text


def test_a_rerun_of_a_finished_week_does_nothing_and_says_so(project, bulletin, monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with_targets(project)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    assert bulletin("run").code == 0
    page = project / "output" / "bulletins" / "2026-W11" / "bulletin.html"
    os.utime(page, (1_000_000_000, 1_000_000_000))

    again = bulletin("run")

    assert again.code == 0
    assert again.out == ""  # nothing written
    assert again.err.splitlines()[-1] == (
        "2026-W11: already written and delivered to every target; nothing to do "
        "(`bulletin render --week 2026-W11` and `bulletin publish --week 2026-W11` redo it)")
    assert page.stat().st_mtime == 1_000_000_000
    assert len(received(project / "output" / "outbox" / "2026-W11")) == 1


def test_a_target_that_failed_is_the_only_one_a_rerun_publishes(project, bulletin,
                                                              monkeypatch) -> None:
    with_targets(project)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    monkeypatch.delenv("BULLETIN_SIGNING_KEY", raising=False)

    first = bulletin("run")
    assert first.code == 4, first.err  # published to the site, the email failed
    assert "newsletter: failed" in first.err and "site: ok" in first.err

    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    second = bulletin("run")
    assert second.code == 0, second.err
    assert "newsletter: ok" in second.err
    assert "site:" not in second.err  # it had the week already
    assert len(received(project / "output" / "outbox" / "2026-W11")) == 1


def test_a_run_whose_only_target_fails_exits_1(project, bulletin, monkeypatch) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS.split("  - name: site")[0] + TARGETS.split("base_url: https://bulletin"
                                                                         ".example.org\n", 1)[1])
    monkeypatch.delenv("BULLETIN_SIGNING_KEY", raising=False)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    result = bulletin("run")
    assert result.code == 1, result.err
    assert "newsletter: failed" in result.err
    # publish says the same to cron.
    assert bulletin("publish", "--week", "2026-W11").code == 1


def test_without_targets_the_summary_says_how_to_add_them(project, bulletin) -> None:
    result = bulletin("run")
    assert result.code == 0
    assert result.err.splitlines()[-1] == (
        "look at: output/bulletins/2026-W11/bulletin.html (no publish targets configured: add a "
        "`publish:` list to config.yaml; docs/publishing.md)")


@needs_shared_data()
def test_the_newest_week_long_past_is_held_as_stale(tmp_path, bulletin, monkeypatch) -> None:
    """The Data API's recorded days end on 2026-08-21; on 2026-12-01 it has nothing newer."""
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01
    with Api(daily=SHARED_DATA / "openrouter-rankings-daily") as api:
        config = write_config(tmp_path, f"  - {{name: openrouter, type: openrouter, "
                                        f"base_url: '{api.base_url}'}}")
        assert bulletin("collect", "--config", config, "--from", "2026-08-03",
                        "--to", "2026-08-21").code == 0
        result = bulletin("run", "--config", config)
        assert result.code == 3, result.err
        reason = ("2026-W33: the newest complete week in the store ended 106 days ago (the limit "
                  "is 8 days); no newer data has been collected")
        assert f"  - {reason}" in bulletin("review", "--config", config).out.splitlines()
        assert bulletin("run", "--config", config).code == 3  # still held: nothing newer came
        # Asking for that week by name is an editor's choice, not a stopped source. (It may
        # still be held for other reasons: without the catalogue, top models have made names.)
        assert bulletin("run", "--config", config, "--week", "2026-W33").code in (0, 3)
        assert reason not in bulletin("review", "--config", config).out


def test_an_old_demo_file_is_not_held_for_its_age(project, bulletin, monkeypatch) -> None:
    """A file the editor keeps is judged by when it was last changed, not by its newest week."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01, 260 days after W11
    assert bulletin("run").code == 0


def test_a_held_bulletin_exits_3_and_says_how_to_decide(project, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "review: always\n", encoding="utf-8")
    result = bulletin("run")
    assert result.code == 3
    assert ("2026-W11: held for review (review: always (every bulletin waits for an editor)); "
            "`bulletin approve 2026-W11` publishes it, `bulletin reject 2026-W11 --why TEXT` drops "
            "it") in result.err.splitlines()
    assert bulletin("run").code == 3  # still held, said again


def test_usage_errors_are_one_line_and_exit_2(project, bulletin) -> None:
    result = bulletin("run", "--week", "2026-11")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("error: Invalid value for '--week': '2026-11' is not an ISO week like "
                          "2026-W11 (see `bulletin run --help`)\n")
    unknown = bulletin("run", "--wek", "2026-W11")
    assert unknown.code == 2 and len(unknown.err.splitlines()) == 1
    assert unknown.err == ("error: No such option '--wek'. Did you mean '--week'? "
                           "(see `bulletin run --help`)\n")
    assert bulletin("nonsense").err == "error: No such command 'nonsense'. (see `bulletin --help`)\n"


def test_a_config_error_exits_2(project, bulletin) -> None:
    (project / "config.yaml").write_text("sources: []\nbogus: 1\n", encoding="utf-8")
    result = bulletin("run")
    assert result.code == 2
    assert result.err.startswith("error: config.yaml: ")


def test_the_week_in_the_sites_lower_case(project, bulletin) -> None:
    assert bulletin("collect").code == 0
    upper, lower = bulletin("stats", "--week", "2026-W10"), bulletin("stats", "--week", "2026-w10")
    assert lower.code == 0 and lower.out == upper.out


def test_verbosity_after_the_command(project, bulletin) -> None:
    assert bulletin("collect").code == 0
    assert "info:" not in bulletin("run", "--week", "2026-W10").err
    info = "info: openrouter-weekly: unchanged"
    assert info in bulletin("run", "--week", "2026-W10", "-v").err
    assert info in bulletin("-v", "run", "--week", "2026-W10").err
    assert info in bulletin("run", "--verbose", "--week", "2026-W10").err
    quiet = bulletin("run", "-q")  # for cron, which mails what a job prints: nothing on success
    assert quiet.code == 0 and quiet.err == "" and quiet.out == ""
    assert bulletin("subscribers", "list", "-q").code == 0  # a subcommand's subcommand too


def test_json_log_lines(project, bulletin) -> None:
    import json

    result = bulletin("run", "--log-format", "json")
    assert result.code == 0
    records = [json.loads(line) for line in result.err.splitlines()]
    assert {"time", "level", "message"} <= set(records[0])
    assert records[1]["message"] == HEADLINE


@pytest.mark.parametrize("args", [
    ("--log-format", "json", "run", "--bogus"),  # click's usage error
    ("--log-format=json", "nosuchcommand"),
    ("run", "--log-format", "json", "--week", "2030-W01"),  # a BulletinError
    ("--log-format", "json", "--config", "missing.yaml", "run"),
    ("--log-format", "json", "subscribers", "add", "not-an-address"),
    ("--log-format", "json", "doctor"),  # a problem found
    ("--log-format", "json", "subscribers", "import", "readers.csv"),  # a rejected row
])
def test_every_line_of_json_logging_is_json(project, bulletin, args: tuple[str, ...]) -> None:
    import json

    (project / "readers.csv").write_text("email\nnot-an-address\nana@example.com\n", encoding="utf-8")
    result = bulletin(*args)
    lines = result.err.splitlines()
    assert lines, args
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"time", "level", "message"} and record["message"], line


def test_a_busy_port_is_one_line(project, bulletin) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = bulletin("serve", "--port", str(port))
    assert result.code == 1
    assert result.err == (f"error: cannot listen on 127.0.0.1:{port}: Address already in use "
                          "(another server is using it; pick another with --port)\n")


# -- one run at a time: real processes ---------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from bulletin.store.lock import run_lock
with run_lock(Path(sys.argv[1]), wait=False):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(database: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(database), str(seconds)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    return holder


def test_a_second_run_stops_at_once_naming_the_first(project: Path) -> None:
    holder = _holder(project / "output" / "bulletin.db", 60)
    try:
        started = time.monotonic()
        result = run_bulletin(project, "run")
        assert time.monotonic() - started < 10
        assert result.code == 1
        [line] = result.err.splitlines()
        assert line.startswith(f"error: {project / 'output' / 'bulletin.db'}: another bulletin "
                               f"command is running (pid {holder.pid}, `bulletin ")
        assert line.endswith("it holds bulletin.db.lock. Try again when it ends, or pass --wait")
        assert not (project / "output" / "bulletins").exists()
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_of_a_killed_run_is_taken_over(project: Path) -> None:
    holder = _holder(project / "output" / "bulletin.db", 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (project / "output" / "bulletin.db.lock").exists()  # left behind, still free
    assert run_bulletin(project, "run").code == 0


def test_wait_waits_for_the_running_one(project: Path) -> None:
    holder = _holder(project / "output" / "bulletin.db", 1.5)
    try:
        result = run_bulletin(project, "run", "--wait")
        assert result.code == 0, result.err
        assert result.err.startswith(f"waiting: {project / 'output' / 'bulletin.db'} is in use "
                                     f"(pid {holder.pid}, ")
        assert holder.wait(timeout=10) == 0
    finally:
        holder.kill()


def test_two_first_runs_at_once_leave_one_good_store(project: Path) -> None:
    """Started together on no store: one runs, the other stops; the store is whole."""
    env = {**os.environ}
    runs = [subprocess.Popen([sys.executable, "-m", "bulletin", "run"], cwd=project, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    codes = sorted(run.wait(timeout=120) for run in runs)
    for run in runs:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()
        run.stderr.close()
    assert codes in ([0, 0], [0, 1])
    with Store.open(project / "output" / "bulletin.db") as store:
        assert store.bulletin(IsoWeek.parse("2026-W11")) is not None
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("args", [("collect",), ("render",), ("publish", "--week", "2026-W11"),
                                  ("approve", "2026-W11"), ("site",)])
def test_every_writing_command_takes_the_lock(project: Path, args: tuple[str, ...]) -> None:
    holder = _holder(project / "output" / "bulletin.db", 60)
    try:
        result = run_bulletin(project, *args)
        assert result.code == 1
        assert "another bulletin command is running" in result.err
    finally:
        holder.kill()
        holder.wait()


def test_a_long_send_says_how_far_it_has_got_in_plain_lines(project, bulletin, monkeypatch) -> None:
    """Without a terminal (cron), a send of a thousand copies or more says how far it is, at most
    once a tenth of the list."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with_targets(project)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write("    rate: 1000\n")  # a send of at least a second, whatever the machine
    names = project / "readers.csv"
    names.write_text("email\n" + "".join(f"reader{n}@example.com\n" for n in range(1000)),
                     encoding="utf-8")
    assert bulletin("subscribers", "import", names).code == 0

    result = bulletin("run")

    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if line.startswith("progress: 2026-W11 email")]
    done = [int(line.split(": ")[2].split(" of ")[0].replace(",", "")) for line in lines]
    deciles = [n * 10 // 1000 for n in done]
    assert done[-1] == 1000 and len(done) >= 3 and deciles == sorted(set(deciles)), lines
    assert all(" of 1,000 copies done (" in line for line in lines)

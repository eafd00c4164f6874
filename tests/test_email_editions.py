"""Readers choose editions: each gets one email per chosen edition a week, the main bulletin by default.

End to end through the real SMTP server on loopback (tests/support/smtp_recorder.py)
and through the .eml outbox without one.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from test_corrections import MINIMAX_W10, REVISED, publish_five, receiver, revise

from bulletin.config.load import load_config
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek
from support.emailing import KEY, email_config, received, smtp_server

__all__ = ["receiver"]  # the webhook receiver the correction test's five weeks go to

EDITIONS = """editions:
  - {name: deepseek, title: "DeepSeek on OpenRouter", developer: deepseek}
  - {name: china, title: "China's AI models on OpenRouter", country: CN}
"""
# Who chose what: (address, the --edition options given).
READERS = {
    "china@example.com": ("china",),
    "main@example.com": ("main",),
    "nothing@example.com": (),
    "both@example.net": ("china", "main"),
}


def with_editions(project: Path) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(EDITIONS)


@pytest.fixture
def readers(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    return add_readers(project, bulletin, monkeypatch)


def add_readers(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The editions in the config, and READERS on the list with their choices."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with_editions(project)
    for address, editions in READERS.items():
        options = [arg for name in editions for arg in ("--edition", name)]
        assert bulletin("subscribers", "add", address, *options).code == 0
    return project


def by_reader(messages: list[EmailMessage]) -> dict[str, list[str]]:
    """Each address's subjects, sorted."""
    found: dict[str, list[str]] = {}
    for message in messages:
        found.setdefault(str(message["To"]), []).append(str(message["Subject"]))
    return {address: sorted(subjects) for address, subjects in found.items()}


def headline(project: Path, edition: str = "main") -> str:
    """The headline a week's edition was written with: its email's subject."""
    folder = project / "output" / "bulletins" / "2026-W11"
    folder = folder if edition == "main" else folder / "editions" / edition
    return str(json.loads((folder / "bulletin.json").read_text(encoding="utf-8"))["headline"])


def expected(project: Path) -> dict[str, list[str]]:
    """Each reader's subjects, as they chose."""
    main, china = headline(project), headline(project, "china")
    assert main != china
    return {"china@example.com": [china], "main@example.com": [main], "nothing@example.com": [main],
            "both@example.net": sorted([china, main])}


def test_each_reader_gets_the_editions_they_chose_once_through_smtp(
        readers: Path, bulletin, tmp_path: Path) -> None:
    each_reader_gets_the_editions_they_chose(readers, bulletin, tmp_path)


def test_on_postgresql_each_reader_gets_the_editions_they_chose(
        project: Path, bulletin, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"store: {postgres_url}\n")
    each_reader_gets_the_editions_they_chose(add_readers(project, bulletin, monkeypatch), bulletin, tmp_path)


def each_reader_gets_the_editions_they_chose(readers: Path, bulletin, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(readers, port)
        result = bulletin("run")
        assert result.code == 0, result.err
        told = result.err.splitlines()  # the run's summary, on stderr
        assert "newsletter: ok 127.0.0.1 (3 sent)" in told
        assert "newsletter (china): ok 127.0.0.1 (2 sent)" in told
        assert "newsletter (deepseek): ok 127.0.0.1 (no subscribers)" in told
        again = bulletin("publish", "--week", "2026-W11")
    assert again.out.splitlines() == ["newsletter: ok 127.0.0.1 (0 sent, 3 sent before)",
                                      "newsletter (china): ok 127.0.0.1 (0 sent, 2 sent before)",
                                      "newsletter (deepseek): ok 127.0.0.1 (no subscribers)"]
    messages = received(inbox)
    assert by_reader(messages) == expected(readers)
    # Each copy is its own message, with the reader's own signed links.
    assert len({str(m["Message-ID"]) for m in messages}) == len(messages) == 5
    china = next(m for m in messages if str(m["To"]) == "china@example.com")
    assert str(china["Message-ID"]).startswith("<2026-W11.china.")
    text = china.get_body(("plain",)).get_content()
    assert "https://bulletin.example.org/preferences?token=" in text
    assert str(china["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert str(china["List-Unsubscribe"]).strip("<>") in text
    with Store.open(load_config(readers / "config.yaml").store) as store:
        week = IsoWeek.parse("2026-W11")
        assert {r.email for r in store.send_ledger(week, "china").records("sent")} == {
            "china@example.com", "both@example.net"}
        assert {r.email for r in store.send_ledger(week).records("sent")} == {
            "main@example.com", "nothing@example.com", "both@example.net"}
        assert store.send_ledger(week, "deepseek").counts() == {}


def test_without_smtp_each_edition_is_written_to_its_own_outbox_folder(readers: Path, bulletin) -> None:
    email_config(readers)
    assert bulletin("run").code == 0
    outbox = readers / "output" / "outbox" / "2026-W11"
    main, china = received(outbox), received(outbox / "editions" / "china")
    assert by_reader(main + china) == expected(readers)
    assert not (outbox / "editions" / "deepseek").exists() or not received(outbox / "editions" / "deepseek")
    stamps = sorted(p.stat().st_mtime_ns for p in outbox.rglob("*.eml"))
    assert bulletin("publish", "--week", "2026-W11").code == 0  # nobody gets a second copy
    assert sorted(p.stat().st_mtime_ns for p in outbox.rglob("*.eml")) == stamps
    assert (readers / "output" / "outbox" / "preview" / "2026-W11.china.eml").exists()


def test_a_reader_who_drops_an_edition_before_their_copy_goes_is_skipped(readers: Path) -> None:
    with Store.open(load_config(readers / "config.yaml").store) as store:
        week = IsoWeek.parse("2026-W11")
        ledger = store.send_ledger(week, "china")
        queued = {r.email: r for r in ledger.start()}
        assert set(queued) == {"china@example.com", "both@example.net"}
        reader = store.subscribers.get("china@example.com")
        assert reader is not None
        store.subscribers.choose(reader.id, ("main",))
        assert not ledger.claim(queued["china@example.com"])
        assert ledger.claim(queued["both@example.net"])
        # The main bulletin's mailing now has them.
        assert "china@example.com" in {r.email for r in store.send_ledger(week).start()}


def test_the_list_shows_each_readers_editions(readers: Path, bulletin) -> None:
    listed = bulletin("subscribers", "list")
    assert listed.out.splitlines() == [
        "both@example.net\tconfirmed\ten\tchina,main",
        "china@example.com\tconfirmed\ten\tchina",
        "main@example.com\tconfirmed\ten\tmain",
        "nothing@example.com\tconfirmed\ten\tmain",
    ]
    rows = json.loads(bulletin("subscribers", "list", "--format", "json").out)
    assert {row["email"]: row["editions"] for row in rows}["both@example.net"] == ["china", "main"]
    # Adding a known address with other editions changes its choice, and says so.
    changed = bulletin("subscribers", "add", "nothing@example.com", "--edition", "deepseek")
    assert changed.out == "nothing@example.com: updated (confirmed, en, deepseek)\n"
    kept = bulletin("subscribers", "add", "china@example.com")
    assert kept.out == "china@example.com: unchanged (confirmed, en, china)\n"


@pytest.mark.parametrize("name", ["chinaa", "<b>x</b>", "x" * 300, "MAIN"])
def test_an_edition_the_bulletin_has_not_is_refused_in_one_line(readers: Path, bulletin, name: str) -> None:
    result = bulletin("subscribers", "add", "new@example.com", "--edition", name)
    assert result.code != 0
    shown = name if len(name) <= 40 else name[:40] + "…"
    assert result.err == (f"error: --edition: {shown!r} is not an edition of this bulletin "
                          "(one of: china, deepseek, main)\n")
    assert "new@example.com" not in bulletin("subscribers", "list").out  # nothing half-written


def test_an_editions_correction_goes_to_those_that_edition_reached(
        project: Path, bulletin, receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with_editions(project)
    assert bulletin("subscribers", "add", "cn@example.org", "--edition", "china").code == 0
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        publish_five(project, bulletin, receiver, monkeypatch, f"""    corrections: separate
    smtp: {{host: 127.0.0.1, port: {port}, security: none}}
""")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
        revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")
        assert bulletin("run").code == 0
        assert bulletin("run").code == 0  # a rerun sends nobody a second copy
    told: dict[str, list[str]] = {}
    for message in received(inbox):
        if str(message["Subject"]).startswith(("Correction:", "更正：")):
            told.setdefault(str(message["X-Envelope-To"]), []).append(str(message["Message-ID"]))
    # The China edition's reader is told of its correction only; the main bulletin's readers of theirs.
    assert set(told) == {"ana@example.com", "chen@example.cn", "cn@example.org"}
    assert all(".china@" in m or ".china." in m for m in told["cn@example.org"])
    assert not any(".china" in m for m in told["ana@example.com"])
    everything = [str(m["Message-ID"]) for m in received(inbox)]
    assert len(set(everything)) == len(everything)  # a correction's Message-ID is never an issue's


def test_an_editions_copy_a_killed_run_may_have_sent_is_reported_by_address_and_resent_on_request(
        readers: Path, bulletin, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(readers, port)
        assert bulletin("run").code == 0
        with Store.open(load_config(readers / "config.yaml").store) as store:
            # As a run killed between the server's "." and its answer leaves it.
            store.db.execute("UPDATE email_sends SET state = 'sending' WHERE edition = 'china' AND "
                             "subscriber = (SELECT id FROM subscribers WHERE email = 'china@example.com')")
        again = bulletin("publish", "--week", "2026-W11")
        assert ("newsletter (china): ok 127.0.0.1 (0 sent, 1 sent before, 1 uncertain; "
                "`bulletin subscribers sends --week 2026-W11 --edition china` says which)") in again.out
        sends = bulletin("subscribers", "sends", "--week", "2026-W11", "--edition", "china", "--state",
                         "uncertain")
        assert sends.out.startswith("china@example.com\tuncertain\t1\t")
        assert len(received(inbox)) == 5  # never a second copy unasked
        resent = bulletin("publish", "--week", "2026-W11", "--resend-uncertain")
        assert "newsletter (china): ok 127.0.0.1 (1 sent, 1 sent before)" in resent.out
    assert by_reader(received(inbox))["china@example.com"] == [headline(readers, "china")] * 2

"""The subscriber list from the command line, the email config, and leaving mid-send."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.publish.email import sender
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek
from support.emailing import KEY, email_config, received


def test_add_list_remove_and_export(project: Path, bulletin) -> None:
    assert bulletin("subscribers", "add", "Ana@Example.COM").out == \
        "Ana@example.com: added (confirmed, en, main)\n"
    assert bulletin("subscribers", "add", "chen@example.cn", "--locale", "zh", "--pending").out == \
        "chen@example.cn: added (pending, zh, main)\n"
    assert bulletin("subscribers", "add", "ana@example.com").out == \
        "Ana@example.com: unchanged (confirmed, en, main)\n"
    assert bulletin("subscribers", "remove", "ana@example.com").out == "ana@example.com: unsubscribed\n"
    listed = bulletin("subscribers", "list")
    assert listed.out == "Ana@example.com\tunsubscribed\ten\tmain\nchen@example.cn\tpending\tzh\tmain\n"
    assert listed.err == "2 subscribers\n"
    assert bulletin("subscribers", "export").out == \
        "email,locale,status\nAna@example.com,en,unsubscribed\nchen@example.cn,zh,pending\n"


def test_an_export_runs_no_formula_in_a_spreadsheet_and_imports_back_the_same(project: Path, bulletin,
                                                                              tmp_path: Path) -> None:
    for address in ("=1+2@example.com", "+44@example.com", "-x@example.com", "plain@example.com"):
        assert bulletin("subscribers", "add", "--", address).code == 0
    exported = bulletin("subscribers", "export").out
    cells = [line.split(",")[0] for line in exported.splitlines()[1:]]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert "'=1+2@example.com" in cells
    # The file read back gives the same addresses, not ones with a quote in front.
    (tmp_path / "back.csv").write_text(exported, encoding="utf-8")
    assert bulletin("subscribers", "import", str(tmp_path / "back.csv")).out.endswith(
        "0 added, 0 updated, 4 unchanged, 0 rejected\n")


def test_a_bad_address_is_refused_in_one_line(project: Path, bulletin) -> None:
    result = bulletin("subscribers", "add", "ana@@example.com")
    assert result.code == 1
    assert result.err == ("error: ana@@example.com: The part after the @-sign contains invalid "
                          "characters: '@'.\n")
    result = bulletin("subscribers", "remove", "nobody@example.com")
    assert result.err == "error: nobody@example.com: not on the list\n"


def test_the_send_report_wants_a_real_week(project: Path, bulletin) -> None:
    result = bulletin("subscribers", "sends", "--week", "2026-W54")
    assert (result.code, result.err) == (1, "error: --week: '2026-W54' is not an ISO week: 2026 has "
                                            "no week 54\n")
    result = bulletin("subscribers", "sends", "--week", "2026-W11")
    assert (result.code, result.out, result.err) == (0, "", "0 rows\n")


def test_an_import_reports_each_bad_row_and_imports_the_rest(project: Path, bulletin,
                                                             tmp_path: Path) -> None:
    assert bulletin("subscribers", "add", "left@example.com").code == 0
    assert bulletin("subscribers", "remove", "left@example.com").code == 0
    rows = ("email,locale,status\n"
            "ana@example.com,en,confirmed\n"
            "not an address,en,\n"
            "chen@example.cn,zh,\n"
            "bo@example.net,fr,\n"
            "left@example.com,en,confirmed\n"
            "dee@example.org,,pending\n")
    (tmp_path / "list.csv").write_text(rows, encoding="utf-8")
    result = bulletin("subscribers", "import", tmp_path / "list.csv")
    assert result.code == 0
    where = tmp_path / "list.csv"
    assert result.err == (
        f"rejected: {where}: line 3: not an address: An email address must have an @-sign.\n"
        f"rejected: {where}: line 5: bo@example.net: unknown locale 'fr' (expected one of: en, zh)\n")
    assert result.out == f"{where}: 3 added, 0 updated, 1 unchanged, 2 rejected\n"
    # Someone who left stays unsubscribed whatever the file says.
    assert bulletin("subscribers", "list").out == (
        "ana@example.com\tconfirmed\ten\tmain\nchen@example.cn\tconfirmed\tzh\tmain\n"
        "dee@example.org\tpending\ten\tmain\nleft@example.com\tunsubscribed\ten\tmain\n")


def test_an_import_without_an_email_column_changes_nothing(project: Path, bulletin,
                                                           tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text("address\nana@example.com\n", encoding="utf-8")
    result = bulletin("subscribers", "import", tmp_path / "list.csv")
    assert result.code == 1
    assert result.err == f"error: {tmp_path / 'list.csv'}: line 1: expected a header row with an " \
                         "'email' column\n"
    assert bulletin("subscribers", "list").out == ""


def test_every_problem_in_the_email_config_is_reported_at_once(project: Path, bulletin) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write("publish:\n  - name: news\n    type: email\n    from: nobody\n"
                     "    base_url: ftp://x\n    rate: fast\n    colour: red\n    max_per_day: -5\n"
                     "    smtp: {host: mail.example.org, security: ssl, username_env: U}\n"
                     "    dkim: {selector: s1, key_file: missing.pem}\n")
    result = bulletin("stats")
    assert result.code == 2  # a config error
    assert result.err.splitlines() == [
        "error: config.yaml: publish[0].colour: unknown key (expected one of: base_url, bounce_address, "
        "bounce_after, concurrency, corrections, dkim, from, list_id, list_name, mailgun_signing_key_env, "
        "max_attempts, max_pending, max_per_day, max_per_hour, max_per_second, name, postmark_password_env, "
        "postmark_user_env, rate, retry_seconds, "
        "sendgrid_public_key_env, ses, signing_key_env, signups_per_client, signups_per_hour, smtp, "
        "soft_bounce_limit, type)",
        "error: config.yaml: publish[0].from: not an address like 'Token Bulletin <news@example.org>': "
        "'nobody'",
        "error: config.yaml: publish[0].base_url: not a valid http(s) URL: 'ftp://x'",
        "error: config.yaml: publish[0].max_per_day: must be at least 0, got -5",
        "error: config.yaml: publish[0].rate: expected a number of at least 0, got 'fast'",
        "error: config.yaml: publish[0].smtp.security: expected one of: starttls, tls, none, got 'ssl'",
        "error: config.yaml: publish[0].smtp: username_env and password_env go together",
        "error: config.yaml: publish[0].dkim.key_file: file not found: missing.pem",
    ]


def test_leaving_during_a_send_stops_that_copy(project: Path, bulletin,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim re-reads the subscriber's status just before the message goes out."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project)
    assert bulletin("run").code == 0
    for address in ("ana@example.com", "bo@example.net"):
        assert bulletin("subscribers", "add", address).code == 0
    with Store.open(load_config(project / "config.yaml").database) as store:
        ledger = store.send_ledger(IsoWeek.parse("2026-W11"))
        assert len(ledger.start()) == 2  # both queued: the send has begun
    assert bulletin("subscribers", "remove", "bo@example.net").code == 0
    # The send goes on (as a run that stopped after queueing is taken up again):
    # bo's row is still queued, and only the claim can see that he left.
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 0, result.err
    with Store.open(load_config(project / "config.yaml").database) as store:
        assert store.send_ledger(IsoWeek.parse("2026-W11")).counts() == {"sent": 1, "skipped": 1}
    assert [str(m["To"]) for m in received(project / "output" / "outbox" / "2026-W11")] == \
        ["ana@example.com"]


def test_the_rate_limit_spaces_messages_over_all_connections() -> None:
    import threading
    import time

    limit = sender.RateLimit(50.0)  # one message every 20 ms
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [limit.wait() for _ in range(4)]) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 11 * 0.02  # 12 messages: the first at once, 11 gaps


def test_a_display_name_in_another_script_is_encoded_but_the_address_is_not(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write("publish:\n  - name: newsletter\n    type: email\n"
                     "    from: 令牌简报 <news@bulletin.example.org>\n"
                     "    base_url: https://bulletin.example.org\n")
    assert bulletin("run").code == 0
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    assert bulletin("publish", "--week", "2026-W11").code == 0
    (message,) = received(project / "output" / "outbox" / "2026-W11")
    assert message["From"].addresses[0].addr_spec == "news@bulletin.example.org"
    assert message["From"].addresses[0].display_name == "令牌简报"

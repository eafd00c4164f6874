"""`bulletin doctor`: each thing an unattended run needs, ok or what is wrong and how to fix it."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

from support import SHARED_DATA, digest, needs_shared_data
from support.emailing import KEY, email_config, make_certificate, make_dkim_key, smtp_server
from support.loopback import API_KEY, Api
from support.wordpress import WordPress

EMAIL = ("publish:\n  - name: newsletter\n    type: email\n"
         "    from: Token Bulletin <news@bulletin.example.org>\n"
         "    base_url: https://bulletin.example.org\n")


def test_the_demo_is_ready(project: Path, bulletin) -> None:
    assert bulletin("run").code == 0
    result = bulletin("doctor")
    assert result.code == 0, result.out
    assert result.out.splitlines() == [
        "config: ok", "store: ok", "store schema: ok", "store permissions: ok", "disk space: ok",
        "output folder: ok",
        "source openrouter-weekly: ok", "source editor-figures: ok"]
    assert result.err == "everything a weekly run needs is in place\n"


def test_each_problem_is_named_with_its_fix(project: Path, bulletin, monkeypatch) -> None:
    monkeypatch.delenv("BULLETIN_SIGNING_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(EMAIL)
    text = (project / "config.yaml").read_text(encoding="utf-8")
    (project / "config.yaml").write_text(text.replace(
        "sources:\n", "sources:\n  - {name: openrouter, type: openrouter}\n"), encoding="utf-8")
    assert bulletin("collect").code == 0
    (project / "output" / "bulletin.db").chmod(0o644)
    result = bulletin("doctor")
    assert result.code == 1
    lines = result.out.splitlines()
    assert f"store permissions: {project / 'output' / 'bulletin.db'} is mode 644 and holds " \
           f"subscriber addresses; `chmod 600 {project / 'output' / 'bulletin.db'}`" in lines
    assert ("source openrouter: the environment variable OPENROUTER_API_KEY is not set "
            "(the API key)") in lines
    assert ("target newsletter signing key: email: environment variable BULLETIN_SIGNING_KEY is "
            "not set (it holds the key that signs confirm, unsubscribe and preferences links)") in lines
    assert result.err == "3 problems found\n"
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert "target newsletter signing key: ok" in bulletin("doctor").out.splitlines()


def test_an_unreachable_source_is_named(project: Path, bulletin, monkeypatch) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    (project / "config.yaml").write_text(
        f"sources:\n  - {{name: openrouter, type: openrouter, base_url: 'http://127.0.0.1:{port}'}}\n",
        encoding="utf-8")
    result = bulletin("doctor")
    assert result.code == 1
    assert any(line.startswith(f"source openrouter: http://127.0.0.1:{port}/api/v1/models: no "
                               "answer (") for line in result.out.splitlines()), result.out


@needs_shared_data()
def test_a_reachable_source_with_a_good_key_is_ok(project: Path, bulletin, monkeypatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    with Api(daily=SHARED_DATA / "openrouter-rankings-daily") as api:
        (project / "config.yaml").write_text(
            f"sources:\n  - {{name: openrouter, type: openrouter, base_url: '{api.base_url}'}}\n",
            encoding="utf-8")
        result = bulletin("doctor")
    assert "source openrouter: ok" in result.out.splitlines(), result.out


def test_a_config_that_does_not_load_exits_2(project: Path, bulletin) -> None:
    (project / "config.yaml").write_text("sources: [\n", encoding="utf-8")
    result = bulletin("doctor")
    assert result.code == 2 and result.err.startswith("error: config.yaml: ")


SMTP = ("      security: starttls\n      username_env: SMTP_USER\n      password_env: SMTP_PASSWORD\n")


def test_the_smtp_login_is_tried_against_the_real_server(project: Path, bulletin, tmp_path: Path,
                                                         monkeypatch) -> None:
    """STARTTLS with the certificate checked as a run checks it, then the login: good and bad."""
    cert, key = make_certificate(tmp_path)
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    monkeypatch.setenv("SMTP_USER", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    with smtp_server(tmp_path / "inbox", "--cert", str(cert), "--key", str(key),
                     "--login", "mailer:s3cret") as port:
        email_config(project, port, smtp_extra=SMTP)
        config = project / "config.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "host: 127.0.0.1", "host: localhost").replace("      security: none\n", ""),
            encoding="utf-8")
        line = f"target newsletter SMTP: localhost:{port}: "

        def smtp_line() -> str:
            result = bulletin("doctor")
            found = [x for x in result.out.splitlines() if x.startswith("target newsletter SMTP")]
            assert len(found) == 1 and result.code == (0 if found[0].endswith(": ok") else 1), \
                result.out
            return found[0]

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate, and only it
        assert smtp_line() == "target newsletter SMTP: ok"
        monkeypatch.setenv("SMTP_PASSWORD", "wrong")
        assert smtp_line() == line + ("the login in SMTP_USER/SMTP_PASSWORD is refused (535); "
                                      "check the user and password the mail provider gave")
        monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
        monkeypatch.delenv("SSL_CERT_FILE")
        assert smtp_line().startswith(line + "TLS certificate not trusted (")
        monkeypatch.delenv("SMTP_PASSWORD")
        assert smtp_line() == ("target newsletter SMTP: set SMTP_USER and SMTP_PASSWORD "
                               "(the SMTP login)")
    assert list((tmp_path / "inbox").iterdir()) == []  # it sends nothing


@pytest.mark.slow
@pytest.mark.external
def test_the_wordpress_credentials_are_tried_against_the_real_wordpress(
        project: Path, bulletin, wordpress: WordPress, monkeypatch) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"publish:\n  - {{name: newsroom, type: wordpress, url: '{wordpress.url}', "
                     "user_env: WP_USER, password_env: WP_APP_PASSWORD}\n")
    monkeypatch.setenv("WP_USER", "editor")
    monkeypatch.setenv("WP_APP_PASSWORD", wordpress.password)
    good = bulletin("doctor")
    assert "target newsroom: ok" in good.out.splitlines() and good.code == 0, good.out

    monkeypatch.setenv("WP_APP_PASSWORD", "abcd efgh ijkl mnop qrst uvwx")
    bad = bulletin("doctor")
    assert bad.code == 1
    assert (f"target newsroom: {wordpress.url}/?rest_route=/wp/v2/users/me: HTTP 401: the "
            "credentials are refused") in bad.out.splitlines(), bad.out
    monkeypatch.setenv("WP_USER", "nobody")
    monkeypatch.setenv("WP_APP_PASSWORD", wordpress.password)
    assert bulletin("doctor").code == 1


def test_the_store_is_only_read(project: Path, bulletin) -> None:
    """An older schema is left for the next run to upgrade; a newer one is named; nothing written."""
    assert bulletin("collect").code == 0
    database = project / "output" / "bulletin.db"
    with sqlite3.connect(database) as db:
        current = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("PRAGMA user_version = 1")
    before = digest(database)
    assert bulletin("doctor").code == 0
    assert digest(database) == before

    with sqlite3.connect(database) as db:
        db.execute(f"PRAGMA user_version = {current + 1}")
    result = bulletin("doctor")
    assert result.code == 1
    assert (f"store schema: {database}: schema version {current + 1} was written by a newer "
            f"bulletin (this one knows {current}); upgrade bulletin") in result.out.splitlines()

    database.write_bytes(b"not a database at all" * 100)
    broken = bulletin("doctor")
    assert broken.code == 1
    assert any(line.startswith(f"store: {database}: cannot be read as a bulletin store (")
               for line in broken.out.splitlines()), broken.out


def test_the_dkim_key_is_loaded_and_its_dns_record_printed(project: Path, bulletin, tmp_path: Path,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    key_file, record = make_dkim_key(tmp_path)
    email_config(project, extra=f"    dkim: {{selector: w26, key_file: {key_file}}}\n")
    result = bulletin("doctor")
    assert result.code == 0, result.out
    assert "target newsletter DKIM: ok" in result.out.splitlines()
    assert (f'DKIM: publish TXT w26._domainkey.bulletin.example.org "{record.decode()}"'
            in result.err.splitlines()), result.err

    key_file.write_text("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n", encoding="utf-8")
    broken = bulletin("doctor")
    assert broken.code == 1
    assert any(line.startswith(f"target newsletter DKIM: {key_file}: not a readable PEM private "
                               "key (") for line in broken.out.splitlines()), broken.out

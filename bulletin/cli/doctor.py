"""``bulletin doctor``: what an unattended run needs, checked before the first one.

Each check says ``ok`` or what is wrong and how to fix it; the command exits
1 when anything is wrong (2 for a config that does not load), so it can gate
a deployment. It writes nothing, sends nothing and only reads the network
(one request per live source and target, a login to the SMTP server).
"""

from __future__ import annotations

import base64
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from bulletin.cli import output
from bulletin.cli.options import config_option, load
from bulletin.errors import BulletinError, StoreError
from bulletin.publish.email import tokens
from bulletin.publish.email.settings import SmtpSecurity
from bulletin.render import fonts
from bulletin.store.database import not_a_store
from bulletin.store.migrations import MIGRATIONS

FREE_BYTES = 200 * 2**20  # below this, a run may fill the disk halfway through
TIMEOUT = 10.0
OLDEST_POSTGRESQL = 11


@click.command()
@config_option
def doctor(config_path: Path) -> None:
    """Check the config, the store, every source and target, keys, disk and permissions."""
    config = load(config_path)
    problems = 0
    for name, problem in _checks(config):
        if problem.startswith(WARNING):
            click.echo(f"{name}: {problem}")  # worth fixing; a run goes ahead all the same
        elif problem:
            problems += 1
            click.echo(f"{name}: {problem}")
        else:
            click.echo(f"{name}: ok")
    if problems:
        output.tell(f"{problems} problem{'s' if problems != 1 else ''} found")
    else:
        output.say("everything a weekly run needs is in place")
    sys.exit(1 if problems else 0)


Check = tuple[str, str]  # (what was checked, "" or the problem and its fix)
WARNING = "warning: "  # a problem that starts so does not fail the check


def _checks(config: Any) -> Iterator[Check]:
    yield "config", ""
    yield from _store(config)
    yield from _disk(config.output)
    yield from _chart_fonts(config)
    for source in config.sources:
        yield f"source {source.name}", _source(source)
        if source.credited_by_default:
            yield f"source {source.name} credit", (
                f"{WARNING}it has no attribution and no url of a known publisher, so articles "
                f"credit it as {source.credit.attribution!r}; give it `attribution:` (who "
                "published the data) if that is not so")
    for target in config.publishers:
        yield from _target(target)


def _chart_fonts(config: Any) -> Iterator[Check]:
    """Each language whose script needs a face of its own: without it, its chart's PNG has no words."""
    if not config.chart:
        return
    for locale in config.locales:
        if locale in fonts.OWN_SCRIPT:
            yield f"chart font {locale}", fonts.missing(locale)


def _store(config: Any) -> Iterator[Check]:
    """Read only: opening the store the usual way would upgrade an older schema, a write."""
    import sqlite3

    if config.store_url:
        yield from _postgres(config.store_url)
        return
    path = config.database
    if not path.exists():
        yield "store", ""  # the first run creates it, 0600
        return
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            foreign = not_a_store(db, path)
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        yield "store", f"{path}: cannot be read as a bulletin store ({exc}); restore it from a backup"
        return
    if foreign:
        yield "store", foreign
        return
    yield "store", "" if verdict == "ok" else (
        f"{path}: SQLite's integrity check says {verdict!r}; restore it from a backup")
    # An older schema is fine: the next run upgrades it. A newer one was written by a newer bulletin.
    yield "store schema", "" if version <= len(MIGRATIONS) else (
        f"{path}: schema version {version} was written by a newer bulletin (this one knows "
        f"{len(MIGRATIONS)}); upgrade bulletin")
    mode = stat.S_IMODE(path.stat().st_mode)
    yield "store permissions", "" if not mode & 0o077 else (
        f"{path} is mode {mode:o} and holds subscriber addresses; `chmod 600 {path}`")


def _postgres(url: str) -> Iterator[Check]:
    """The server answers, which version it is, and the schema it holds (none yet: the first run makes it)."""
    from bulletin.store import engine, postgres_schema

    try:
        server, version = engine.postgres().inspect(url)
    except StoreError as exc:
        yield "store", str(exc)
        return
    yield "store", ""
    major = int(server.split(".")[0]) if server.split(".")[0].isdigit() else 0
    yield f"store server (PostgreSQL {server})", "" if major >= OLDEST_POSTGRESQL else (
        f"PostgreSQL {OLDEST_POSTGRESQL} or newer is needed (its triggers use EXECUTE FUNCTION)")
    shown = engine.postgres().shown(url)
    if version is None:
        yield "store schema", (f"{shown}: the database holds other tables and no bulletin store; "
                               "give the store a database of its own")
    else:
        yield "store schema", "" if version <= postgres_schema.VERSION else (
            f"{shown}: schema version {version} was written by a newer bulletin (this one knows "
            f"{postgres_schema.VERSION}); upgrade bulletin")


def _disk(output: Path) -> Iterator[Check]:
    folder = output if output.exists() else output.parent
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    yield "disk space", "" if free >= FREE_BYTES else (
        f"{free // 2**20} MB free under {folder}; a run needs {FREE_BYTES // 2**20} MB")
    yield "output folder", "" if os.access(folder, os.W_OK) else (
        f"{folder} is not writable by this user")


def _source(source: Any) -> str:
    path = getattr(source, "path", None)
    if not source.live:
        return "" if path is None or os.access(path, os.R_OK) else f"{path}: cannot be read"
    env = getattr(source, "api_key_env", None)
    if env and not os.environ.get(env):
        return f"the environment variable {env} is not set (the API key)"
    url = getattr(source, "base_url", None) or getattr(source, "feed_url", "")
    if not url:
        return ""
    headers = {"Authorization": f"Bearer {os.environ[env]}"} if env else {}
    target = url + "/api/v1/models" if getattr(source, "base_url", None) else url
    return _reachable(target, headers)


def _reachable(url: str, headers: dict[str, str], auth: tuple[str, str] | None = None) -> str:
    import httpx

    try:
        response = httpx.get(url, headers=headers, auth=auth, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return f"{url}: no answer ({exc or type(exc).__name__}); check the address and the network"
    if response.status_code in (401, 403):
        return f"{url}: HTTP {response.status_code}: the credentials are refused"
    if response.status_code >= 400:
        return f"{url}: HTTP {response.status_code}"
    return ""


def _target(target: Any) -> Iterator[Check]:
    name = f"target {target.name}"
    if target.type == "wordpress":
        user, password = (os.environ.get(target.user_env, ""),
                          os.environ.get(target.password_env, ""))
        if not user or not password:
            yield name, (f"set {target.user_env} and {target.password_env} (a WordPress user and "
                         "its application password)")
            return
        yield name, _reachable(f"{target.url.rstrip('/')}/?rest_route=/wp/v2/users/me", {},
                               (user, password))
    elif target.type == "email":
        yield from _email(name, target.settings)
    else:
        yield name, ""


def _email(name: str, settings: Any) -> Iterator[Check]:
    try:
        tokens.key_from_env(settings.signing_key_env)
        yield f"{name} signing key", ""
    except BulletinError as exc:
        yield f"{name} signing key", str(exc)
    if settings.smtp is not None:
        yield f"{name} SMTP", _smtp(settings.smtp)
    if settings.dkim is not None:
        yield f"{name} DKIM", _dkim(settings.dkim)


def _smtp(smtp: Any) -> str:
    """Connect, secure and log in as a run would (the same certificate checks), then say goodbye."""
    import smtplib
    import ssl

    user = os.environ.get(smtp.username_env, "") if smtp.username_env else ""
    password = os.environ.get(smtp.password_env, "") if smtp.password_env else ""
    if smtp.username_env and not (user and password):
        return f"set {smtp.username_env} and {smtp.password_env} (the SMTP login)"
    context = ssl.create_default_context()
    where = f"{smtp.host}:{smtp.port}"
    try:
        if smtp.security == SmtpSecurity.TLS:
            server: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT,
                                                    context=context)
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
        with server:
            server.ehlo()
            if smtp.security == SmtpSecurity.STARTTLS:
                server.starttls(context=context)
                server.ehlo()
            if smtp.username_env:
                server.login(user, password)
    except smtplib.SMTPAuthenticationError as exc:
        return (f"{where}: the login in {smtp.username_env}/{smtp.password_env} is refused "
                f"({exc.smtp_code}); check the user and password the mail provider gave")
    except smtplib.SMTPNotSupportedError as exc:
        what = "STARTTLS" if "STARTTLS" in str(exc) else "a login (AUTH)"
        return f"{where}: the server does not offer {what}; check `security:` and the port"
    except ssl.SSLCertVerificationError as exc:
        return (f"{where}: TLS certificate not trusted ({exc.verify_message}); the host name must "
                "match the server's certificate")
    except (OSError, smtplib.SMTPException) as exc:
        return f"{where}: {exc or type(exc).__name__}; check the host, the port and `security:`"
    return ""


def _dkim(dkim: Any) -> str:
    """The key must load; ok says nothing of DNS, so the record to publish is printed with it."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(Path(dkim.key_file).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        return f"{dkim.key_file}: not a readable PEM private key ({exc})"
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    record = f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"
    output.say(f"DKIM: publish TXT {dkim.selector}._domainkey.{dkim.domain} \"{record}\"")
    return ""

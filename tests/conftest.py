"""Shared fixtures: the project's demo config, the recorded data, and a CLI runner.

Helpers the tests import live in the ``support`` package beside this file.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from bulletin.cli import main as cli
from support import FIXED_EPOCH, SHARED_DATA, Result, copy_demo, postgres, run_bulletin, write_config
from support.loopback import API_KEY, Api
from support.site import BASE, WEEKS, add_site
from support.wordpress import WordPress, missing

_SAVED_CACHE_HOME: list[str | None] = []

# Fuzzing's long budget is CI's (.ci/run sets CI): 10,000 inputs per parser there,
# a few hundred on a developer's machine, where the whole suite should stay quick.
settings.register_profile("ci", max_examples=10_000)
settings.register_profile("dev", max_examples=400)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config: pytest.Config) -> None:
    """One cache folder for the session, before anything is collected or rendered.

    bulletin keeps compiled templates under $XDG_CACHE_HOME/bulletin (else
    ~/.cache/bulletin); the tests must not write into the user's home. Set in
    os.environ, so every process a test starts inherits it.
    """
    _SAVED_CACHE_HOME.append(os.environ.get("XDG_CACHE_HOME"))
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="bulletin-tests-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _SAVED_CACHE_HOME:
        return
    shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)
    saved = _SAVED_CACHE_HOME.pop()
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture
def bulletin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run the real ``bulletin`` entry point in-process, as a user would from a shell."""

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["bulletin", *map(str, args)])
        capsys.readouterr()
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPress]:
    """One real WordPress for the session (tests/support/wordpress.py): its tests and the kill test's."""
    why = missing()
    if why:
        pytest.skip(why)
    site = WordPress(tmp_path_factory.mktemp("wordpress")).start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[postgres.Cluster]:
    """One throwaway PostgreSQL cluster for the session (tests/support/postgres.py)."""
    why = postgres.missing()
    if why:
        pytest.skip(why)
    cluster = postgres.Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: postgres.Cluster) -> str:
    """The postgresql:// URL of a new, empty database of the session's cluster."""
    return postgres_cluster.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_at(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a test's store lives: an SQLite file, then a PostgreSQL database (the test runs on each)."""
    if request.param == "sqlite":
        return tmp_path / "bulletin.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo project (config.yaml and demo/) in a temporary folder, without its targets."""
    copy_demo(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return tmp_path


@pytest.fixture
def site(project: Path, bulletin) -> Path:
    """The demo project with four weeks rendered and published to the site."""
    add_site(project)
    assert bulletin("collect").code == 0
    for week in WEEKS:
        assert bulletin("render", "--week", week).code == 0, week
        result = bulletin("publish", "--week", week)
        assert result.out == f"site: ok {BASE}{week[:4]}/w{week[-2:]}/\n", result.err
    return project / "output" / "site"


@pytest.fixture(scope="session")
def season(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One store of the whole recorded daily season (2026-05-04 to 2026-08-21), via the Data API."""
    folder = tmp_path_factory.mktemp("season")
    daily = SHARED_DATA / "openrouter-rankings-daily"
    if not daily.is_dir():
        pytest.skip(f"recorded data not found at {SHARED_DATA}")
    with pytest.MonkeyPatch.context() as patch, Api(daily=daily) as api:
        patch.setenv("OPENROUTER_API_KEY", API_KEY)
        config = write_config(folder, f"  - {{name: openrouter, type: openrouter, "
                                      f"base_url: '{api.base_url}', timeout: 5}}", "locales: [en, zh]\n")
        done = run_bulletin(folder, "collect", "--config", config, "--from", "2026-05-04",
                            "--to", "2026-08-21")
        assert done.code == 0, done.err
        yield config

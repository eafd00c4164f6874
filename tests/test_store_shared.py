"""One SQLite store shared by processes as deployed: two `bulletin serve` and the weekly run.

Each sign-up opens the store afresh in one of the servers' threads while the
other threads hold it open; the weekly run writes it at the same time. Every
sign-up must be kept and answered, and the file must stay whole.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from pathlib import Path

import pytest

from bulletin.errors import StoreError
from bulletin.store.database import Store
from support import serving
from support.emailing import KEY
from support.serving import bulletin_serve

READERS = 100
TARGETS = ("publish:\n  - name: site\n    type: site\n"
           "    base_url: https://bulletin.example.org\n"
           "  - name: newsletter\n    type: email\n"
           "    from: Token Bulletin <news@bulletin.example.org>\n"
           "    base_url: https://bulletin.example.org\n"
           f"    signups_per_hour: {READERS * 10}\n")


def sign_up(base: str, reader: int) -> int:
    """One reader's sign-up, from a loopback address of its own (127.0.1.N)."""
    return serving.sign_up(base, f"reader{reader}@example.com", f"127.0.1.{reader + 1}")[0]


@pytest.fixture
def shared_project(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS)
    assert bulletin("run").code == 0
    return project


def test_two_servers_and_a_run_keep_every_sign_up_and_the_file_whole(shared_project: Path,
                                                                       tmp_path: Path) -> None:
    imported = {f"old{n}@example.com" for n in range(2000)}
    old_list = tmp_path / "old-list.csv"
    old_list.write_text("email,status\n" + "".join(f"{a},confirmed\n" for a in sorted(imported)),
                        encoding="utf-8")
    with ExitStack() as servers:
        bases = [servers.enter_context(bulletin_serve(shared_project)) for _ in range(2)]
        # The weekly run, and an editor's import of an old list, write the store meanwhile.
        writers = [subprocess.Popen([sys.executable, "-m", "bulletin", *command],
                                    cwd=shared_project, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
                   for command in (["run", "--wait"], ["subscribers", "import", str(old_list)])]
        with ThreadPoolExecutor(READERS) as pool:
            statuses = list(pool.map(lambda n: sign_up(bases[n % 2], n), range(READERS)))
        outcomes = [(writer.wait(300), writer.communicate()[1]) for writer in writers]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert statuses == [200] * READERS
    database = shared_project / "output" / "bulletin.db"
    with Store.open(database) as store:
        kept = {s.email for s in store.subscribers.listing()}
    assert kept == {f"reader{n}@example.com" for n in range(READERS)} | imported
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_new_store_is_never_seen_empty(tmp_path: Path) -> None:
    """Made beside its name and linked into place: a reader finds no file or a whole store."""
    path = tmp_path / "bulletin.db"
    with Store.open(path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bulletin.db"]
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] > 0


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\0" + b"\0" * 84], ids=["empty", "truncated"])
def test_an_empty_or_truncated_store_is_refused_not_started_anew(project: Path, bulletin,
                                                                 content: bytes) -> None:
    assert bulletin("run").code == 0
    database = project / "output" / "bulletin.db"
    Store.delete(database)
    database.write_bytes(content)
    result = bulletin("run")
    assert result.code != 0
    assert f"{database}: " in result.err
    assert database.read_bytes() == content  # left for the operator to restore
    doctor = bulletin("doctor")
    assert doctor.code != 0 and str(database) in doctor.out + doctor.err


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bulletin.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(StoreError, match=f"^{path}: not a bulletin database"):
        Store.open(path)

"""A CSV leaderboard reaches the store as a stream of checked rows, with the file's whole truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.collect import csv_leaderboard
from bulletin.collect.csv_leaderboard import CsvLeaderboard
from bulletin.errors import CollectError
from bulletin.store.database import Store


def board(tmp_path: Path, text: str) -> CsvLeaderboard:
    path = tmp_path / "board.csv"
    path.write_text(text, encoding="utf-8")
    return CsvLeaderboard(name="board", attribution="board", licence="", path=path)


def stored(store: Store) -> set[tuple[str, str, int]]:
    return {(o.period, o.model, o.tokens) for o in store.observations()}


@pytest.mark.parametrize("held_at_most", [0, 50_000], ids=["streamed", "held"])
def test_a_reimport_adds_changes_and_removes_what_the_file_now_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held_at_most: int) -> None:
    monkeypatch.setattr(csv_leaderboard, "_HELD_AT_MOST", held_at_most)
    streamed = board(tmp_path, "week,model,tokens\n2026-W10,a/one,5\n").collect().rows
    assert isinstance(streamed, tuple) == bool(held_at_most)
    with Store.open(tmp_path / "bulletin.db") as store:
        first = store.save([board(tmp_path, "week,model,tokens,name\n2026-W10,a/one,5,One\n"
                                            "2026-W10,b/two,7,\n2026-W11,a/one,9,\n").collect()])[0]
        assert (first.added, first.changed, first.removed) == (3, 0, 0)
        again = store.save([board(tmp_path, "week,model,tokens\n2026-W10,a/one,6\n"
                                            "2026-W11,a/one,9\n2026-W11,c/three,1\n").collect()])[0]
        assert (again.added, again.changed, again.removed, again.unchanged) == (1, 1, 1, 1)
        assert stored(store) == {("2026-W10", "a/one", 6), ("2026-W11", "a/one", 9),
                                 ("2026-W11", "c/three", 1)}
        assert store.model_names()["a/one"].name == "One"
        same = store.save([board(tmp_path, "week,model,tokens\n2026-W10,a/one,6\n"
                                           "2026-W11,a/one,9\n2026-W11,c/three,1\n").collect()])[0]
        assert not same.wrote and same.unchanged == 3


def test_a_repeat_in_a_later_batch_is_found_with_both_lines(tmp_path: Path) -> None:
    lines = [f"2026-W11,lab/m{n},{n + 1}" for n in range(25_000)] + ["2026-W11,lab/m3,9"]
    source = board(tmp_path, "week,model,tokens\n" + "\n".join(lines) + "\n")
    with pytest.raises(CollectError, match=r"board.csv:25002: column 'model': lab/m3 appears "
                                           r"twice for 2026-W11 \(first on line 5\)"):
        source.collect()


def test_the_checked_rows_come_in_order_and_may_be_read_again(tmp_path: Path) -> None:
    rows, _ = csv_leaderboard.read_rows(
        board(tmp_path, "date,model,tokens\n2026-03-10,a/one,5\n2026-03-09,a/one,4\n").path, "b", "", "")
    assert len(rows) == 2
    assert [row[1] for row in rows] == ["2026-03-09", "2026-03-10"] == [row[1] for row in rows]
    rows.close()


def test_a_full_temporary_folder_is_one_line_naming_the_file(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    def full(self: object, batch: object) -> None:  # a full disk cannot be made here without root
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(csv_leaderboard.CheckedRows, "add", full)
    with pytest.raises(CollectError, match=r"board.csv: cannot keep the checked rows in a temporary "
                                           r"file \(database or disk is full; is the temporary "
                                           r"folder, TMPDIR, full\?\)"):
        board(tmp_path, "week,model,tokens\n2026-W11,a/one,5\n").collect()

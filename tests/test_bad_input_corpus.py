"""A corpus of broken and hostile input files: each refused in one line, the store as it was.

Every case is a fresh ``bulletin run`` process on a copy of a collected demo
project, with one file spoiled. Each must exit with the documented status
(1 for a bad data file, 2 for a bad config), print exactly one ``error:``
line naming the file and what is wrong, print no traceback, leave the store's
bytes unchanged, and stay within MEMORY (the address space the process may
use at all: going over is a MemoryError and a traceback) and SECONDS.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import FIXED_EPOCH, ROOT, digest

MEMORY = 768 * 2**20  # address space, bytes; a demo run uses ~60 MB resident
SECONDS = 20.0

CSV = "demo/openrouter-weekly.csv"
FIGURES = "demo/figures.yaml"
CONFIG = "config.yaml"
ROW = "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000"


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    spoil: Callable[[bytes], bytes]
    message: str  # what the one error line says after "error: ", with {path} for the file's path
    code: int = 1


def replace(old: str, new: str) -> Callable[[bytes], bytes]:
    def spoil(data: bytes) -> bytes:
        assert old.encode() in data, old
        return data.replace(old.encode(), new.encode("utf-8", "surrogatepass"), 1)
    return spoil


def replace_bytes(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def spoil(data: bytes) -> bytes:
        assert old in data
        return data.replace(old, new, 1)
    return spoil


def whole(new: bytes) -> Callable[[bytes], bytes]:
    return lambda data: new


def append(more: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data + more


def row(tokens: str = "1750000000000", rank: str = "1", name: str = "MiniMax M2.5",
        model: str = "minimax/minimax-m2.5-20260211") -> Callable[[bytes], bytes]:
    return replace(ROW, f"2026-W11,{rank},{model},{name},{tokens}")


def csv_at(line: int, column: str, problem: str) -> str:
    return f"{{path}}:{line}: column {column!r}: {problem}"


LAUGHS = b"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + b"".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n".encode()
    for n in range(8))
DEEP = b"[" * 50_000 + b"]" * 50_000
LINE = 42  # the line of ROW in the demo CSV

CASES = [
    # -- the leaderboard CSV -------------------------------------------------
    Case("csv-int-beyond-int64", CSV, row("9223372036854775808"),
         csv_at(LINE, "tokens", "'9223372036854775808' is more than 10,000,000,000,000,000 "
                                   "tokens in one row (the most a row may hold)")),
    Case("csv-int-100-digits", CSV, row("9" * 100),
         csv_at(LINE, "tokens", f"'{'9' * 60}...' is more than 10,000,000,000,000,000 tokens "
                                   "in one row (the most a row may hold)")),
    Case("csv-int-just-above-bound", CSV, row(str(10**16 + 1)),
         csv_at(LINE, "tokens", "'10000000000000001' is more than 10,000,000,000,000,000 "
                                   "tokens in one row (the most a row may hold)")),
    Case("csv-full-width-digits", CSV, row("１７５００００００００００"),
         csv_at(LINE, "tokens", "'１７５００００００００００' is not a whole number of tokens")),
    Case("csv-arabic-indic-digits", CSV, row("١٢٣"),
         csv_at(LINE, "tokens", "'١٢٣' is not a whole number of tokens")),
    Case("csv-nan", CSV, row("NaN"), csv_at(LINE, "tokens", "'NaN' is not a whole number of tokens")),
    Case("csv-inf", CSV, row("inf"), csv_at(LINE, "tokens", "'inf' is not a whole number of tokens")),
    Case("csv-negative", CSV, row("-5"), csv_at(LINE, "tokens", "'-5' is not a whole number of tokens")),
    Case("csv-exponent", CSV, row("1.75e12"),
         csv_at(LINE, "tokens", "'1.75e12' is not a whole number of tokens")),
    Case("csv-full-width-rank", CSV, row(rank="１"),
         csv_at(LINE, "rank", "'１' is not a rank (1, 2, 3, ...)")),
    Case("csv-rank-zero", CSV, row(rank="0"), csv_at(LINE, "rank", "'0' is not a rank (1, 2, 3, ...)")),
    Case("csv-nul-in-name", CSV, row(name="Mini\x00Max"),
         csv_at(LINE, "name", "'Mini\\x00Max' contains the control character U+0000")),
    Case("csv-bidi-override-in-name", CSV, row(name="MiniMax \u202eevil"),
         csv_at(LINE, "name", "'MiniMax \\u202eevil' contains the control character U+202E")),
    Case("csv-terminal-escape-in-name", CSV, row(name="\x1b[31mred"),
         csv_at(LINE, "name", "'\\x1b[31mred' contains the control character U+001B")),
    Case("csv-zero-width-in-name", CSV, row(name="Mini\u200bMax"),
         csv_at(LINE, "name", "'Mini\\u200bMax' contains the control character U+200B")),
    Case("csv-name-too-long", CSV, row(name="M" * 5000),
         csv_at(LINE, "name", f"'{'M' * 60}...' is longer than 200 characters")),
    Case("csv-newline-in-model", CSV, row(model='"minimax/m2\n.5"'),
         csv_at(LINE, "model", "'minimax/m2\\n.5' is not a model permaslug like "
                                  "minimax/minimax-m2.5-20260211")),
    Case("csv-full-width-model", CSV, row(model="ｍinimax/m2.5"),
         csv_at(LINE, "model", "'ｍinimax/m2.5' is not a model permaslug like "
                                  "minimax/minimax-m2.5-20260211")),
    Case("csv-latin-1", CSV, replace_bytes(b"MiniMax M2.5,175", b"Caf\xe9 M2.5,175"),
         "{path}: not UTF-8 text (save the file as UTF-8)"),
    Case("csv-utf-16", CSV, lambda data: data.decode().encode("utf-16"),
         "{path}: not UTF-8 text (save the file as UTF-8)"),
    Case("csv-binary", CSV, whole(bytes(range(256)) * 8),
         "{path}: not UTF-8 text (save the file as UTF-8)"),
    Case("csv-huge-cell", CSV, row(name="x" * 300_000),
         "{path}: not a CSV file: field larger than field limit (131072)"),
    Case("csv-week-99", CSV, replace("2026-W11,1,minimax", "2026-W99,1,minimax"),
         csv_at(LINE, "week", "'2026-W99' is not an ISO week: 2026 has no week 99")),
    Case("csv-nul-in-tokens", CSV, row("1750\x00000000000"),
         csv_at(LINE, "tokens", "'1750\\x00000000000' is not a whole number of tokens")),
    Case("csv-empty", CSV, whole(b""), "{path}: empty file, expected a header row"),
    Case("csv-missing-column", CSV, whole(b"week,model\n2026-W11,a/b\n"),
         "{path}:1: missing column tokens (header is: week, model)"),
    Case("csv-repeated-row", CSV, append(ROW.encode() + b"\n"),
         csv_at(52, "model", f"minimax/minimax-m2.5-20260211 appears twice for 2026-W11 (first on "
                             f"line {LINE})")),
    # -- the figures file -----------------------------------------------------
    Case("figures-nan", FIGURES, replace("value: 3900", "value: .nan"),
         "{path}:12: figure 2: value: nan is not a finite number"),
    Case("figures-inf", FIGURES, replace("value: 3900", "value: .inf"),
         "{path}:12: figure 2: value: inf is not a finite number"),
    Case("figures-minus-inf", FIGURES, replace("value: 3900", "value: -.Inf"),
         "{path}:12: figure 2: value: -inf is not a finite number"),
    Case("figures-overflowing-float", FIGURES, replace("value: 3900", "value: 1e400"),
         "{path}:12: figure 2: value: '1e400' is not a number"),
    Case("figures-latin-1", FIGURES, replace_bytes(b"JPMorgan", b"J\xe9Morgan"),
         "{path}: not UTF-8 text (byte 260); save the file as UTF-8"),
    Case("figures-alias-bomb", FIGURES, whole(LAUGHS),
         "{path}: expands to more than 100,000 values (aliases repeating aliases?); write the "
         "values out instead"),
    Case("figures-alias-loop", FIGURES, whole(b"- &a [*a]\n"),
         "{path}: line 1: an alias refers to itself"),
    Case("figures-deep-nesting", FIGURES, whole(DEEP), "{path}: nested deeper than 60 levels"),
    Case("figures-nul-in-subject", FIGURES, replace("subject: China's AI inference token consumption",
                                                    'subject: "China\\0s"'),
         "{path}:3: figure 1: subject: contains the control character U+0000"),
    Case("figures-bidi-in-organisation", FIGURES, replace("organisation: JPMorgan",
                                                          'organisation: "JP\\u202eMorgan"'),
         "{path}:3: figure 1: organisation: contains the control character U+202E"),
    Case("figures-huge-value-text", FIGURES, replace("value: 3900", "value: " + "x" * 100_000),
         "{path}:12: figure 2: value: '" + "x" * 59 + "... is not a number"),
    Case("figures-full-width-period", FIGURES, replace("period: 2030", "period: ２０３０"),
         "{path}:12: figure 2: period: '２０３０' is neither a year (2030) nor an ISO week (2026-W11)"),
    Case("figures-bad-published", FIGURES, replace("published: 2026-03-22", "published: soon"),
         "{path}:3: figure 1: published: 'soon' is not a date like 2026-03-20"),
    Case("figures-not-a-list", FIGURES, whole(b"subject: x\n"), "{path}: expected a list of figures"),
    Case("figures-english-subject-zh", FIGURES, replace("subject_zh: 中国AI推理Token消耗量",
                                                        "subject_zh: China's AI inference"),
         "{path}:3: figure 1: subject_zh: \"China's AI inference\" has no Chinese in it (the subject "
         "as the Chinese edition writes it, e.g. 中国AI推理Token消耗量)"),
    Case("figures-empty-subject-zh", FIGURES, replace("subject_zh: 中国AI推理Token消耗量", "subject_zh: ''"),
         "{path}:3: figure 1: subject_zh: '' has no Chinese in it (the subject as the Chinese "
         "edition writes it, e.g. 中国AI推理Token消耗量)"),
    Case("figures-subject-zh-list", FIGURES, replace("subject_zh: 中国AI推理Token消耗量",
                                                     "subject_zh: [中国, AI]"),
         "{path}:3: figure 1: subject_zh: expected text"),
    Case("figures-bidi-in-subject-zh", FIGURES, replace("subject_zh: 中国AI推理Token消耗量",
                                                        'subject_zh: "中国\\u202eAI"'),
         "{path}:3: figure 1: subject_zh: contains the control character U+202E"),
    # -- the config file (exit 2) -----------------------------------------------
    Case("config-latin-1", CONFIG, replace_bytes(b"Token Bulletin", b"Token Bullet\xedn"),
         "{path}: not UTF-8 text (byte 82); save the file as UTF-8", 2),
    Case("config-alias-bomb", CONFIG, append(b"x_" + LAUGHS.replace(b"\n", b"\nx_")[:-2]),
         "{path}: expands to more than 100,000 values (aliases repeating aliases?); write the "
         "values out instead", 2),
    Case("config-deep-nesting", CONFIG, append(b"story: " + DEEP + b"\n"),
         "{path}: nested deeper than 60 levels", 2),
    Case("config-nul", CONFIG, replace("title: Token Bulletin", "title: Token\x00Bulletin"),
         "{path}: character 76: U+0000 is not allowed in YAML (a control character?)", 2),
    Case("config-huge-int", CONFIG, replace("top_n: 9 ", "top_n: " + "9" * 40 + " "),
         "{path}: methodology.top_n: must be at most 9,223,372,036,854,775,807, got a 40-digit "
         "number", 2),
    Case("config-nan-number", CONFIG, append(b"review: {max_change_factor: .nan}\n"),
         "{path}: review.max_change_factor: expected a number above 1, e.g. 5", 2),
]


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with its store collected once; each case runs on a copy."""
    folder = tmp_path_factory.mktemp("corpus") / "project"
    folder.mkdir()
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "demo", folder / "demo")
    done = _bulletin(folder, "collect")
    assert done.returncode == 0, done.stderr
    return folder


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _bulletin(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    return subprocess.run([sys.executable, "-m", "bulletin", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=SECONDS * 3,
                          preexec_fn=_limit_memory)


def _try(case: Case, template: Path, root: Path) -> tuple[Case, str | None, float]:
    project = root / case.id
    shutil.copytree(template, project)
    target = project / case.file
    target.write_bytes(case.spoil(target.read_bytes()))
    store = project / "output" / "bulletin.db"
    before = digest(store)
    started = time.monotonic()
    done = _bulletin(project, "run")
    took = time.monotonic() - started
    path = case.file if case.file == CONFIG else str(target)
    expected = f"error: {case.message.format(path=path)}\n"
    problems = []
    if done.returncode != case.code:
        problems.append(f"exit {done.returncode}, expected {case.code}")
    if done.stderr != expected:
        problems.append(f"stderr {done.stderr[-600:]!r}, expected {expected!r}")
    if "Traceback" in done.stderr:
        problems.append("a traceback")
    if digest(store) != before:
        problems.append("the store changed")
    if took > SECONDS:
        problems.append(f"took {took:.1f} s")
    if (project / "output" / "bulletins").exists():
        problems.append("a bulletin was written")
    return case, "; ".join(problems) or None, took


def test_the_corpus_has_every_kind(request: pytest.FixtureRequest) -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


def test_every_bad_input_is_refused_in_one_line(collected: Path, tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda case: _try(case, collected, tmp_path), CASES))
    failures = [f"{case.id}: {problem}" for case, problem, _ in results if problem]
    assert not failures, "\n".join(failures)
    slowest = max(took for _, _, took in results)
    assert slowest < SECONDS

"""The chart's PNG, drawn by resvg in a process of its own while the run goes on.

resvg holds the GIL while it draws (a thread would not help) and a PNG twice
the chart's size takes it longer than writing the articles in every language.
In a second process, started before the articles are written and collected
after, the two run side by side on two cores. Where no interpreter can be
started, the PNG is drawn here, as before.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bulletin.errors import RenderError

# Without site (-S) and the environment (-E) the interpreter starts in a few
# milliseconds; it needs only the folder resvg_py is installed in.
_CHILD = ("import json, sys; sys.path.insert(0, sys.argv[1]); import resvg_py; "
          "sys.stdout.buffer.write(bytes(resvg_py.svg_to_bytes(**json.loads(sys.stdin.read()))))")
# A batch's child draws its drawings in order, writing each PNG after its length (8 bytes).
_BATCH_CHILD = ("import json, struct, sys; sys.path.insert(0, sys.argv[1]); import resvg_py\n"
                "for options in json.loads(sys.stdin.read()):\n"
                "    png = bytes(resvg_py.svg_to_bytes(**options))\n"
                "    sys.stdout.buffer.write(struct.pack('>Q', len(png)) + png)\n"
                "    sys.stdout.buffer.flush()")
TIMEOUT = 60  # seconds: a PNG takes a tenth of one
BATCH_PROCESSES = 2  # the machines it runs on have two cores or more; the run itself takes one


@dataclass
class Pending:
    """A PNG being drawn: ``result()`` waits for it."""

    name: str
    options: dict[str, object]
    process: subprocess.Popen[bytes] | None
    batch: Batch | None = None  # drawn by one of a batch's processes, as its ``index``-th drawing
    index: int = 0

    def result(self) -> bytes:
        if self.batch is not None:
            return self.batch.result(self.index)
        if self.process is None:
            try:
                return _draw_here(self.options)
            except ValueError as exc:  # what resvg raises for a drawing it cannot make
                raise RenderError(f"{self.name}: resvg could not draw it ({exc})") from None
        try:
            out, err = self.process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise RenderError(f"{self.name}: resvg took more than {TIMEOUT} s to draw it") from None
        if self.process.returncode != 0 or not out.startswith(b"\x89PNG"):
            last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise RenderError(f"{self.name}: resvg could not draw it ({last})")
        return out


    def cancel(self) -> None:
        """Stop the drawing, for a run that will not write it."""
        if self.batch is not None:
            self.batch.cancel()
        elif self.process is not None and self.process.returncode is None:
            self.process.kill()
            self.process.communicate()


def start(name: str, svg: str, zoom: float, fonts: list[str]) -> Pending:
    """Begin drawing ``svg`` as a PNG at ``zoom`` times its size, with only ``fonts`` when given."""
    options: dict[str, object] = {"svg_string": svg, "zoom": zoom, "skip_system_fonts": bool(fonts),
                                  "font_files": fonts or None}
    folder = _installed_in()
    if not folder or not sys.executable:
        return Pending(name, options, None)
    try:
        process = subprocess.Popen([sys.executable, "-S", "-E", "-c", _CHILD, folder],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError:
        return Pending(name, options, None)
    assert process.stdin is not None
    # A few kilobytes: the pipe takes them at once, and the child reads them whole.
    process.stdin.write(json.dumps(options).encode("utf-8"))
    process.stdin.close()
    process.stdin = None  # sent and closed: communicate() is left to read the answer
    return Pending(name, options, process)


def later(name: str, svg: str, zoom: float, fonts: list[str]) -> Pending:
    """``svg`` to be drawn in this process when its result is asked for: for a drawing started late,
    whose own process would cost more to start than it saves, drawn while this one waits for the others."""
    options: dict[str, object] = {"svg_string": svg, "zoom": zoom, "skip_system_fonts": bool(fonts),
                                  "font_files": fonts or None}
    return Pending(name, options, None)


@dataclass
class Batch:
    """Many PNGs drawn by a few processes, each drawing its share one after another.

    A week's editions each have a chart: a process per PNG cost more to start
    than to draw in. Drawings are added, then ``launch()`` starts the
    processes; a result is read as soon as its process has drawn it, so the
    run writes the first edition's articles while the later charts are drawn.
    """

    pending: list[Pending] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    done: dict[int, bytes] = field(default_factory=dict)  # drawn, not yet asked for
    read: dict[int, int] = field(default_factory=dict)  # how many PNGs each process has given

    def add(self, name: str, svg: str, zoom: float, fonts: list[str]) -> Pending:
        options: dict[str, object] = {"svg_string": svg, "zoom": zoom, "skip_system_fonts": bool(fonts),
                                      "font_files": fonts or None}
        pending = Pending(name, options, None, self, len(self.pending))
        self.pending.append(pending)
        return pending

    def launch(self) -> None:
        """Start the processes: drawing ``i`` goes to process ``i % n``, which draws them in order."""
        folder = _installed_in()
        count = min(BATCH_PROCESSES, len(self.pending))
        if not folder or not sys.executable or not count:
            return  # each is drawn here when asked for
        for share in range(count):
            try:
                process = subprocess.Popen([sys.executable, "-S", "-E", "-c", _BATCH_CHILD, folder],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.DEVNULL)
            except OSError:
                self.cancel()
                return
            assert process.stdin is not None
            process.stdin.write(json.dumps([p.options for p in self.pending[share::count]]).encode("utf-8"))
            process.stdin.close()
            process.stdin = None
            self.processes.append(process)

    def result(self, index: int) -> bytes:
        if not self.processes:
            return Pending(self.pending[index].name, self.pending[index].options, None).result()
        count = len(self.processes)
        share = index % count
        # Its process's drawings before this one are read first, and kept until asked for.
        while index not in self.done:
            position = self.read.get(share, 0)
            png = _read_one(self.processes[share])
            if png is None:
                self.cancel()
                raise RenderError(f"{self.pending[share + position * count].name}: resvg could not draw it")
            self.done[share + position * count] = png
            self.read[share] = position + 1
        return self.done.pop(index)

    def cancel(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.kill()
                process.wait()


def _read_one(process: subprocess.Popen[bytes]) -> bytes | None:
    """The next PNG a batch's process wrote, or None where it stopped first (a drawing it could not make)."""
    assert process.stdout is not None
    head = process.stdout.read(8)
    if len(head) < 8:
        return None
    png = process.stdout.read(struct.unpack(">Q", head)[0])
    return png if png.startswith(b"\x89PNG") else None


@cache
def _installed_in() -> str:
    """The folder that holds the resvg_py package, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec("resvg_py")
    if spec is None or not spec.submodule_search_locations:
        return ""
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


def _draw_here(options: dict[str, object]) -> bytes:
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(**options))  # type: ignore[arg-type]

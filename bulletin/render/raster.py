"""The chart's PNG, drawn by resvg in a process of its own while the run goes on.

resvg holds the GIL while it draws (a thread would not help) and a PNG twice
the chart's size takes it longer than writing the articles in every language.
In a second process, started before the articles are written and collected
after, the two run side by side on two cores. Where no interpreter can be
started, the PNG is drawn here, as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bulletin.errors import RenderError

# Without site (-S) and the environment (-E) the interpreter starts in a few
# milliseconds; it needs only the folder resvg_py is installed in.
_CHILD = ("import json, sys; sys.path.insert(0, sys.argv[1]); import resvg_py; "
          "sys.stdout.buffer.write(bytes(resvg_py.svg_to_bytes(**json.loads(sys.stdin.read()))))")
TIMEOUT = 60  # seconds: a PNG takes a tenth of one


@dataclass
class Pending:
    """A PNG being drawn: ``result()`` waits for it."""

    name: str
    options: dict[str, object]
    process: subprocess.Popen[bytes] | None

    def result(self) -> bytes:
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
        if self.process is not None and self.process.returncode is None:
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

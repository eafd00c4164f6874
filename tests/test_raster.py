"""Charts drawn as PNGs in a batch: a few processes draw many, each result read when asked for."""

from __future__ import annotations

import struct

import pytest

from bulletin.errors import RenderError
from bulletin.render import raster


def svg(width: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="10">'
            f'<rect width="{width}" height="10" fill="#b3261e"/></svg>')


def width_of(png: bytes) -> int:
    assert png.startswith(b"\x89PNG")
    return struct.unpack(">I", png[16:20])[0]


def test_a_batch_gives_each_drawing_its_own_png_in_any_order_asked() -> None:
    batch = raster.Batch()
    pending = [batch.add(f"chart-{n}.png", svg(10 + n), 1, []) for n in range(5)]
    batch.launch()
    assert len(batch.processes) == raster.BATCH_PROCESSES
    # The last first: the drawings before it in its process are read and kept for later.
    assert width_of(pending[4].result()) == 14
    assert [width_of(p.result()) for p in pending[:4]] == [10, 11, 12, 13]


def test_a_drawing_resvg_cannot_make_is_named() -> None:
    batch = raster.Batch()
    good = batch.add("good.png", svg(10), 1, [])
    bad = batch.add("bad.png", "<svg this is not", 1, [])
    batch.launch()
    assert width_of(good.result()) == 10
    with pytest.raises(RenderError, match="bad.png: resvg could not draw it"):
        bad.result()


def test_a_batch_not_launched_draws_here() -> None:
    batch = raster.Batch()
    pending = batch.add("here.png", svg(12), 1, [])
    assert width_of(pending.result()) == 12

"""A PNG read back as pixels, to look for ink where a drawing should have text."""

from __future__ import annotations

import struct
import zlib
from functools import cache

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    """The width and height its IHDR chunk (the first, after the signature) states."""
    assert png[:8] == SIGNATURE and png[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@cache
def rows(png: bytes) -> list[bytes]:
    """The PNG's rows of RGBA pixels: 8-bit RGBA (as resvg writes) or RGB (as a browser's
    screenshot may be, read with an opaque alpha), not interlaced. Kept: a card takes seconds."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 4 if colour == 6 else 3
    data, at = b"", 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            data += png[at + 8:at + 8 + length]
        at += length + 12
    raw, stride, found = zlib.decompress(data), width * bpp, []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, corner = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                # Paeth: the neighbour nearest the guess, left before up before the corner on a tie.
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                           (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 255
        found.append(bytes(line) if bpp == 4 else
                     b"".join(bytes(line[x:x + 3]) + b"\xff" for x in range(0, stride, 3)))
        previous = line
    return found

"""The site's files that no bulletin changes: its icons and robots.txt.

Browsers ask for /favicon.ico whatever a page says, and feed readers want a
square raster icon, so one drawing is written three ways. The PNG is drawn by
resvg, as the chart is; the ICO wraps that PNG (an ICO may hold a PNG since
Windows Vista, and every current browser reads it).
"""

from __future__ import annotations

import struct

# Two bars, China's and the United States' colours in the chart, on the accent red:
# legible at 16 pixels, where letters are not.
FAVICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
               '<rect width="64" height="64" rx="12" fill="#b3261e"/>'
               '<rect x="14" y="22" width="14" height="30" rx="2" fill="#ffffff"/>'
               '<rect x="36" y="12" width="14" height="40" rx="2" fill="#ffffff"/>'
               '</svg>\n')
ICON_SIZE = 64


def files(base_url: str) -> dict[str, bytes]:
    png = favicon_png()
    return {"favicon.svg": FAVICON_SVG.encode("utf-8"), "favicon.png": png,
            "favicon.ico": ico(png, ICON_SIZE), "robots.txt": robots(base_url)}


def favicon_png() -> bytes:
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=FAVICON_SVG, width=ICON_SIZE, height=ICON_SIZE))


def ico(png: bytes, size: int) -> bytes:
    """An ICO file of one PNG image (ICONDIR, one ICONDIRENTRY, the image)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


def robots(base_url: str) -> bytes:
    # Everything may be crawled; the sitemap says what there is.
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()

"""The faces the chart's PNG is drawn with, per language, and what to install where they are missing.

resvg draws text only with the faces it finds. A Chinese chart drawn without a
CJK face comes out as lines alone: no title, axis, labels or credit. So a
language whose script has no face here gets no PNG (its email and cards show
the default language's instead, render says so in one line), and ``bulletin
doctor`` names the package to install.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bulletin.render.rendered import DEFAULT_LOCALE

# Where Debian (and most Linux systems) keep their fonts; a test points it at an empty folder.
FONT_ROOT = Path("/usr/share/fonts")
FACES = {  # under FONT_ROOT, Debian's first, then other systems'
    "en": tuple(Path(folder) / face
                for folder in ("truetype/dejavu",  # fonts-dejavu-core
                               "TTF", "dejavu-sans-fonts")
                for face in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")),
    "zh": (Path("truetype/wqy/wqy-zenhei.ttc"),  # fonts-wqy-zenhei
           Path("opentype/noto/NotoSansCJK-Regular.ttc"),  # fonts-noto-cjk
           Path("wenquanyi/wqy-zenhei/wqy-zenhei.ttc")),
}
# The languages whose script no Latin face draws: without a face of their own the PNG has no words.
OWN_SCRIPT = {"zh": ("Chinese", "fonts-wqy-zenhei (or fonts-noto-cjk)")}


def faces(locale: str) -> list[Path]:
    """The faces found for ``locale``'s PNG: its own, then the Latin ones, for the digits and names
    its own may lack; none found, resvg looks through the system's (slower)."""
    own = [FONT_ROOT / face for face in FACES.get(locale, ()) if (FONT_ROOT / face).is_file()]
    latin = [FONT_ROOT / face for face in FACES[DEFAULT_LOCALE] if (FONT_ROOT / face).is_file()]
    return list(dict.fromkeys([*own, *latin]))


def missing(locale: str) -> str:
    """What is wrong with ``locale``'s faces, and what to install; "" when its PNG can be drawn."""
    if locale not in OWN_SCRIPT or any((FONT_ROOT / face).is_file() for face in FACES[locale]):
        return ""
    script, package = OWN_SCRIPT[locale]
    return (f"no {script} font for the chart's PNG in {FONT_ROOT}, so it would have no words: "
            f"install {package}")


def key(found: list[Path]) -> str:
    """What the PNG's cache key takes of the faces: a face installed, removed or updated redraws it."""
    parts = []
    for path in found:
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

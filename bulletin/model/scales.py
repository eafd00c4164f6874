"""Scale words as the press uses them (short scale: a billion is 10^9)."""

from __future__ import annotations

SCALES: dict[str, int] = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "quadrillion": 10**15,
    "quintillion": 10**18,
}


def split_unit(unit: str) -> tuple[str, str]:
    """Split "quadrillion tokens" into ("quadrillion", "tokens"); no scale gives ""."""
    first, _, rest = unit.strip().partition(" ")
    if first.lower() in SCALES and rest.strip():
        return first.lower(), rest.strip()
    return "", unit.strip()

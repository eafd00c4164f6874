"""Numbers written the way a journalist writes them.

"4.69 trillion", "3,900 quadrillion", "+11.8%", "second". Token counts arrive
as exact integers and are only rounded here, for display.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from bulletin.render.scales import SCALES

LOCALE = "en"
MINUS = "\u2212"  # a real minus sign, not a hyphen
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
             "eighth", "ninth", "tenth")
# Scales used for counts of tokens, smallest first; "thousand" reads oddly there.
_TOKEN_SCALES = ("million", "billion", "trillion", "quadrillion", "quintillion")


def _number(value: Decimal) -> str:
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def significant(value: Decimal, digits: int = 3) -> Decimal:
    """Round to ``digits`` significant figures (half up), dropping trailing zeros."""
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP).normalize()


def tokens(count: int | Decimal, digits: int = 3) -> str:
    """4690000000000 -> "4.69 trillion"; below a million, the plain number."""
    value = Decimal(count)
    if abs(value) < SCALES["million"]:
        return _number(value.quantize(Decimal(1)))
    for name in reversed(_TOKEN_SCALES):
        scaled = significant(value / SCALES[name], digits)
        if abs(scaled) >= 1:
            bigger = _next_scale(name)
            if bigger and abs(scaled) >= 1000:
                return f"{_number(significant(value / SCALES[bigger], digits))} {bigger}"
            return f"{_number(_plain(scaled))} {name}"
    return _number(value)


def tokens_in(count: int | Decimal, scale: str, digits: int = 4) -> str:
    """Write a count in a given scale, as the source did: "3,900 quadrillion"."""
    if scale not in SCALES:
        return tokens(count)
    return f"{_number(_plain(significant(Decimal(count) / SCALES[scale], digits)))} {scale}"


def _next_scale(name: str) -> str | None:
    index = _TOKEN_SCALES.index(name)
    return _TOKEN_SCALES[index + 1] if index + 1 < len(_TOKEN_SCALES) else None


def _plain(value: Decimal) -> Decimal:
    """Drop the exponent Decimal keeps after normalize() (3.9E+3 -> 3900)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def signed_percent(change: float, places: int = 1) -> str:
    """0.11834 -> "+11.8%", -0.0933 -> "−9.3%"."""
    text = percent(change, places)
    if text == percent(0.0, places):
        return text
    return ("+" if change > 0 else MINUS) + text


def percent(change: float, places: int = 1) -> str:
    """The size of a change, without its sign: -0.0933 -> "9.3%"."""
    value = Decimal(str(abs(change) * 100)).quantize(Decimal(1).scaleb(-places),
                                                      rounding=ROUND_HALF_UP)
    return f"{_number(value)}%"


def rough_percent(change: float) -> str:
    """Two significant figures, for rates quoted with "about": 2.298 -> "230%"."""
    value = significant(Decimal(str(abs(change) * 100)), 2)
    return f"{_number(_plain(value))}%"


def multiple(value: float | int) -> str:
    """390 -> "390", 2.46 -> "2.5"."""
    number = Decimal(str(value))
    digits = 2 if number < 100 else 3
    return _number(_plain(significant(number, digits)))


def count_words(n: int) -> str:
    """Small counts in words, as house style wants: 2 -> "two", 12 -> "12"."""
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if 0 <= n < len(words) else str(n)


def ordinal(n: int) -> str:
    """Ordinals in words up to tenth, then figures: "second", "11th"."""
    if 0 <= n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(day: date | str) -> str:
    """"March 15, 2026"."""
    return format_date(_day(day), "MMMM d, y", locale=LOCALE)


def month_day(day: date | str) -> str:
    """"March 15"."""
    return format_date(_day(day), "MMMM d", locale=LOCALE)


def iso_week(week: str) -> str:
    """An ISO week as the data names it: "2025-W46" (English copy keeps the label)."""
    return week


def _day(day: date | str) -> date:
    return date.fromisoformat(day) if isinstance(day, str) else day

"""Numbers written the way a journalist writes them.

"4.69 trillion", "3,900 quadrillion", "+11.8%", "second". Token counts arrive
as exact integers and are only rounded here, for display.

One precision rule, the press's, in prose and tables alike: an amount below
100 in its scale word keeps two decimals ("12.96 trillion", never "13
trillion"; "4.6 trillion" for 4.60), from 100 on whole units ("895
billion"); changes one decimal below +100%, a multiple above ("2.1 times")
rather than a four-digit percentage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal

from bulletin.model.scales import SCALES

LOCALE = "en"
MINUS = "\u2212"  # a real minus sign, not a hyphen
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
             "eighth", "ninth", "tenth")
# Scales used for counts of tokens, smallest first; "thousand" reads oddly there.
_TOKEN_SCALES = ("million", "billion", "trillion", "quadrillion", "quintillion")


def _number(value: Decimal) -> str:
    return _formatted(str(value), "")


@lru_cache(maxsize=4096)
def _formatted(value: str, pattern: str) -> str:
    # Keyed by the text, not the Decimal: 1.0 == 1.00, but they are written differently.
    # An article writes its figures again and again (text, tables, claim check): each once.
    if pattern:
        return format_decimal(Decimal(value), format=pattern, locale=LOCALE)
    return format_decimal(Decimal(value), locale=LOCALE, decimal_quantization=False)


def significant(value: Decimal, digits: int = 3) -> Decimal:
    """Round to ``digits`` significant figures (half up), dropping trailing zeros."""
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP).normalize()


def tokens(count: int | Decimal) -> str:
    """12960000000000 -> "12.96 trillion", 895420000000 -> "895 billion"; below a million, plain."""
    value = Decimal(count)
    if abs(value) < SCALES["million"]:
        return _number(value.quantize(Decimal(1)))
    for name in reversed(_TOKEN_SCALES):
        scaled = amount(value / SCALES[name])
        if abs(scaled) >= 1:
            bigger = _next_scale(name)
            if bigger and abs(scaled) >= 1000:
                return f"{_number(amount(value / SCALES[bigger]))} {bigger}"
            return f"{_number(_plain(scaled))} {name}"
    return _number(value)


def amount(scaled: Decimal) -> Decimal:
    """A count in its scale word, as the press rounds it: two decimals below 100, whole above."""
    places = Decimal("0.01") if abs(scaled) < 100 else Decimal(1)
    return _plain(scaled.quantize(places, rounding=ROUND_HALF_UP).normalize())


def tokens_in(count: int | Decimal, scale: str, digits: int = 4) -> str:
    """Write a count in a given scale, as the source did: "3,900 quadrillion"."""
    if scale not in SCALES:
        return tokens(count)
    return f"{_number(_plain(significant(Decimal(count) / SCALES[scale], digits)))} {scale}"


# A table's unit, stated once in its header ("Tokens (trillions)") so that its cells are bare
# figures that fit a phone's column: the label and its size.
UNITS = {"millions": 10**6, "billions": 10**9, "trillions": 10**12, "quadrillions": 10**15,
         "quintillions": 10**18}


def table_unit(counts: Iterable[int | Decimal], units: Mapping[str, int] = UNITS) -> str:
    """The unit a table of ``counts`` is written in: its smallest count's, so that no cell reads
    below 1 and two rows the prose tells apart never read alike ("562" and "560" billion, not
    "0.56" twice); "" below the smallest unit."""
    smallest = min((abs(Decimal(count)) for count in counts if count), default=Decimal(0))
    fitting = [label for label, size in units.items() if smallest >= size]
    return fitting[-1] if fitting else ""


def unit_amount(count: int | Decimal, size: int) -> Decimal | None:
    """A count in a unit as a table cell gives it, by the one precision rule ("0.82" for 822
    billion in trillions); None where that would read 0."""
    scaled = amount(Decimal(count) / size)
    return None if scaled == 0 else scaled


def in_unit(count: int | Decimal, unit: str) -> str:
    """A table cell in ``unit`` (table_unit's): 1752340000000 in trillions -> "1.75"."""
    scaled = unit_amount(count, UNITS[unit]) if unit in UNITS else None
    return tokens(count) if scaled is None else _number(scaled)


def _next_scale(name: str) -> str | None:
    index = _TOKEN_SCALES.index(name)
    return _TOKEN_SCALES[index + 1] if index + 1 < len(_TOKEN_SCALES) else None


def _plain(value: Decimal) -> Decimal:
    """Drop the exponent Decimal keeps after normalize() (3.9E+3 -> 3900)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def times(change: float) -> str:
    """A rise of 100% or more as the multiple it makes: 1.097 -> "2.1" (times the week before)."""
    return multiple(1 + change)


def change(change: float) -> str:
    """A table's week-on-week cell: "+11.8%", "−9.3%", or "2.1×" from +100% on."""
    return f"{times(change)}×" if change >= 1 else signed_percent(change)


def signed_percent(change: float, places: int = 1) -> str:
    """0.11834 -> "+11.8%", -0.0933 -> "−9.3%"."""
    text = percent(change, places)
    if text == percent(0.0, places):
        return text
    return ("+" if change > 0 else MINUS) + text


def percent(change: float, places: int = 1) -> str:
    """The size of a change, without its sign: -0.0933 -> "9.3%", 0.25 -> "25.0%".

    Always ``places`` decimals, so that "+25.0%" stands beside "+11.8%" in a
    table and a sentence alike (the press's one precision rule).
    """
    value = Decimal(str(abs(change) * 100)).quantize(Decimal(1).scaleb(-places),
                                                      rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return f"{_formatted(str(value), pattern)}%"


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


def a_ordinal(n: int) -> str:
    """An ordinal with its article: "a seventh", "an eighth", "an 11th", "an 18th"."""
    return article(ordinal(n))


def article(text: str) -> str:
    """``text`` after the article its sound takes: "an eight-week run", "an 11.2% fall", "a 12-fold"."""
    return ("an " if _vowel_sound(text) else "a ") + text


def _vowel_sound(text: str) -> bool:
    if not text[:1].isdigit():
        # The words a template puts here: counts, ordinals, "rise", "high", "increase".
        # "one" and "u..." ("unique") are read with a consonant.
        return text[:1].lower() in "aeio" and not text.lower().startswith("one")
    # Figures as they are read: 8, 80-89, 800... ("eight..."), and 11 and 18 leading
    # a group of thousands ("eleven", "eighteen thousand"); decimals do not count.
    whole = "".join(c for c in text.split(".")[0] if c.isdigit())
    lead = whole[: len(whole) % 3 or 3]
    return whole.startswith("8") or lead in ("11", "18")


def long_date(day: date | str) -> str:
    """"March 15, 2026"."""
    return format_date(_day(day), "MMMM d, y", locale=LOCALE)


def month_day(day: date | str) -> str:
    """"March 15"."""
    return format_date(_day(day), "MMMM d", locale=LOCALE)


def model_name(name: str) -> str:
    """A model's name in English copy: as the catalogue (or families.made_name) gives it."""
    return name


def date_range(monday: date | str, sunday: date | str) -> str:
    """A week's dateline: "May 11 to May 17, 2026"."""
    first, last = _day(monday), _day(sunday)
    return f"{month_day(first) if first.year == last.year else long_date(first)} to {long_date(last)}"


def iso_week(week: str) -> str:
    """An ISO week as the data names it: "2025-W46" (English copy keeps the label)."""
    return week


def _day(day: date | str) -> date:
    return date.fromisoformat(day) if isinstance(day, str) else day

"""Numbers written the way the Chinese press writes them.

"4.69万亿", "3900千万亿", "增长11.8%", "第二". Chinese counts large numbers in
myriads (万 10^4, 亿 10^8, 万亿 10^12), and writes the figures before the
scale word without thousands separators ("6660亿", not "6,660亿").

For figures a source gave in quadrillions (10^15) the article keeps the
source's scale, as the Chinese reports of the JPMorgan forecast did: "3900千万亿"
(千万亿 = 10^15). The alternative "39亿亿" (亿亿 = 10^16) moves the decimal point
away from the English source and is rarer in print.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from bulletin.render import numbers_en
from bulletin.render.numbers_en import _plain, amount, rough_percent, significant, times
from bulletin.render.numbers_en import percent as _percent

# Myriad scales used for token counts, smallest first.
_MYRIADS = (("万", 10**4), ("亿", 10**8), ("万亿", 10**12))
# The English scale words a source may have written, in Chinese.
SCALE_WORDS = {"thousand": ("千", 10**3), "million": ("百万", 10**6), "billion": ("十亿", 10**9),
               "trillion": ("万亿", 10**12), "quadrillion": ("千万亿", 10**15),
               "quintillion": ("百亿亿", 10**18)}
_DIGITS = "零一二三四五六七八九十"


def _number(value: Decimal) -> str:
    return format(_plain(value), "f")


def tokens(count: int | Decimal) -> str:
    """12960000000000 -> "12.96万亿", 665700000000 -> "6657亿" (numbers_en's precision rule)."""
    value = Decimal(count)
    if abs(value) < 10**4:
        return _number(value.quantize(Decimal(1)))
    for index in reversed(range(len(_MYRIADS))):
        word, size = _MYRIADS[index]
        if abs(value) >= size:
            scaled = amount(value / size)
            if index + 1 < len(_MYRIADS) and abs(scaled) >= 10**4:  # 9999.996亿 rounds to 1万亿
                word, size = _MYRIADS[index + 1]
                scaled = amount(value / size)
            return f"{_number(scaled)}{word}"
    return _number(value)


# Figure subjects the Chinese press has a name for; an editor gives others as a
# figure's subject_zh (figures file). The Chinese edition never quotes an English one.
SUBJECTS = {"China's AI inference token consumption": "中国AI推理Token消耗量",
            "China's daily token consumption": "中国日均Token消耗量",
            "Daily token consumption": "日均Token消耗量",
            "Global AI token consumption": "全球AI Token消耗量"}


def subject_name(subject: str, given: str = "") -> str:
    """A figure's subject in Chinese: the one given with it, the glossary's, or '' (not told)."""
    return given or SUBJECTS.get(subject, "")


_SNAPSHOT = re.compile(r" \((\d{4})-(\d{2})-(\d{2})\)")


# Makers the Chinese press names in Chinese, where a model's name starts with theirs:
# "腾讯Hy3", never "Tencent Hy3" in a text that calls the developer 腾讯 (STYLEBOOK 7).
MAKERS_ZH = {"Tencent": "腾讯", "Google": "谷歌", "Xiaomi": "小米", "Baidu": "百度",
             "Microsoft": "微软", "Amazon": "亚马逊", "NVIDIA": "英伟达", "Nvidia": "英伟达",
             "ByteDance": "字节跳动", "StepFun": "阶跃星辰", "Alibaba": "阿里巴巴"}


def model_name(name: str) -> str:
    """A model's name in Chinese copy: "(free)" is （免费版）, a maker's name at its start is
    the maker's Chinese name ("腾讯Hy3"); the model's own name stays as the maker writes it.

    A snapshot is "DeepSeek V4 Flash 2026年7月31日版". A list that gives each model's
    tokens in brackets puts them inside the tier's (``with_note``): "腾讯Hy3（免费版，
    1.75万亿Token）".
    """
    maker, _, rest = name.partition(" ")
    if maker in MAKERS_ZH and rest:
        name = MAKERS_ZH[maker] + rest
    name = _SNAPSHOT.sub(lambda m: f" {int(m[1])}年{int(m[2])}月{int(m[3])}日版", name)
    return name[:-len(" (free)")] + FREE if name.endswith(" (free)") else name


FREE = "（免费版）"


def with_note(name: str, note: str) -> str:
    """A model's name with a note in brackets, one pair of them: "腾讯Hy3（免费版，1.75万亿Token）"."""
    shown = model_name(name)
    if shown.endswith(FREE):
        return f"{shown[:-1]}，{note}）"
    return f"{shown}（{note}）"


def change(change: float) -> str:
    """A table's week-on-week cell: "+11.8%", "-9.3%", or "2.1倍" from +100% on."""
    return f"{times(change)}倍" if change >= 1 else signed_percent(change)


def tokens_in(count: int | Decimal, scale: str, digits: int = 4) -> str:
    """A count in the scale its source used: 3.9e18 in quadrillions -> "3900千万亿"."""
    if scale not in SCALE_WORDS:
        return tokens(count)
    word, size = SCALE_WORDS[scale]
    return f"{_number(significant(Decimal(count) / size, digits))}{word}"


# A table's unit in its header ("Token（万亿）"): the myriads, as the cells' figures count them.
UNITS = dict(_MYRIADS)


def table_unit(counts: Iterable[int | Decimal]) -> str:
    """The unit a table of ``counts`` is written in: its largest count's myriad."""
    return numbers_en.table_unit(counts, UNITS)


def in_unit(count: int | Decimal, unit: str) -> str:
    """A table cell in ``unit``: 1752340000000 in 万亿 -> "1.75"."""
    scaled = numbers_en.unit_amount(count, UNITS[unit]) if unit in UNITS else None
    return tokens(count) if scaled is None else _number(scaled)


def signed_percent(change: float, places: int = 1) -> str:
    text = percent(change, places)
    if text == percent(0.0, places):
        return text
    return ("+" if change > 0 else "-") + text


def multiple(value: float | int) -> str:
    """390 -> "390", 2.46 -> "2.5"."""
    number = Decimal(str(value))
    return _number(significant(number, 2 if number < 100 else 3))


def count_words(n: int) -> str:
    """Small counts in Chinese numerals, 两 before a measure word: 2 -> "两", 12 -> "12"."""
    return "两" if n == 2 else _numeral(n)


def _numeral(n: int) -> str:
    return _DIGITS[n] if 0 <= n <= 10 else str(n)


def ordinal(n: int) -> str:
    """"第2", "第11": one rule for numerals, Arabic digits as the Chinese tech press writes
    ordinals of weeks and ranks (never 第五周 beside 第11周)."""
    return f"第{n}"


# Chinese has no article: "for a fifth week" is 连续第5周 either way.
a_ordinal = ordinal


def article(text: str) -> str:
    return text


def percent(change: float, places: int = 1) -> str:
    """"11.8%", "1452.9%": no thousands separators in Chinese percentages."""
    return _percent(change, places).replace(",", "")


def date_range(monday: date | str, sunday: date | str) -> str:
    """A week's dateline as the Chinese press writes it: "2026年5月11日至17日"."""
    first, last = _day(monday), _day(sunday)
    if first.year != last.year:
        return f"{long_date(first)}至{long_date(last)}"
    if first.month != last.month:
        return f"{long_date(first)}至{last.month}月{last.day}日"
    return f"{long_date(first)}至{last.day}日"


def long_date(day: date | str) -> str:
    """"2026年3月15日"."""
    return format_date(_day(day), "y年M月d日", locale="zh")


def month_day(day: date | str) -> str:
    """"3月15日"."""
    return format_date(_day(day), "M月d日", locale="zh")


def iso_week(week: str) -> str:
    """"2025-W46" -> "2025年第46周"."""
    year, number = week.split("-W")
    return f"{int(year)}年第{int(number)}周"


def _day(day: date | str) -> date:
    return date.fromisoformat(day) if isinstance(day, str) else day


__all__ = ["FREE", "a_ordinal", "article", "change", "count_words", "date_range", "iso_week", "long_date",
           "in_unit", "model_name", "month_day", "multiple", "ordinal", "percent", "rough_percent",
           "signed_percent", "table_unit", "times", "tokens", "tokens_in", "with_note"]

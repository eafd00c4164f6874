"""Figures found in news text: "JPMorgan predicts ... 10 quadrillion in 2025 to 3,900 quadrillion in 2030".

Two steps. ``quantities()`` finds every number with its scale ("4.69 trillion",
"10T", "140万亿"), unit ("tokens", "%") and rate ("per day", "每月").
``figures()`` then reads each sentence for who says it (an organisation), when
(a year next to the number), whether it is a forecast ("predicts", "expected
to", "will grow", "预计") and what it is about, and makes a ``Figure`` only
where all of that is there: a number without a subject is not news.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bulletin.model import Figure
from bulletin.model.scales import SCALES
from bulletin.records import record

_SUFFIXES = {"K": "thousand", "M": "million", "B": "billion", "T": "trillion"}
# Chinese scale units, largest first so 万亿 is not read as 万.
_CHINESE = {"万亿": Decimal(10**12), "亿": Decimal(10**8), "万": Decimal(10**4)}
_CHINESE_AS_WORD = {"万亿": "trillion"}

_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_QUANTITY = re.compile(
    # A sign only where it stands apart ("+11.83%", not the hyphen of "Qwen3.6-35B"),
    # and a number only where it starts (not the 3 of "A3B").
    r"(?:(?<![A-Za-z0-9.])(?P<sign>[+\-−]))?(?<![A-Za-z0-9.,])" + _NUMBER +
    r"(?:\s*(?P<pct>%)"
    r"|\s*(?P<cn>万亿|亿|万)"
    r"|(?P<suffix>[KMBT])\b"
    r"|\s+(?P<word>" + "|".join(SCALES) + r")\b)?"
    r"(?P<unit>\s*(?:个)?\s*(?:tokens?|Tokens?|TOKENS?|词元))?"
    r"(?P<rate>\s*(?:per|a|/|every)\s*(?:day|month|year)\b|\s*(?:daily|monthly)\b|\s*/\s*(?:天|日|月)"
    r"|\s*每(?:天|日|月))?"
)
_RATE_BEFORE = re.compile(r"(?:日均|每天|每日|每月|月均)[^\d]{0,12}$")
_YEAR = re.compile(r"(?<![\d,.])(?P<year>(?:19|20)\d{2})(?![\d,])(?:年)?")
_FORECAST = re.compile(
    r"\b(?:predicts?|predicted|forecasts?|forecasted|expects?|expected to|projects?|projected|"
    r"estimates? that|will|would|is set to|are set to|anticipates?)\b|预计|预测|将", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])|(?<=[。！？；;])")
_REPORTING = (r"(?:predicts|predicted|forecasts|forecast|expects|expected|estimates|estimated|"
              r"projects|projected|says|said|reports|reported|finds|found|anticipates)")
_ORG_FIRST = re.compile(r"^(?:According to\s+)?(?P<org>(?:[A-Z][\w&.'’-]*)(?:\s+[A-Z][\w&.'’-]*){0,4})\s+"
                        + _REPORTING + r"\b(?:\s+that)?\s*(?P<rest>.*)$", re.S)
_ACCORDING = re.compile(r"[Aa]ccording to (?P<org>(?:the\s+)?[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})")
_SUBJECT_END = re.compile(
    r"\s+(?:will|would|could|is expected to|are expected to|is set to|to grow|to reach|grew|rose|"
    r"reached|hit|surpassed|exceeded|was|were|is|are|of|at)\b|(?:将|预计|达到|突破|超过)")
# Organisations as Chinese text names them, in the English the articles use.
KNOWN_ORGANISATIONS = {
    "摩根大通": "JPMorgan", "小摩": "JPMorgan", "国家数据局": "National Data Administration",
    "谷歌": "Google", "高盛": "Goldman Sachs", "摩根士丹利": "Morgan Stanley",
    "国际数据公司": "IDC", "中国信通院": "CAICT",
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_STOP_ORGS = {"The", "This", "That", "It", "We", "They", "He", "She", "A", "An", "In", "On"}


@record
class Quantity:
    value: Decimal  # in the base unit
    scale: str  # the scale word the text used ("quadrillion"), or ""
    unit: str  # "tokens", "%", or "" where the text gives none
    rate: str  # "", "per day", "per month" or "per year"
    text: str
    start: int
    end: int


def quantities(text: str) -> list[Quantity]:
    found = []
    for match in _QUANTITY.finditer(text):
        number = Decimal(match["num"].replace(",", ""))
        if match["sign"] in ("-", "−"):
            number = -number
        scale = ""
        if match["word"]:
            scale = match["word"]
            number *= SCALES[scale]
        elif match["suffix"]:
            scale = _SUFFIXES[match["suffix"]]
            number *= SCALES[scale]
        elif match["cn"]:
            scale = _CHINESE_AS_WORD.get(match["cn"], "")
            number *= _CHINESE[match["cn"]]
        unit = "%" if match["pct"] else "tokens" if match["unit"] else ""
        rate = _rate(match["rate"] or "", text[max(0, match.start() - 16):match.start()])
        bare = not (scale or match["cn"] or unit or rate or match["sign"])
        if bare and _YEAR.fullmatch(match["num"]):
            continue  # a year, not an amount
        if bare and not match["unit"]:
            continue  # a lone number ("3 models", "1、") says too little
        if number == number.to_integral_value():
            number = Decimal(int(number))
        found.append(Quantity(number, scale, unit, rate, match.group(0).strip(),
                              match.start(), match.end()))
    return found


def _rate(after: str, before: str) -> str:
    words = after.lower()
    for rate, marks in (("per day", ("day", "daily", "天", "日")),
                        ("per month", ("month", "月")), ("per year", ("year",))):
        if any(mark in words for mark in marks):
            return rate
    if _RATE_BEFORE.search(before):
        return "per month" if "月" in _RATE_BEFORE.search(before).group(0) else "per day"  # type: ignore[union-attr]
    return ""


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(" ".join(text.split())) if part.strip()]


def figures(text: str, source: str, link: str, published_at: str = "",
            fetched_at: str = "") -> list[Figure]:
    """The figures a text states, one per (subject, organisation, kind, year)."""
    result: dict[tuple[str, str, str, str], Figure] = {}
    for sentence in sentences(text):
        organisation, rest = _organisation(sentence)
        if not organisation:
            continue
        subject = _subject(rest)
        found = [q for q in quantities(sentence) if q.unit != "%" or subject]
        if not subject or not found:
            continue
        kind = "forecast" if _FORECAST.search(sentence) else "observed"
        for quantity in found:
            year = _year_of(sentence, quantity)
            if not year:
                continue
            unit = quantity.unit or ("tokens" if re.search(r"token|词元", subject, re.I) else "")
            if not unit:
                continue
            if quantity.rate:
                unit = f"{unit} {quantity.rate}"
            key = (subject, organisation, kind, year)
            result.setdefault(key, Figure(
                source=source, subject=subject, organisation=organisation, kind=kind,
                value=quantity.value, unit=unit, period=year, link=link, quote=sentence,
                scale=quantity.scale, published_at=published_at, fetched_at=fetched_at,
                # A Chinese text names its subject in Chinese; an English one leaves it to
                # the glossary or to an editor's subject_zh.
                subject_zh=subject if _HAN.search(subject) else ""))
    return list(result.values())


def normalise_subject(subject: str) -> str:
    """One spelling for a subject, so two texts about the same thing form one series."""
    subject = subject.replace("’", "'").replace("“", "").replace("”", "").strip(" ,.:;\"")
    subject = re.sub(r"^(?:the|that)\s+", "", subject, flags=re.I)
    subject = re.sub(r"\s+", " ", subject)
    return subject[:1].upper() + subject[1:]


def _organisation(sentence: str) -> tuple[str, str]:
    for name, english in KNOWN_ORGANISATIONS.items():
        if name in sentence:
            after = sentence.split(name, 1)[1]
            return english, re.sub(r"^\W*(?:预计|预测|表示|称|报告)?\W*", "", after)
    match = _ORG_FIRST.match(sentence)
    if match and match["org"].split()[0] not in _STOP_ORGS:
        return match["org"].rstrip("'’s"), match["rest"]
    match = _ACCORDING.search(sentence)
    if match:
        return re.sub(r"^the\s+", "", match["org"]), sentence[:match.start()] + sentence[match.end():]
    return "", ""


def _subject(rest: str) -> str:
    end = _SUBJECT_END.search(rest)
    if end is None or end.start() == 0:
        return ""
    # In Chinese the subject is the clause right before the verb ("截至2026年3月，我国日均Token消耗量").
    subject = normalise_subject(re.split(r"[，,、：:]", rest[:end.start()])[-1]
                                if re.search(r"[\u4e00-\u9fff]", rest[:end.start()])
                                else rest[:end.start()])
    # A subject is a phrase, not a clause with its own numbers.
    if not subject or re.search(r"\d", subject) or len(subject.split()) > 12:
        return ""
    return subject


def _year_of(sentence: str, quantity: Quantity) -> str:
    """The year written next to the number ("10 quadrillion in 2025"), or the sentence's only year."""
    after = re.match(r"\s*(?:tokens?\s*)?(?:\(|in|by|for|at the end of|as of)?\s*(?:[A-Z][a-z]+\s+)?"
                     r"((?:19|20)\d{2})(?!\d)", sentence[quantity.end:])
    if after:
        return after.group(1)
    before = re.search(r"((?:19|20)\d{2})(?:年)?\D{0,12}$", sentence[:quantity.start])
    if before and not _QUANTITY_BETWEEN(sentence[before.end():quantity.start]):
        return before.group(1)
    years = {m["year"] for m in _YEAR.finditer(sentence)}
    return years.pop() if len(years) == 1 else ""


def _QUANTITY_BETWEEN(text: str) -> bool:  # noqa: N802 - reads as a predicate
    return any(quantities(text))

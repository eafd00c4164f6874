"""``type: figures`` — numbers an editor enters by hand, in YAML.

Each entry: ``subject``, ``organisation``, ``kind`` (observed or forecast),
``value`` (a number), ``unit`` (``tokens``, or with a scale word such as
``quadrillion tokens``), ``period`` (a year or an ISO week), ``source`` (URL)
and optionally ``quote``, ``published`` (a date) and ``subject_zh`` (the
subject in Chinese, which the Chinese edition uses: it never quotes an
English subject). Two forecasts with the same subject and organisation and
different periods form a forecast series.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

import yaml

from bulletin.collect import bounds
from bulletin.collect.source import CollectContext, Source, common_options
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.config import yaml_bounds
from bulletin.errors import CollectError
from bulletin.model import Collected, Figure
from bulletin.model.scales import SCALES, split_unit
from bulletin.records import record
from bulletin.weeks import IsoWeek

ENTRY_KEYS = {"subject", "organisation", "kind", "value", "unit", "period", "source",
              "quote", "published", "subject_zh"}
KINDS = ("observed", "forecast")
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)  # ASCII digits: "２０３０" is no year
# A Chinese subject holds Chinese: a Han character (CJK Unified Ideographs and Extension A).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


OPTIONS = option.schema(option.path("path", "the YAML list of figures", required=True, must_exist=True))


@record
class FiguresFile(Source):
    type: ClassVar[str] = "figures"
    options: ClassVar[option.Schema] = common_options() + OPTIONS

    path: Path = Path()  # required: no default to declare

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> FiguresFile | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if not values.ok:
            return None
        return cls(path=values["path"], **cls.common_fields(values))

    def collect(self, context: CollectContext | None = None) -> Collected:
        fetched_at = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        figures = read_figures(self.path, self.name, fetched_at.isoformat(timespec="seconds"))
        return Collected(self.name, figures=tuple(figures))


def read_figures(path: Path, source: str, fetched_at: str) -> list[Figure]:
    try:
        text = path.read_text(encoding="utf-8")
        entries, document = yaml_bounds.safe_load(text)
    except OSError as exc:
        raise CollectError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CollectError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
                           ) from None
    except yaml_bounds.YamlBoundError as exc:
        raise CollectError(f"{path}: {exc}") from None
    except yaml.reader.ReaderError as exc:
        raise CollectError(f"{path}: {yaml_bounds.reader_problem(exc)}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise CollectError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CollectError(f"{path}: expected a list of figures")
    lines = [node.start_mark.line + 1 for node in document.value] if document else []

    figures = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for index, entry in enumerate(entries):
        where = f"{path}:{lines[index]}: figure {index + 1}"
        figure = _figure(entry, where, source, fetched_at)
        key = (figure.subject, figure.organisation, figure.kind, figure.period)
        if key in seen:
            raise CollectError(f"{where}: repeats figure {seen[key]} "
                               f"({figure.organisation}, {figure.kind}, {figure.period})")
        seen[key] = index + 1
        figures.append(figure)
    return figures


def _figure(entry: Any, where: str, source: str, fetched_at: str) -> Figure:
    if not isinstance(entry, dict):
        raise CollectError(f"{where}: expected a mapping with subject, organisation, kind, ...")
    unknown = sorted(set(map(str, entry)) - ENTRY_KEYS)
    if unknown:
        raise CollectError(f"{where}: unknown key {_short(unknown[0])} "
                           f"(expected: {', '.join(sorted(ENTRY_KEYS))})")
    for key in ("subject", "organisation", "kind", "value", "unit", "period", "source"):
        if entry.get(key) in (None, ""):
            raise CollectError(f"{where}: {key} is required")

    def text(key: str) -> str:
        value = entry.get(key, "")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise CollectError(f"{where}: {key}: expected text")
        # A quote may run over lines; nothing else may hold a control or bidi character.
        char = bounds.unsafe_character(str(value).replace("\n", " ").replace("\t", " ")
                                       if key == "quote" else str(value))
        if char is not None:
            raise CollectError(f"{where}: {key}: contains the control character U+{ord(char):04X}")
        return str(value).strip()

    kind = text("kind")
    if kind not in KINDS:
        raise CollectError(f"{where}: kind: {_short(kind)} is neither observed nor forecast")
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CollectError(f"{where}: value: {_short(value)} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise CollectError(f"{where}: value: {value!r} is not a finite number")
    try:
        exact = Decimal(str(value))
    except InvalidOperation:
        raise CollectError(f"{where}: value: {_short(value)} is not a number") from None
    scale, unit = split_unit(text("unit"))
    period = _period(text("period"), where)
    link = text("source")
    if not check.is_url(link):
        raise CollectError(f"{where}: source: {_short(link)} is not an http(s) URL")
    published = entry.get("published", "")
    if published and not isinstance(published, date):
        raise CollectError(f"{where}: published: {_short(published)} is not a date like 2026-03-20")
    subject_zh = text("subject_zh") if "subject_zh" in entry else ""
    if "subject_zh" in entry and not _HAN.search(subject_zh):
        raise CollectError(f"{where}: subject_zh: {_short(entry['subject_zh'])} has no Chinese in it "
                           "(the subject as the Chinese edition writes it, e.g. 中国AI推理Token消耗量)")
    return Figure(
        source=source,
        subject=text("subject"),
        organisation=text("organisation"),
        kind=kind,
        value=exact * SCALES.get(scale, 1),
        unit=unit,
        period=period,
        link=link,
        quote=text("quote") if entry.get("quote") else "",
        scale=scale,
        published_at=published.isoformat() if published else "",
        fetched_at=fetched_at,
        subject_zh=subject_zh,
    )


def _short(value: Any) -> str:
    """A value as an error quotes it, cut short: a pasted page is not repeated whole."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _period(text: str, where: str) -> str:
    if _YEAR.fullmatch(text):
        return text
    try:
        return str(IsoWeek.parse(text))
    except ValueError:
        raise CollectError(f"{where}: period: {_short(text)} is neither a year (2030) "
                           f"nor an ISO week (2026-W11)") from None

"""The options of config.yaml's own sections: methodology, story, review and site.

The top level, whose values are built into sources, publishers and rules, is
declared with its readers in ``load``. Methodology belongs to the model, so its
options take their defaults from ``Methodology``; story and review are the
config's own, so their dataclasses take their defaults from here.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.model import Methodology


class ReviewMode(StrEnum):
    """When a bulletin waits for an editor."""

    AUTO = "auto"  # publishes whatever the checks say (their findings are still recorded)
    ON_ANOMALY = "on_anomaly"  # holds a bulletin any check fails
    ALWAYS = "always"  # holds every bulletin for an editor to approve



def is_country(code: str) -> bool:
    # Babel's territory names load only when a config names a country.
    from babel import Locale

    return len(code) == 2 and code.isupper() and code in Locale("en").territories


def _read_countries(countries: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                    base_dir: Path) -> dict[str, str | None]:
    """Entries given in the config are laid over the built-in map; null un-maps an author."""
    at = f"{where}.{countries.key}"
    section = check.mapping(raw.get(countries.key, {}), at, problems)
    if section is None:
        return {}
    result: dict[str, str | None] = {}
    for author, code in section.items():
        if code is not None and not (isinstance(code, str) and is_country(code)):
            problems.add(f"{at}.{author}", f"{code!r} is not an ISO 3166 country code (e.g. CN, US, FR)")
            continue
        result[str(author)] = code
    return result


def _read_lead_countries(lead: option.Option, raw: dict[str, Any], where: str,
                         problems: check.Problems, base_dir: Path) -> tuple[str, str] | None:
    at = f"{where}.{lead.key}"
    codes = check.string_list(raw, lead.key, where, problems, default=list(lead.default))
    if codes is None:
        return None
    if len(codes) != 2 or codes[0] == codes[1]:
        problems.add(at, "expected two different country codes, e.g. [CN, US]")
        return None
    wrong = [code for code in codes if not is_country(code)]
    for code in wrong:
        problems.add(at, f"{code!r} is not an ISO 3166 country code")
    return None if wrong else (codes[0], codes[1])


METHODOLOGY = option.schema(
    option.integer("top_n", Methodology.top_n, "how many leaderboard models count towards country "
                   "totals (a model's tiers and snapshots are one)"),
    option.strings("exclude_authors", tuple(sorted(Methodology.exclude_authors)),
                   "authors left out of country and author totals"),
    option.custom("countries", {}, "author → country code, laid over the built-in map; `null` un-maps",
                  "mapping", _read_countries, shown_default="`{}`"),
    option.custom("lead_countries", Methodology.lead_countries, "the two countries the lead story compares",
                  "two ISO 3166 country codes", _read_lead_countries),
    option.choice("free_variants", Methodology.free_variants,
                  "`separate`: `:free` variants rank on their own; `merge`: they count with their base model",
                  refusal="{value!r} is neither separate nor merge"),
    option.number("materiality", Methodology.materiality, "a change smaller than this share of a total is "
                  "flat: not told as a rise or fall, a run of growth or its end, or a record", below=1,
                  at_or_above="a share of a total, below 1 (0.01 is 1%); got {value}"),
)

STORY = option.schema(
    option.integer("max_events", 5, "paragraphs of news before the tables"),
    option.bounded_number("repeat_factor", 0.5, "the novelty an event told again unchanged keeps, per week",
                          lambda factor: 0 <= factor <= 1, "expected a number from 0 to 1, got {value!r}",
                          "number from 0 to 1"),
    option.integer("memory_weeks", 8, "how many earlier bulletins are remembered", minimum=0),
)

REVIEW = option.schema(
    option.choice("mode", ReviewMode.ON_ANOMALY, "`auto` publishes whatever the checks find (and "
                  "records it), `on_anomaly` holds a bulletin a check fails, `always` holds every bulletin",
                  any_value=True),
    # A chained comparison is False for NaN, so NaN and infinities are refused too.
    option.bounded_number("max_change_factor", 5.0, "a country or top-10 model growing or shrinking more "
                          "than this, week on week, is an anomaly", lambda factor: 1 < factor < 1e9,
                          "expected a number above 1, e.g. 5", "number above 1"),
    option.integer("stale_after_days", 8, "a source last read longer ago than this is an anomaly, and so "
                   "(for `bulletin run` without `--week`, with a live leaderboard source) is a newest "
                   "complete week that ended longer ago than this"),
)

SITE = option.schema(
    option.url("base_url", "where the bulletins are published; gives the page a canonical URL, Open Graph "
               "URLs and the email an absolute chart URL", shown_default="the `type: site` target's "
               "`base_url`"),
)

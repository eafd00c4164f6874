"""Sources: where statistics come from. Each type registers under a name.

A source is built from its config entry (validated, problems collected) and
``fetch(context)`` returns everything it read as one frozen ``Collected``. It
never writes to the store itself: the pipeline stores all sources' data in one
transaction, so a bad file leaves the history as it was. The context lets a
source read what the store already holds (to ask only for what is missing)
and share one HTTP client with the other sources, which run concurrently.

A file source (``live = False``) that fails stops the collection: its file is
the editor's to fix. A live source that fails is reported stale and its last
good data is used; the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from bulletin.config import validation as check
from bulletin.model import Collected, SourceCredit

if TYPE_CHECKING:
    import httpx

    from bulletin.store.database import Store

COMMON_KEYS = {"name", "type", "attribution", "attribution_zh", "licence"}


@dataclass(frozen=True)
class CollectContext:
    """What a source may use while it collects: read-only history and a shared client."""

    store: Store
    client: httpx.AsyncClient | None
    now: datetime
    start: date | None = None  # a period asked for explicitly (bulletin collect --from/--to)
    end: date | None = None


# A source without an attribution or a known publisher: its figures are the editors' own.
EDITORS = "figures entered by the editors"
EDITORS_ZH = "编辑录入的数据"

# Publishers known by the host of a source's url: (credit, its Chinese form).
PUBLISHERS = {
    "openrouter.ai": ("OpenRouter (openrouter.ai/rankings)", "OpenRouter排行榜（openrouter.ai/rankings）"),
}


def publisher_of(url: str) -> tuple[str, str] | None:
    """The credit of the publisher a url belongs to ("www." and subdomains too), if known."""
    host = (urlsplit(url).hostname or "").lower()
    return next((credit for known, credit in PUBLISHERS.items()
                 if host == known or host.endswith("." + known)), None)


@dataclass(frozen=True)
class Source:
    """Base of every source type: the settings all of them share."""

    type: ClassVar[str] = ""
    keys: ClassVar[set[str]] = set()  # keys this type accepts beyond the common ones
    live: ClassVar[bool] = False  # reads the network: a failure makes it stale, not fatal
    leaderboard: ClassVar[bool] = False  # yields the observations a bulletin is built on
    # How the Chinese edition credits this type when the config gives no attribution_zh
    # ('' : the attribution as given, which for an editor's own source is the editor's words).
    default_attribution_zh: ClassVar[str] = ""
    default_attribution: ClassVar[str] = ""  # '' : the publisher its url names, else the editors

    name: str
    attribution: str
    licence: str
    attribution_zh: str = ""  # the attribution in the Chinese edition

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> Source | None:
        raise NotImplementedError

    @classmethod
    def common(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> dict[str, str]:
        check.unknown_keys(raw, COMMON_KEYS | cls.keys, where, problems)
        name = check.string(raw, "name", where, problems, required=True) or ""
        return {
            "name": name,
            "attribution": check.string(raw, "attribution", where, problems,
                                        default=cls.default_attribution) or "",
            "licence": check.string(raw, "licence", where, problems, default="") or "",
            "attribution_zh": check.string(raw, "attribution_zh", where, problems,
                                           default=cls.default_attribution_zh) or "",
        }

    @property
    def url(self) -> str:
        return ""

    @property
    def credit(self) -> SourceCredit:
        """How an article credits it (STYLEBOOK 6): never by the name the config gives it.

        Its ``attribution``; else the publisher its ``url`` names; else its figures
        are the editors' own.
        """
        english, chinese = self.attribution, self.attribution_zh
        if not english:
            english, known_zh = publisher_of(self.url) or (EDITORS, EDITORS_ZH)
            chinese = chinese or known_zh
        return SourceCredit(self.name, self.url, english, self.licence, chinese or english)

    @property
    def credited_by_default(self) -> bool:
        """Neither an attribution nor a publisher known from its url: credited as the editors'."""
        return not self.attribution and publisher_of(self.url) is None

    def collect(self, context: CollectContext | None = None) -> Collected:
        raise NotImplementedError

    async def fetch(self, context: CollectContext) -> Collected:
        """Collect concurrently with the other sources; file sources just read."""
        return self.collect(context)

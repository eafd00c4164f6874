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

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.model import Collected, SourceCredit
from bulletin.records import record

if TYPE_CHECKING:
    import httpx

    from bulletin.store.database import Store



def common_options(attribution: str = "", attribution_zh: str = "") -> option.Schema:
    """The keys every source takes; ``attribution`` and ``attribution_zh``: this type's credit."""
    return option.schema(
        option.text("name", None, "the source's own name, unique among the sources (never printed in an "
                    "article)", required=True),
        option.text("type", None, "which kind of source: one of the types below", required=True),
        option.text("attribution", attribution, "how the article credits it, e.g. `OpenRouter "
                    "(openrouter.ai/rankings)`", shown_default="" if attribution else
                    "the publisher its `url` names, else \"figures entered by the editors\""),
        option.text("licence", "", "the licence of its figures, e.g. `CC BY 4.0`"),
        option.text("attribution_zh", attribution_zh, "the attribution in the Chinese edition",
                    shown_default="" if attribution_zh else "the attribution, or the known "
                    "publisher's Chinese credit"),
    )


@record
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


@record
class Source:
    """Base of every source type: the settings all of them share."""

    type: ClassVar[str] = ""
    options: ClassVar[option.Schema] = common_options()  # each type: common_options(...) + its own
    live: ClassVar[bool] = False  # reads the network: a failure makes it stale, not fatal
    leaderboard: ClassVar[bool] = False  # yields the observations a bulletin is built on
    name: str
    attribution: str
    licence: str
    attribution_zh: str = ""  # the attribution in the Chinese edition

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> Source | None:
        raise NotImplementedError

    @classmethod
    def read_options(cls, raw: dict[str, Any], where: str, base_dir: Path,
                 problems: check.Problems) -> option.Values:
        """Every option of this type read from its entry, unknown keys refused."""
        return cls.options.read(raw, where, problems, base_dir)

    @staticmethod
    def common_fields(values: option.Values) -> dict[str, str]:
        """The fields every source has, from what ``read_options`` read."""
        return {key: values[key] or "" for key in ("name", "attribution", "licence", "attribution_zh")}

    @classmethod
    def common(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> dict[str, str]:
        """The common fields, for a type that reads its own keys and lists them in ``keys`` (as
        third-party types written before ``options`` do)."""
        values = cls.options.read(raw, where, problems, also=set(getattr(cls, "keys", ())))
        return cls.common_fields(values)

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

"""``type: openrouter-models`` — display names and creation dates from the model catalogue.

``GET {base_url}/api/v1/models`` lists ``{"id", "canonical_slug", "name",
"created"}``; the rankings use the canonical slug (the permaslug), so both it
and the id get the name. The names are kept in the store, so a run whose
catalogue request fails still says "MiniMax M2.5", not a permaslug: a failed
or empty answer is stale and changes none of them, and a good one only adds
and renames (a model it no longer lists keeps its last name).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from bulletin.collect.bounded import MAX_RESPONSE_BYTES
from bulletin.collect.bounds import SLUG, name_problem
from bulletin.collect.http import Policy, get, json_body, status_error
from bulletin.collect.source import CollectContext, Source, common_options
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import CollectError
from bulletin.model import Collected, ModelName
from bulletin.records import record

PATH = "/api/v1/models"


OPTIONS = option.schema(
    option.url("base_url", "where the API is", default="https://openrouter.ai"),
    option.text("api_key_env", "OPENROUTER_API_KEY", "the environment variable holding a key, sent "
                "where there is one (the catalogue is public)"),
    option.number("timeout", 30.0, "seconds for one request, its whole answer included"),
    option.number("retry_within", 60.0, "seconds for all attempts at one request"),
    MAX_RESPONSE_BYTES,
)


@record
class OpenRouterModels(Source):
    type: ClassVar[str] = "openrouter-models"
    options: ClassVar[option.Schema] = common_options(
        "OpenRouter model catalogue", "OpenRouter模型目录") + OPTIONS
    live: ClassVar[bool] = True

    base_url: str = OPTIONS.default("base_url")
    api_key_env: str = OPTIONS.default("api_key_env")
    timeout: float = OPTIONS.default("timeout")
    retry_within: float = OPTIONS.default("retry_within")
    max_response_bytes: int = OPTIONS.default("max_response_bytes")

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> OpenRouterModels | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if not values.ok:
            return None
        return cls(base_url=values["base_url"].rstrip("/"), api_key_env=values["api_key_env"],
                   timeout=values["timeout"], retry_within=values["retry_within"],
                   max_response_bytes=values["max_response_bytes"], **cls.common_fields(values))

    @property
    def url(self) -> str:
        return self.base_url + PATH

    async def fetch(self, context: CollectContext) -> Collected:
        assert context.client is not None
        # The catalogue is public; a key, where there is one, is sent all the same.
        key = os.environ.get(self.api_key_env, "").strip()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = await get(context.client, self.url, Policy(self.timeout, self.retry_within,
                                                       max_bytes=self.max_response_bytes),
                             headers)
        if response.status_code != 200:
            raise status_error(response, self.url)
        names = parse_models(json_body(response, self.url), self.url, self.name)
        return Collected(self.name, names=tuple(names), figures_replace=False)


LAST_MOMENT = 4_102_444_800  # 2100-01-01


def parse_models(body: Any, shown: str, source: str) -> list[ModelName]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise CollectError(f"{shown}: the JSON has no 'data' list of models")
    if not body["data"]:
        # A catalogue of nothing is a catalogue having trouble, not news that every model left.
        raise CollectError(f"{shown}: the catalogue lists no models")
    names: dict[str, ModelName] = {}
    for index, entry in enumerate(body["data"]):
        if not isinstance(entry, dict):
            raise CollectError(f"{shown}: data[{index}]: expected an object with id and name")
        name = entry.get("name")
        slugs = [s for s in (entry.get("id"), entry.get("canonical_slug")) if isinstance(s, str) and s]
        if not slugs or not isinstance(name, str) or not name.strip():
            raise CollectError(f"{shown}: data[{index}]: needs an id and a name")
        bad_slug = next((slug for slug in slugs if not SLUG.fullmatch(slug)), None)
        if bad_slug is not None:
            raise CollectError(f"{shown}: data[{index}]: {bad_slug[:60]!r} is not a model id")
        problem = name_problem(name)
        if problem:
            raise CollectError(f"{shown}: data[{index}]: the name {name[:60]!r} {problem}")
        created = entry.get("created")
        day = ""
        # A moment from 1970 to 2100; anything else (NaN, 1e300) says nothing of when.
        if isinstance(created, (int, float)) and not isinstance(created, bool) \
                and 0 <= created < LAST_MOMENT:
            day = datetime.fromtimestamp(created, UTC).date().isoformat()
        for slug in slugs:
            names[slug] = ModelName(slug, name.strip(), source, day)
    return list(names.values())

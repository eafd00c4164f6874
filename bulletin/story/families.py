"""Model identity: which leaderboard rows are one model, and what to call it.

The Data API lists a model's variants as rows of their own: the ``:free``
tier (``tencent/hy3-preview-20260421:free``) and dated snapshots
(``deepseek/deepseek-v4-flash-20260423``, later ``-20260731``). A family is
the permaslug without either; stories about a model are told of its family,
so a paid tier taking over from the free one is not a new leader.

The models catalogue lists current models only, so retired ids and old
snapshots have no display name there. Those get a name made from the id the
way OpenRouter names models (the maker's brand and the model, capitalised,
"(free)" for the free tier), never the raw id; whether a name was made is
kept, because an editor should check a made name before it leads a story.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache

from bulletin.model import ModelName, author_of
from bulletin.records import record

FREE = ":free"
# A snapshot's date as OpenRouter's permaslugs end: -20260423 or -2025-04-14.
_SNAPSHOT = re.compile(r"-(\d{4})-?(\d{2})-?(\d{2})$")

# The brand OpenRouter writes for an author, and the words of its product
# lines that already name the maker (no brand in front: "DeepSeek V4 Flash").
_BRANDS: Mapping[str, str] = {
    "anthropic": "Anthropic", "arcee-ai": "Arcee", "baai": "BAAI", "bytedance-seed": "ByteDance",
    "cohere": "Cohere", "deepseek": "DeepSeek", "google": "Google", "inclusionai": "inclusionAI",
    "meta": "Meta", "meta-llama": "Meta", "minimax": "MiniMax", "mistralai": "Mistral",
    "moonshotai": "MoonshotAI", "nex-agi": "Nex AGI", "nvidia": "NVIDIA", "openai": "OpenAI",
    "perplexity": "Perplexity", "poolside": "Poolside", "qwen": "Qwen", "stepfun": "StepFun",
    "tencent": "Tencent", "upstage": "Upstage", "x-ai": "xAI", "xiaomi": "Xiaomi", "z-ai": "Z.ai",
}
# Stealth models go by their code name alone: their maker is undisclosed.
_NO_BRAND = frozenset({"openrouter", "stealth"})
_WORDS: Mapping[str, str] = {
    "deepseek": "DeepSeek", "minimax": "MiniMax", "mimo": "MiMo", "glm": "GLM", "gpt": "GPT",
    "oss": "OSS", "bge": "BGE", "pplx": "PPLX", "vl": "VL", "hy3": "Hy3",
}
_PRODUCT_LINES = frozenset({
    "claude", "deepseek", "gemini", "gemma", "gpt", "grok", "kimi", "minimax", "qwen", "glm",
    "mimo", "llama", "mistral", "nemotron", "step", "seed", "nex",
})
_SIZE = re.compile(r"^[a-z]?\d+(\.\d+)?[bBtTmM]$")  # 550b, a55b, 1t, 0.6B
_VERSIONED = re.compile(r"^[a-z]\d")  # v4, k2.6, m2.7: a letter and a version


@record
class Variant:
    family: str  # the permaslug without ":free" and without a snapshot's date
    free: bool
    snapshot: date | None


@cache  # a backtest asks for the same few hundred ids in every one of its weeks
def variant(model: str) -> Variant:
    base = model.removesuffix(FREE)
    found = _SNAPSHOT.search(base)
    snapshot = None
    if found:
        try:
            snapshot = date(*map(int, found.groups()))
        except ValueError:  # digits that are no date: part of the model's name
            found = None
    family = base[:found.start()] if found else base
    return Variant(family, model.endswith(FREE), snapshot)


def family_of(model: str) -> str:
    return variant(model).family


# The catalogue writes some names after the maker ("Anthropic: Claude Opus 4.5");
# in a sentence the maker is said by the sentence, not the name.
_MAKER = re.compile(r"^[^:]{1,40}: (?=\S)")


# OpenRouter's routing shortcuts (":exacto", ":nitro", ":floor") pick providers, not a
# model; a source that writes one into the name of a row without it ("gpt-oss-120b
# (exacto)" for openai/gpt-oss-120b) gives readers a word that says nothing to them.
_ROUTING = re.compile(r" \((?:exacto|nitro|floor)\)$")


def _readable(name: str, model: str) -> str:
    name = without_date_code(house_case(_MAKER.sub("", name)))
    return name if ":" in model.rpartition("/")[2] else _ROUTING.sub("", name)


def catalogue_name(model: str, names: Mapping[str, ModelName]) -> str | None:
    """The catalogue's name for a row, looking through its variants (None: none listed)."""
    found = names.get(model)
    if found is not None:
        return _readable(found.name, model)
    known = variant(model)
    for other in (model.removesuffix(FREE), known.family):
        if other in names:
            name = _readable(names[other].name, model)
            return f"{name} (free)" if known.free and "(free)" not in name else name
    return None


# A snapshot's month and day at the end of a name ("Kimi K2.5 0127"): no part of a name a
# reader sees (STYLEBOOK 4); two snapshots listed together get their dates back (stats.py).
_DATE_CODE = re.compile(r"\s(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")


def without_date_code(name: str) -> str:
    return _DATE_CODE.sub("", name)


def house_case(name: str) -> str:
    """A maker's own casing of its name's first word: the weekly copies write "Minimax M2.5"
    and "Deepseek V3.2" where OpenRouter's catalogue (and the press) write MiniMax, DeepSeek."""
    first, _, rest = name.partition(" ")
    proper = _WORDS.get(first.lower())
    return f"{proper} {rest}" if proper and rest and first != proper else name


def display_name(model: str, names: Mapping[str, ModelName],
                 decided: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """How the article names a row, and whether the name had to be made from the id.

    ``decided`` holds the names editors confirmed or corrected, by model id: such a name is
    the model's wherever it is named, ahead of the catalogue's, and is never a made-up one.
    """
    if decided and model in decided:
        return decided[model], False
    found = catalogue_name(model, names)
    if found is None:
        return made_name(model), True
    # A free tier is named as one wherever its source's name leaves that out ("xAI: Grok 4.1
    # Fast" for x-ai/grok-4.1-fast:free): a reader must not take it for the paid model.
    if variant(model).free and "free" not in found.lower():
        found = f"{found} (free)"
    return found, False


@cache
def made_name(model: str) -> str:
    """A name made from the permaslug the way OpenRouter names models."""
    known = variant(model)
    author = author_of(model)
    words = known.family.split("/", 1)[-1].split("-")
    words = [_word(word) for word in words if word]
    if words and words[0] == "Claude" and len(words) >= 3 and words[1][:1].isdigit():
        words = [words[0], *words[2:], words[1]]  # claude-4.7-opus is Claude Opus 4.7
    if words and words[0] == "GPT" and len(words) > 1:
        words = [f"GPT-{words[1]}", *words[2:]]  # gpt-5.4-mini is GPT-5.4 Mini
    first = words[0].lower() if words else ""
    brand = _BRANDS.get(author)
    if (brand and author not in _NO_BRAND and not any(first.startswith(p) for p in _PRODUCT_LINES)
            and first != brand.lower()):
        words = [brand, *words]
    name = " ".join(words) or model
    return f"{name} (free)" if known.free else name


def _word(word: str) -> str:
    lower = word.lower()
    if lower in _WORDS:
        return _WORDS[lower]
    if _SIZE.match(word):
        return word.upper()
    if _VERSIONED.match(lower) or lower[:1].isdigit():
        return lower[:1].upper() + lower[1:]
    match = re.match(r"^([a-z]+)(\d.*)$", lower)  # qwen3.7 is Qwen3.7
    if match and match.group(1) in _WORDS:
        return _WORDS[match.group(1)] + match.group(2)
    return lower[:1].upper() + lower[1:]


_ROW_SUFFIX = re.compile(r"( \(free\)| \(\d{4}-\d{2}-\d{2}\))+$")


def family_name(row_name: str) -> str:
    """A row's display name without its variant's mark: the model's name."""
    return _ROW_SUFFIX.sub("", row_name)


def line_of(name: str) -> str:
    """A model's line: its name without version numbers, dates and stage ("Claude Opus 4.8",
    "Claude Opus 4.7" are "claude opus"), so that a maker's successor is told as one."""
    words = [word for word in family_name(name).lower().split()
             if not any(c.isdigit() for c in word) and word not in STAGES]
    return " ".join(words)


STAGES = {"preview", "beta", "alpha", "exp", "experimental", "(free)"}

"""Where each model author is headquartered, as an ISO 3166 country code.

The map follows the developer's headquarters, as the press does when it
compares countries. ``None`` marks an author whose origin is undisclosed on
purpose (OpenRouter's stealth models): known, but never attributed.
"""

from __future__ import annotations

DEFAULT_COUNTRIES: dict[str, str | None] = {
    # United States
    "anthropic": "US",
    "arcee-ai": "US",
    "google": "US",
    "meta": "US",
    "meta-llama": "US",
    "nvidia": "US",
    "openai": "US",
    "perplexity": "US",
    "poolside": "US",
    "x-ai": "US",
    # China
    "baai": "CN",
    "bytedance-seed": "CN",
    "deepseek": "CN",
    "inclusionai": "CN",
    "minimax": "CN",
    "moonshotai": "CN",
    "nex-agi": "CN",
    "qwen": "CN",
    "stepfun": "CN",
    "tencent": "CN",
    "xiaomi": "CN",
    "z-ai": "CN",
    # Elsewhere
    "cohere": "CA",
    "mistralai": "FR",
    "upstage": "KR",
    # Cloaked models served for labs that are not named.
    "openrouter": None,
    "stealth": None,
}

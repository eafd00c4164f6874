"""Defaults that more than one part of bulletin needs, declared once.

Each setting's own default lives with its dataclass (``StoryConfig``,
``Review``, ``Methodology``); these are the ones without a single home.
"""

from __future__ import annotations

from typing import Any

TITLE = "Token Bulletin"  # the publication's name, on pages, feeds and emails
# What it is and how often it comes, under its name on every page and email.
DESCRIPTION = "Every Monday: who leads AI token use on OpenRouter, China or the US, and why."
DESCRIPTION_ZH = "每周一出版：OpenRouter上的AI Token用量，中国和美国谁在领先，原因何在。"
DATABASE = "bulletin.db"  # the history's file in OUTPUT when the config names no `database`

# The rules a week is checked with when the config has no ``rules:`` list, in
# a fixed order so that ties sort the same way on every run.
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {"kind": "streak"},  # which lead country is ahead, for how long
    {"kind": "lead_change"},
    {"kind": "sweep"},
    {"kind": "growth"},  # the lead countries, week on week
    {"kind": "new_entrant"},
    {"kind": "variant_change"},  # a free tier ending, a snapshot replaced
    {"kind": "withdrawal"},  # a stealth model leaving the listing
    {"kind": "successor"},  # a maker's new model arriving as its older ones lose use
    {"kind": "forecast"},
    {"kind": "record", "subject": "total"},
    {"kind": "record", "subject": "country"},
    {"kind": "milestone", "subject": "total"},
    {"kind": "milestone", "subject": "country"},
    {"kind": "share"},
    {"kind": "rank_change"},
    {"kind": "lead_change", "subject": "model"},
    {"kind": "lead_change", "subject": "author"},
    {"kind": "streak", "subject": "author", "min_weeks": 4},
    {"kind": "streak", "subject": "model", "min_weeks": 2, "weight": 0.6},  # a model's run at No. 1
    {"kind": "streak", "measure": "growth", "subject": "total", "min_weeks": 3},
    {"kind": "growth", "subject": "total", "span": 4, "threshold": 0.2, "weight": 0.5},
    {"kind": "growth", "subject": "author", "threshold": 0.5, "weight": 0.5},
)

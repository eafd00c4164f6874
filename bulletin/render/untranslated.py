"""What the Chinese article cannot tell for want of words: a reason for the review gate."""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Story
from bulletin.model.facts import ForecastFacts
from bulletin.render.numbers_zh import subject_name


def figures(story: Story, locales: Iterable[str]) -> list[str]:
    """A figure the English article tells and the Chinese one leaves out, for want of a Chinese subject."""
    if "zh" not in locales:
        return []
    found = []
    for event in story.events:
        facts = event.facts
        if not isinstance(facts, ForecastFacts):
            continue
        subject, organisation = facts.subject, facts.organisation
        if not subject_name(subject, facts.subject_zh):
            found.append(f"{organisation}'s figure {subject!r}: left out of the Chinese article, "
                         "which has no Chinese subject for it; give it a subject_zh in the figures file")
    return list(dict.fromkeys(found))  # a figure behind two events is one thing to fix

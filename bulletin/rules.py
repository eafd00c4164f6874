"""Where third-party rules found the base class before the stage packages; kept for them."""

from bulletin.story.rules import (
    HistoryIndex,
    Param,
    Rule,
    RuleContext,
    evidence,
    model_facts,
    subject_models,
    subject_name,
)

__all__ = ["HistoryIndex", "Param", "Rule", "RuleContext", "evidence", "model_facts",
           "subject_models", "subject_name"]

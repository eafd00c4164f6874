"""Where third-party rules found the base class before the stage packages; kept for them.

A rule that makes a kind of event of its own declares its facts as a frozen
dataclass extending ``Facts`` and registers them: ``register("my_kind", MyFacts)``.
"""

from bulletin.model.facts import Facts, register
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

__all__ = ["Facts", "HistoryIndex", "Param", "Rule", "RuleContext", "evidence", "model_facts",
           "register", "subject_models", "subject_name"]

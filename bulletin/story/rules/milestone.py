"""The first week a subject's volume passed a round level (1, 2, 5, 10 ... trillion).

Only a crossing the store can show counts: the subject must have an earlier
complete week below the level, so the first week on record is never a
"first".
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.model.facts import EventKind, MilestoneFacts, SubjectType
from bulletin.story.novelty import NEWS
from bulletin.story.rules import (
    SUBJECT_TYPES,
    Param,
    Rule,
    RuleContext,
    comparable_before,
    evidence,
    subject_models,
    subject_name,
    volumes,
)
from bulletin.story.rules.record import basis_changed, leading_subjects, listed_reached

# 1, 2 and 5 times each power of ten from a billion to a quintillion tokens.
ROUND_LEVELS = tuple(m * 10**e for e in range(9, 19) for m in (1, 2, 5))


class Milestone(Rule):
    name = "milestone"
    novelty = {"milestone": NEWS}
    params = {
        "subject": Param("total", "choice", choices=SUBJECT_TYPES,
                   help="whose volume: every country, the largest authors or models, or the total"),
        "levels": Param(None, "numbers", minimum=1,
                   help="the numbers of tokens whose first crossing is news",
                   shown_default="1, 2, 5 × 10ⁿ tokens"),
        "top": Param(10, "int", minimum=1,
                   help="authors and models: how many of the largest to follow"),
    }
    subject: str
    levels: list[float] | None
    top: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        if not stats.complete:
            return
        levels = sorted(self.levels) if self.levels else ROUND_LEVELS
        now = volumes(stats, self.subject)
        for subject in leading_subjects(stats, self.subject, self.top):
            prior = comparable_before(context, self.subject, subject)
            if not prior or basis_changed(context, self.subject, subject):
                continue  # a level passed by what is counted, not by use (STYLEBOOK 2)
            week, best = max(reversed(prior), key=lambda point: point[1])
            tokens = now[subject]
            passed = [level for level in levels if best < level <= tokens]
            if not passed:
                continue
            level = passed[-1]
            if listed_reached(context, self.subject, subject, [w for w, _ in prior], level):
                continue  # the counted list crossed it, not use: all its models were there already
            facts = MilestoneFacts(
                subject_type=SubjectType(self.subject),
                subject=subject,
                name=subject_name(stats, self.subject, subject),
                level=int(level),
                tokens=tokens,
                previous_best=best,
                previous_best_week=str(week),
                first_week_on_record=str(context.index.weeks()[0]),
                records_since=context.index.weeks()[0].monday.isoformat(),
                week_ending=stats.week.sunday.isoformat(),
            )
            score = 45.0 - 10 * (self.subject in ("author", "model"))
            yield Event(EventKind.MILESTONE, (self.subject, subject, str(int(level))), facts, score,
                        evidence(stats, subject_models(stats, self.subject, subject)),
                        topic=f"high|{self.subject}|{subject}")

"""Property-based checks of streaks, records and growth on random series."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.config.countries import DEFAULT_COUNTRIES
from bulletin.model import Methodology, Observation
from bulletin.story.rules import RuleContext
from bulletin.story.rules.growth import Growth
from bulletin.story.rules.record import Record
from bulletin.story.rules.streak import Streak
from bulletin.story.stats import weekly_stats
from bulletin.weeks import IsoWeek

METHOD = Methodology(countries=DEFAULT_COUNTRIES)
FIRST = IsoWeek(2025, 2)
volume = st.integers(min_value=0, max_value=10**6)


def history(weeks: list[tuple[int, int, bool]]):  # type: ignore[no-untyped-def]
    """Weeks of a Chinese and an American model; a partial week has three days of data."""
    observations = []
    week = FIRST
    for cn, us, complete in weeks:
        if complete:
            observations += [Observation("s", str(week), "deepseek/a", cn),
                             Observation("s", str(week), "openai/b", us)]
        else:
            for day in week.days()[:3]:
                observations += [Observation("s", day.isoformat(), "deepseek/a", cn),
                                 Observation("s", day.isoformat(), "openai/b", us)]
        week = week.next()
    return weekly_stats(observations, {}, METHOD)


def run(rule, found, week):  # type: ignore[no-untyped-def]
    return list(rule.detect(RuleContext(found[week], found, (), METHOD)))


def expected_streak(pairs: list[tuple[int, int]]) -> tuple[str, int] | None:
    """The reference: the longest suffix of weeks where the last week's leader was ahead."""
    def ahead(cn: int, us: int) -> str | None:
        return None if cn == us else ("CN" if cn > us else "US")

    leader = ahead(*pairs[-1])
    if leader is None:
        return None
    length = 0
    for pair in reversed(pairs):
        if ahead(*pair) != leader:
            break
        length += 1
    return leader, length


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(volume, volume), min_size=1, max_size=12))
def test_streak_length_is_the_longest_suffix_the_leader_was_ahead(pairs) -> None:
    found = history([(cn, us, True) for cn, us in pairs])
    events = run(Streak(), found, max(found))
    expected = expected_streak(pairs)
    if expected is None:
        assert events == []
        return
    [event] = events
    assert (event.facts.leader, event.facts.weeks) == expected
    assert event.facts.open_ended == (expected[1] == len(pairs))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(volume, volume), min_size=1, max_size=10),
       st.lists(st.tuples(st.integers(0, 9), volume, volume), max_size=4))
def test_partial_weeks_never_create_or_break_a_streak(pairs, partials) -> None:
    weeks = [(cn, us, True) for cn, us in pairs]
    for position, cn, us in sorted(partials, reverse=True):
        weeks.insert(min(position, len(pairs) - 1), (cn, us, False))  # never after the last
    found = history(weeks)
    last = max(found)
    assert found[last].complete
    events = run(Streak(), found, last)
    expected = expected_streak(pairs)
    assert [(e.facts.leader, e.facts.weeks) for e in events] == ([expected] if expected else [])
    for week, stats in found.items():
        if not stats.complete:
            assert run(Streak(), found, week) == []  # a partial week makes no streak of its own


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(volume, volume), min_size=2, max_size=14))
def test_a_record_is_never_below_an_earlier_week(pairs) -> None:
    found = history([(cn, us, True) for cn, us in pairs])
    rule = Record(subject="total", min_history=1)
    for index, week in enumerate(sorted(found)):
        totals = [cn + us for cn, us in pairs[: index + 1]]
        events = run(rule, found, week)
        # And the other way: a week above every earlier one by the threshold is a record.
        best = max(totals[:-1], default=None)
        beaten = best is not None and totals[-1] > best and totals[-1] - best >= best * METHOD.materiality
        assert len(events) == beaten, (totals, events)
        for event in events:
            assert event.facts.tokens == totals[-1]
            assert all(event.facts.tokens > earlier for earlier in totals[:-1])
            assert event.facts.previous_record == max(totals[:-1])
            # A new high by less than the materiality threshold is noise, not a record.
            assert event.facts.tokens - max(totals[:-1]) >= max(totals[:-1]) * METHOD.materiality


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(volume, volume), min_size=2, max_size=10),
       st.floats(min_value=0, max_value=2))
def test_growth_is_reported_exactly_when_the_change_passes_the_threshold(pairs, threshold) -> None:
    found = history([(cn, us, True) for cn, us in pairs])
    events = run(Growth(subject="total", threshold=threshold), found, max(found))
    before, now = sum(pairs[-2]), sum(pairs[-1])
    if before == 0:
        assert events == []
        return
    change = now / before - 1
    # Below the materiality threshold a change is flat, whatever the rule's own threshold.
    assert len(events) == (abs(change) >= max(threshold, METHOD.materiality))
    for event in events:
        assert event.facts.change == change and event.facts.previous_tokens == before

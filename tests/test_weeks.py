from datetime import date

import pytest

from bulletin.weeks import IsoWeek


def test_parse_and_days() -> None:
    week = IsoWeek.parse("2026-W11")
    assert (week.monday, week.sunday) == (date(2026, 3, 9), date(2026, 3, 15))
    assert str(week.previous()) == "2026-W10"
    assert str(IsoWeek.parse("2026-W01").previous()) == "2025-W52"
    assert str(IsoWeek.parse("2020-W53").next()) == "2021-W01"
    assert IsoWeek.of(date(2026, 2, 15)) == IsoWeek(2026, 7)


@pytest.mark.parametrize("text, message", [
    ("2026-11", "'2026-11' is not an ISO week like 2026-W11"),
    ("2026W11", "'2026W11' is not an ISO week like 2026-W11"),
    ("2025-W53", "'2025-W53' is not an ISO week: 2025 has no week 53"),
    ("2026-W00", "'2026-W00' is not an ISO week: 2026 has no week 0"),
])
def test_bad_weeks_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        IsoWeek.parse(text)
    assert str(error.value) == message

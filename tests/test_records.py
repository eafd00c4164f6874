"""``@record`` classes behave as ``@dataclass(frozen=True)`` ones do, with shared methods."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, replace

import pytest

from bulletin.records import record


@record
class Made:
    name: str
    tokens: int = 0
    note: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Generated:
    name: str
    tokens: int = 0
    note: str = field(default="", compare=False, repr=False)


@record(kw_only=True)
class Keyed(Made):
    rank: int


@record
class OwnEquality:
    name: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnEquality) and other.name.lower() == self.name.lower()

    def __hash__(self) -> int:
        return hash(self.name.lower())


def test_a_record_compares_hashes_and_shows_itself_as_a_frozen_dataclass_does() -> None:
    made, generated = Made("MiMo", 5, "x"), Generated("MiMo", 5, "x")
    assert made == Made("MiMo", 5, "other note") and made != Made("MiMo", 6)
    assert hash(made) == hash(Made("MiMo", 5)) == hash(("MiMo", 5)) == hash(generated)
    assert repr(made) == repr(generated).replace("Generated", "Made") == "Made(name='MiMo', tokens=5)"
    assert made != generated and (made == ("MiMo", 5)) is False  # another class is never equal
    assert replace(made, tokens=6) == Made("MiMo", 6)
    with pytest.raises(FrozenInstanceError):
        made.tokens = 1  # type: ignore[misc]


def test_a_subclass_compares_its_own_fields_and_a_class_keeps_the_methods_it_writes() -> None:
    keyed = Keyed("MiMo", 5, rank=1)
    assert keyed == Keyed("MiMo", 5, rank=1) and keyed != Keyed("MiMo", 5, rank=2)
    assert keyed != Made("MiMo", 5)
    assert repr(keyed) == "Keyed(name='MiMo', tokens=5, rank=1)"
    with pytest.raises(TypeError):
        Keyed("MiMo", 5, 1)  # type: ignore[call-arg, arg-type]
    assert OwnEquality("Hy3") == OwnEquality("HY3") and len({OwnEquality("a"), OwnEquality("A")}) == 1

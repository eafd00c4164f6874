"""``@record``: a frozen dataclass whose equality, hash and repr are shared, not generated.

Below every stage, as weeks.py and clock.py are: any of them may define records.

Python 3.11 compiles six methods for each frozen dataclass, one ``exec`` each.
Three of them (``__eq__``, ``__hash__``, ``__repr__``) do the same thing in every
class, so a record takes them from here instead: for the hundred-odd records a
run defines, that is about a tenth of its start-up (benchmarks/bench_run.py).
They behave as the generated ones do: equal when of the same class with equal
compared fields, hashed on those fields, shown with the fields ``repr`` allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[T] | None = None, /, *, kw_only: bool = False) -> Any:
    """``@record`` or ``@record(kw_only=True)`` over a class, as ``@dataclass(frozen=True)``."""

    def make(cls: type[T]) -> type[T]:
        made: Any = dataclass(frozen=True, kw_only=kw_only, eq=False, repr=False)(cls)
        made.__record_compared__ = tuple(f.name for f in fields(made) if f.compare)
        made.__record_shown__ = tuple(f.name for f in fields(made) if f.repr)
        own = vars(cls)
        for name, method in (("__eq__", _eq), ("__hash__", _hash), ("__repr__", _repr)):
            if name not in own:  # a method the class writes itself stays its own
                setattr(made, name, method)
        return made

    return make if cls is None else make(cls)


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in self.__record_compared__)


def _eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(_compared(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_shown__)
    return f"{type(self).__qualname__}({shown})"

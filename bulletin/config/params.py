"""A rule's parameters: declared as ``params = {key: Param(...)}``, read as options.

Third-party rules declare theirs the same way (``from bulletin.rules import
Param``), so the form stays; ``rule_schema`` makes them options, worded as a
rule's problems always were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bulletin.config import validation as check
from bulletin.config.options import Option, Schema
from bulletin.records import record


@record
class Param:
    """A rule's parameter: its default, what values it accepts, and its help in the reference.

    Rules declare theirs as ``params = {key: Param(...)}`` (third-party rules too);
    ``rule_schema`` makes them options, worded as a rule's problems always were.
    """

    default: Any
    type: str = "int"  # int, number, bool, choice, numbers
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    shown_default: str = ""  # the reference's default where it is not a plain value

    def check(self, value: Any) -> tuple[Any, str | None]:
        """The value as the rule uses it, or a problem saying what is wrong."""
        if self.type == "bool":
            return (value, None) if isinstance(value, bool) else (None, "expected true or false")
        if self.type == "choice":
            if value in self.choices:
                return value, None
            return None, f"expected one of {', '.join(self.choices)}, got {value!r}"
        if self.type == "numbers":
            if not isinstance(value, list) or not value:
                return None, "expected a list of numbers"
            checked = [self._number(item, float) for item in value]
            problem = next((p for _, p in checked if p), None)
            return (None, problem) if problem else ([v for v, _ in checked], None)
        return self._number(value, int if self.type == "int" else float)

    def _number(self, value: Any, kind: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind is int and not isinstance(value, int)):
            return None, f"expected {'a whole number' if kind is int else 'a number'}, got {value!r}"
        if self.minimum is not None and value < self.minimum:
            return None, f"must be at least {_plain(self.minimum)}, got {value}"
        if self.maximum is not None and value > self.maximum:
            return None, f"must be at most {_plain(self.maximum)}, got {value}"
        return kind(value), None

    def described(self) -> str:
        """What the reference says it takes."""
        if self.type == "choice":
            return "one of: " + ", ".join(f"`{c}`" for c in self.choices)
        kind = {"int": "whole number", "number": "number", "bool": "true or false",
                "numbers": "list of numbers"}.get(self.type, self.type)
        if self.minimum is not None and self.maximum is not None:
            return f"{kind}, {_plain(self.minimum)} to {_plain(self.maximum)}"
        if self.minimum is not None:
            return f"{kind}, at least {_plain(self.minimum)}"
        return kind

    def option(self, key: str) -> Option:
        def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
                 base_dir: Path) -> Any:
            if key not in raw:
                return self.default
            value, problem = self.check(raw[key])
            if problem:
                problems.append(f"{where}.{key}: {problem}")
            return value
        return Option(key, self.default, self.help, self.described(), read,
                      shown_default=self.shown_default)


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def rule_schema(kind: str, params: dict[str, Param]) -> Schema:
    """The options of a rule kind, refusing an unknown parameter in a rule's words."""
    def unknown(where: str, key: str, allowed: list[str]) -> str:
        return (f"{where}.{key}: unknown parameter of a {kind} rule "
                f"(expected one of: {', '.join(allowed)})")
    return Schema(tuple(param.option(key) for key, param in params.items()), unknown, as_given=True)

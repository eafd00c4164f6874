"""Each setting of config.yaml declared once: its key, type, default, help and check.

An ``Option`` is what the configuration reference shows (key, type, default,
one line of help) and what reads the setting from the parsed YAML; a
``Schema`` is the ordered options of one section, source, publisher or rule
kind. Reading goes through ``validation`` underneath, so every problem is
worded as before and all of them are reported at once.

A value that fails its check reads as None (the problem is noted); a key
that is absent reads as the option's default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from bulletin.config import validation as check
from bulletin.records import record

# Reads one option from a section: (the option, the section, where it is, the problems, base folder).
Reader = Callable[["Option", dict[str, Any], str, check.Problems, Path], Any]


@record
class Option:
    key: str
    default: Any
    help: str
    type: str  # how the reference names what it takes: "whole number", "URL", ...
    reader: Reader = field(repr=False, compare=False)
    required: bool = False
    shown_default: str = ""  # the reference's default where it is not a plain value
    nested: Schema | None = None  # a section's own options (email's smtp), for the reference

    def read(self, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path = Path()) -> Any:
        return self.reader(self, raw, where, problems, base_dir)

    def shown(self) -> str:
        """The default as the reference writes it."""
        if self.shown_default:
            return self.shown_default
        if self.required:
            return "required"
        return _shown(self.default)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, (list, tuple, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return "`[" + ", ".join(str(item) for item in items) + "]`"
    if isinstance(value, float) and value == int(value):
        return f"`{int(value)}`"
    return f"`{value}`"


class Values(dict[str, Any]):
    """What a schema read: each key's value (None where its check failed), and whether all passed."""

    ok: bool = True


@record
class Schema:
    """The options of one section, in the order they are read and shown."""

    options: tuple[Option, ...]
    # How an unknown key is refused; None: validation.unknown_keys' words.
    unknown: Callable[[str, str, list[str]], str] | None = field(default=None, compare=False)
    # Problems in the order the keys are given (a rule's, as they always were), not unknown keys
    # first and then the options in the order declared.
    as_given: bool = False

    def __iter__(self) -> Iterator[Option]:
        return iter(self.options)

    def __add__(self, other: Schema) -> Schema:
        return replace(self, options=self.options + other.options)

    def __getitem__(self, key: str) -> Option:
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return any(option.key == key for option in self.options)

    def keys(self) -> set[str]:
        return {option.key for option in self.options}

    def default(self, key: str) -> Any:
        return self[key].default

    def without(self, *keys: str) -> Schema:
        return replace(self, options=tuple(o for o in self.options if o.key not in keys))

    def refuse_unknown(self, raw: dict[str, Any], where: str, problems: check.Problems,
                       allowed: set[str]) -> None:
        if self.unknown is None:
            check.unknown_keys(raw, allowed, where, problems)
            return
        for key in raw:
            if key not in allowed:
                problems.append(self.unknown(where, str(key), sorted(allowed)))

    def filled(self, values: Values) -> dict[str, Any]:
        """The values with each failed one (None) as its default: for a value that must be
        whole while its problem is reported."""
        return {key: self.default(key) if value is None else value for key, value in values.items()}

    def read_section(self, raw: Any, where: str, problems: check.Problems,
                     base_dir: Path = Path()) -> Values | None:
        """A nested section: a mapping (else None, the problem noted), read as ``read`` does."""
        section = check.mapping(raw, where, problems)
        return None if section is None else self.read(section, where, problems, base_dir)

    def read(self, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path = Path(), also: frozenset[str] | set[str] = frozenset()) -> Values:
        """Every option's value; ``also``: keys a caller reads itself, not unknown."""
        before = len(problems)
        allowed = self.keys() | also
        values = Values()
        if self.as_given:
            for key in raw:
                if key in self:
                    values[key] = self[key].read(raw, where, problems, base_dir)
                else:
                    self.refuse_unknown({key: raw[key]}, where, problems, allowed)
        else:
            self.refuse_unknown(raw, where, problems, allowed)
        for option in self.options:
            if option.key not in values:
                values[option.key] = option.read(raw, where, problems, base_dir)
        values.ok = len(problems) == before
        return values


def schema(*options: Option) -> Schema:
    return Schema(options)


# The kinds of option. Each reads through validation.py, so its problems are worded as before;
# a reader goes by the option's own key and default, so an option may be given another key
# (``review: always`` is the mode of ``review:``).

def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def text(key: str, default: str | None, help: str, required: bool = False,
         shown_default: str = "") -> Option:
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        return check.string(raw, option.key, where, problems, default=option.default,
                            required=option.required)
    return Option(key, default, help, "text", read, required, shown_default)


def choice(key: str, default: StrEnum, help: str,
           refusal: str = "expected one of {choices}, not {value!r}", any_value: bool = False) -> Option:
    """One of the members of ``default``'s enum, read from its text; ``refusal`` words the
    problem ({choices}, {value}). ``any_value``: a value that is not text is refused in the
    same words, not as "expected a string"."""
    kind = type(default)
    choices = tuple(str(member) for member in kind)

    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        if any_value:
            value = raw.get(option.key, option.default)
        else:
            value = check.string(raw, option.key, where, problems, default=option.default)
        if value is not None and value not in choices:
            problems.add(_at(where, option.key), refusal.format(choices=", ".join(choices), value=value))
            return None
        return None if value is None else kind(value)
    return Option(key, default, help, "one of: " + ", ".join(f"`{c}`" for c in choices), read)


def integer(key: str, default: int, help: str, minimum: int = 1, maximum: int | None = None,
            above_maximum: str = "", shown_default: str = "") -> Option:
    """A whole number from ``minimum``; above ``maximum``, ``above_maximum`` is the problem."""
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        value = check.integer(raw, option.key, where, problems, default=option.default, minimum=minimum)
        if value is not None and maximum is not None and value > maximum:
            problems.add(_at(where, option.key), above_maximum.format(maximum=maximum))
            return None
        return value
    bounds = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
    return Option(key, default, help, f"whole number, {bounds}", read, shown_default=shown_default)


def number(key: str, default: float, help: str, below: float | None = None,
           at_or_above: str = "") -> Option:
    """A number above 0, e.g. seconds; from ``below`` on, ``at_or_above`` is the problem ({value})."""
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        value = check.number(raw, option.key, where, problems, default=option.default)
        if value is not None and below is not None and value >= below:
            problems.add(_at(where, option.key), at_or_above.format(value=value))
            return None
        return value
    kind = f"number above 0, below {below}" if below is not None else "number above 0"
    return Option(key, default, help, kind, read)


def bounded_number(key: str, default: float, help: str, fits: Callable[[float], bool],
                   refusal: str, type: str) -> Option:
    """A number ``fits`` accepts, else ``refusal`` ({value}). A chained comparison in ``fits``
    is false for NaN, so NaN is refused where the bounds are written so."""
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        value = raw.get(option.key, option.default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not fits(value):
            problems.add(_at(where, option.key), refusal.format(value=value))
            return None
        return float(value)
    return Option(key, default, help, type, read)


def url(key: str, help: str, default: str = "", required: bool = False,
        shown_default: str = "") -> Option:
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        given = raw.get(option.key) is not None
        found = check.url(raw, option.key, where, problems, required=option.required)
        return found if given else found or option.default
    return Option(key, default, help, "http(s) URL", read, required, shown_default)


def path(key: str, help: str, required: bool = False, must_exist: bool = False,
         shown_default: str = "", default: str | None = None) -> Option:
    """A path relative to the config file's folder; ``default`` is relative to it too."""
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        if raw.get(option.key) is None and option.default is not None:
            return base_dir / option.default
        return check.path(raw, option.key, where, problems, base_dir, required=option.required,
                          must_exist=must_exist)
    kind = ("path to an existing " + ("file" if required else "folder")) if must_exist else "path"
    return Option(key, default, help, kind, read, required, shown_default)


def strings(key: str, default: tuple[str, ...], help: str) -> Option:
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        value = check.string_list(raw, option.key, where, problems, default=list(option.default))
        return None if value is None else tuple(value)
    return Option(key, default, help, "list of text", read)


def flag(key: str, default: bool, help: str, refusal: str = "expected true or false") -> Option:
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        value = raw.get(option.key, option.default)
        if not isinstance(value, bool):
            problems.add(_at(where, option.key), refusal)
            return None
        return value
    return Option(key, default, help, "true or false", read)


def custom(key: str, default: Any, help: str, type: str, reader: Reader, shown_default: str = "",
           required: bool = False) -> Option:
    """An option whose check is its own (a map of authors to countries, a number in a range)."""
    return Option(key, default, help, type, reader, required, shown_default)


def section(key: str, help: str, type: str = "mapping", nested: Schema | None = None,
            shown_default: str = "", required: bool = False) -> Option:
    """A key whose value the caller reads itself (a nested section, a list of parts): declared
    here for the reference and so that it is a known key; its value is passed through as given.
    ``nested``: the section's own options, shown in the reference under it."""
    def read(option: Option, raw: dict[str, Any], where: str, problems: check.Problems,
             base_dir: Path) -> Any:
        return raw.get(option.key)
    return Option(key, None, help, type, read, required=required, shown_default=shown_default,
                  nested=nested)

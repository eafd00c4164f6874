"""Typed reads from parsed YAML that collect problems instead of stopping.

Every check appends ``where: what is wrong`` and returns None on failure, so a
config with five mistakes is reported in one go.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


class Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def mapping(value: Any, where: str, problems: Problems) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        problems.add(where, f"expected a mapping, got {_kind(value)}")
        return None
    return value


def unknown_keys(raw: dict[str, Any], allowed: set[str], where: str, problems: Problems) -> None:
    for key in raw:
        if key not in allowed:
            choices = ", ".join(sorted(allowed))
            problems.add(_join(where, str(key)), f"unknown key (expected one of: {choices})")


# A setting's largest whole number: what SQLite's INTEGER holds, and far beyond any sane setting.
LARGEST = 2**63 - 1


def string(raw: dict[str, Any], key: str, where: str, problems: Problems,
           default: str | None = None, required: bool = False) -> str | None:
    if key not in raw or raw[key] is None:
        if required:
            problems.add(_join(where, key), "required")
        return default
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        problems.add(_join(where, key), f"expected a non-empty string, got {_kind(value)}")
        return None
    return value


def integer(raw: dict[str, Any], key: str, where: str, problems: Problems,
            default: int, minimum: int = 1) -> int | None:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(_join(where, key), f"expected a whole number, got {_kind(value)}")
        return None
    if value < minimum:
        problems.add(_join(where, key), f"must be at least {minimum}, got {value}")
        return None
    if value > LARGEST:
        problems.add(_join(where, key), f"must be at most {LARGEST:,}, got a {len(str(value))}-digit "
                                        "number")
        return None
    return value


def number(raw: dict[str, Any], key: str, where: str, problems: Problems,
           default: float) -> float | None:
    """A positive number, e.g. seconds."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(_join(where, key), f"expected a number, got {_kind(value)}")
        return None
    # An int is compared before it is made a float: 10**400 has no float.
    if abs(value) > LARGEST or not math.isfinite(value):
        problems.add(_join(where, key), f"expected a finite number, got {str(value)[:30]}")
        return None
    if value <= 0:
        problems.add(_join(where, key), f"must be more than 0, got {value}")
        return None
    return float(value)


def string_list(raw: dict[str, Any], key: str, where: str, problems: Problems,
                default: list[str]) -> list[str] | None:
    value = raw.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add(_join(where, key), "expected a list of strings")
        return None
    return value


def path(raw: dict[str, Any], key: str, where: str, problems: Problems, base_dir: Path,
         required: bool = False, must_exist: bool = False) -> Path | None:
    text = string(raw, key, where, problems, required=required)
    if text is None:
        return None
    resolved = (base_dir / Path(text).expanduser()).resolve()
    if must_exist and not resolved.exists():
        problems.add(_join(where, key), f"file not found: {text}")
        return None
    return resolved


def url(raw: dict[str, Any], key: str, where: str, problems: Problems,
        required: bool = False) -> str | None:
    text = string(raw, key, where, problems, required=required)
    if text is None:
        return None
    if not is_url(text):
        problems.add(_join(where, key), f"not a valid http(s) URL: {text!r}")
        return None
    return text


def shown_url(url: str) -> str:
    """A URL as it may be printed or stored: its scheme and host, never its credentials, path,
    or query (a Slack-style webhook's secret is its path; a password may sit before the host)."""
    parts = urlparse(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if parts.path.strip("/") or parts.query else "/"
    return f"{parts.scheme}://{host}{port}{rest}" if parts.scheme else "…"


def is_url(text: str) -> bool:
    parts = urlparse(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "a mapping", list: "a list", str: "a string",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)

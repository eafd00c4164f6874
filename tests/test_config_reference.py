"""The configuration reference is what the declarations say, and each declared default is
the value a config without that key gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulletin.config import reference, registry
from bulletin.config.load import TOP, load_config
from bulletin.config.options import Schema
from bulletin.config.sections import METHODOLOGY, REVIEW, SITE, STORY
from bulletin.config.validation import Problems
from bulletin.publish.email.settings import DKIM_OPTIONS, SMTP_OPTIONS
from support import ROOT


def test_the_docs_reference_is_what_the_declarations_give() -> None:
    page = ROOT / "docs" / "reference.md"
    written = page.read_text(encoding="utf-8") if page.exists() else ""
    assert written == reference.page(), (
        f"docs/reference.md differs from the option declarations: run `{reference.COMMAND}`")


def test_the_reference_names_every_source_target_and_rule_kind() -> None:
    page = reference.page()
    for group, key in ((registry.SOURCES, "type"), (registry.PUBLISHERS, "type"), (registry.RULES, "kind")):
        for name in registry.names(group):
            assert f"### `{key}: {name}`" in page


def _minimal_config(folder: Path) -> Path:
    (folder / "board.csv").write_text("week,model,tokens\n", encoding="utf-8")
    path = folder / "config.yaml"
    path.write_text("sources:\n  - {name: board, type: csv, path: board.csv}\n", encoding="utf-8")
    return path


def test_each_top_level_default_is_what_a_config_without_the_key_gets(tmp_path: Path) -> None:
    config = load_config(_minimal_config(tmp_path))
    assert config.title == TOP.default("title")
    assert config.output == tmp_path / TOP.default("output")
    assert config.templates_dir is TOP.default("templates_dir")
    assert config.locales == TOP.default("locales")
    assert config.chart is TOP.default("chart")
    assert config.review.mode == "on_anomaly" == REVIEW.default("mode")
    for option in STORY:
        assert getattr(config.story, option.key) == option.default, option.key
    for option in REVIEW:
        assert getattr(config.review, option.key) == option.default, option.key
    methodology = config.methodology
    assert methodology.top_n == METHODOLOGY.default("top_n")
    assert methodology.exclude_authors == set(METHODOLOGY.default("exclude_authors"))
    assert methodology.lead_countries == METHODOLOGY.default("lead_countries")
    assert methodology.free_variants == METHODOLOGY.default("free_variants")
    assert methodology.materiality == METHODOLOGY.default("materiality")
    assert config.base_url == SITE.default("base_url")


def _read_empty(schema: Schema, required: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    problems = Problems()
    values = schema.read({key: required[key] for key in schema.keys() & required.keys()}, "x",
                         problems, base_dir)
    assert not problems, problems
    return values


@pytest.mark.parametrize("schema", [METHODOLOGY, STORY, REVIEW, SITE, SMTP_OPTIONS, DKIM_OPTIONS],
                         ids=["methodology", "story", "review", "site", "smtp", "dkim"])
def test_a_section_without_a_key_reads_its_declared_default(schema: Schema, tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_text("", encoding="utf-8")
    values = _read_empty(schema, {"host": "smtp.example.org", "selector": "s", "key_file": "key.pem"},
                         tmp_path)
    for option in schema:
        if not option.required and option.key != "key_file":
            assert values[option.key] == option.default, option.key


# What a part needs besides its defaults; and where a part keeps an option under another name.
REQUIRED = {"name": "part", "path": "board.csv", "url": "https://example.org/feed",
            "base_url": "https://example.org", "user_env": "U", "password_env": "P", "secret_env": "S",
            "from": "Token Bulletin <news@example.org>"}
FIELDS = {("csv", "url"): "source_url", ("openrouter", "url"): "source_url", ("feed", "url"): "feed_url",
          ("wordpress", "timeout"): "retry.timeout", ("wordpress", "retries"): "retry.attempts",
          ("webhook", "timeout"): "retry.timeout", ("webhook", "retries"): "retry.attempts",
          ("email", "max_per_second"): "quota.per_second", ("email", "max_per_hour"): "quota.per_hour",
          ("email", "max_per_day"): "quota.per_day"}
# Options whose default is worked out from other settings when the key is absent.
WORKED_OUT = {("email", "list_id"),  # bulletin.<the from address's domain>
              # the top-level title, given once the whole config is read (test_publication_name.py)
              ("email", "list_name"), ("site", "title")}


def _field(part: Any, name: str) -> Any:
    for attribute in name.split("."):
        part = getattr(part, attribute)
    return part


@pytest.mark.parametrize("group", [registry.SOURCES, registry.PUBLISHERS])
def test_each_part_without_a_key_gets_its_declared_default(group: str, tmp_path: Path) -> None:
    (tmp_path / "board.csv").write_text("week,model,tokens\n", encoding="utf-8")
    for name in registry.names(group):
        cls = registry.load(group, name)
        entry = {"type": name, **{key: value for key, value in REQUIRED.items()
                                  if key in cls.options and (cls.options[key].required or key == "url")}}
        if name == "feed":
            entry.pop("path", None)
        problems = Problems()
        part = cls.from_config(entry, "x", tmp_path, problems)
        assert part is not None and not problems, (name, problems)
        held = part.settings if name == "email" else part
        for option in cls.options:
            if option.required or option.key in entry or (name, option.key) in WORKED_OUT:
                continue
            found = _field(held, FIELDS.get((name, option.key), option.key))
            assert found == option.default, (name, option.key, found)


def test_each_rule_without_a_parameter_gets_its_declared_default() -> None:
    for name in registry.names(registry.RULES):
        cls = registry.load(registry.RULES, name)
        problems: list[str] = []
        rule = cls.from_config({"kind": name}, "rules[0]", problems)
        assert rule is not None and not problems, (name, problems)
        for option in cls.options():
            assert getattr(rule, option.key) == option.default, (name, option.key)

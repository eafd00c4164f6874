"""News feeds over loopback: items stored once, conditional GET, figures read from text."""

from __future__ import annotations

import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.collect.text_figures import figures, quantities
from bulletin.config.load import load_config
from support import SHARED_DATA, needs_shared_data, write_config
from support.loopback import Api

FEEDS = SHARED_DATA / "feeds"
JPMORGAN = ("JPMorgan predicts that China's AI inference token consumption will grow from "
            "approximately 10 quadrillion in 2025 to about 3,900 quadrillion in 2030")


def atom(entries: list[tuple[str, str, str]]) -> str:
    items = "".join(f"<entry><title>{t}</title><id>{i}</id><link href='https://news.example/{i}'/>"
                    f"<updated>2026-03-22T08:00:00Z</updated><summary type='html'>{s}</summary></entry>"
                    for i, t, s in entries)
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>News</title><id>news</id><updated>2026-03-22T08:00:00Z</updated>{items}</feed>")


def feed_sources(api: Api, names: list[str]) -> str:
    return "\n".join(f"  - {{name: {Path(n).stem}, type: feed, url: '{api.base_url}/feeds/{n}', "
                     f"timeout: 2, retry_within: 1}}" for n in names)


@needs_shared_data()
def test_every_recorded_feed_is_stored_once_and_an_unchanged_feed_costs_a_304(tmp_path, bulletin) -> None:
    names = sorted(p.name for p in FEEDS.glob("*.xml"))
    with Api(feeds=FEEDS) as api:
        config = write_config(tmp_path, feed_sources(api, names))
        first = bulletin("collect", "--config", config)
        assert first.err == ("warning: openai_research: "
                             f"{api.base_url}/feeds/openai_research.xml: empty (0 bytes), "
                             "not an RSS or Atom feed\n")
        assert "aibase_daily: ok, 20 added, 0 changed, 0 removed, 0 unchanged" in first.out
        assert "openai_research: stale, last good data kept" in first.out
        second = bulletin("collect", "--config", config)
        assert "aibase_daily: unchanged\n" in second.out
        conditional = [h for p, _, h in api.requests[len(names):] if p != "/feeds/openai_research.xml"]
        assert all("if-none-match" in h and "if-modified-since" in h for h in conditional)
    with sqlite3.connect(tmp_path / "output" / "bulletin.db") as db:
        counts = dict(db.execute("SELECT source, count(*) FROM feed_items GROUP BY source"))
    assert counts == {"aibase_daily": 20, "anthropic_news": 13, "artificial_analysis": 40,
                      "deepseek_news": 14, "minimax_blog": 19, "moonshot_blog": 9, "z_ai_blog": 16}


def forecast_facts(events: list) -> dict:
    [event] = [e for e in events if e.kind == "forecast"]
    facts = event.facts.as_data()
    facts.pop("subject_zh")  # the Chinese name is the editor's (figures file), not the English text's
    for point in ("first", "last"):  # where it was read differs; what it says must not
        facts[point] = {k: v for k, v in facts[point].items() if k not in ("link", "quote", "source")}
    return {"subjects": event.subjects, **facts}


def test_a_forecast_read_from_a_news_item_makes_the_same_event(project: Path, bulletin) -> None:
    by_hand = load_config(project / "config.yaml")
    pipeline.collect(by_hand)
    expected = forecast_facts(pipeline.week_events(by_hand)[1])

    news = project / "news"
    news.mkdir()
    (news / "markets.xml").write_text(atom([
        ("jpm-1", "JPMorgan: China's token use to soar", f"<p>{JPMORGAN}.</p>"),
        ("other-1", "A model launch", "<p>No numbers here.</p>")]), encoding="utf-8")
    shutil.rmtree(project / "output")
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8")
    with Api(feeds=news) as api:
        config.write_text(text.replace("  - name: editor-figures\n    type: figures\n"
                                       "    path: demo/figures.yaml\n",
                                       f"  - name: markets\n    type: feed\n"
                                       f"    url: {api.base_url}/feeds/markets.xml\n"), encoding="utf-8")
        from_news = load_config(config)
        assert bulletin("collect").code == 0
    assert forecast_facts(pipeline.week_events(from_news)[1]) == expected


def test_a_script_in_an_item_is_removed_before_it_is_stored(tmp_path, bulletin) -> None:
    feed = tmp_path / "lab.xml"
    feed.write_text(atom([("x1", "Launch", "&lt;p&gt;Hello&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;")]),
                    encoding="utf-8")
    config = write_config(tmp_path, "  - {name: lab, type: feed, path: lab.xml}")
    result = bulletin("collect", "--config", config)
    assert result.err == f"warning: lab: {feed}: item x1: removed a script from its HTML\n"
    with sqlite3.connect(tmp_path / "output" / "bulletin.db") as db:
        assert db.execute("SELECT summary FROM feed_items").fetchall() == [("<p>Hello</p>",)]


def test_malformed_xml_stores_nothing_from_that_feed(tmp_path, bulletin) -> None:
    (tmp_path / "bad.xml").write_text("<rss><channel><item><title>cut", encoding="utf-8")
    (tmp_path / "good.xml").write_text(atom([("g1", "Fine", "<p>ok</p>")]), encoding="utf-8")
    config = write_config(tmp_path, "  - {name: bad, type: feed, path: bad.xml}\n"
                                    "  - {name: good, type: feed, path: good.xml}")
    result = bulletin("collect", "--config", config)
    assert result.err == (f"warning: bad: {tmp_path / 'bad.xml'}: not a valid RSS or Atom feed "
                          "(no element found at line 2)\n")
    assert result.out == ("bad: stale, last good data kept\n"
                          "good: ok, 1 added, 0 changed, 0 removed, 0 unchanged\n")
    with sqlite3.connect(tmp_path / "output" / "bulletin.db") as db:
        assert db.execute("SELECT source, item_key FROM feed_items").fetchall() == [("good", "g1")]
    states = json.loads(bulletin("sources", "--config", config, "--format", "json").out)
    assert [(s["source"], s["state"], s["as_of"]) for s in states] == [
        ("bad", "stale", ""), ("good", "ok", "2026-03-22T08:00:00Z")]


@pytest.mark.parametrize("text, found", [
    ("weekly volume reached 4.69 trillion tokens", [("4690000000000", "trillion", "tokens", "")]),
    ("to about 3,900 quadrillion in 2030", [("3900000000000000000", "quadrillion", "", "")]),
    ("over 1.3 quadrillion tokens per month", [("1300000000000000", "quadrillion", "tokens", "per month")]),
    ("Google hit 10T", [("10000000000000", "trillion", "", "")]),
    ("up +11.83% week on week", [("11.83", "", "%", "")]),
    ("日均Token消耗量突破140万亿", [("140000000000000", "trillion", "", "per day")]),
    ("每天消耗100万亿个Token", [("100000000000000", "trillion", "tokens", "per day")]),
    ("用户数达到3亿", [("300000000", "", "", "")]),
    ("In 2025 there were 3 models", []),
])
def test_quantities_in_text(text, found) -> None:
    assert [(str(q.value), q.scale, q.unit, q.rate) for q in quantities(text)] == found


@pytest.mark.parametrize("text, found", [
    ("Qwen3.6-35B-A3B is out", [("35000000000", "billion", "", "")]),
    ("down -9.33% on the week", [("-9.33", "", "%", "")]),
])
def test_hyphens_and_names_are_not_signs_or_numbers(text, found) -> None:
    assert [(str(q.value), q.scale, q.unit, q.rate) for q in quantities(text)] == found


def test_figures_need_an_organisation_a_subject_and_a_year() -> None:
    [first, last] = figures(JPMORGAN + ".", "news", "https://news.example/1", "2026-03-22")
    assert (first.subject, first.organisation, first.kind) == (
        "China's AI inference token consumption", "JPMorgan", "forecast")
    assert [(f.value, f.scale, f.unit, f.period) for f in (first, last)] == [
        (Decimal(10**16), "quadrillion", "tokens", "2025"),
        (Decimal(3900 * 10**15), "quadrillion", "tokens", "2030")]
    assert first.quote == JPMORGAN + "." and first.link == "https://news.example/1"
    [daily] = figures("国家数据局表示，截至2026年3月，我国日均Token消耗量突破140万亿。", "news", "l")
    assert (daily.organisation, daily.kind, daily.value, daily.unit, daily.period) == (
        "National Data Administration", "observed", Decimal(140 * 10**12), "tokens per day", "2026")
    # A Chinese text names its subject in Chinese: that is the Chinese edition's subject.
    assert daily.subject_zh == daily.subject == "我国日均Token消耗量"
    assert first.subject_zh == ""  # an English text's subject waits for a glossary or an editor
    [idc] = figures("According to IDC, global token consumption will reach 5 quintillion tokens by 2028.",
                    "news", "l")
    assert (idc.organisation, idc.subject, idc.kind, idc.period) == (
        "IDC", "Global token consumption", "forecast", "2028")
    assert figures("Token consumption will grow to 3,900 quadrillion in 2030.", "news", "l") == []
    assert figures("JPMorgan predicts strong growth in 2030.", "news", "l") == []

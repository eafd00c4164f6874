"""The publication's name: `title:` in config is what every page, feed, form and email calls it."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import feedparser
import pytest

from bulletin.config.load import load_config
from bulletin.serve.outbox import send_confirmation
from bulletin.serve.subscribe import Handlers, email_settings
from bulletin.store.mail import Subscriber
from support.emailing import KEY

DEFAULT = "Token Bulletin"
BASE = "https://news.example.org/"
# A site and an email list that name no title of their own, in both languages.
TARGETS = f"""chart: false
locales: [en, zh]
publish:
  - name: site
    type: site
    base_url: {BASE}
  - name: newsletter
    type: email
    from: news@bulletin.example.org
    base_url: https://bulletin.example.org
"""


def published(project: Path, bulletin, title: str) -> Path:
    """The demo's latest week published under ``title``; returns the site's folder."""
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8").replace(f"title: {DEFAULT}\n", f"title: {json.dumps(title)}\n")
    config.write_text(text + TARGETS, encoding="utf-8")
    result = bulletin("run")
    assert result.code == 0, result.err
    return project / "output" / "site"


def confirmation(project: Path, locale: str) -> EmailMessage:
    config = load_config(project / "config.yaml")
    settings = email_settings(config)
    assert settings is not None
    folder = project / "output" / "outbox" / "confirm"
    before = set(folder.glob("*.eml"))
    send_confirmation(config, settings, Subscriber(1, f"uid-{locale}", "ana@example.com", locale, "pending"))
    [new] = set(folder.glob("*.eml")) - before
    return message_from_bytes(new.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def subscribe_page(project: Path, lang: str) -> str:
    config = load_config(project / "config.yaml")
    return Handlers(config, email_settings(config)).page(200, "subscribe", lang).body.decode()


def test_every_page_feed_form_and_email_goes_by_the_configured_title(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    title = "AI Wire Token Watch"
    site = published(project, bulletin, title)

    pages = {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
             for path in site.rglob("*") if path.suffix in (".html", ".xml", ".json")}
    for name in ("index.html", "about/index.html", "about/zh/index.html", "archive/index.html",
                 "2026/w11/index.html", "2026/w11/zh/index.html", "feed.xml", "zh/feed.json"):
        assert title in pages[name], name
    assert [name for name, text in pages.items() if DEFAULT in text] == []
    assert feedparser.parse(pages["feed.xml"]).feed.author == title
    assert json.loads(pages["feed.json"])["title"] == title

    for lang in ("en", "zh"):
        page = subscribe_page(project, lang)
        assert "<title>" in page and title in page and DEFAULT not in page

    english, chinese = confirmation(project, "en"), confirmation(project, "zh")
    assert english["Subject"] == f"Confirm your subscription to {title}"
    assert chinese["Subject"] == f"确认订阅《{title}》"
    for message in (english, chinese):
        assert title in message.get_content()
        assert DEFAULT not in message.as_string() and DEFAULT not in message.get_content()

    issue = message_from_bytes((project / "output" / "outbox" / "preview" / "2026-W11.eml").read_bytes(),
                               policy=policy.default)
    assert issue["List-Id"] == f"{title} <bulletin.bulletin.example.org>"
    bodies = [part.get_content() for part in issue.walk() if part.get_content_maintype() == "text"]
    assert all(title in body for body in bodies) and not any(DEFAULT in body for body in bodies)


def test_a_title_with_markup_in_it_is_text_on_pages_and_in_feeds(project: Path, bulletin) -> None:
    title = 'Tokens & <b>Trends</b> "Weekly"'
    site = published(project, bulletin, title)
    for name in ("index.html", "about/index.html", "2026/w11/zh/index.html"):
        page = (site / name).read_text(encoding="utf-8")
        assert "<b>Trends</b>" not in page, name
        assert "Tokens &amp; &lt;b&gt;Trends&lt;/b&gt;" in page, name
    atom = feedparser.parse((site / "feed.xml").read_bytes())
    assert not atom.bozo and atom.feed.title == title
    assert json.loads((site / "zh" / "feed.json").read_text())["authors"][0]["name"] == title

"""The front door: every page, article and email says what the publication is and who is behind it,
and the home page and each article carry a sign-up form, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from bulletin.config.defaults import DESCRIPTION, DESCRIPTION_ZH
from bulletin.config.load import load_config

BASE = "https://news.example.org/"
LIST = "https://bulletin.example.org"
TARGETS = f"""chart: false
locales: [en, zh]
publish:
  - {{name: site, type: site, base_url: "{BASE}"}}
  - {{name: newsletter, type: email, from: news@bulletin.example.org, base_url: "{LIST}"}}
"""
# Config text with markup in it: pages and emails must show it as text.
IDENTITY = """description: "Weekly <i>tokens</i> & why"
description_zh: 每周<i>Token</i>简报
publisher: "Ana & Bo <Press>"
postal_address: "PO Box 7, Leeds <LS1>"
"""


def configure(project: Path, extra: str) -> Path:
    """The demo's config without its identity, and ``extra`` added."""
    config = project / "config.yaml"
    lines = [line for line in config.read_text(encoding="utf-8").splitlines(keepends=True)
             if not line.startswith(("description", "publisher:", "postal_address:"))]
    config.write_text("".join(lines) + extra, encoding="utf-8")
    return config


def publish(project: Path, bulletin, extra: str = "") -> Path:
    """The demo's latest week published with ``extra`` config (and no identity of the demo's own)."""
    configure(project, TARGETS + extra)
    result = bulletin("run")
    assert result.code == 0, result.err
    return project / "output"


def page(output: Path, path: str) -> str:
    return (output / "site" / path / "index.html").read_text(encoding="utf-8")


def forms(html: str) -> list[str]:
    return re.findall(r'<form class="subscribe".*?</form>', html, re.DOTALL)


def test_without_identity_in_the_config_the_defaults_describe_it_and_no_publisher_is_made_up(
        project: Path, bulletin) -> None:
    output = publish(project, bulletin)
    publication = load_config(project / "config.yaml").publication
    assert (publication.description, publication.description_zh) == (DESCRIPTION, DESCRIPTION_ZH)
    assert publication.publisher == publication.postal_address == ""
    home, zh_home = page(output, ""), page(output, "zh")
    header = home[home.index("<header>"):home.index("</header>")]
    assert f'<a href="" class="wordmark">Token Bulletin</a><p class="tagline">{DESCRIPTION}</p>' in header
    assert f'<p class="tagline">{DESCRIPTION_ZH}</p>' in zh_home
    assert "Published by" not in home and "出版者" not in zh_home
    email = (output / "bulletins" / "2026-W11" / "email.txt").read_text(encoding="utf-8")
    assert f"Token Bulletin — {DESCRIPTION}" in email and "published by" not in email


def test_the_home_page_invites_before_the_latest_bulletin_and_each_article_after_its_end(
        project: Path, bulletin) -> None:
    output = publish(project, bulletin)
    for path, lang in (("", "en"), ("zh", "zh"), ("2026/w11", "en"), ("2026/w11/zh", "zh")):
        html = page(output, path)
        [form] = forms(html)  # one sign-up a page
        assert f'action="{LIST}/subscribe"' in form and 'method="post"' in form
        assert '<input id="subscribe-email" type="email" name="email"' in form
        assert f'<input type="hidden" name="locale" value="{lang}">' in form
        assert ("订阅" if lang == "zh" else "Subscribe") in form
        if path in ("", "zh"):
            assert html.index("<form") < html.index("<article>"), path
        else:
            assert html.index("</article>") < html.index("<form") < html.index("</main>"), path


def test_the_publishers_words_are_text_on_every_page_and_in_both_emails(project: Path, bulletin) -> None:
    output = publish(project, bulletin, IDENTITY)
    for path in ("", "archive", "about", "2026/w11"):
        html = page(output, path)
        assert '<p class="tagline">Weekly &lt;i&gt;tokens&lt;/i&gt; &amp; why</p>' in html, path
        assert "Published by Ana &amp; Bo &lt;Press&gt;" in html, path
        assert "<i>" not in html and "<Press>" not in html, path
    for path in ("zh", "about/zh", "2026/w11/zh"):
        html = page(output, path)
        assert '<p class="tagline">每周&lt;i&gt;Token&lt;/i&gt;简报</p>' in html, path
        assert "出版者：Ana &amp; Bo &lt;Press&gt;" in html, path
    assert "every week, by Ana &amp; Bo &lt;Press&gt;.</p>" in page(output, "about")
    assert "出版者为Ana &amp; Bo &lt;Press&gt;。</p>" in page(output, "about/zh")
    week = output / "bulletins" / "2026-W11"
    english, chinese = (week / "email.html").read_text(), (week / "email.zh.html").read_text()
    assert ("Token Bulletin is published by Ana &amp; Bo &lt;Press&gt;, PO Box 7, Leeds &lt;LS1&gt;."
            in english)
    assert "出版者：Ana &amp; Bo &lt;Press&gt;（PO Box 7, Leeds &lt;LS1&gt;）" in chinese
    assert "Weekly &lt;i&gt;tokens&lt;/i&gt; &amp; why</p>" in english
    assert "每周&lt;i&gt;Token&lt;/i&gt;简报</p>" in chinese
    text = (week / "email.txt").read_text()
    assert "Token Bulletin is published by Ana & Bo <Press>, PO Box 7, Leeds <LS1>.\n" in text
    assert text.endswith("Unsubscribe: __UNSUBSCRIBE_URL__\n")  # the list's lines stay last
    assert "出版者：Ana & Bo <Press>（PO Box 7, Leeds <LS1>）\n" in (week / "email.zh.txt").read_text()


def test_a_description_that_is_not_text_is_refused_with_the_others(project: Path) -> None:
    import pytest

    from bulletin.errors import ConfigError

    config = configure(project, "publisher: [a, b]\ndescription_zh: 7\n")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert [p for p in error.value.problems if p.startswith(("publisher", "description"))] == [
        "description_zh: expected a non-empty string, got a number",
        "publisher: expected a non-empty string, got a list"]


def test_the_publishers_numbers_are_not_taken_for_claims(project: Path, bulletin) -> None:
    # An address and a description hold digits the store never gives; they are the publisher's, not
    # the article's, so the claim check lets them be, and only them.
    output = publish(project, bulletin, 'description: "The top 10 models, every 7 days"\n'
                     'postal_address: "742 Evergreen Terrace, Springfield 49007"\n')
    week = output / "bulletins" / "2026-W11"
    assert "742 Evergreen Terrace, Springfield 49007" in (week / "email.txt").read_text()
    assert "The top 10 models, every 7 days" in (week / "email.html").read_text()


def test_each_email_leads_to_the_other_edition_the_archive_and_the_data(project: Path, bulletin) -> None:
    output = publish(project, bulletin)
    week = output / "bulletins" / "2026-W11"
    english, chinese = (week / "email.html").read_text(), (week / "email.zh.html").read_text()
    links = {name: re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html.split('class="footer links"')[1]
                              .split("</p>")[0]) for name, html in (("en", english), ("zh", chinese))}
    source = "https://openrouter.ai/rankings"
    assert links["en"] == [(f"{BASE}2026/w11/zh/", "中文版"), (f"{BASE}archive/", "Every bulletin"),
                           (source, "The data: OpenRouter (openrouter.ai/rankings)")]
    assert links["zh"] == [(f"{BASE}2026/w11/", "English edition"), (f"{BASE}zh/archive/", "往期简报"),
                           (source, "数据来源：OpenRouter排行榜（openrouter.ai/rankings）")]
    text = (week / "email.zh.txt").read_text()
    assert f"English edition：{BASE}2026/w11/\n往期简报：{BASE}zh/archive/\n" in text
    # Both schemes are designed: the client is told so, and the dark one is there for it.
    for html in (english, chinese):
        assert '<meta name="color-scheme" content="light dark">' in html
        assert "@media (prefers-color-scheme: dark)" in html

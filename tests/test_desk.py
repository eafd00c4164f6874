"""`bulletin desk` over real HTTP: a waitress server on loopback in its own process, real requests.

Sign-in, CSRF, session fixation, open redirects, the sign-in limits, and an
approval that publishes the site as `bulletin approve` does.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin.store.database import Store
from support import copy_demo
from support.desk import (
    EDITOR,
    NAME,
    PASSWORD,
    SITE,
    WEEK,
    Client,
    bulletin,
    desk,
    held_project,
    paragraph_with,
)

SITE_PAGE = Path("output/site/2026/w11/index.html")


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One held project for the module; tests that change it work on a copy (``project``)."""
    return held_project(tmp_path_factory.mktemp("held"))


@pytest.fixture
def project(held: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(held, copy)
    return copy


@pytest.fixture
def served(project: Path) -> Iterator[str]:
    with desk(project) as url:
        yield url


def status_of(project: Path) -> str:
    with Store.open(project / "output" / "bulletin.db") as store:
        record = store.bulletin(WEEK)
        assert record is not None
        return str(record.status)


def test_add_editor_keeps_a_hash_of_the_password_never_the_password(project: Path) -> None:
    database = (project / "output" / "bulletin.db").read_bytes()
    assert PASSWORD.encode() not in database
    with Store.open(project / "output" / "bulletin.db") as store:
        editor = store.editors.get(EDITOR)
    assert editor is not None and editor.name == NAME
    assert editor.password_hash.startswith("$argon2id$")
    short = bulletin(project, "desk", "add-editor", "bob", "--name", "Bob", stdin="short\n")
    assert (short.returncode, short.stderr) == (1, "error: the password is shorter than 12 characters\n")
    with Store.open(project / "output" / "bulletin.db") as store:
        assert store.editors.get("bob") is None


def test_a_visitor_who_has_not_signed_in_gets_the_sign_in_page_or_403(served: str, project: Path) -> None:
    visitor = Client(served)
    assert visitor.get("/").status == 303
    assert visitor.get("/").headers["location"] == "/login"
    week = visitor.get(f"/week/{WEEK}")
    assert (week.status, week.headers["location"]) == (303, f"/login?next=/week/{WEEK}")
    assert visitor.get("/sources").status == 303
    login = visitor.get("/login")
    assert login.status == 200 and '<label for="password">' in login.text
    # A POST without a signed-in session (even with the sign-in form's token) changes nothing.
    for path in (f"/week/{WEEK}/approve", f"/week/{WEEK}/reject", "/logout"):
        assert visitor.post(path, {"csrf": login.token(), "why": "x"}).status == 403
    assert status_of(project) == "held"
    assert not (project / SITE_PAGE).exists()


def test_signing_in_sets_a_strict_http_only_cookie_under_a_new_id(served: str) -> None:
    editor = Client(served)
    form = editor.get("/login")
    before = editor.cookie
    assert before.startswith("desk=")
    assert form.cookies[0].endswith("; Path=/; HttpOnly; SameSite=Strict")
    signed_in = editor.sign_in()
    assert signed_in.status == 303 and signed_in.headers["location"] == "/"
    (cookie,) = signed_in.cookies
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert editor.cookie != before  # a new id at sign-in
    home = editor.get("/")
    assert home.status == 200 and f"Sign out ({NAME})" in home.text
    assert WEEK in home.text and "review: always" in home.text  # the held week, with its reason
    # The id the visitor had before signing in is gone: fixed on a victim, it is worth nothing.
    fixed = Client(served, cookie=before)
    assert fixed.get("/").status == 303
    assert fixed.post(f"/week/{WEEK}/approve", {"csrf": "x"}).status == 403


def test_an_id_planted_before_sign_in_never_becomes_a_signed_in_session(served: str) -> None:
    attacker = Client(served)
    attacker.get("/login")
    planted = attacker.cookie
    victim = Client(served, cookie=planted)  # the attacker's id, set in the victim's browser
    victim.sign_in()
    assert victim.cookie != planted
    assert victim.get("/").status == 200
    assert attacker.get("/").status == 303  # the planted id is not signed in
    assert attacker.get("/login").status == 200
    made_up = Client(served, cookie="desk=chosen-by-the-attacker")
    assert made_up.get("/").status == 303
    made_up.get("/login")
    assert made_up.cookie != "desk=chosen-by-the-attacker"  # an unknown id is replaced, not adopted


def test_behind_https_the_cookie_is_secure_and_host_only(project: Path) -> None:
    with desk(project, "--secure") as url:
        (cookie,) = Client(url).get("/login").cookies
    assert cookie.startswith("__Host-desk=") and cookie.endswith("; Secure")


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    other = Client(served)
    other.sign_in()  # a token of another session is no token of this one
    for form in ({}, {"csrf": ""}, {"csrf": "0" * 43}, {"csrf": other.get("/").token()}):
        assert editor.post(f"/week/{WEEK}/approve", form).status == 403
        assert editor.post(f"/week/{WEEK}/reject", {**form, "why": "forged"}).status == 403
        assert editor.post("/logout", form).status == 403
    # The token in the URL instead of the form: never read from there.
    token = editor.get("/").token()
    assert editor.request("POST", f"/week/{WEEK}/approve?csrf={token}").status == 403
    assert status_of(project) == "held"
    assert not (project / SITE_PAGE).exists()
    assert editor.get("/").status == 200  # still signed in: the refusals logged no one out


def test_the_sign_in_form_needs_its_token_too(served: str) -> None:
    visitor = Client(served)
    visitor.get("/login")
    refused = visitor.post("/login", {"user": EDITOR, "password": PASSWORD})
    assert refused.status == 403 and not refused.cookies
    assert visitor.get("/").status == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "/%2F%2Fevil.example", "http:/evil.example",
                                    " //evil.example", "/week/../../evil"])
def test_signing_in_never_leads_off_the_desk(served: str, target: str) -> None:
    answer = Client(served).sign_in(next_path=target)
    assert (answer.status, answer.headers["location"]) == (303, "/")


def test_signing_in_leads_back_to_the_page_asked_for(served: str) -> None:
    editor = Client(served)
    assert editor.get(f"/week/{WEEK}").headers["location"] == f"/login?next=/week/{WEEK}"
    form = editor.get(f"/login?next=/week/{WEEK}")
    assert f'name="next" value="/week/{WEEK}"' in form.text
    answer = editor.post("/login", {"csrf": form.token(), "user": EDITOR, "password": PASSWORD,
                                    "next": f"/week/{WEEK}"})
    assert answer.headers["location"] == f"/week/{WEEK}"


def test_a_wrong_password_is_refused_and_repeated_failures_are_limited_per_editor(served: str) -> None:
    # Five wrong guesses at one editor, each from another address, then the right password.
    for last in range(2, 7):
        wrong = Client(served, source=f"127.0.0.{last}").sign_in(password="not the password at all")
        assert wrong.status == 401 and "The name or the password is wrong." in wrong.text
    limited = Client(served, source="127.0.0.7").sign_in()
    assert limited.status == 429 and "Too many failed sign-ins" in limited.text
    assert 0 < int(limited.headers["retry-after"]) <= 900
    # An unknown name is refused in the same words (no telling which editors exist).
    unknown = Client(served, source="127.0.0.8").sign_in(user="mallory")
    assert unknown.status == 401 and "The name or the password is wrong." in unknown.text


def test_repeated_failures_from_one_address_are_limited_across_names(served: str, project: Path) -> None:
    for guess in range(20):
        assert Client(served).sign_in(user=f"guess{guess}").status == 401
    assert Client(served).sign_in().status == 429  # the right editor, from that address
    assert Client(served, source="127.0.0.9").sign_in().status == 303  # from another: in


def test_approving_publishes_the_site_as_bulletin_approve_does(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    page = editor.get(f"/week/{WEEK}")
    assert page.status == 200
    assert "review: always (every bulletin waits for an editor)" in page.text
    assert "4.69 trillion" in page.text  # the article, and the number with where it came from
    assert "country (CN) tokens" in page.text and "openrouter-weekly" in page.text
    approved = editor.post(f"/week/{WEEK}/approve", {"csrf": page.token()})
    assert (approved.status, approved.headers["location"]) == (303, f"/week/{WEEK}")
    after = editor.get(f"/week/{WEEK}")
    assert f"{WEEK}: approved." in after.text
    assert "site: ok (https://news.example.org/bulletin/2026/w11/)" in after.text
    assert status_of(project) == "approved"
    assert (project / SITE_PAGE).is_file()
    assert bulletin(project, "review").stdout == "no bulletins held for review\n"


def test_rejecting_needs_a_reason_and_keeps_it(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    token = editor.get(f"/week/{WEEK}").token()
    editor.post(f"/week/{WEEK}/reject", {"csrf": token, "why": "   "})
    assert "A rejection needs its reason" in editor.get(f"/week/{WEEK}").text
    assert status_of(project) == "held"
    editor.post(f"/week/{WEEK}/reject", {"csrf": token, "why": "the totals look wrong"})
    assert status_of(project) == "rejected"
    with Store.open(project / "output" / "bulletin.db") as store:
        assert store.bulletin(WEEK).reasons == ("the totals look wrong",)


def test_signing_out_ends_the_session(served: str) -> None:
    editor = Client(served)
    editor.sign_in()
    kept = editor.cookie
    out = editor.post("/logout", {"csrf": editor.get("/").token()})
    assert out.status == 303 and "Max-Age=0" in out.cookies[0]
    assert Client(served, cookie=kept).get("/").status == 303


@pytest.mark.parametrize("path", ["/week/../../output/bulletin.db", "/week/2026-W11/../../../config.yaml",
                                  "/week/%2e%2e/%2e%2e/config.yaml", "/week/2026-W99", "/week/2026-W11x",
                                  "/week/2026-W11/approve", "/bulletin.db", "/output/bulletin.db",
                                  "/config.yaml", "/week/2026-W1", "/week/"])
def test_nothing_but_the_desks_pages_is_served(served: str, path: str) -> None:
    editor = Client(served)
    editor.sign_in()
    answer = editor.get(path)
    assert answer.status == 404, (path, answer.status)
    assert "SQLite" not in answer.text and "sources:" not in answer.text


def test_the_sources_page_counts_the_list_by_status(served: str, project: Path) -> None:
    with sqlite3.connect(project / "output" / "bulletin.db") as db:
        for number, status in enumerate(["confirmed", "confirmed", "pending", "unsubscribed"]):
            db.execute("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                       "VALUES (?, ?, 'en', ?, '', '')", (f"u{number}", f"r{number}@example.org", status))
    editor = Client(served)
    editor.sign_in()
    page = editor.get("/sources").text
    assert "<tr><td>confirmed</td><td>2</td></tr>" in page
    assert "<tr><td>pending</td><td>1</td></tr>" in page
    assert "openrouter-weekly (csv)" in page


def test_a_name_from_the_data_is_shown_as_text(tmp_path: Path) -> None:
    """A model's display name holding markup reaches the desk's pages as text, never as markup."""
    project = tmp_path / "project"
    project.mkdir()
    from support import copy_demo

    copy_demo(project)
    board = project / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(
        ",MiniMax M2.5,", ',MiniMax <script>alert(1)</script> M2.5,'), encoding="utf-8")
    with (project / "config.yaml").open("a", encoding="utf-8") as file:
        file.write("review: always\n")
    assert bulletin(project, "run").returncode == 3
    bulletin(project, "desk", "add-editor", EDITOR, "--name", "<img src=x onerror=alert(2)>",
             stdin=PASSWORD + "\n")
    with desk(project) as url:
        editor = Client(url)
        editor.sign_in()
        pages = [editor.get(path).text for path in ("/", f"/week/{WEEK}", "/sources")]
    week = pages[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in week or "&amp;lt;script" in week
    for page in pages:
        assert "<script" not in page and "<img" not in page
        assert "&lt;img src=x onerror=alert(2)&gt;" in page  # the editor's name, as text


# -- editing the wording ---------------------------------------------------------------------

ARTICLE = Path("output/bulletins/2026-W11")
FORMATS = ("bulletin.md", "bulletin.html", "email.html", "email.txt")


def files_of(project: Path) -> dict[str, bytes]:
    return {name: (project / ARTICLE / name).read_bytes() for name in FORMATS}


def reworded(editor: Client, old: str, new: str) -> str:
    """Post the paragraph holding ``old`` with ``old`` replaced; the notice the page then shows."""
    fields = paragraph_with(editor.get(f"/week/{WEEK}").text, old)
    answer = editor.post(f"/week/{WEEK}/edit", {**fields, "text": fields["text"].replace(old, new)})
    assert answer.status == 303
    notice = re.search(r'<div class="notice" role="status">(.*?)</div>', editor.get(f"/week/{WEEK}").text)
    assert notice, "no notice"
    return html.unescape(notice[1])


def test_a_number_the_store_does_not_give_is_refused_by_name(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    before = files_of(project)
    said = reworded(editor, "4.69 trillion", "4.96 trillion")
    assert ('Not saved: 2026-W11: the edit states "4.96 trillion", which the store does not support '
            "for this week; nothing was changed") in said
    assert files_of(project) == before
    with Store.open(project / "output" / "bulletin.db") as store:
        assert store.edits.of(WEEK) == [] and store.edits.log(WEEK) == []


def test_a_word_of_direction_against_its_change_is_refused(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    before = files_of(project)
    said = reworded(editor, "up 11.8% on the previous week", "down 11.8% on the previous week")
    assert 'the edit says "down" before 11.8%, which is a rise; nothing was changed' in said
    said = reworded(editor, "together rose 9.7%", "together fell 9.7%")
    assert '"fell" before 9.7%, which is a rise' in said
    assert files_of(project) == before


def test_an_edit_may_not_add_a_link_or_markup(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    before = files_of(project)
    for added in ("[more](https://evil.example)", "<img src=x onerror=alert(1)>", "![x](y.png)"):
        said = reworded(editor, "handled", f"handled {added}")
        assert "an edit may not add a link, an image, HTML or a new block; nothing was changed" in said
    assert files_of(project) == before


def test_an_edit_without_its_csrf_token_changes_nothing(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    fields = paragraph_with(editor.get(f"/week/{WEEK}").text, "handled")
    before = files_of(project)
    del fields["csrf"]
    assert editor.post(f"/week/{WEEK}/edit", {**fields, "text": "China processed it."}).status == 403
    assert files_of(project) == before


def test_a_reworded_paragraph_goes_into_every_format_names_the_editor_and_is_published(
        served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    said = reworded(editor, "AI models handled 4.69 trillion", "AI models processed 4.69 trillion")
    assert "the paragraph is saved and the week rendered again in every format" in said
    for name, content in files_of(project).items():
        text = " ".join(content.decode().split())  # the email's text part is wrapped
        assert "processed 4.69" in text and "models handled 4.69" not in text, name
        assert f"edited by {NAME}" in text, name
        assert "no one wrote or edited it" not in text, name
    page = editor.get(f"/week/{WEEK}").text
    assert "Paragraph 2 (edited)" in page
    assert "<del>China&#39;s AI models handled 4.69 trillion" in page  # the record: before and after
    with Store.open(project / "output" / "bulletin.db") as store:
        (kept,) = store.edits.of(WEEK)
        assert (kept.editor, kept.name, kept.locale) == (EDITOR, NAME, "en")
        assert store.bulletin(WEEK).status == "held"  # an edit is no approval
    editor.post(f"/week/{WEEK}/approve", {"csrf": editor.get("/").token()})
    site = (project / SITE_PAGE).read_text(encoding="utf-8")
    assert "China’s AI models processed 4.69 trillion" in site or "China's AI models processed 4.69" in site
    assert f"edited by {NAME}" in site


def test_of_two_editors_changing_one_paragraph_the_second_is_told(served: str, project: Path) -> None:
    first, second = Client(served), Client(served, source="127.0.0.2")
    first.sign_in()
    second.sign_in()
    seen = paragraph_with(second.get(f"/week/{WEEK}").text, "handled")
    assert "saved" in reworded(first, "models handled", "models processed")
    answer = second.post(f"/week/{WEEK}/edit", {**seen, "text": seen["text"].replace("handled", "counted")})
    assert answer.status == 303
    page = html.unescape(second.get(f"/week/{WEEK}").text)
    assert f"{NAME} changed this paragraph after you opened it; nothing was changed" in page
    assert "models processed 4.69" in (project / ARTICLE / "bulletin.md").read_text(encoding="utf-8")


def test_a_rendering_the_edit_no_longer_fits_is_held_with_the_reason(served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    assert "saved" in reworded(editor, "models handled", "models processed")
    board = project / "demo" / "openrouter-weekly.csv"  # a row of the week revised: China's total moves
    board.write_text(board.read_text(encoding="utf-8").replace(
        "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000",
        "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1760000000000"), encoding="utf-8")
    assert bulletin(project, "collect").returncode == 0
    rendered = bulletin(project, "render", "--week", WEEK)
    assert rendered.returncode == 0, rendered.stderr
    with Store.open(project / "output" / "bulletin.db") as store:
        record = store.bulletin(WEEK)
    assert record.status == "held"
    assert any(f"{NAME}'s wording no longer fits the data" in reason for reason in record.reasons)
    text = (project / ARTICLE / "bulletin.md").read_text(encoding="utf-8")
    assert "models processed" not in text and "no one wrote or edited it" in text


# -- remembered names ----------------------------------------------------------------------------

KIMI, DEEPSEEK = "moonshotai/kimi-k2.5-0127", "deepseek/deepseek-v3.2-20251201"
SEASON = ("2026-W08", "2026-W09", "2026-W10", "2026-W11")
ON_ANOMALY = SITE.replace("review: always", "review: on_anomaly")


def back_filled(folder: Path) -> Path:
    """The demo with no names for Kimi K2.5 and DeepSeek V3.2, back-filled week by week: every
    week held, for the two names made from their ids and for nothing else."""
    folder.mkdir()
    copy_demo(folder)
    board = folder / "demo" / "openrouter-weekly.csv"
    board.write_text(board.read_text(encoding="utf-8").replace(",Kimi K2.5,", ",,")
                     .replace(",DeepSeek V3.2,", ",,"), encoding="utf-8")
    with (folder / "config.yaml").open("a", encoding="utf-8") as file:
        file.write(ON_ANOMALY)
    for week in SEASON:
        assert bulletin(folder, "run", "--week", week).returncode == 3
    with Store.open(folder / "output" / "bulletin.db") as store:
        for week in SEASON:
            reasons = store.bulletin(week).reasons
            assert len(reasons) == 2 and all("made from its id" in reason for reason in reasons), reasons
    added = bulletin(folder, "desk", "add-editor", EDITOR, "--name", NAME, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    return folder


def test_a_back_filled_season_held_for_made_up_names_is_decided_once_name_by_name(tmp_path: Path) -> None:
    project = back_filled(tmp_path / "season")
    with desk(project) as url:
        editor = Client(url)
        editor.sign_in()
        week = editor.get("/week/2026-W08").text
        assert f"made from its id {KIMI}, check it" in week and 'href="/names"' in week
        page = editor.get("/names")
        assert page.status == 200 and "Kimi K2.5 0127" in page.text
        assert "holds " + ", ".join(f'<a href="/week/{w}">{w}</a>' for w in SEASON) in page.text
        token = page.token()
        # Without its token a decision is refused and changes nothing.
        assert editor.post("/names/confirm", {"model": KIMI}).status == 403
        refused = editor.post("/names/set", {"csrf": token, "model": KIMI, "name": "Kimi <b>K2.5</b>"})
        assert refused.status == 303
        told = editor.get("/names").text
        assert "Nothing was changed: &#39;Kimi &lt;b&gt;K2.5&lt;/b&gt;&#39; is not a model" in told
        with Store.open(project / "output" / "bulletin.db") as store:
            assert store.decisions.names() == {}
        # One decision a name: DeepSeek's made-up name is right, Kimi's date code is not its name.
        assert editor.post("/names/confirm", {"csrf": token, "model": DEEPSEEK}).status == 303
        assert editor.post("/names/set", {"csrf": token, "model": KIMI, "name": "Kimi K2.5"}).status == 303
        said = html.unescape(editor.get("/names").text)
        assert f"{KIMI}: Kimi K2.5 (corrected). Weeks rendered from now on name it so" in said
        assert "No held week waits on a made-up name." in said
        assert "2026-W11: rendered again, ready" in said
        assert f"<td>{EDITOR}, " in editor.get("/names").text  # who decided: the signed-in editor
        approved = editor.post("/week/2026-W08/approve", {"csrf": token})
        assert approved.status == 303
        assert "Waiting for an editor" in (home := editor.get("/").text)
        assert "No bulletin is held for review." in home
    with Store.open(project / "output" / "bulletin.db") as store:
        decided = store.decisions.names()
        assert {m: (d.name, d.decision, d.editor) for m, d in decided.items()} == {
            DEEPSEEK: ("DeepSeek V3.2", "confirmed", EDITOR), KIMI: ("Kimi K2.5", "corrected", EDITOR)}
        assert store.bulletin("2026-W08").status == "approved"
    published = (project / "output/site/2026/w08/index.html").read_text(encoding="utf-8")
    assert "Kimi K2.5" in published and "Kimi K2.5 0127" not in published
    # The next weeks are not held for those names: each is written and published as it comes.
    for week in SEASON[1:]:
        done = bulletin(project, "run", "--week", week)
        assert done.returncode == 0, done.stderr
        with Store.open(project / "output" / "bulletin.db") as store:
            record = store.bulletin(week)
        assert (record.status, record.reasons) == ("ready", ())
        article = (project / "output" / "bulletins" / week / "bulletin.md").read_text(encoding="utf-8")
        assert "Kimi K2.5 0127" not in article
    assert "Kimi K2.5" in (project / "output/bulletins/2026-W09/bulletin.md").read_text(encoding="utf-8")
    # Forgotten, a name is made up again, and holds the next rendering.
    forgot = bulletin(project, "names", "forget", KIMI)
    assert (forgot.returncode, forgot.stdout) == (0, f"{KIMI}: forgotten\n")
    assert bulletin(project, "render", "--week", "2026-W11").returncode == 0
    with Store.open(project / "output" / "bulletin.db") as store:
        record = store.bulletin("2026-W11")
    assert record.status == "held" and f"made from its id {KIMI}, check it" in record.reasons[0]


# -- held again after an approval ----------------------------------------------------------------


def test_a_week_held_again_after_a_new_collection_shows_what_changed_since_it_was_approved(
        served: str, project: Path) -> None:
    editor = Client(served)
    editor.sign_in()
    token = editor.get(f"/week/{WEEK}").token()
    assert "What changed since it was approved" not in editor.get(f"/week/{WEEK}").text  # never approved
    assert editor.post(f"/week/{WEEK}/approve", {"csrf": token}).status == 303
    approved = (project / ARTICLE / "bulletin.md").read_text(encoding="utf-8")
    with Store.open(project / "output" / "bulletin.db") as store:
        kept, at = store.decisions.approved_texts(WEEK)
    assert kept == {"en": approved} and at
    assert "What changed since it was approved" not in editor.get(f"/week/{WEEK}").text  # not held
    board = project / "demo" / "openrouter-weekly.csv"  # MiniMax's week revised: 1.75 to 1.76 trillion
    board.write_text(board.read_text(encoding="utf-8").replace(
        "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1750000000000",
        "2026-W11,1,minimax/minimax-m2.5-20260211,MiniMax M2.5,1760000000000"), encoding="utf-8")
    assert bulletin(project, "collect").returncode == 0
    assert bulletin(project, "run", "--week", WEEK).returncode == 3  # the correction is held
    assert (project / ARTICLE / "bulletin.md").read_text(encoding="utf-8") == approved  # not yet out
    assert WEEK in editor.get("/").text.split("Recent weeks")[0]  # waiting for an editor again
    # The text approving would publish, against the approved one; then the same once it is
    # rendered (the week itself held, the new text in its files).
    for rendered in (False, True):
        if rendered:
            assert bulletin(project, "render", "--week", WEEK).returncode == 0
            assert status_of(project) == "held"
        page = editor.get(f"/week/{WEEK}").text
        assert f"What changed since it was approved ({at})" in page
        changed = page[page.index("What changed since"):page.index("Decide</h2>")]
        # Word by word: the old figure struck out, the new one beside it, the rest as it was.
        assert "MiniMax M2.5 at <del>1.75 </del><ins>1.76 </ins>trillion tokens" in changed
        assert "models handled <del>4.69 </del><ins>4.7 </ins>trillion" in changed
        # Only the paragraphs that changed: the lead and the top three, not the unchanged ones.
        assert "second week in a row" in changed and "Hunter Alpha" not in changed
        # In the table, the changed row alone, line by line.
        assert ('<div class="para">| 1 | MiniMax M2.5 | China | <del>1,750 </del><ins>1,760 </ins>| '
                "<del>−6.4% </del><ins>−5.9% </ins>|</div>") in changed


def test_a_diff_marks_the_changed_words_and_only_the_changed_lines_of_a_table() -> None:
    from bulletin.desk.diff import ADDED, REMOVED, SAME, Piece, changes

    assert changes("Same.\n\nOld <b>x</b> here.", "Same.\n\nNew <b>x</b> here.\n\nAdded.") == [
        [Piece(REMOVED, "Old "), Piece(ADDED, "New "), Piece(SAME, "<b>x</b> here.")],
        [Piece(ADDED, "Added.")]]
    assert changes("One.\n\nTwo.", "One.\n\nTwo.") == []
    assert changes("| a | 1 |\n| b | 2 |\n| c | 3 |", "| a | 1 |\n| b | 5 |\n| c | 3 |") == [
        [Piece(SAME, "| b | "), Piece(REMOVED, "2 "), Piece(ADDED, "5 "), Piece(SAME, "|")]]


def test_names_from_the_command_line_refuse_bad_input_in_one_line_and_change_nothing(held: Path,
                                                                                     tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(held, project)
    assert bulletin(project, "names", "list").stdout == "no names decided, and none waiting\n"
    grok = "x-ai/grok-4.1-fast"
    for args, said in (
            (("set", "nobody/none", "Nobody"),
             "error: 'nobody/none': no such model in the store (give its id as the leaderboard lists it, "
             "e.g. moonshotai/kimi-k2.5-0127)\n"),
            (("set", grok, "Grok [4.1](https://evil.example)"),
             "error: 'Grok [4.1](https://evil.example)' is not a model's name: letters, digits, spaces and "
             ". , : ; + / ( ) ' & ! ? - only\n"),
            (("set", grok, "   "), "error: the name is empty\n"),
            (("forget", grok), f"error: '{grok}': no name was decided for this model\n")):
        refused = bulletin(project, "names", *args)
        assert (refused.returncode, refused.stderr) == (1, said), args
    with Store.open(project / "output" / "bulletin.db") as store:
        assert store.decisions.names() == {}
    done = bulletin(project, "names", "set", "x-ai/grok-4.1-fast", "  Grok   4.1 Fast ", "--by", "bob")
    assert done.stdout.startswith("x-ai/grok-4.1-fast: Grok 4.1 Fast (corrected); weeks rendered from now on")
    listed = bulletin(project, "names", "list", "--format", "json")
    (decided,) = json.loads(listed.stdout)["decided"]
    assert (decided["name"], decided["decision"], decided["editor"]) == ("Grok 4.1 Fast", "corrected", "bob")

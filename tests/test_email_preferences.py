"""A reader's preferences page, from the link in each email: editions and language, never a re-subscribe.

`bulletin serve` runs as a user starts it; the links come from the emails a run wrote
to the outbox, and the page is attacked with forged, expired and misused links and
with names that are no edition.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from test_email_editions import with_editions
from test_email_web import confirmation_links, get, post

from bulletin.config.load import load_config
from bulletin.store.database import Store
from support import FIXED_EPOCH
from support.emailing import KEY, email_config, received
from support.serving import bulletin_serve

LINK = re.compile(r"https://bulletin\.example\.org(/(preferences|unsubscribe)\?token=[^\s\"<]+)")


@pytest.fixture
def mailed(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    return mail_week(project, bulletin, monkeypatch)


def mail_week(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Week 11 and its editions mailed to the outbox: ana reads the main bulletin, bo the China edition."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with_editions(project)
    email_config(project)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    assert bulletin("subscribers", "add", "bo@example.net", "--edition", "china").code == 0
    assert bulletin("run").code == 0
    return project


@pytest.fixture
def site(mailed: Path) -> Iterator[str]:
    with bulletin_serve(mailed) as url:
        yield url


def links(project: Path, address: str) -> dict[str, str]:
    """The paths of the links in the copy ``address`` got, by kind (preferences, unsubscribe)."""
    outbox = project / "output" / "outbox" / "2026-W11"
    (message,) = [m for m in received(outbox) + received(outbox / "editions" / "china")
                  if str(m["To"]) == address]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    found = {kind: path for path, kind in LINK.findall(text)}
    assert {kind: path for path, kind in LINK.findall(html)} == found  # the same in both parts
    return found


def token_of(path: str) -> str:
    return path.split("token=", 1)[1]


def reader(project: Path, address: str) -> tuple[str, str, tuple[str, ...]]:
    with Store.open(load_config(project / "config.yaml").store) as store:
        found = store.subscribers.get(address)
        assert found is not None
        return found.status, found.locale, store.subscribers.editions(found.id)


def test_a_reader_changes_editions_and_language_from_the_emails_link(site: str, mailed: Path,
                                                                     bulletin) -> None:
    path = links(mailed, "ana@example.com")["preferences"]
    code, page = get(site + path)  # a GET only shows the form
    assert code == 200
    assert '<input type="checkbox" name="edition" value="main" checked> Token Bulletin' in page
    assert ('<input type="checkbox" name="edition" value="china"> China&#39;s AI models on OpenRouter'
            in page)
    assert reader(mailed, "ana@example.com") == ("confirmed", "en", ("main",))
    code, page = post(site + "/preferences",
                      f"token={token_of(path)}&edition=china&edition=deepseek&locale=zh")
    assert code == 200 and "已保存" in page and "<li>DeepSeek on OpenRouter</li>" in page
    assert reader(mailed, "ana@example.com") == ("confirmed", "zh", ("china", "deepseek"))
    # The next send follows the choice, through the same ledger: the China edition, once.
    result = bulletin("publish", "--week", "2026-W11")
    assert "newsletter (china): ok" in result.out and "(1 sent, 1 sent before)" in result.out
    china = received(mailed / "output" / "outbox" / "2026-W11" / "editions" / "china")
    assert sorted(str(m["To"]) for m in china) == ["ana@example.com", "bo@example.net"]


def test_on_postgresql_a_reader_changes_editions_and_language(project: Path, bulletin, postgres_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"store: {postgres_url}\n")
    mailed = mail_week(project, bulletin, monkeypatch)
    path = links(mailed, "ana@example.com")["preferences"]
    with bulletin_serve(mailed) as site:
        code, page = post(site + "/preferences", f"token={token_of(path)}&edition=china&locale=zh")
    assert code == 200 and "已保存" in page
    assert reader(mailed, "ana@example.com") == ("confirmed", "zh", ("china",))


def test_the_unsubscribe_link_and_the_preferences_link_are_not_interchangeable(site: str,
                                                                              mailed: Path) -> None:
    found = links(mailed, "bo@example.net")
    unsubscribe, preferences = token_of(found["unsubscribe"]), token_of(found["preferences"])
    assert get(site + f"/preferences?token={unsubscribe}")[0] == 403
    assert post(site + "/preferences", f"token={unsubscribe}&edition=main")[0] == 403
    assert post(site + "/unsubscribe", f"token={preferences}")[0] == 403
    assert reader(mailed, "bo@example.net") == ("confirmed", "en", ("china",))


@pytest.mark.parametrize("forge", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature altered
    # a later time
    lambda t: t.split(".")[0] + "." + str(int(t.split(".")[1]) + 86400) + "." + t.split(".")[2],
    lambda t: t.split(".")[0] + "." + t.split(".")[2],  # the time taken out
    lambda t: "someone-else." + t.split(".", 1)[1],  # another uid
    lambda t: "",
    lambda t: "." * 3,
])
def test_a_forged_preferences_link_changes_nothing(site: str, mailed: Path, forge) -> None:
    token = token_of(links(mailed, "bo@example.net")["preferences"])
    code, page = get(site + f"/preferences?token={quote(forge(token))}")
    assert code == 403 and "This link does not work" in page
    code, _ = post(site + "/preferences", f"token={quote(forge(token))}&edition=main&locale=zh")
    assert code == 403
    assert reader(mailed, "bo@example.net") == ("confirmed", "en", ("china",))


def test_a_preferences_link_expires_sixty_days_after_its_bulletin(mailed: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = links(mailed, "bo@example.net")["preferences"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_EPOCH) + 59 * 86400))
    with bulletin_serve(mailed) as site:
        assert get(site + path)[0] == 200
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_EPOCH) + 61 * 86400))
    with bulletin_serve(mailed) as site:
        code, page = get(site + path)
        assert code == 403 and "Use the link in a newer bulletin" in page
        assert post(site + "/preferences", f"token={token_of(path)}&edition=main")[0] == 403
    assert reader(mailed, "bo@example.net") == ("confirmed", "en", ("china",))


@pytest.mark.parametrize("status", ["unsubscribed", "bounced", "complained"])
def test_the_link_of_an_address_that_left_never_subscribes_it_again(site: str, mailed: Path, bulletin,
                                                                   status: str) -> None:
    path = links(mailed, "bo@example.net")["preferences"]
    with Store.open(load_config(mailed / "config.yaml").store) as store:
        found = store.subscribers.get("bo@example.net")
        assert found is not None
        store.subscribers.set_status(found.id, status)
    code, page = get(site + path)
    assert code == 403 and "bo@example.net is not subscribed" in page and 'action="/preferences"' not in page
    code, page = post(site + "/preferences", f"token={token_of(path)}&edition=main&locale=zh")
    assert code == 403 and "subscribe and confirm the link we send" in page
    assert reader(mailed, "bo@example.net") == (status, "en", ("china",))
    assert "bo@example.net" not in bulletin("subscribers", "list", "--status", "confirmed").out


@pytest.mark.parametrize(("editions", "shown"), [
    ("edition=chinaa", "chinaa"),
    ("edition=main&edition=" + quote("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("edition=" + "x" * 5000, "x" * 40 + "…"),
    ("edition=" + quote("main\r\nSet-Cookie: a=b"), "main\nSet-Cookie: a=b"),
])
def test_a_name_that_is_no_edition_is_refused_and_shown_as_text(site: str, mailed: Path, editions: str,
                                                                shown: str) -> None:
    token = token_of(links(mailed, "bo@example.net")["preferences"])
    code, page = post(site + "/preferences", f"token={token}&{editions}")
    assert code == 400
    assert f"There is no edition named “{shown}”" in page.replace("\r\n", "\n")
    assert "<script>alert" not in page
    assert reader(mailed, "bo@example.net") == ("confirmed", "en", ("china",))


def test_the_preferences_form_refuses_what_no_form_sends(site: str, mailed: Path) -> None:
    token = token_of(links(mailed, "bo@example.net")["preferences"])
    code, page = post(site + "/preferences", f"token={token}")  # nothing ticked
    assert code == 400 and "Tick at least one edition" in page
    code, page = post(site + "/preferences", f"token={token}&edition=main&locale=fr")
    assert code == 400 and "Choose one of the languages listed" in page
    code, _ = post(site + "/preferences", f"token={token}" + "&edition=main" * 600)
    assert code == 400
    code, _ = post(site + "/preferences", f"token={token}&edition=" + "x" * 70_000)
    assert code == 413
    # A page on another site cannot post a visitor's choice here.
    request = urllib.request.Request(site + "/preferences", data=f"token={token}&edition=main".encode(),
                                     method="POST", headers={"Origin": "https://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403
    assert reader(mailed, "bo@example.net") == ("confirmed", "en", ("china",))


def test_the_subscribe_form_offers_the_editions_and_keeps_the_choice_until_confirmed(
        site: str, mailed: Path) -> None:
    form = get(site + "/subscribe")[1]
    assert '<input type="checkbox" name="edition" value="main" checked> Token Bulletin' in form
    assert '<input type="checkbox" name="edition" value="deepseek"> DeepSeek on OpenRouter' in form
    # An edition's page sends its readers here with their edition ticked.
    ticked = get(site + "/subscribe?edition=china")[1]
    assert 'value="china" checked>' in ticked and 'value="main" checked>' not in ticked
    code, page = post(site + "/subscribe", "email=dee%40example.org&edition=china&edition=deepseek")
    assert code == 200
    assert reader(mailed, "dee@example.org") == ("pending", "en", ("china", "deepseek"))
    (token,) = confirmation_links(mailed)
    assert post(site + "/confirm", f"token={token}")[0] == 200
    assert reader(mailed, "dee@example.org") == ("confirmed", "en", ("china", "deepseek"))


def test_a_sign_up_changes_nothing_of_a_subscribers_editions_and_says_nothing_of_them(
        site: str, mailed: Path) -> None:
    code, known = post(site + "/subscribe", "email=bo%40example.net&edition=main")
    assert reader(mailed, "bo@example.net") == ("confirmed", "en", ("china",))
    code_new, new = post(site + "/subscribe", "email=eve%40example.org&edition=main")
    assert (code, known.replace("bo@example.net", "X")) == (code_new, new.replace("eve@example.org", "X"))
    code, page = post(site + "/subscribe", "email=fay%40example.org&edition=" + quote("<i>x</i>"))
    assert code == 400 and "There is no edition named “&lt;i&gt;x&lt;/i&gt;”" in page
    with Store.open(load_config(mailed / "config.yaml").store) as store:
        assert store.subscribers.get("fay@example.org") is None  # a refused sign-up leaves no row


def test_without_editions_the_form_offers_none(project: Path, bulletin,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project)
    with bulletin_serve(project) as site:
        form = get(site + "/subscribe")[1]
        assert 'name="edition"' not in form
        assert post(site + "/subscribe", "email=gus%40example.org")[0] == 200
    assert reader(project, "gus@example.org") == ("pending", "en", ("main",))

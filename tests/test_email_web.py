"""Joining and leaving through the web server: double opt-in and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.store.database import Store
from support.emailing import KEY, confirmations, email_config, received, settled
from support.serving import bulletin_serve


@pytest.fixture
def site(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch):
    """`bulletin serve` with an email target; the emails it sends go to the outbox."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project)
    assert bulletin("run").code == 0
    with bulletin_serve(project) as url:
        yield url


def post(url: str, body: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def status_of(project: Path, email: str) -> str | None:
    with Store.open(load_config(project / "config.yaml").database) as store:
        found = store.subscribers.get(email)
    return found.status if found else None


def test_subscribing_needs_the_emailed_confirmation(site: str, project: Path) -> None:
    assert "<form method=\"post\" action=\"/subscribe\">" in get(site + "/subscribe")[1]
    # A reader who chose Chinese reads the answer, the email and the pages after it in Chinese.
    code, page = post(site + "/subscribe", "email=Reader%40Example.com&locale=zh")
    assert code == 200 and "如果Reader@example.com尚未在订阅名单中，确认链接正在发送途中" in page
    assert '<html lang="zh-Hans">' in page
    assert status_of(project, "reader@example.com") == "pending"
    (confirmation,) = confirmations(project / "output" / "outbox" / "confirm")
    assert str(confirmation["To"]) == "Reader@example.com"
    assert str(confirmation["Subject"]) == "确认订阅《Token Bulletin》"
    text = confirmation.get_content()
    assert text.startswith("请确认您希望通过电子邮件订阅《Token Bulletin》。")
    link = re.search(r"https://bulletin\.example\.org(/confirm\?token=\S+)", text)
    assert link is not None
    path = link.group(1)
    code, page = get(site + path)  # a GET (a link scanner, say) only shows the button
    assert code == 200 and "<button type=\"submit\">确认</button>" in page
    assert status_of(project, "reader@example.com") == "pending"
    token = path.split("=", 1)[1]
    code, page = post(site + "/confirm", f"token={token}")
    assert code == 200 and "谢谢：Reader@example.com将收到下一期简报。" in page
    assert status_of(project, "reader@example.com") == "confirmed"
    # The link clicked again says so, instead of confirming anew.
    assert "Reader@example.com已经订阅" in get(site + path)[1]
    assert "Reader@example.com已经订阅" in post(site + "/confirm", f"token={token}")[1]
    english = get(site + "/subscribe")[1]
    assert '<html lang="en">' in english and "Email address" in english
    assert '<option value="zh" lang="zh-Hans" selected>' in get(site + "/subscribe?lang=zh")[1]
    # The confirm token is not an unsubscribe token.
    assert post(site + f"/unsubscribe?token={token}", "List-Unsubscribe=One-Click")[0] == 403
    assert status_of(project, "reader@example.com") == "confirmed"


def test_a_bad_address_is_refused_with_the_reason(site: str) -> None:
    code, page = post(site + "/subscribe", "email=not-an-address")
    assert code == 400
    assert "not-an-address: An email address must have an @-sign." in page


def test_one_click_unsubscribe_from_the_emails_header(site: str, project: Path, bulletin) -> None:
    for address in ("ana@example.com", "bo@example.net"):
        assert bulletin("subscribers", "add", address).code == 0
    assert bulletin("publish", "--week", "2026-W11").code == 0
    messages = {str(m["To"]): m for m in received(project / "output" / "outbox" / "2026-W11")}
    urls = {to: str(m["List-Unsubscribe"]).split(",")[0].strip(" <>") for to, m in messages.items()}
    ana = urls["ana@example.com"].replace("https://bulletin.example.org", site)
    bo = urls["bo@example.net"].replace("https://bulletin.example.org", site)
    ana_token = ana.split("token=")[1]
    bo_uid, bo_mac = bo.split("token=")[1].split(".")

    # Forged and altered tokens are refused, and change nothing.
    altered = ana[:-1] + ("A" if ana[-1] != "A" else "B")
    assert post(altered, "List-Unsubscribe=One-Click")[0] == 403
    other = ana.replace(ana_token, f"{bo_uid}.{ana_token.split('.')[1]}")  # ana's MAC, bo's id
    assert post(other, "List-Unsubscribe=One-Click")[0] == 403
    assert post(site + "/unsubscribe?token=", "List-Unsubscribe=One-Click")[0] == 403
    assert post(site + f"/unsubscribe?token={bo_uid}.{'x' * len(bo_mac)}", "")[0] == 403
    assert status_of(project, "ana@example.com") == "confirmed"
    assert status_of(project, "bo@example.net") == "confirmed"

    code, page = post(ana, "List-Unsubscribe=One-Click")
    assert code == 200 and "ana@example.com is unsubscribed" in page
    assert status_of(project, "ana@example.com") == "unsubscribed"
    assert status_of(project, "bo@example.net") == "confirmed"

    # The page behind the link in the email asks first, then unsubscribes on POST.
    code, page = get(bo)
    assert code == 200 and "Stop sending the bulletin to bo@example.net?" in page
    assert status_of(project, "bo@example.net") == "confirmed"
    assert post(site + "/unsubscribe", f"token={bo.split('token=')[1]}")[0] == 200
    assert status_of(project, "bo@example.net") == "unsubscribed"


def confirmation_links(project: Path) -> list[str]:
    found = []
    for message in confirmations(project / "output" / "outbox" / "confirm"):
        link = re.search(r"/confirm\?token=(\S+)", message.get_content())
        assert link is not None
        found.append(link.group(1))
    return found


def test_the_form_sends_an_address_one_confirmation_an_hour(site: str, project: Path) -> None:
    # Otherwise anyone could flood a stranger's inbox through the form.
    outbox = project / "output" / "outbox" / "confirm"
    assert post(site + "/subscribe", "email=target%40example.com")[0] == 200
    assert len(confirmations(outbox)) == 1
    (sent,) = outbox.glob("*.eml")
    sent.unlink()
    for _ in range(2):
        code, page = post(site + "/subscribe", "email=target%40example.com")
        # The same answer each time.
        assert code == 200 and "Unless target@example.com is already on the list, a link" in page
    assert not settled(outbox)
    assert status_of(project, "target@example.com") == "pending"


def test_the_lists_hourly_limit_delays_confirmations_and_the_answer_does_not_show_it(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past the list's budget the answer stays the same (no 429 for a new address and 200 for a
    # known one: that would tell who is subscribed); the third confirmation waits its hour.
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project, extra="    signups_per_hour: 2\n")
    assert bulletin("run").code == 0
    with bulletin_serve(project) as site:
        for name in ("one", "two", "three"):
            assert post(site + "/subscribe", f"email={name}%40example.com")[0] == 200
        sent = settled(project / "output" / "outbox" / "confirm")
    assert len(sent) == 2
    with Store.open(project / "output" / "bulletin.db") as store:
        assert [s.email for s in store.subscribers.wanting_confirmation()] == ["three@example.com"]


def test_a_confirmation_link_expires_after_a_week(site: str, project: Path) -> None:
    assert post(site + "/subscribe", "email=late%40example.com")[0] == 200
    (sent,) = confirmation_links(project)
    # The same link, signed with the real key, but issued eight days before the clock's now.
    from urllib.parse import unquote

    from bulletin.publish.email import tokens
    from support import FIXED_EPOCH

    uid = tokens.uid_of(unquote(sent))
    assert uid is not None
    token = tokens.make(KEY.encode(), "confirm", uid, "late@example.com",
                        int(FIXED_EPOCH) - 8 * 86400)
    code, page = get(site + f"/confirm?token={token}")
    assert code == 403 and "This link has expired" in page
    assert post(site + "/confirm", f"token={token}")[0] == 403
    assert status_of(project, "late@example.com") == "pending"
    # Subscribing again sends a new link (the last one went out long ago), and it works.
    assert post(site + "/subscribe", "email=late%40example.com")[0] == 200
    assert post(site + "/confirm", f"token={confirmation_links(project)[-1]}")[0] == 200
    assert status_of(project, "late@example.com") == "confirmed"


def test_a_one_click_unsubscribe_during_a_large_import_is_recorded(site: str, project: Path,
                                                                   bulletin, tmp_path: Path) -> None:
    # An import writes in batches once the file is checked: the reader's unsubscribe waits
    # behind one batch at most, never behind the whole file.
    import subprocess
    import sys
    import time

    from bulletin.publish.email import tokens

    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    with Store.open(project / "output" / "bulletin.db") as store:
        ana = store.subscribers.get("ana@example.com")
    assert ana is not None
    token = tokens.make(KEY.encode(), "unsubscribe", ana.uid, ana.email)
    big = tmp_path / "old-list.csv"
    big.write_text("email,status\n" + "".join(f"user{n}@example.com,confirmed\n" for n in range(100_000)),
                   encoding="utf-8")
    importing = subprocess.Popen([sys.executable, "-m", "bulletin", "subscribers", "import", str(big)],
                                 cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with Store.open(project / "output" / "bulletin.db") as store:  # the import is writing
            deadline = time.monotonic() + 60
            while store.subscribers.get("user2000@example.com") is None and time.monotonic() < deadline:
                time.sleep(0.05)
        assert importing.poll() is None, "the import ended before the unsubscribe was tried"
        started = time.monotonic()
        code, _ = post(site + f"/unsubscribe?token={token}", "List-Unsubscribe=One-Click")
        waited = time.monotonic() - started
        behind_the_whole_file = importing.poll() is not None
    finally:
        out, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    # Answered while the import was still writing, not after it (about two seconds on a quiet
    # machine; the bound is for the case the import ends first, on a slow one).
    assert code == 200 and (not behind_the_whole_file or waited < 10), waited
    assert status_of(project, "ana@example.com") == "unsubscribed"
    assert "100000 added" in out

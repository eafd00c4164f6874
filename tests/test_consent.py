"""Consent: an address that left is subscribed again only by its owner following a new link."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from bulletin.config.load import load_config
from bulletin.publish.email import tokens
from bulletin.store.database import Store
from support import FIXED_EPOCH
from support.emailing import KEY, confirmations, email_config
from support.serving import bulletin_serve

ADDRESS = "ana@example.com"


@pytest.fixture
def site(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project)
    assert bulletin("run").code == 0
    with bulletin_serve(project) as url:
        yield url


def post(url: str, body: str) -> int:
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def status_of(project: Path, email: str = ADDRESS) -> str | None:
    with Store.open(load_config(project / "config.yaml").database) as store:
        found = store.subscribers.get(email)
    return found.status if found else None


def links(project: Path) -> list[str]:
    found = []
    for message in confirmations(project / "output" / "outbox" / "confirm"):
        link = re.search(r"/confirm\?token=(\S+)", message.get_content())
        assert link is not None
        found.append(unquote(link.group(1)))
    return found


def left(project: Path, bulletin) -> None:
    assert bulletin("subscribers", "add", ADDRESS).code == 0
    assert bulletin("subscribers", "remove", ADDRESS).code == 0
    assert status_of(project) == "unsubscribed"


def test_a_strangers_sign_up_then_an_old_list_does_not_resubscribe(site: str, project: Path,
                                                                    bulletin) -> None:
    left(project, bulletin)
    assert post(site + "/subscribe", f"email={quote(ADDRESS)}") == 200  # anybody can type it
    assert status_of(project) == "unsubscribed"  # a sign-up alone changes nothing
    old_list = project / "old.csv"
    old_list.write_text(f"email,status\n{ADDRESS},confirmed\n", encoding="utf-8")
    assert bulletin("subscribers", "import", str(old_list)).code == 0
    assert status_of(project) == "unsubscribed"
    # The owner follows the link the sign-up sent: now, and only now, subscribed again.
    (token,) = links(project)
    assert post(site + "/confirm", f"token={quote(token)}") == 200
    assert status_of(project) == "confirmed"


def test_an_import_does_not_confirm_a_pending_address(site: str, project: Path, bulletin) -> None:
    assert post(site + "/subscribe", "email=bo%40example.com") == 200
    old_list = project / "old.csv"
    old_list.write_text("email,status\nbo@example.com,confirmed\n", encoding="utf-8")
    assert bulletin("subscribers", "import", str(old_list)).code == 0
    assert status_of(project, "bo@example.com") == "pending"


def test_add_refuses_an_address_that_left_unless_forced(project: Path, bulletin) -> None:
    left(project, bulletin)
    refused = bulletin("subscribers", "add", ADDRESS)
    assert refused.code == 1
    assert refused.err == (f"error: {ADDRESS}: unsubscribed; only its owner can subscribe again "
                           "(the form sends them a link), or pass --force if they asked you\n")
    assert status_of(project) == "unsubscribed"
    assert bulletin("subscribers", "add", "--pending", ADDRESS).code == 1
    forced = bulletin("subscribers", "add", "--force", ADDRESS)
    assert forced.code == 0 and status_of(project) == "confirmed"


def test_an_older_link_does_not_confirm_after_a_new_sign_up(site: str, project: Path) -> None:
    assert post(site + "/subscribe", f"email={quote(ADDRESS)}") == 200
    (newest,) = links(project)
    uid = tokens.uid_of(newest)
    assert uid is not None
    # A link from an earlier sign-up an hour before, signed with the real key.
    older = tokens.make(KEY.encode(), "confirm", uid, ADDRESS, int(FIXED_EPOCH) - 3600)
    assert post(site + "/confirm", f"token={quote(older)}") == 403
    assert status_of(project) == "pending"
    assert post(site + "/confirm", f"token={quote(newest)}") == 200
    assert status_of(project) == "confirmed"


def test_confirmation_tokens_carry_their_issue_time() -> None:
    key = KEY.encode()
    token = tokens.make(key, "confirm", "uid1", ADDRESS, 1_773_640_800)
    assert tokens.issued_at(token) == 1_773_640_800
    assert tokens.valid(key, token, "confirm", "uid1", ADDRESS)
    # The time is under the MAC: moved forward, the token is forged.
    uid, _, mac = token.split(".")
    assert not tokens.valid(key, f"{uid}.1773640801.{mac}", "confirm", "uid1", ADDRESS)
    # A token without a time (as they were made before) no longer confirms anything.
    assert not tokens.valid(key, f"{uid}.{mac}", "confirm", "uid1", ADDRESS)
    # Unsubscribe links stay timeless: they must work as long as the mail is kept.
    unsubscribe = tokens.make(key, "unsubscribe", "uid1", ADDRESS)
    assert tokens.valid(key, unsubscribe, "unsubscribe", "uid1", ADDRESS)
    assert tokens.issued_at(unsubscribe) is None


def test_a_link_sent_before_an_address_left_does_not_bring_it_back(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from bulletin.publish.email import subscribers as subs
    from bulletin.store.database import Store

    with Store.open(tmp_path / "bulletin.db") as store:
        subs.add(store.subscribers, ADDRESS, "en", "pending")
        sent_at = int(FIXED_EPOCH)  # the link of the sign-up
        found = store.subscribers.get(ADDRESS)
        assert found is not None
        store.subscribers.set_status(found.id, "confirmed")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(sent_at + 86_400))  # a day later, they leave
        store.subscribers.set_status(found.id, "unsubscribed")
        gone = store.subscribers.get(ADDRESS)
    assert gone is not None and gone.status == "unsubscribed"
    assert subs.confirmation_problem(gone, sent_at) == "superseded"
    assert subs.confirmation_problem(gone, sent_at + 86_400) is None  # a link asked for since


def test_a_clock_set_back_does_not_lock_an_address_out(tmp_path: Path) -> None:
    from bulletin.publish.email import subscribers as subs
    from bulletin.store.database import Store

    with Store.open(tmp_path / "bulletin.db") as store:
        subs.add(store.subscribers, ADDRESS, "en", "pending")
        found = store.subscribers.get(ADDRESS)
        assert found is not None
        store.subscribers.set_confirm_sent(found.id, "2030-01-01T00:00:00+00:00")  # a clock that ran ahead
        found = store.subscribers.get(ADDRESS)
        assert found is not None
        assert subs.claim_confirmation(store.subscribers, found, 100) == "send"

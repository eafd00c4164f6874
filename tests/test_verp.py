"""VERP: each subscriber's copy goes out with an envelope sender of its own, a signed token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.publish.email import verp
from bulletin.store.database import Store
from support.emailing import KEY, email_config, received, smtp_server
from support.reports import ANA, BO, CHEN, three_listed, token_address


@pytest.fixture
def listed(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    return three_listed(project, bulletin, monkeypatch)


def test_each_copy_goes_out_from_its_own_signed_bounce_address(listed: Path, bulletin,
                                                               tmp_path: Path) -> None:
    text = (listed / "config.yaml").read_text(encoding="utf-8")
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        (listed / "config.yaml").write_text(text + f"    smtp:\n      host: 127.0.0.1\n      port: {port}\n"
                                            "      security: none\n", encoding="utf-8")
        assert bulletin("publish", "--week", "2026-W11").out == "newsletter: ok 127.0.0.1 (3 sent)\n"
    senders = {str(m["X-Envelope-To"]): str(m["X-Envelope-From"]) for m in received(inbox)}
    assert set(senders) == {ANA, BO, CHEN}
    with Store.open(load_config(listed / "config.yaml").database) as store:
        for address, sender in senders.items():
            local, domain = sender.rsplit("@", 1)
            assert domain == "news.example.org" and local.startswith("bounces+b-")
            assert len(local) <= 64 and local.isascii() and local == local.lower()
            assert address not in local and "example" not in local  # the address is not shown
            [token] = verp.find(sender)
            subscriber = store.subscribers.get(address)
            assert subscriber is not None and str(token.week) == "2026-W11"
            assert verp.valid(KEY.encode(), token, subscriber.uid, subscriber.email)
            other = store.subscribers.get(ANA if address != ANA else BO)
            assert other is not None and not verp.valid(KEY.encode(), token, other.uid, other.email)
        assert sender == token_address(listed, address, "2026-W11", KEY)


def test_without_a_bounce_address_the_envelope_sender_is_the_from_address(
        project: Path, bulletin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    assert bulletin("subscribers", "add", ANA).code == 0
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(project, port)
        assert bulletin("publish", "--week", "2026-W11").code == 0
    assert [str(m["X-Envelope-From"]) for m in received(inbox)] == ["news@bulletin.example.org"]


@pytest.mark.parametrize(("address", "problem"), [
    ("bounces+x@news.example.org", "its local part may not hold '+': the token follows the first one"),
    ("a-very-long-bounce-box@news.example.org", "its local part 'a-very-long-bounce-box' is longer "
     "than 13 characters: with the 50-character token it would pass RFC 5321's 64"),
])
def test_a_bounce_address_without_room_for_a_token_is_refused(project: Path, bulletin, address: str,
                                                              problem: str) -> None:
    email_config(project, extra=f"    bounce_address: {address}\n")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 2
    assert f"publish[0].bounce_address: {address!r}: {problem}" in result.err


def test_a_bounce_address_with_a_name_is_refused(project: Path, bulletin) -> None:
    email_config(project, extra="    bounce_address: Bounces <bounces@news.example.org>\n")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 2
    assert ("publish[0].bounce_address: not a bare address like 'bounces@example.org': "
            "'Bounces <bounces@news.example.org>'") in result.err


def test_a_copy_carries_no_tracking_pixel_and_no_tracked_link(listed: Path, bulletin) -> None:
    """What the docs promise of the readers' privacy: the only things in a copy that name its
    reader are the unsubscribe link and the List-Unsubscribe header (the envelope's bounce token
    is not in the message)."""
    import re

    assert bulletin("publish", "--week", "2026-W11").code == 0
    copies = received(listed / "output" / "outbox" / "2026-W11")
    assert len(copies) == 3
    with Store.open(load_config(listed / "config.yaml").database) as store:
        uids = {sub.email: sub.uid for sub in store.subscribers.listing()}
    for copy in copies:
        html = copy.get_body(("html",))
        assert html is not None
        page = html.get_content()
        images = re.findall(r"<img[^>]*\bsrc=\"([^\"]*)\"", page)
        assert images and all(src.startswith("cid:") for src in images), images
        links = re.findall(r"\bhref=\"([^\"]*)\"", page)
        personal = [link for link in links if "token=" in link or uids[str(copy["To"])] in link]
        assert [link.split("?")[0] for link in personal] == ["https://bulletin.example.org/preferences",
                                                             "https://bulletin.example.org/unsubscribe"]
        assert all("utm_" not in link and str(copy["To"]) not in link for link in links)
        assert "bounces+b-" not in copy.as_string()
        by_mail, _ = str(copy["List-Unsubscribe"]).split(",")
        assert by_mail.strip().startswith("<mailto:bounces+u-") and copy.as_string().count("bounces+") == 1

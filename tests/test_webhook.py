"""The webhook publisher against a real HTTP server on loopback that checks the signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bulletin.config.validation import shown_url
from bulletin.store.database import Store
from support.servers import running

SECRET = "s3cret-shared-with-the-cms"


class Receiver(BaseHTTPRequestHandler):
    """A CMS endpoint: accepts a post only when its HMAC-SHA256 signature checks out."""

    received: list[dict] = []
    asked: list[float] = []  # when each request came in
    busy: list[tuple[int, str]] = []  # answers to give first: status, Retry-After

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).asked.append(time.monotonic())
        if type(self).busy:
            status, retry_after = type(self).busy.pop(0)
            self.send_response(status)
            self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(self.headers.get("X-Bulletin-Signature", ""), expected):
            self.send_response(401)
            reply = b"bad signature"
        else:
            type(self).received.append(json.loads(body))
            self.send_response(201)
            self.send_header("Location", f"/posts/{len(type(self).received)}")
            reply = b"created"
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    handler = type("Handler", (Receiver,), {"received": [], "asked": [], "busy": []})
    with running(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_port}/hooks/bulletin", handler


def configure(project: Path, url: str) -> None:
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"""publish:
  - {{name: site, type: site, base_url: "https://news.example.org"}}
  - {{name: cms, type: webhook, url: "{url}", secret_env: CMS_HOOK_SECRET}}
""")


def test_the_webhook_posts_the_signed_bulletin(project: Path, bulletin, receiver,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = receiver
    configure(project, url)
    monkeypatch.setenv("CMS_HOOK_SECRET", SECRET)
    result = bulletin("run")
    assert result.code == 0, result.err
    [post] = handler.received
    assert (post["event"], post["week"]) == ("published", "2026-W11")
    assert post["title"] == "Chinese models take OpenRouter's top three places"
    assert post["urls"] == {"site": "https://news.example.org/2026/w11/"}
    assert post["markdown"].startswith("# Chinese models take OpenRouter's top three")
    assert "<td" in post["html"]
    assert post["summary"].startswith("Chinese models filled the top three places on the leaderboard")
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "cms")
    assert delivery is not None
    assert (delivery.status, delivery.remote_id, delivery.attempts) == ("ok", "/posts/1", 1)


def test_a_wrong_secret_is_refused_by_the_receiver_and_reported(project: Path, bulletin, receiver,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = receiver
    configure(project, url)
    monkeypatch.setenv("CMS_HOOK_SECRET", "not-the-secret")
    result = bulletin("run")
    assert result.code == 4  # the site has it; the webhook failed
    shown = shown_url(url)  # scheme and host: a hook's path may be its secret
    assert f"warning: 2026-W11: publishing to cms failed: {shown}: HTTP 401: bad signature\n" in result.err
    assert handler.received == []


def test_a_missing_secret_names_the_variable(project: Path, bulletin, receiver,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = receiver
    configure(project, url)
    monkeypatch.delenv("CMS_HOOK_SECRET", raising=False)
    bulletin("run")
    result = bulletin("publish", "--week", "2026-W11", "--to", "cms")
    assert result.out == "cms: failed (cms: environment variable CMS_HOOK_SECRET is not set)\n"


def test_a_rejected_week_is_withdrawn_from_the_receiver(project: Path, bulletin, receiver,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = receiver
    configure(project, url)
    monkeypatch.setenv("CMS_HOOK_SECRET", SECRET)
    assert bulletin("run").code == 0
    result = bulletin("reject", "2026-W11", "--why", "the US total was wrong")
    assert result.out == ("2026-W11: rejected (the US total was wrong)\n"
                          "site: withdrawn (its pages are off the site)\n"
                          "cms: withdrawn (the receiver was told)\n")
    published, withdrawn = handler.received
    assert published["event"] == "published"
    assert withdrawn == {"event": "withdrawn", "week": "2026-W11",
                         "reasons": ["the US total was wrong"], "remote_id": "/posts/1"}


def test_a_receiver_asking_to_come_back_later_is_tried_again_after_its_retry_after(
        project: Path, bulletin, receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = receiver
    handler.busy.append((429, "1"))
    configure(project, url)
    monkeypatch.setenv("CMS_HOOK_SECRET", SECRET)
    result = bulletin("run")
    assert result.code == 0, result.err
    assert len(handler.received) == 1
    first, second = handler.asked
    assert second - first >= 0.9  # the second POST waited for the Retry-After
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "cms")
    assert delivery is not None and (delivery.status, delivery.attempts) == ("ok", 2)


def test_a_retry_after_beyond_the_bound_gives_up_at_once(project: Path, bulletin, receiver,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = receiver
    handler.busy.append((503, "3600"))
    configure(project, url)
    monkeypatch.setenv("CMS_HOOK_SECRET", SECRET)
    result = bulletin("run")
    assert result.code == 4  # the site has it; the webhook failed
    # Three tries of at most 20 s each cannot wait an hour: one attempt, then the target fails.
    shown = shown_url(url)
    assert f"warning: 2026-W11: publishing to cms failed: {shown}: HTTP 503 after 1 attempt\n" in result.err
    assert len(handler.asked) == 1 and handler.received == []
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "cms")
    assert delivery is not None and (delivery.status, delivery.attempts) == ("failed", 1)


def test_a_hook_url_that_is_a_secret_comes_from_the_environment_and_is_never_shown(
        project: Path, bulletin, receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    url, handler = receiver
    secret_path = "/hooks/bulletin?token=T0K3N-abc123"
    base = url.removesuffix("/hooks/bulletin")
    monkeypatch.setenv("CMS_HOOK_SECRET", SECRET)
    monkeypatch.setenv("CMS_HOOK_URL", base + secret_path)
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("publish:\n  - {name: cms, type: webhook, url_env: CMS_HOOK_URL, "
                     "secret_env: CMS_HOOK_SECRET}\n")
    result = bulletin("run")
    assert result.code == 0, result.err
    assert [post["event"] for post in handler.received] == ["published"]
    with Store.open(project / "output" / "bulletin.db") as store:
        stored = " ".join(" ".join(map(str, row)) for row in store.db.execute("SELECT * FROM deliveries"))
    for said in (result.out, result.err, stored):
        assert "T0K3N" not in said and "/hooks/" not in said


def test_a_hook_url_with_a_password_in_the_config_is_refused(project: Path, bulletin) -> None:
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("publish:\n  - {name: cms, type: webhook, url: 'https://me:hunter2@cms.example.org/h', "
                     "secret_env: CMS_HOOK_SECRET}\n")
    result = bulletin("run")
    assert result.code == 2
    assert "hunter2" not in result.err
    assert ("publish[0].url: https://cms.example.org/… carries a password: give the URL with url_env, "
            "from the environment, not in the config") in result.err

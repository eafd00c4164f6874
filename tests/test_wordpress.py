"""The WordPress publisher against a real WordPress (Debian's packages) on loopback."""

from __future__ import annotations

import struct
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from bulletin.store.database import Store
from support.servers import running
from support.wordpress import WordPress

# A real WordPress takes seconds to start; the failing host's retries take seconds too.
pytestmark = pytest.mark.slow


@pytest.fixture
def wp_project(project: Path, bulletin, wordpress: WordPress, monkeypatch: pytest.MonkeyPatch) -> Path:
    wordpress.php("foreach (get_posts(['post_status' => 'any', 'numberposts' => -1]) as $p) "
                  "{ wp_delete_post($p->ID, true); }")
    monkeypatch.setenv("WP_USER", "editor")
    monkeypatch.setenv("WP_APP_PASSWORD", wordpress.password)
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"""publish:
  - name: newsroom
    type: wordpress
    url: {wordpress.url}
    user_env: WP_USER
    password_env: WP_APP_PASSWORD
    status: publish
    categories: [Uncategorized, AI statistics]
    tags: [tokens, OpenRouter]
    timeout: 30
""")
    assert bulletin("collect").code == 0
    assert bulletin("render").code == 0  # rendered, not yet published
    return project


def png(width: int = 120, height: int = 60) -> bytes:
    """A real PNG (bars of two colours), standing in for the chart when the bulletin has none."""
    rows = b"".join(b"\0" + b"".join(bytes((200, 40, 30) if x < width * (0.3 + y % 2 * 0.4) else
                                           (40, 60, 200)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def api(wordpress: WordPress, route: str, **params: str) -> httpx.Response:
    return httpx.get(f"{wordpress.url}/", params={"rest_route": route, "context": "edit", **params},
                     auth=("editor", wordpress.password), timeout=30)


def posts(wordpress: WordPress) -> list[dict]:
    return api(wordpress, "/wp/v2/posts", status="publish,draft,trash").json()


@pytest.mark.external
def test_publish_creates_the_post_with_its_chart_categories_and_tags(wp_project: Path, bulletin,
                                                                     wordpress: WordPress) -> None:
    (wp_project / "output" / "bulletins" / "2026-W11" / "chart.png").write_bytes(png())
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 0, result.err
    [post] = posts(wordpress)
    assert result.out == f"newsroom: ok {post['link']}\n"
    assert post["title"]["raw"] == "Chinese models take OpenRouter's top three places"
    assert post["slug"] == "token-bulletin-2026-w11" and post["status"] == "publish"
    assert "4.69 trillion tokens" in post["content"]["raw"] and "<h1" not in post["content"]["raw"]
    assert post["excerpt"]["raw"].startswith("Chinese models filled the top three places on the leaderboard")
    categories = {c["name"] for c in api(wordpress, "/wp/v2/categories").json()
                  if c["id"] in post["categories"]}
    assert categories == {"Uncategorized", "AI statistics"}
    tags = {t["name"] for t in api(wordpress, "/wp/v2/tags").json() if t["id"] in post["tags"]}
    assert tags == {"tokens", "OpenRouter"}
    media = api(wordpress, f"/wp/v2/media/{post['featured_media']}").json()
    assert media["mime_type"] == "image/png" and media["media_details"]["width"] == 120
    assert media["alt_text"] == "Weekly token volume by country, 2026-W11"
    with Store.open(wp_project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "newsroom")
    assert delivery is not None and (delivery.status, delivery.remote_id) == ("ok", str(post["id"]))


@pytest.mark.external
def test_a_second_publish_updates_the_same_post(wp_project: Path, bulletin, wordpress: WordPress) -> None:
    folder = wp_project / "output" / "bulletins" / "2026-W11"
    (folder / "chart.png").write_bytes(png())
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [first] = posts(wordpress)
    html = folder / "bulletin.html"
    # A corrected wording (numbers are refused unless the store supports them).
    html.write_text(html.read_text().replace("on the leaderboard", "on the rankings"))
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [second] = posts(wordpress)
    assert second["id"] == first["id"]
    assert "on the rankings" in second["content"]["raw"]
    assert sorted(t["name"] for t in api(wordpress, "/wp/v2/tags").json()) == ["OpenRouter", "tokens"]
    assert second["featured_media"] == first["featured_media"]  # the same chart is not uploaded again
    (folder / "chart.png").write_bytes(png(width=160))
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [third] = posts(wordpress)
    assert third["id"] == first["id"] and third["featured_media"] != first["featured_media"]
    assert api(wordpress, f"/wp/v2/media/{third['featured_media']}").json()["media_details"]["width"] == 160


@pytest.mark.external
def test_a_post_already_there_under_the_weeks_slug_is_updated_not_doubled(
        wp_project: Path, bulletin, wordpress: WordPress) -> None:
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [first] = posts(wordpress)
    with Store.open(wp_project / "output" / "bulletin.db") as store, store.transaction() as db:
        db.execute("DELETE FROM deliveries")  # as if the store were restored from before
    assert bulletin("publish", "--week", "2026-W11").code == 0
    assert [post["id"] for post in posts(wordpress)] == [first["id"]]


@pytest.mark.external
def test_a_post_deleted_on_wordpress_is_reported_not_recreated(wp_project: Path, bulletin,
                                                               wordpress: WordPress) -> None:
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [post] = posts(wordpress)
    wordpress.php(f"wp_delete_post({post['id']}, true);")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.out == (f"newsroom: gone {post['link']} "
                          f"(post {post['id']} was deleted on WordPress; not recreated)\n")
    assert result.err == (f"warning: 2026-W11: newsroom: post {post['id']} was deleted on WordPress; "
                          "not recreated\n")
    assert posts(wordpress) == []


@pytest.mark.external
def test_a_week_rejected_after_publishing_goes_back_to_draft(wp_project: Path, bulletin,
                                                             wordpress: WordPress) -> None:
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [post] = posts(wordpress)
    result = bulletin("reject", "2026-W11", "--why", "the US total was wrong")
    assert result.out == ("2026-W11: rejected (the US total was wrong)\n"
                          f"newsroom: withdrawn (post {post['id']} set back to draft)\n")
    [draft] = posts(wordpress)
    assert (draft["id"], draft["status"]) == (post["id"], "draft")
    assert bulletin("approve", "2026-W11").code == 0
    [again] = posts(wordpress)
    assert (again["id"], again["status"]) == (post["id"], "publish")


@pytest.mark.external
def test_a_withdrawal_wordpress_refuses_is_reported_and_the_post_still_found(
        wp_project: Path, bulletin, wordpress: WordPress, monkeypatch: pytest.MonkeyPatch) -> None:
    assert bulletin("publish", "--week", "2026-W11").code == 0
    [post] = posts(wordpress)
    monkeypatch.setenv("WP_APP_PASSWORD", "wrong wrong wrong wrong")
    result = bulletin("reject", "2026-W11", "--why", "wrong figure")
    assert result.code == 1
    assert result.out.startswith("2026-W11: rejected (wrong figure)\nnewsroom: failed (withdrawing: ")
    with Store.open(wp_project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "newsroom")
    assert delivery is not None and (delivery.status, delivery.remote_id) == ("failed", str(post["id"]))
    assert posts(wordpress)[0]["status"] == "publish"


@pytest.mark.external
def test_a_wrong_password_gives_a_clear_message_and_publishes_nothing(
        wp_project: Path, bulletin, wordpress: WordPress, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WP_APP_PASSWORD", "abcd efgh ijkl mnop qrst uvwx")
    terms = len(api(wordpress, "/wp/v2/tags").json())
    result = bulletin("publish", "--week", "2026-W11")
    assert result.out == (
        f"newsroom: failed ({wordpress.url}: WordPress refused the credentials of user 'editor' "
        "(HTTP 401: You are not currently logged in.); check that "
        "WP_APP_PASSWORD holds an application password of a user who may publish posts)\n")
    assert posts(wordpress) == []
    assert len(api(wordpress, "/wp/v2/tags").json()) == terms


@pytest.mark.external
def test_pretty_permalinks_use_the_wp_json_routes(wp_project: Path, bulletin, wordpress: WordPress) -> None:
    wordpress.php("update_option('permalink_structure', '/%postname%/'); flush_rewrite_rules();")
    try:
        assert httpx.get(f"{wordpress.url}/wp-json/").headers["content-type"].startswith("application/json")
        # A bulletin rendered without a chart (chart: false) has no featured image to upload.
        (wp_project / "output" / "bulletins" / "2026-W11" / "chart.png").unlink(missing_ok=True)
        result = bulletin("publish", "--week", "2026-W11")
        [post] = posts(wordpress)
        assert result.out == (f"newsroom: ok {post['link']} "
                              "(no chart.png in the bulletin, so no featured image)\n")
        assert post["link"] == f"{wordpress.url}/token-bulletin-2026-w11/"
    finally:
        wordpress.php("update_option('permalink_structure', ''); flush_rewrite_rules();")


class _Failing(BaseHTTPRequestHandler):
    """A WordPress host that is down: every request gets a 503, or no answer in time."""

    seen: list[str] = []
    delay = 0.0

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen.append(self.path)
        time.sleep(self.delay)
        try:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("delay, problem", [(0.0, "HTTP 503"), (1.0, "no answer within 0.3 s")])
def test_server_errors_and_timeouts_are_retried_a_bounded_number_of_times(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch, delay: float, problem: str) -> None:
    handler = type("Handler", (_Failing,), {"seen": [], "delay": delay})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("WP_USER", "editor")
    monkeypatch.setenv("WP_APP_PASSWORD", "secret")
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"""publish:
  - {{name: newsroom, type: wordpress, url: {url}, user_env: WP_USER, password_env: WP_APP_PASSWORD,
     timeout: 0.3, retries: 3}}
  - {{name: site, type: site, base_url: https://news.example.org}}
""")
    with running(server):
        result = bulletin("run")
    assert result.code == 4  # the site has it; WordPress failed
    assert f"warning: 2026-W11: publishing to newsroom failed: {url}/wp-json/: {problem} after 3 attempts\n" \
        in result.err
    assert handler.seen == ["/wp-json/"] * 3
    with Store.open(project / "output" / "bulletin.db") as store:
        delivery = store.delivery("2026-W11", "newsroom")
    assert delivery is not None and (delivery.status, delivery.attempts) == ("failed", 3)
    assert (project / "output" / "site" / "2026" / "w11" / "index.html").is_file()  # the rest went on

"""The publishing seam: targets by name, the review status, the preview server."""

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.serve import app as web
from bulletin.store.database import Store
from support.servers import running


def test_publishing_to_an_unknown_target_names_the_configured_ones(project, bulletin) -> None:
    bulletin("run")
    result = bulletin("publish", "--week", "2026-W11", "--to", "wordpress")
    assert result.code == 1
    assert result.err == "error: no publish target named wordpress (configured: none configured)\n"


def test_a_held_bulletin_is_never_published(project, bulletin) -> None:
    bulletin("run")
    config = load_config(project / "config.yaml")
    with Store.open(config.database) as store:
        record = store.bulletin("2026-W11")
        assert record is not None and record.status == "ready"
        store.record_bulletin("2026-W11", record.headline, record.events,
                              record.rendered_at, "held", ["US volume jumped 20x"])
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 1
    assert result.err == ("error: 2026-W11: the bulletin is held (US volume jumped 20x); "
                          "nothing published\n")


def test_publishing_a_week_never_rendered_says_how_to_render_it(project, bulletin) -> None:
    bulletin("collect")
    result = bulletin("publish", "--week", "2026-W10")
    assert result.err == "error: 2026-W10: no rendered bulletin (run `bulletin render --week 2026-W10`)\n"


@pytest.mark.parametrize(("content", "says"), [
    ("[]", "not a bulletin (a JSON object was expected)"),
    ('{"week": "2026-W11", "generated_at": "2026-03-16T00:00:00+00:00"}',
     "not a bulletin ('headline' is missing or not a str)"),
    ('{"week": "2026-W11", "headline": "H", "generated_at": "x", "articles": {"en": 3}}',
     "the 'en' article has no headline"),
])
def test_a_bulletin_json_that_is_not_one_is_refused_in_one_line(project, bulletin, content: str,
                                                                says: str) -> None:
    assert bulletin("collect").code == 0 and bulletin("render").code == 0
    data = project / "output" / "bulletins" / "2026-W11" / "bulletin.json"
    data.write_text(content, encoding="utf-8")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 1
    assert result.err == f"error: {data}: {says}\n"


@pytest.fixture
def server(tmp_path: Path):
    site = tmp_path / "site"
    (site / "2026" / "w11").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>home</title>", encoding="utf-8")
    (site / "2026" / "w11" / "index.html").write_text("week 11", encoding="utf-8")
    (tmp_path / "secret.db").write_text("not for the web", encoding="utf-8")
    app = web.WebApp(site)
    app.route("POST", "/echo", lambda request: web.Response(200, request.body, "text/plain"))
    with running(web.make(app, "127.0.0.1", 0)) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, data=data) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_the_preview_server_serves_the_site_and_routes(server: str) -> None:
    assert fetch(server + "/") == (200, "text/html; charset=utf-8", "<!DOCTYPE html><title>home</title>")
    assert fetch(server + "/2026/w11/")[2] == "week 11"
    assert fetch(server + "/2026/w11")[2] == "week 11"  # redirected to the folder
    assert fetch(server + "/echo", b"hello")[2] == "hello"
    assert fetch(server + "/missing.html")[0] == 404


def test_the_preview_server_never_serves_outside_the_site(server: str) -> None:
    assert fetch(server + "/../secret.db")[0] == 404
    assert fetch(server + "/%2e%2e/secret.db")[0] == 404

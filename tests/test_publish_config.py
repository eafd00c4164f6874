"""The site, WordPress and webhook targets' settings, every problem reported at once."""

from __future__ import annotations

from pathlib import Path

from support import write_config

SOURCES = '  - {name: w, type: csv, path: demo/openrouter-weekly.csv, url: "https://openrouter.ai/rankings"}'


def test_every_problem_in_the_publish_targets_is_reported_at_once(project: Path, bulletin) -> None:
    write_config(project, SOURCES, """publish:
  - {name: site, type: site, base_url: not-a-url}
  - {name: wp, type: wordpress, url: "https://news.example.org", status: live, retries: 0, user_env: U}
  - {name: hook, type: webhook, timeout: -1, colour: red}
""")
    before = sorted(project.rglob("*"))
    result = bulletin("run")
    assert result.code == 2  # a config error
    assert result.err == (
        "error: config.yaml: publish[0].base_url: not a valid http(s) URL: 'not-a-url'\n"
        "error: config.yaml: publish[1].password_env: required\n"
        "error: config.yaml: publish[1].status: "
        "expected one of draft, publish, pending, private, not 'live'\n"
        "error: config.yaml: publish[1].retries: must be at least 1, got 0\n"
        "error: config.yaml: publish[2].colour: unknown key "
        "(expected one of: name, retries, secret_env, timeout, type, url, url_env)\n"
        "error: config.yaml: publish[2].url: required\n"
        "error: config.yaml: publish[2].secret_env: required\n"
        "error: config.yaml: publish[2].timeout: expected a number of seconds above 0\n")
    assert sorted(project.rglob("*")) == before  # nothing written


def test_rebuilding_the_site_without_a_site_target_says_how_to_add_one(project: Path, bulletin) -> None:
    result = bulletin("site")
    assert result.code == 1
    assert result.err == "error: no site configured: add a `type: site` entry under publish:\n"


def test_pages_take_the_site_targets_address_when_site_base_url_is_absent(project: Path) -> None:
    from bulletin.config.load import load_config

    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "publish:\n"
                      "  - {name: site, type: site, base_url: 'https://news.example.org/b'}\n",
                      encoding="utf-8")
    assert load_config(config).base_url == "https://news.example.org/b/"


def test_with_an_email_list_every_page_invites_readers_to_subscribe(project: Path) -> None:
    from bulletin.config.load import load_config

    email = """  - name: newsletter
    type: email
    from: Token Bulletin <news@example.org>
    base_url: https://list.example.org
"""
    site = '  - {name: site, type: site, base_url: "https://news.example.org/"}\n'
    write_config(project, SOURCES, "publish:\n" + site + email)
    [site_target, _] = load_config(project / "config.yaml").publishers
    assert site_target.subscribe_url == "https://list.example.org/subscribe"
    # The site's own subscribe_url wins; without a list there is nothing to invite to.
    own = '  - {name: site, type: site, base_url: "https://news.example.org/", subscribe_url: "https://x.example/s"}\n'
    write_config(project, SOURCES, "publish:\n" + own + email)
    assert load_config(project / "config.yaml").publishers[0].subscribe_url == "https://x.example/s"
    write_config(project, SOURCES, "publish:\n" + site)
    assert load_config(project / "config.yaml").publishers[0].subscribe_url == ""

"""The bulletin's emails, DKIM-signed, as Debian's SpamAssassin scores them with its shipped rules.

SpamAssassin runs as a receiving server would, DNS included, except that its
DNS is a server on loopback (support/dns_zone.py) that publishes the test's
DKIM key, so the signature is verified for real. What needs the outside
world is switched off and said so: the block lists (skip_rbl_checks, no
answer can be had offline), the collaborative hash networks (razor, pyzor,
DCC) and Bayes, which has no trained database here. Each message is scored a
second time with local tests only (-L): SpamAssassin's score set for that
weighs some content rules much more (text the colour of its background:
0.713 points there, 0.001 with network tests).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from support.dns_zone import dns_zone
from support.emailing import KEY, email_config, make_dkim_key

pytestmark = [pytest.mark.slow, pytest.mark.external,
              pytest.mark.skipif(shutil.which("spamassassin") is None,
                                 reason="spamassassin not installed (.ci/setup.d/55-spamassassin.sh)")]

SELECTOR = "w26._domainkey.bulletin.example.org"
MOST = 1.0  # points; SpamAssassin's own threshold for spam is 5.0


def spam_status(message: bytes, dns_port: int | None) -> tuple[float, list[str]]:
    """SpamAssassin's score for ``message`` and the rules it hit; without a DNS port, local tests only."""
    settings = ["use_bayes 0", "use_razor2 0", "use_pyzor 0", "use_dcc 0"]
    if dns_port:
        settings += [f"dns_server 127.0.0.1:{dns_port}", "dns_available yes", "skip_rbl_checks 1",
                     "skip_uribl_checks 1"]
    checked = subprocess.run(["spamassassin", "-x", *(() if dns_port else ("-L",)),
                              *(f"--cf={line}" for line in settings)],
                             input=message, capture_output=True, timeout=120)
    assert checked.returncode == 0, checked.stderr.decode()
    status = str(message_from_bytes(checked.stdout, policy=policy.default)["X-Spam-Status"])
    found = re.search(r"score=(-?[\d.]+) .*tests=(\S*)", re.sub(r",\s+", ",", " ".join(status.split())))
    assert found is not None, status
    return float(found[1]), [rule for rule in found[2].split(",") if rule and rule != "none"]


# The list as it runs in production, with the site and a bounce address (whose copies' List-Unsubscribe
# offers a mailto beside the https link), and as a newcomer first tries it, with neither.
@pytest.mark.parametrize("site", [True, False], ids=["site-and-bounce-address", "chart-inside-https-only"])
def test_the_signed_emails_in_english_and_chinese_score_at_most_one_point(
        project: Path, bulletin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: bool) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    config = project / "config.yaml"
    config.write_text("locales: [en, zh]\n" + config.read_text(encoding="utf-8")
                      + ("site:\n  base_url: https://news.example.org/bulletin/\n" if site else ""),
                      encoding="utf-8")
    key_file, txt_record = make_dkim_key(tmp_path)
    email_config(project, extra=f"    dkim:\n      selector: w26\n      key_file: {key_file}\n"
                                + ("    bounce_address: bounces@news.example.org\n" if site else ""))
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    assert bulletin("subscribers", "add", "chen@example.cn", "--locale", "zh").code == 0
    assert bulletin("run").code == 0
    outbox = project / "output" / "outbox" / "2026-W11"
    messages = {message_from_bytes(path.read_bytes(), policy=policy.default)["Content-Language"]: path
                for path in outbox.glob("*.eml")}
    assert sorted(messages) == ["en", "zh"]
    for path in messages.values():
        assert (b"List-Unsubscribe: <mailto:bounces+u-" in path.read_bytes()) == site
    with dns_zone({SELECTOR: txt_record}) as (port, asked):
        for language, path in sorted(messages.items()):
            score, rules = spam_status(path.read_bytes(), port)
            # The signature was checked against the published key, and found good.
            assert {"DKIM_SIGNED", "DKIM_VALID", "DKIM_VALID_AU"} <= set(rules), (language, rules)
            assert score <= MOST, (language, score, rules)
            score, rules = spam_status(path.read_bytes(), None)
            assert score <= MOST, (language, "local tests only", score, rules)
    assert f"{SELECTOR}. TXT" in asked


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_signed_confirmation_email_scores_at_most_one_point(project: Path, tmp_path: Path,
                                                                locale: str) -> None:
    from bulletin.config.load import load_config
    from bulletin.publish.email.message import simple_message
    from bulletin.render.article import environment

    key_file, txt_record = make_dkim_key(tmp_path)
    email_config(project, extra=f"    dkim:\n      selector: w26\n      key_file: {key_file}\n")
    settings = load_config(project / "config.yaml").publishers[0].settings  # type: ignore[attr-defined]
    env = environment(None)
    words = "" if locale == "en" else f".{locale}"
    context = {"title": settings.list_name,
               "confirm_url": f"{settings.base_url}/confirm?token=c2VjcmV0.dG9rZW4"}
    message = simple_message(settings, "chen@example.cn",
                             env.get_template(f"mailing/confirm_subject{words}.txt.j2").render(context),
                             env.get_template(f"mailing/confirm{words}.txt.j2").render(context),
                             "confirm.0123456789abcdef@bulletin.example.org", datetime.now(UTC))
    with dns_zone({SELECTOR: txt_record}) as (port, _):
        score, rules = spam_status(message, port)
    assert {"DKIM_SIGNED", "DKIM_VALID", "DKIM_VALID_AU"} <= set(rules), rules
    assert score <= MOST, (score, rules)
    score, rules = spam_status(message, None)
    assert score <= MOST, ("local tests only", score, rules)

"""`bulletin desk` as an editor meets it: a held week, an editor, the desk in its own process,
and an HTTP client that keeps its cookie the way a browser does (and can be told not to)."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from support import FIXED_EPOCH, copy_demo

EDITOR, NAME, PASSWORD = "alice", "Alice Example", "correct horse battery staple"
WEEK = "2026-W11"
SITE = """review: always
publish:
  - {name: site, type: site, base_url: 'https://news.example.org/bulletin/', title: Token Bulletin}
"""


def environ() -> dict[str, str]:
    import os

    return {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}


def bulletin(project: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulletin", *args], cwd=project, env=environ(),
                          input=stdin, capture_output=True, text=True, timeout=120)


def held_project(folder: Path, config: str = SITE) -> Path:
    """The demo with a site target and `review: always`: week 2026-W11 rendered and held, one editor."""
    folder.mkdir(parents=True, exist_ok=True)
    copy_demo(folder)
    with (folder / "config.yaml").open("a", encoding="utf-8") as file:
        file.write(config)
    done = bulletin(folder, "run")
    assert done.returncode == 3, done.stderr  # held for review
    added = bulletin(folder, "desk", "add-editor", EDITOR, "--name", NAME, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    return folder


@contextmanager
def desk(project: Path, *options: str) -> Iterator[str]:
    """`bulletin desk` on a free port; yields its base URL (no trailing slash)."""
    server = subprocess.Popen([sys.executable, "-m", "bulletin", "desk", "--port", "0", *options],
                              cwd=project, env=environ(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        for _ in range(5):
            line = server.stderr.readline()
            found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
            if found:
                break
        assert found, line
        yield found[1]
    finally:
        server.terminate()
        server.wait(10)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: list[str]  # every Set-Cookie, as sent
    text: str

    def token(self) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.text)
        assert found, self.text[:400]
        return found[1]


@dataclass
class Client:
    """Requests as a browser sends them: the desk's cookie kept and sent back (``cookie``)."""

    base: str
    source: str = "127.0.0.1"  # the loopback address requests come from (the limits count it)
    cookie: str = ""  # "desk=...", as the last Set-Cookie gave it
    seen: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        url = urlsplit(self.base)
        sent = dict(headers or {})
        if self.cookie:
            sent["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60,
                                                source_address=(self.source, 0))
        with closing(connection):
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            cookies = response.headers.get_all("Set-Cookie") or []
        for cookie in cookies:
            pair = cookie.split(";", 1)[0]
            self.cookie = "" if "Max-Age=0" in cookie else pair
            self.seen.append(pair)
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, cookies, text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self.request("POST", path, form)

    def sign_in(self, user: str = EDITOR, password: str = PASSWORD, next_path: str = "/") -> Answer:
        token = self.get("/login").token()
        return self.post("/login", {"csrf": token, "user": user, "password": password, "next": next_path})


def paragraphs(page: str) -> list[dict[str, str]]:
    """The week page's paragraph forms: each one's fields (csrf, locale, generated, seen, text)."""
    import html

    found = []
    for form in re.findall(r'<form method="post" action="/week/[^"]+/edit" class="edit">(.*?)</form>',
                           page, re.DOTALL):
        fields = {name: html.unescape(value)
                  for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)}
        text = re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.DOTALL)
        assert text, form
        fields["text"] = html.unescape(text[1])
        found.append(fields)
    return found


def paragraph_with(page: str, words: str) -> dict[str, str]:
    (found,) = [fields for fields in paragraphs(page) if words in fields["text"]]
    return found

"""``type: wordpress``: a post through the WordPress REST API, with an application password.

Idempotent per week: the post id is kept in the deliveries table and a rerun
updates that post. A post deleted (or trashed) on the WordPress side is
reported as gone, never silently created again.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin import clock
from bulletin.collect.http import Attempts, request
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import PublishError
from bulletin.model import Delivery, DeliveryStatus
from bulletin.publish.http_settings import RETRY_OPTIONS, Retry, secret
from bulletin.publish.publisher import COMMON_OPTIONS, Publisher, RenderedBulletin
from bulletin.publish.site.pages import Article
from bulletin.records import record
from bulletin.render.escape import clean
from bulletin.render.rendered import CHART_PNG, DEFAULT_LOCALE
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

    from bulletin.model.corrections import Correction

class PostStatus(StrEnum):
    """The status a WordPress post is created with (the REST API's own words)."""

    DRAFT = "draft"
    PUBLISH = "publish"
    PENDING = "pending"
    PRIVATE = "private"
_H1 = "<h1"


OPTIONS = option.schema(
    option.url("url", "the WordPress site", required=True),
    option.text("user_env", None, "the environment variable holding the user", required=True),
    option.text("password_env", None, "the environment variable holding the user's application "
                "password (Users > Profile)", required=True),
    option.choice("status", PostStatus.DRAFT, "the post's status"),
    option.strings("categories", (), "the post's categories, by name; created when missing"),
    option.strings("tags", (), "the post's tags, by name"),
    option.text("slug_prefix", "token-bulletin-", "the slug is this and the week: "
                "`token-bulletin-2026-w11`"),
) + RETRY_OPTIONS


@record
class WordPressPublisher(Publisher):
    type: ClassVar[str] = "wordpress"
    withdraws: ClassVar[bool] = True
    corrects: ClassVar[bool] = True
    options: ClassVar[option.Schema] = COMMON_OPTIONS + OPTIONS

    url: str = ""  # the three are required: no default to declare
    user_env: str = ""
    password_env: str = ""
    status: PostStatus = OPTIONS.default("status")
    categories: tuple[str, ...] = OPTIONS.default("categories")
    tags: tuple[str, ...] = OPTIONS.default("tags")
    slug_prefix: str = OPTIONS.default("slug_prefix")
    retry: Retry = Retry()

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> WordPressPublisher | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if not values.ok:
            return None
        return cls(values["name"], values["url"].rstrip("/"), values["user_env"], values["password_env"],
                   values["status"], values["categories"], values["tags"], values["slug_prefix"],
                   Retry.of(values))

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        user = secret(self.user_env, self.name)
        password = secret(self.password_env, self.name)
        tally = Attempts()
        try:
            return self._publish(bulletin, store, user, password, tally)
        except PublishError as exc:
            raise PublishError(str(exc), max(tally.count, 1)) from None

    def _publish(self, bulletin: RenderedBulletin, store: Store, user: str, password: str,
                 tally: Attempts) -> Delivery:
        import httpx

        previous = store.delivery(bulletin.week, self.name)
        post_id = previous.remote_id if previous and previous.remote_id else ""
        with httpx.Client(auth=(user, password), headers={"User-Agent": "bulletin"}) as client:
            api = _Api(client, self.retry, tally, self.url, self._routes(client, tally))
            # Credentials first: a refused password must leave nothing half-published.
            me = api.call("GET", "/wp/v2/users/me", params={"context": "edit"})
            if me.status_code in (401, 403):
                raise PublishError(
                    f"{self.url}: WordPress refused the credentials of user {user!r} "
                    f"(HTTP {me.status_code}: {_message(me)}); check that {self.password_env} "
                    "holds an application password of a user who may publish posts")
            api.expect(me, "checking the user")
            if post_id:
                existing = api.call("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"})
                if existing.status_code in (404, 410) or (
                        existing.status_code == 200 and existing.json().get("status") == "trash"):
                    where = previous.location if previous else ""
                    return Delivery(bulletin.week, self.name, DeliveryStatus.GONE, post_id, where,
                                    f"post {post_id} was deleted on WordPress; not recreated",
                                    tally.count, clock.stamp())
                api.expect(existing, f"reading post {post_id}")
            post = self.post_fields(bulletin)
            if not post_id:
                # No post recorded for this week: one with its slug may still exist (a
                # store restored from an older copy, an answer lost on the way back).
                post_id = api.find_post(post["slug"])
            post["categories"] = [api.term("categories", name) for name in self.categories]
            post["tags"] = [api.term("tags", name) for name in self.tags]
            chart = bulletin.path(CHART_PNG)
            if chart.is_file():
                post["featured_media"] = api.media(chart, bulletin.week, post_id)
            saved = api.call("POST", f"/wp/v2/posts/{post_id}" if post_id else "/wp/v2/posts", json=post)
            api.expect(saved, f"saving the post of {bulletin.week}")
            data = saved.json()
        detail = "" if chart.is_file() else "no chart.png in the bulletin, so no featured image"
        return Delivery(bulletin.week, self.name, DeliveryStatus.OK, str(data["id"]), data.get("link", ""),
                        detail, tally.count, clock.stamp())

    def correct(self, bulletin: RenderedBulletin, store: Store, corrections: Sequence[Correction]
                ) -> Delivery:
        """The post, found by the id its first publish recorded, updated with the corrected article."""
        return self.publish(bulletin, store)

    def withdraw(self, output: Path, delivered: Delivery, store: Store) -> Delivery | None:
        """Set a rejected week's post back to draft: off the blog, kept for the editors."""
        import httpx

        week = delivered.week
        if not delivered.remote_id:
            return None
        user = secret(self.user_env, self.name)
        password = secret(self.password_env, self.name)
        tally = Attempts()
        post_id = delivered.remote_id
        try:
            with httpx.Client(auth=(user, password), headers={"User-Agent": "bulletin"}) as client:
                api = _Api(client, self.retry, tally, self.url, self._routes(client, tally))
                saved = api.call("POST", f"/wp/v2/posts/{post_id}", json={"status": PostStatus.DRAFT})
                if saved.status_code in (404, 410):
                    return Delivery(week, self.name, DeliveryStatus.GONE, post_id, delivered.location,
                                    f"post {post_id} was already deleted on WordPress", tally.count,
                                    clock.stamp())
                api.expect(saved, f"setting post {post_id} back to draft")
        except PublishError as exc:
            raise PublishError(str(exc), max(tally.count, 1)) from None
        return Delivery(week, self.name, DeliveryStatus.WITHDRAWN, post_id, delivered.location,
                        f"post {post_id} set back to draft", tally.count, clock.stamp())

    def post_fields(self, bulletin: RenderedBulletin) -> dict[str, Any]:
        version = Article.of(bulletin).version(DEFAULT_LOCALE)
        body = version.body
        if body.lstrip().startswith(_H1):
            # WordPress shows the title itself; the article's own headline would repeat it.
            body = body.split("</h1>", 1)[1].lstrip()
        # WordPress reads a title and an excerpt as HTML; ours are plain text, and stay text.
        return {"title": as_text(version.headline or bulletin.headline), "content": body,
                "excerpt": as_text(version.description), "status": self.status,
                "slug": f"{self.slug_prefix}{str(bulletin.week).lower()}"}

    def _routes(self, client: httpx.Client, tally: Attempts) -> str:
        """``/wp-json`` where pretty permalinks are on, else the ``?rest_route=`` form."""
        probe = request(client, "GET", f"{self.url}/wp-json/", self.retry.policy, tally)
        if probe.status_code == 200 and probe.headers.get("content-type", "").startswith("application/json"):
            return "pretty"
        return "query"


@dataclass
class _Api:
    client: httpx.Client
    retry: Retry
    tally: Attempts
    url: str
    routes: str

    def call(self, method: str, route: str, params: dict[str, Any] | None = None,
             **options: Any) -> httpx.Response:
        if self.routes == "pretty":
            url, query = f"{self.url}/wp-json{route}", dict(params or {})
        else:
            # The route rides in the query string with the other parameters (httpx
            # replaces a URL's query with ``params``, so it cannot stay in the URL).
            url, query = f"{self.url}/", {"rest_route": route, **(params or {})}
        return request(self.client, method, url, self.retry.policy, self.tally, params=query, **options)

    def expect(self, response: httpx.Response, doing: str) -> None:
        if response.status_code in (401, 403):
            raise PublishError(f"{self.url}: WordPress refused {doing} (HTTP {response.status_code}: "
                               f"{_message(response)})")
        if response.status_code >= 300:
            raise PublishError(f"{self.url}: {doing} failed (HTTP {response.status_code}: "
                               f"{_message(response)})")

    def term(self, kind: str, name: str) -> int:
        """The id of the category or tag called ``name``, created when WordPress has none."""
        found = self.call("GET", f"/wp/v2/{kind}", params={"search": name, "per_page": 100})
        self.expect(found, f"looking up {kind}")
        for term in found.json():
            if html.unescape(term["name"]).casefold() == name.casefold():
                return int(term["id"])
        made = self.call("POST", f"/wp/v2/{kind}", json={"name": name})
        if made.status_code == 400 and made.json().get("code") == "term_exists":
            return int(made.json()["data"]["term_id"])
        self.expect(made, f"creating the {kind[:-1] if kind == 'tags' else 'category'} {name!r}")
        return int(made.json()["id"])

    def find_post(self, slug: str) -> str:
        found = self.call("GET", "/wp/v2/posts", params={
            "slug": slug, "status": "publish,future,draft,pending,private", "context": "edit"})
        self.expect(found, "looking for the post")
        return str(found.json()[0]["id"]) if found.json() else ""

    def media(self, chart: Path, week: IsoWeek, post_id: str) -> int:
        """Upload the chart, unless the post already shows this very chart."""
        content = chart.read_bytes()
        name = f"bulletin-{str(week).lower()}-{hashlib.sha256(content).hexdigest()[:12]}.png"
        if post_id:
            current = self.call("GET", f"/wp/v2/posts/{post_id}", params={"context": "edit"}).json()
            media_id = current.get("featured_media") or 0
            if media_id:
                media = self.call("GET", f"/wp/v2/media/{media_id}", params={"context": "edit"})
                # The title is set at upload; the file name is not reliable, since
                # WordPress renames a file whose name is taken (chart-1.png).
                title = media.json().get("title", {}).get("raw", "") if media.status_code == 200 else ""
                if title == name.removesuffix(".png"):
                    return int(media_id)
        uploaded = self.call("POST", "/wp/v2/media", content=content, params={
            "title": name.removesuffix(".png"), "alt_text": f"Weekly token volume by country, {week}"},
            headers={"Content-Type": "image/png", "Content-Disposition": f'attachment; filename="{name}"'})
        self.expect(uploaded, "uploading the chart")
        return int(uploaded.json()["id"])


def _message(response: httpx.Response) -> str:
    try:
        return html.unescape(str(response.json().get("message", ""))) or response.reason_phrase
    except ValueError:
        return response.reason_phrase


def as_text(text: str) -> str:
    """Plain text as HTML that shows exactly it: no tag, no entity, no control character."""
    import html

    return html.escape(" ".join(clean(text).split()), quote=False)

"""``type: webhook``: POST the bulletin as JSON to any CMS, signed with HMAC-SHA256.

The receiver checks ``X-Bulletin-Signature: sha256=<hex>``, the HMAC of the
exact request body under the shared secret, before trusting the post.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlparse

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
from bulletin.render.rendered import DEFAULT_LOCALE, article_name
from bulletin.store.database import Store

if TYPE_CHECKING:
    from bulletin.model.corrections import Correction

SIGNATURE_HEADER = "X-Bulletin-Signature"


def signature(body: bytes, key: str) -> str:
    return "sha256=" + hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _read_url(url: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
              base_dir: Path) -> str | None:
    """``url``, required unless ``url_env`` is given, never both; never with a password in it."""
    if raw.get("url_env"):
        if "url" in raw:
            problems.add(f"{where}.url", "give url or url_env (the environment variable that holds "
                         "a URL that is itself a secret), not both")
            return None
        return url.default
    found = check.url(raw, "url", where, problems, required=True)
    if found and urlparse(found).password:
        problems.add(f"{where}.url", f"{check.shown_url(found)} carries a password: give the "
                     "URL with url_env, from the environment, not in the config")
        return None
    return found


OPTIONS = option.schema(
    option.text("url_env", "", "instead of `url`, where the URL is itself a secret: the environment "
                "variable that holds it"),
    option.custom("url", "", "where to POST the bulletin", "http(s) URL", _read_url,
                  shown_default="required, unless `url_env`"),
    option.text("secret_env", None, "the environment variable holding the shared secret the body is "
                "signed with (HMAC-SHA256)", required=True),
) + RETRY_OPTIONS


@record
class WebhookPublisher(Publisher):
    type: ClassVar[str] = "webhook"
    withdraws: ClassVar[bool] = True
    corrects: ClassVar[bool] = True
    options: ClassVar[option.Schema] = COMMON_OPTIONS + OPTIONS

    url: str = OPTIONS.default("url")  # or, where the URL is itself a secret, the variable ``url_env`` names
    secret_env: str = ""  # required: no default to declare
    retry: Retry = Retry()
    url_env: str = OPTIONS.default("url_env")

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> WebhookPublisher | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if not values.ok:
            return None
        return cls(values["name"], values["url"], values["secret_env"], Retry.of(values), values["url_env"])

    @property
    def endpoint(self) -> str:
        """The URL to post to: the config's, or the one its url_env names (read when used)."""
        if not self.url_env:
            return self.url
        found = os.environ.get(self.url_env, "")
        if not check.is_url(found):
            raise PublishError(f"{self.name}: the environment variable {self.url_env} does not "
                               "hold an http(s) URL (the webhook's url_env)")
        return found

    @property
    def shown(self) -> str:
        """Where it posts, as printed and stored: no secret of the URL."""
        return check.shown_url(self.url) if self.url else f"${self.url_env}"

    def payload(self, bulletin: RenderedBulletin, store: Store) -> dict[str, Any]:
        article = Article.of(bulletin)
        # Where else this week went (the site page, the WordPress post), as those targets recorded it.
        urls = {d.target: d.location for d in store.deliveries(bulletin.week)
                if d.status == DeliveryStatus.OK and d.location and d.target != self.name}
        return {"event": "published", "week": str(bulletin.week), "title": bulletin.headline,
                "generated_at": bulletin.data.get("generated_at", ""),
                "summary": article.version("en").description,
                "html": article.version("en").body, "markdown": bulletin.text(article_name(DEFAULT_LOCALE)),
                "urls": urls, "languages": list(article.languages)}

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        response, attempts = self._post(self.payload(bulletin, store))
        return Delivery(bulletin.week, self.name, DeliveryStatus.OK,
                        remote_id=response.headers.get("Location", ""), location=self.shown,
                        attempts=attempts, delivered_at=clock.stamp())

    def correct(self, bulletin: RenderedBulletin, store: Store, corrections: Sequence[Correction]
                ) -> Delivery:
        """The corrected bulletin, as a ``corrected`` event naming each number that changed."""
        previous = store.delivery(bulletin.week, self.name)
        payload = self.payload(bulletin, store) | {
            "event": "corrected", "updated_at": bulletin.data.get("updated_at", ""),
            "remote_id": previous.remote_id if previous else "",
            "corrections": [{key: c.data()[key] for key in ("locale", "quantity", "sentence", "old", "new",
                                                            "source", "detected_at")}
                            for c in corrections]}
        response, attempts = self._post(payload)
        return Delivery(bulletin.week, self.name, DeliveryStatus.OK,
                        remote_id=response.headers.get("Location", "") or payload["remote_id"],
                        location=self.shown, detail="corrected", attempts=attempts,
                        delivered_at=clock.stamp())

    def withdraw(self, output: Path, delivered: Delivery, store: Store) -> Delivery:
        """Tell the receiver that a week it was sent has been rejected since."""
        week = delivered.week
        record = store.bulletin(week)
        reasons = list(record.reasons) if record else []
        _, attempts = self._post({"event": "withdrawn", "week": str(week), "reasons": reasons,
                                  "remote_id": delivered.remote_id})
        return Delivery(week, self.name, DeliveryStatus.WITHDRAWN, delivered.remote_id, self.shown,
                        "the receiver was told", attempts,
                        clock.stamp())

    def _post(self, payload: dict[str, Any]) -> tuple[Any, int]:
        """POST the signed JSON; the response and the attempts it took."""
        import httpx

        key = secret(self.secret_env, self.name)
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        tally = Attempts()
        endpoint = self.endpoint
        try:
            with httpx.Client() as client:
                response = request(client, "POST", endpoint, self.retry.policy, tally, content=body,
                                   headers={"Content-Type": "application/json; charset=utf-8",
                                            SIGNATURE_HEADER: signature(body, key), "User-Agent": "bulletin"})
        except PublishError as exc:
            # Said without the URL's secrets (a Slack-style hook's path, a password).
            raise PublishError(str(exc).replace(endpoint, self.shown), exc.attempts) from None
        if response.status_code >= 300:
            raise PublishError(f"{self.shown}: HTTP {response.status_code}: {response.text[:200].strip()}",
                               tally.count)
        return response, tally.count

"""Publishers: where a rendered bulletin goes. Each type registers under a name.

A publisher is built from its ``publish:`` config entry (validated, problems
collected) and ``publish()`` delivers one rendered bulletin, returning a
``Delivery`` that the pipeline records. A publisher that fails returns a
failed Delivery (or raises PublishError); the other targets still run.

Beyond ``publish()`` a type may declare what else it can do, by setting a
class flag and overriding the method: ``withdraws`` (take a rejected week
down again), ``rebuilds`` (write everything again from every published
week), ``sends_test`` (one test copy to one address), ``corrects`` (tell
readers of a week it has that a revised number was corrected). The pipeline
asks the flags, never the type.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import PublishError
from bulletin.model import BulletinRecord, Delivery, Status
from bulletin.model.publication import Publication
from bulletin.records import record
from bulletin.render.rendered import RenderedWeek

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bulletin.model.corrections import Correction
    from bulletin.store.database import Store
    from bulletin.weeks import IsoWeek

# The keys every publisher takes.
COMMON_OPTIONS = option.schema(
    option.text("name", None, "the target's own name, unique among the targets (`--to NAME`)",
                required=True),
    option.text("type", None, "which kind of target: one of the types below", required=True),
)


@record
class RenderedBulletin(RenderedWeek):
    """A week's edition with what the store records of it: what a publisher is handed."""

    record: BulletinRecord | None = None

    @classmethod
    def of(cls, edition: RenderedWeek, record: BulletinRecord) -> RenderedBulletin:
        return cls(edition.week, edition.output, edition.data, edition.edition, record)

    @property
    def headline(self) -> str:
        return self.record.headline if self.record else super().headline

    @property
    def status(self) -> Status:
        return self.record.status if self.record else Status.READY

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.record.reasons if self.record else ()

    @classmethod
    def read(cls, output: Path, store: Store, week: IsoWeek) -> RenderedBulletin:
        record = store.bulletin(week)
        if record is None:
            raise PublishError(f"{week}: no rendered bulletin (run `bulletin render --week {week}`)")
        return cls.of(RenderedWeek.load(output, week), record)

    @property
    def publishable(self) -> bool:
        return self.status.publishable


@record
class Publisher:
    """Base of every publisher type: the settings all of them share."""

    type: ClassVar[str] = ""
    options: ClassVar[option.Schema] = COMMON_OPTIONS  # each type: COMMON_OPTIONS + its own
    withdraws: ClassVar[bool] = False
    rebuilds: ClassVar[bool] = False
    sends_test: ClassVar[bool] = False
    corrects: ClassVar[bool] = False
    takes_editions: ClassVar[bool] = False  # publishes a week's editions too (model/editions.py)
    # A week older than the newest published is news to nobody here (an email): a back-fill
    # (`bulletin run --week`, `bulletin approve`) passes it by unless asked (`--email`).
    news_only: ClassVar[bool] = False

    name: str

    def under_way(self, week: IsoWeek, store: Store) -> bool:
        """Whether publishing ``week`` here has begun: finishing it is no back-fill."""
        return store.delivery(week, self.name) is not None

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> Publisher | None:
        raise NotImplementedError

    @classmethod
    def read_options(cls, raw: dict[str, Any], where: str, base_dir: Path,
                 problems: check.Problems) -> option.Values:
        """Every option of this type read from its entry, unknown keys refused."""
        return cls.options.read(raw, where, problems, base_dir)

    @classmethod
    def common(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> dict[str, str]:
        """The name, for a type that reads its own keys and lists them in ``keys`` (as
        third-party types written before ``options`` do)."""
        values = COMMON_OPTIONS.read(raw, where, problems, also=set(getattr(cls, "keys", ())))
        return {"name": values["name"] or ""}

    @property
    def pages_url(self) -> str:
        """The address this target publishes pages under, with a trailing slash; "" if none."""
        return ""

    @property
    def subscribe_page(self) -> str:
        """The address where readers sign up to this target; "" if none."""
        return ""

    def inviting(self, subscribe_page: str) -> Publisher:
        """This target, inviting its readers to ``subscribe_page`` where it shows pages."""
        return self

    def named(self, title: str) -> Publisher:
        """This target under the publication's name ``title``, where its own entry gives none."""
        return self

    def presenting(self, publication: Publication) -> Publisher:
        """This target, telling its readers what ``publication`` is where it shows pages."""
        return self

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        raise NotImplementedError

    def editions_done(self, output: Path, store: Store, new: bool) -> None:
        """After a week's editions went out here (``takes_editions``): what lists them, once;
        ``new``: one of them is new here."""

    def withdraw(self, output: Path, delivered: Delivery, store: Store) -> Delivery | None:
        """Take a week rejected after it went out off this target (``withdraws``); None: nothing to do."""
        raise NotImplementedError(f"{self.type} publishers cannot withdraw")

    def rebuild(self, output: Path, store: Store) -> int:
        """Write everything again from every week published here (``rebuilds``); files written."""
        raise NotImplementedError(f"{self.type} publishers cannot rebuild")

    def correct(self, bulletin: RenderedBulletin, store: Store, corrections: Sequence[Correction]
                ) -> Delivery:
        """Put a week's corrected edition in place of the one it has (``corrects``)."""
        raise NotImplementedError(f"{self.type} publishers cannot correct a published week")

    def send_test(self, bulletin: RenderedBulletin, address: str) -> str:
        """One copy to one address, nothing recorded (``sends_test``); says where it went."""
        raise NotImplementedError(f"{self.type} publishers cannot send a test copy")

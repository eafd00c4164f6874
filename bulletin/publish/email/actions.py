"""Email actions outside the normal publish run: a test copy, re-queueing uncertain copies."""

from __future__ import annotations

from collections.abc import Sequence

from bulletin.config.settings import Config
from bulletin.errors import PublishError
from bulletin.model.editions import MAIN
from bulletin.publish.publisher import Publisher, RenderedBulletin
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek


def _email_target(config: Config, to: Sequence[str]) -> Publisher:
    found = [p for p in config.publishers if p.sends_test
             and (not to or p.name in to or p.type in to)]
    if not found:
        raise PublishError("no email target configured (add a `type: email` entry under publish:)")
    return found[0]


def send_test(config: Config, week: IsoWeek, address: str, to: Sequence[str] = ()) -> str:
    """One [TEST] copy to ``address``; the subscribers and the ledger are left alone."""
    target = _email_target(config, to)
    with Store.open(config.store) as store:
        bulletin = RenderedBulletin.read(config.output, store, week)
    return f"{target.name}: test copy sent to {address} ({target.send_test(bulletin, address)})"


def requeue_uncertain(config: Config, week: IsoWeek) -> int:
    """Let the next send email the copies a killed run may or may not have delivered, of the week's
    main bulletin and of each of its editions."""
    with Store.open(config.store) as store:
        editions = [MAIN, *(record.edition for record in store.editions.of(week))]
        return sum(store.send_ledger(week, edition).requeue_uncertain() for edition in editions)

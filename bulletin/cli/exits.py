"""The exit statuses cron and systemd see; docs/running-weekly.md lists them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING

from bulletin.model import DeliveryStatus

if TYPE_CHECKING:
    from bulletin.model import Delivery


class Exit(IntEnum):
    DONE = 0  # done, or nothing to do
    FAILED = 1  # something failed and nothing was published
    USAGE = 2  # a usage or config error: fix the command line or config.yaml
    HELD = 3  # the bulletin waits for an editor (`bulletin review`)
    PARTIAL = 4  # published, but some target or some copies failed


def of_deliveries(deliveries: Iterable[Delivery]) -> Exit:
    """All well: 0; every target failed: 1; some did: 4."""
    states = [d.status for d in deliveries]
    failed = sum(state == DeliveryStatus.FAILED for state in states)
    if not failed:
        return Exit.DONE
    return Exit.FAILED if failed == len(states) else Exit.PARTIAL

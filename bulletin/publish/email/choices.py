"""The editions a reader may choose: the main bulletin, the config's named editions, and, with a
generator (``{per: developer, top: N}``), each developer's edition a week has had.

A reader's choice is a list of edition names (bulletin/store/mail.py keeps it);
this module says which names are on offer, with their titles, and checks a
choice made on the command line or in a form against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bulletin.errors import SubscriberError
from bulletin.model.editions import MAIN, MAX_NAME, Edition, EditionGenerator
from bulletin.records import record
from bulletin.render.rendered import DEFAULT_LOCALE
from bulletin.store.database import Store


@record
class Choice:
    """One edition on offer: its name and its title in each language it has one in."""

    name: str
    titles: dict[str, str]

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get(DEFAULT_LOCALE) or self.name


def offered(editions: Sequence[Edition | EditionGenerator], store: Store, list_title: str) -> list[Choice]:
    """The editions a reader may choose, the main bulletin first, then by name.

    A generator's editions are known by name once a week has been written
    with them (``store.editions``); until then only the named ones are offered.
    """
    newest = store.editions.newest()
    generated = any(isinstance(e, EditionGenerator) for e in editions)
    found: dict[str, dict[str, str]] = {}
    for edition in editions:
        if isinstance(edition, Edition):
            titles = {DEFAULT_LOCALE: edition.title.replace("{name}", edition.subject.key)}
            if edition.title_zh:
                titles["zh"] = edition.title_zh.replace("{name}", edition.subject.key)
            found[edition.name] = titles
    if generated:
        for name in newest:
            found.setdefault(name, {})
    for name, latest in newest.items():
        if name in found and latest.titles:
            found[name] = {**found[name], **latest.titles}  # as its latest week printed them
    main = Choice(MAIN, {DEFAULT_LOCALE: list_title})
    return [main, *(Choice(name, titles or {DEFAULT_LOCALE: name}) for name, titles in sorted(found.items()))]


def unknown(names: Iterable[str], choices: Sequence[Choice]) -> str | None:
    """The first of ``names`` that is no edition on offer, cut to a name's length; None if all are."""
    known = {choice.name for choice in choices}
    for name in names:
        if name not in known:
            return name if len(name) <= MAX_NAME else name[:MAX_NAME] + "…"
    return None


def checked(names: Iterable[str], choices: Sequence[Choice], where: str) -> tuple[str, ...]:
    """``names`` as a reader's choice, in order and once each; SubscriberError naming ``where``
    and the first name that is no edition on offer."""
    names = list(names)
    wrong = unknown(names, choices)
    if wrong is not None:
        raise SubscriberError(f"{where}: {wrong!r} is not an edition of this bulletin "
                              f"(one of: {', '.join(sorted(c.name for c in choices))})")
    return tuple(dict.fromkeys(names))

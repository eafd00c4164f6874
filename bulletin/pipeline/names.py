"""Model names editors decide: a made-up name confirmed, or corrected, once for every later week.

A week is held when a top-ten model's name had to be made from its id (story/review.py).
The decision is kept in the store with who made it and when; from then on the name is the
model's in every article (families.display_name) and no week is held for it. Used by
``bulletin names`` and by the desk's names page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bulletin import clock, pipeline
from bulletin.config.settings import Config
from bulletin.errors import BulletinError
from bulletin.model import Status
from bulletin.pipeline import RunResult
from bulletin.store.database import Store
from bulletin.store.decisions import CONFIRMED, CORRECTED, DecidedName
from bulletin.store.lock import run_lock
from bulletin.story.families import display_name
from bulletin.story.review import made_name_in
from bulletin.weeks import IsoWeek

MAX_NAME = 120  # characters
# What a model's name may hold: letters, digits, spaces and the punctuation real names use
# ("GPT-5.4 Mini", "Step 3.5 Flash (free)", "Z.ai: GLM 5"). No Markdown or markup: a name is
# written into every article and page.
_NAME = re.compile(r"[^\W_](?:[^\W_]|[ .,:;+/()'&!?-])*")


@dataclass(frozen=True)
class Waiting:
    """A made-up name that holds weeks, with the weeks it holds."""

    model: str
    name: str
    weeks: tuple[str, ...]


def checked_name(text: str) -> str:
    """``text`` as a model's name (spaces collapsed), or a BulletinError saying what is wrong."""
    name = " ".join(text.split())
    if not name:
        raise BulletinError("the name is empty")
    if len(name) > MAX_NAME:
        raise BulletinError(f"the name is longer than {MAX_NAME} characters")
    if not _NAME.fullmatch(name):
        raise BulletinError(f"{name!r} is not a model's name: letters, digits, spaces and . , : ; + / ( ) "
                            "' & ! ? - only")
    return name


def _known(store: Store, model: str) -> None:
    if not store.decisions.listed(model):
        raise BulletinError(f"{model!r}: no such model in the store (give its id as the leaderboard "
                            "lists it, e.g. moonshotai/kimi-k2.5-0127)")


@dataclass(frozen=True)
class Decided:
    name: DecidedName
    rendered: list[RunResult]  # the held weeks that waited on it, rendered again with it


def confirm(config: Config, model: str, editor: str) -> Decided:
    """The name the articles give ``model`` now (made from its id) stands, from now on."""
    return _decide(config, model, None, editor)


def correct(config: Config, model: str, name: str, editor: str) -> Decided:
    """``name`` is ``model``'s, wherever it is named, from now on."""
    return _decide(config, model, checked_name(name), editor)


def _decide(config: Config, model: str, name: str | None, editor: str) -> Decided:
    """Keep the decision, then render again every held week that waited on the model's name:
    a week held for nothing else is held no more, and its article gives the decided name."""
    with run_lock(config.database, wait=False), Store.open(config.store) as store:
        _known(store, model)
        weeks = next((w.weeks for w in waiting(store) if w.model == model), ())
        if name is None:
            name = display_name(model, store.model_names())[0]
            decided = DecidedName(model, name, CONFIRMED, editor, clock.stamp())
        else:
            decided = DecidedName(model, name, CORRECTED, editor, clock.stamp())
        store.decisions.decide_name(decided)
        rendered = [pipeline.render(config, IsoWeek.parse(week)) for week in weeks]
    return Decided(decided, rendered)


def forget(config: Config, model: str) -> None:
    """Drop the decision on ``model``: its name is the catalogue's or made up again."""
    with Store.open(config.store) as store:
        if not store.decisions.forget_name(model):
            raise BulletinError(f"{model!r}: no name was decided for this model")


def decided(config: Config) -> list[DecidedName]:
    with Store.open(config.store) as store:
        return list(store.decisions.names().values())


def waiting(store: Store) -> list[Waiting]:
    """The made-up names held weeks give as their reason, with those weeks, and no decision yet."""
    known = store.decisions.names()
    found: dict[str, tuple[str, list[str]]] = {}
    for record in store.bulletins():
        if record.status != Status.HELD:
            continue
        for reason in record.reasons:
            made = made_name_in(reason)
            if made and made[1] not in known:
                found.setdefault(made[1], (made[0], []))[1].append(str(record.week))
    return [Waiting(model, name, tuple(weeks)) for model, (name, weeks) in sorted(found.items())]

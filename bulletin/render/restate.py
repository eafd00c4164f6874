"""Which of a revised week's stated numbers read differently now, written as the article writes them.

The corrections stage pairs each number a published bulletin stated with
what the store now gives the quantities it was traced to. Only the render
stage knows how a number is written, so it says which of them a reader
would see changed ("4.19 trillion" is now "4.29 trillion") and records each
as a Correction; one that rounds to the same text is none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bulletin.corrections.detect import Restated, Revision
from bulletin.model.corrections import Correction, CorrectionStatus
from bulletin.render.claims import FORMATS, numbers_in, sentences, stated_forms
from bulletin.render.rendered import RenderedWeek, article_name
from bulletin.story.quantities import Quantity


def corrections(revision: Revision, revised_by: str, now: str) -> list[Correction]:
    """The week's stated numbers that the store no longer gives as written, one per quantity and language.

    Each revised number once, where the article first states it ("34.3%" in
    prose, "+34.3%" in the table are one number); told signed where the
    article signed it anywhere, so that the note keeps the direction ("fell
    8.3%" in prose, "-8.3%" in the table).
    """
    revised: dict[tuple[str, str], list[Restated]] = {}
    for one in revision.restated:
        if one.locale in FORMATS and not _still_states(one.stated.text, one.now, one.locale):
            revised.setdefault((one.locale, one.quantity), []).append(one)
    # Pending until the week's outputs are written again with the note (pipeline.publish_corrections).
    status = CorrectionStatus.HELD if revision.held else CorrectionStatus.PENDING
    held_for = "; ".join(revision.story_change)
    found = []
    for (locale, quantity), said in revised.items():
        first = said[0]
        signed = next((one for one in said if one.stated.text.startswith(("+", "-"))), first)
        given = next((q for q in signed.now if q.id == quantity), signed.now[0] if signed.now else None)
        new = like(given, signed.stated.text, locale) if given is not None else ""
        found.append(Correction(revision.week, locale, quantity, first.stated.sentence, signed.stated.text,
                                new, first.source, revised_by, now, status, held_for, subject=first.subject))
    return found


def _still_states(text: str, given: Sequence[Quantity], locale: str) -> bool:
    """Whether any of the quantities is still written ``text`` (claims.stated_forms()).

    The way the article most often writes one (a token count, a change) is
    tried first: making every form of every number of hundreds of weeks was
    most of a recheck's time, and nearly every stated number still stands.
    """
    fmt = FORMATS[locale]
    if not any(c.isdigit() for c in text):  # a run of weeks written as a word: "the second week"
        return any(text in _words(q.value, locale) for q in given if isinstance(q.value, int))
    for quantity in given:
        value = quantity.value
        if isinstance(value, bool):
            continue
        if isinstance(value, float):
            likely = (fmt.signed_percent(value), fmt.percent(value))
        elif isinstance(value, int):
            likely = (fmt.tokens(value), str(value))
        else:
            continue
        # Normalised as stated_forms() normalises: these are some of its forms, never others.
        for form in likely:
            form = form.replace("\u2212", "-")
            if text == (form if "%" in form else form.lstrip("+-")):
                return True
    return any(text in stated_forms(q, locale) for q in given)


def _words(value: int, locale: str) -> tuple[str, str]:
    fmt = FORMATS[locale]
    return str(fmt.ordinal(value)), str(fmt.count_words(value))


def like(quantity: Quantity, old: str, locale: str) -> str:
    """The quantity written the way ``old`` was: "4.19 trillion" -> "4.29 trillion", "+34.3%" -> "+36.8%"."""
    fmt, value = FORMATS[locale], quantity.value
    if not any(c.isdigit() for c in old) and isinstance(value, int):
        ordinal, count = _words(value, locale)
        return ordinal if old in [str(fmt.ordinal(n)) for n in range(1, 100)] else count
    forms = sorted(stated_forms(quantity, locale))
    if not forms:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and not old.isdigit():
        return str(fmt.tokens(value)).lstrip("+-")  # a token count, as the article's filter writes it
    if isinstance(value, float) and old.endswith("%"):
        # A change as the article's percent filters write it, signed or not as the old one was.
        forms = [str(form(value)).replace("\u2212", "-") for form in (fmt.percent, fmt.signed_percent)]

    def score(form: str) -> tuple[int, int, int, int]:
        # Signed as the old one was ("+34.3%" in a table), then with as many decimals, then scale.
        bare, was = form.lstrip("+-"), old.lstrip("+-")
        return ((form[:1] in "+-") == (old[:1] in "+-"), _shape(bare, fine=True) == _shape(was, fine=True),
                _shape(bare) == _shape(was), -len(form))

    return max(forms, key=score)


def _shape(text: str, fine: bool = False) -> str:
    """A number's form without its digits: "4.19 trillion" -> "9.9 trillion" (fine) or "9 trillion"."""
    return re.sub(r"\d+(?:,\d{3})*", "9", text) if fine else re.sub(r"\d[\d,.]*", "9", text)


def with_sentences(numbers: Mapping[str, Sequence[Mapping[str, Any]]], edition: RenderedWeek
                   ) -> dict[str, list[dict[str, Any]]]:
    """A bulletin.json's "numbers" written before each kept its sentence, given them from its articles.

    Once per week, for the weeks published before: every bulletin written
    since records them as it is rendered (``claims.trace``).
    """
    found: dict[str, list[dict[str, Any]]] = {}
    for locale, rows in numbers.items():
        name = article_name(locale)
        parts = list(sentences(edition.text(name), locale)) if edition.has(name) else []
        found[locale] = [{**row, "sentence": row.get("sentence") or next(
            (part for part in parts if str(row["text"]) in numbers_in(part, locale)), str(row["text"]))}
            for row in rows]
    return found

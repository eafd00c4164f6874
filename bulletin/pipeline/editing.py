"""An editor's change to one paragraph's wording: checked like the story's own, then rendered.

The edited paragraph must state only numbers the store gives for the week
(the claim check), and its words of direction must go the way its changes go
(render/direction.py). Then the change is kept in the store, with a record of
who made it, when, and the text before and after, and the week is rendered
again in every format: the change is in the article, its page and its
emails, and the disclosure names the editor. What is not checked: a
supported number moved to another subject; the disclosure says that is the
editor's responsibility.

Only a held week is edited: a week already out is corrected, not reworded.
"""

from __future__ import annotations

import re
from datetime import datetime

from bulletin import clock
from bulletin.config.settings import Config
from bulletin.errors import BulletinError, ClaimError, PublishError
from bulletin.model import Status
from bulletin.model.edits import Edit
from bulletin.pipeline import build_story, words_of, write_edition
from bulletin.render import claims, direction
from bulletin.render.rendered import RenderedWeek
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek

MAX_PARAGRAPH = 4000  # characters
# Markup an editor's wording may not add: a link, an image, HTML, or a new block (heading,
# quote, list, table). Emphasis (**, *) is kept as the generated paragraphs write it.
_MARKUP = re.compile(r"<|>|\]\(|!\[|https?://|^\s*(?:#|\||[-+*]\s|\d+[.)]\s)")


class EditError(BulletinError):
    """An edit refused: nothing was changed."""


def edit(config: Config, week: IsoWeek, locale: str, generated: str, seen: str, text: str,
         editor: str, name: str) -> bool:
    """Keep ``text`` as the wording of the paragraph the story writes as ``generated``.

    ``seen`` is the wording the editor started from: when another editor changed
    the paragraph since, nothing is changed and the editor is told who. Returns
    False when the text is the paragraph's wording already.
    """
    text = " ".join(text.split())  # one paragraph: its line breaks are spaces
    if not text:
        raise EditError(f"{week}: an edit cannot empty a paragraph; nothing was changed")
    if len(text) > MAX_PARAGRAPH:
        raise EditError(f"{week}: the paragraph is longer than {MAX_PARAGRAPH:,} characters; "
                        "nothing was changed")
    if _MARKUP.search(text):
        raise EditError(f"{week}: an edit may not add a link, an image, HTML or a new block; "
                        "nothing was changed")
    with Store.open(config.store) as store:
        record = store.bulletin(week)
        if record is None:
            raise PublishError(f"{week}: no rendered bulletin (run `bulletin render --week {week}`)")
        if record.status != Status.HELD:
            raise EditError(f"{week}: only a held bulletin is edited (this one is {record.status}); "
                            "nothing was changed")
        article = RenderedWeek.load(config.output, week).data["articles"].get(locale)
        if article is None or generated not in [p["generated"] for p in article.get("paragraphs", [])]:
            raise EditError(f"{week}: the article no longer has that paragraph (it was rendered again); "
                            "reload the page; nothing was changed")
        kept = {e.generated: e for e in store.edits.of(week) if e.locale == locale}
        now = kept[generated].text if generated in kept else generated
        if now != " ".join(seen.split()):
            who = kept[generated].name if generated in kept else "a new rendering"
            raise EditError(f"{week}: {who} changed this paragraph after you opened it; nothing was "
                            "changed: reload the page to see their wording")
        if text == now:
            return False
        story = build_story(config, store, week, now=datetime.fromisoformat(record.rendered_at))
        words = [*words_of(config, store, week), name]
        wrong = claims.unsupported(story, locale, text, config.title, words)
        if wrong:
            shown = ", ".join(f'"{number}"' for number in wrong)
            raise ClaimError(f"{week}: the edit states {shown}, which the store does not support for "
                             "this week; nothing was changed")
        against = direction.contradictions(story, locale, text, config.title, words)
        if against:
            raise ClaimError(f"{week}: the edit says {'; '.join(against)}; nothing was changed")
        change = Edit(week, locale, generated, text, editor, name, clock.stamp())
        with store.transaction():
            store.edits.save(change, before=now)
            write_edition(config, store, story)  # its own claim check reads every format again
    return True

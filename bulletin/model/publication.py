"""Who publishes the bulletin and what it is, as a reader meets it on every page and email."""

from __future__ import annotations

from bulletin.records import record


@record
class Publication:
    """The front door's words: config text, shown as text (templates escape it), never markup.

    Each default is its option's (config/load.py); "" leaves the line out.
    """

    description: str = ""  # one line: what it is and how often it comes
    description_zh: str = ""  # the same for the Chinese edition; "" shows the English one
    publisher: str = ""  # who is behind it
    postal_address: str = ""  # where the publisher can be written to (the email's footer)

    def words(self) -> tuple[str, ...]:
        """Its lines as a page or email writes them (runs of spaces as one): they state no claim."""
        return tuple(" ".join(text.split()) for text in (self.description, self.description_zh,
                                                         self.publisher, self.postal_address) if text)

    def describe(self, lang: str) -> str:
        """The one line in ``lang``, where there is one in it."""
        return self.description_zh if lang == "zh" and self.description_zh else self.description

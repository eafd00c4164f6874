"""Where third-party publishers found the base class before the stage packages; kept for them."""

from bulletin.publish.publisher import Publisher, RenderedBulletin

__all__ = ["Publisher", "RenderedBulletin"]

"""Where third-party sources found the base class before the stage packages; kept for them."""

from bulletin.collect.source import CollectContext, Source

__all__ = ["CollectContext", "Source"]

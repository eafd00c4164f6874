"""The store: the only owner of the SQLite history."""

from bulletin.store.database import SaveReport, SourceState, Store

__all__ = ["SaveReport", "SourceState", "Store"]

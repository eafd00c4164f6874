"""The store: the only owner of the SQLite history (observations, figures, editions, deliveries)."""

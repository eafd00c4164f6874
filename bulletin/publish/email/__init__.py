"""Email to subscribers: the list, joining and leaving, and exactly-once delivery."""

LOCALES = ("en", "zh")
STATUSES = ("pending", "confirmed", "unsubscribed", "bounced")

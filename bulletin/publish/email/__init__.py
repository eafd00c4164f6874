"""Email to subscribers: the list, joining and leaving, and exactly-once delivery."""

from bulletin.render.edition import LOCALES

STATUSES = ("pending", "confirmed", "unsubscribed", "bounced")

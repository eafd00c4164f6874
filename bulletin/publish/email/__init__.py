"""Email to subscribers: the list, joining and leaving, and exactly-once delivery."""

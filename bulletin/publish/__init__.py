"""Publish: the targets a rendered week goes to (site, WordPress, webhook, email)."""

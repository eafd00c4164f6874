"""Render: the article in each language and format, its chart, and the check of every number."""

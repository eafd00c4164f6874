"""Collect: the sources, read concurrently over one HTTP client, and the figures found in text."""

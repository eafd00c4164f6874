"""The ``bulletin`` command: thin commands that call the pipeline and say what happened."""

from bulletin.cli.commands import main

__all__ = ["main"]

"""The ``bulletin`` command: thin commands that call the pipeline and say what happened."""

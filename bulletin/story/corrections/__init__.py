"""Corrections: a number a published bulletin stated that the source has since revised.

    record.py   what a correction is (the row the store keeps)
    detect.py   after a collection: every published week's stated numbers against the new store
    notes.py    how a correction is shown: the note on the week's page, the notice in the next email

The pipeline decides when they run and publishes them (``pipeline.correct_published``).
"""

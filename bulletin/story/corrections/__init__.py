"""Corrections: a number a published bulletin stated that the source has since revised.

    detect.py   after a collection: every published week's stated numbers against the new store

What a correction is (the row the store keeps) is in model/corrections.py; how
it is shown (the note on the week's page, the notice in the next email) in
render/correction_notes.py.

The pipeline decides when they run and publishes them (``pipeline.correct_published``).
"""
